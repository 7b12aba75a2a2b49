//! Accepted risks: `[[ignore]]` entries (rule, target glob, required reason, optional expiry date)
//! and the `dockaudit.ignore=RULE[,RULE]` label on a container or image. Applied centrally by the
//! engine after the rules ran; rules know nothing of it.
//!
//! A suppressed finding stays in the report, marked with its reason and source, and counts for
//! neither the exit code nor the summary. An entry whose expiry date is before the snapshot's
//! `collected_at` date (never the clock) suppresses nothing and is reported as META001; an entry that
//! matched no finding is reported as META002, so the list shrinks as problems are fixed.

use dockaudit_report::{
    Category, Finding, Location, RuleResult, RuleStatus, Severity, Summary, Suppression, Target,
};
use dockaudit_snapshot::Snapshot;
use globset::{Glob, GlobMatcher};
use serde_json::json;

use crate::Rule;

/// The label that ignores rules on one container or image: `dockaudit.ignore=CTR001,IMG002`.
pub const IGNORE_LABEL: &str = "dockaudit.ignore";

/// One `[[ignore]]` entry, as the configuration gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IgnoreEntry {
    /// Rule id (`CTR001`) or name (`privileged-container`).
    pub rule: String,
    /// Glob over the target's name or id; `None` ignores the rule on every target.
    pub target: Option<String>,
    /// Why the risk is accepted (required, not blank).
    pub reason: String,
    /// Last day (`YYYY-MM-DD`, inclusive) the entry applies.
    pub expires: Option<String>,
    /// Where the entry is written, for messages: `dockaudit.toml:12`.
    pub origin: Option<Location>,
}

/// An ignore entry that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SuppressError {
    /// The reason is missing or blank.
    #[error("ignore of `{0}` has no reason: say why the risk is accepted (reason = \"…\")")]
    NoReason(String),
    /// The rule names no rule.
    #[error("ignore names unknown rule `{0}`: use a rule id (CTR001) or name; `dockaudit rules` lists them")]
    UnknownRule(String),
    /// The target glob is malformed.
    #[error("ignore of `{0}` has an invalid target pattern `{1}`: {2}")]
    BadGlob(String, String, String),
    /// The expiry is not a date.
    #[error("ignore of `{0}` has an invalid expiry `{1}`: expected a date YYYY-MM-DD")]
    BadDate(String, String),
}

#[derive(Debug, Clone)]
struct Compiled {
    entry: IgnoreEntry,
    rule_id: &'static str,
    target: Option<GlobMatcher>,
}

/// Validated ignores, ready for the engine.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    entries: Vec<Compiled>,
}

/// `YYYY-MM-DD` with plausible month and day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

impl Suppressions {
    /// Validates `entries` against the rules that exist.
    pub fn new(entries: Vec<IgnoreEntry>, rules: &[Rule]) -> Result<Suppressions, SuppressError> {
        let mut compiled = Vec::new();
        for entry in entries {
            let rule = rules
                .iter()
                .find(|r| {
                    r.meta.id.eq_ignore_ascii_case(entry.rule.trim()) || r.meta.name == entry.rule
                })
                .ok_or_else(|| SuppressError::UnknownRule(entry.rule.clone()))?;
            if entry.reason.trim().is_empty() {
                return Err(SuppressError::NoReason(entry.rule.clone()));
            }
            if let Some(d) = &entry.expires {
                if !is_date(d) {
                    return Err(SuppressError::BadDate(entry.rule.clone(), d.clone()));
                }
            }
            let target = match &entry.target {
                None => None,
                Some(g) => Some(
                    Glob::new(g.trim_start_matches('/'))
                        .map_err(|e| {
                            SuppressError::BadGlob(entry.rule.clone(), g.clone(), e.to_string())
                        })?
                        .compile_matcher(),
                ),
            };
            compiled.push(Compiled {
                entry,
                rule_id: rule.meta.id,
                target,
            });
        }
        Ok(Suppressions { entries: compiled })
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether a target glob (compiled without its leading `/`) matches the target's name or id, so
/// `/web` and `web` both name container `web`, and `/etc/docker/*` matches the file `/etc/docker/x`.
fn matches_target(glob: &GlobMatcher, target: &Target) -> bool {
    [&target.name, &target.id]
        .iter()
        .any(|s| glob.is_match(s.trim_start_matches('/')))
}

/// The rule ids a `dockaudit.ignore` label on this finding's container or image names.
fn label_ignores(snapshot: &Snapshot, target: &Target) -> Vec<String> {
    let value = match target.kind.as_str() {
        "container" => snapshot
            .containers
            .iter()
            .find(|c| c.inspect.id == target.id)
            .and_then(|c| c.label(IGNORE_LABEL)),
        "image" => snapshot
            .images
            .iter()
            .find(|i| i.inspect.id == target.id)
            .and_then(|i| i.inspect.config.labels.get(IGNORE_LABEL))
            .map(String::as_str),
        _ => None,
    };
    value
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Applies the ignores to a finished rule run: marks the findings they accept, turns a rule whose
/// every finding is suppressed from failed into passed (and `RuleResult::failed` counts only targets
/// with a finding left), counts the suppressed findings in the summary, and adds the META findings
/// about the ignores themselves.
pub(crate) fn settle(
    suppressions: &Suppressions,
    snapshot: &Snapshot,
    findings: &mut Vec<Finding>,
    results: &mut [RuleResult],
    summary: &mut Summary,
) {
    let meta = apply(suppressions, snapshot, findings);
    for r in results
        .iter_mut()
        .filter(|r| r.status == RuleStatus::Failed)
    {
        let mut targets: Vec<&str> = findings
            .iter()
            .filter(|f| f.rule == r.rule && f.suppressed.is_none())
            .map(|f| f.target.id.as_str())
            .collect();
        targets.sort_unstable();
        targets.dedup();
        r.failed = targets.len();
        if targets.is_empty() {
            r.status = RuleStatus::Passed;
            summary.failed -= 1;
            summary.passed += 1;
        }
    }
    summary.suppressed = findings.iter().filter(|f| f.suppressed.is_some()).count();
    findings.extend(meta);
}

/// Marks the findings that ignores accept, and returns the META findings about the ignores
/// themselves (expired, unused). `collected_at` is the snapshot's RFC 3339 time.
pub(crate) fn apply(
    suppressions: &Suppressions,
    snapshot: &Snapshot,
    findings: &mut [Finding],
) -> Vec<Finding> {
    // The snapshot's day; an unreadable time expires every dated entry (skip is not pass).
    let today = snapshot.collected_at.get(..10).filter(|d| is_date(d));
    let expired = |c: &Compiled| match (&c.entry.expires, today) {
        (None, _) => false,
        (Some(until), Some(today)) => today > until.as_str(),
        (Some(_), None) => true,
    };
    let mut used = vec![false; suppressions.entries.len()];
    for f in findings.iter_mut() {
        if f.rule.starts_with("META") {
            continue;
        }
        let by_config = suppressions.entries.iter().enumerate().find(|(_, c)| {
            c.rule_id == f.rule
                && !expired(c)
                && c.target
                    .as_ref()
                    .is_none_or(|g| matches_target(g, &f.target))
        });
        if let Some((i, c)) = by_config {
            used[i] = true;
            f.suppressed = Some(Suppression {
                reason: c.entry.reason.clone(),
                source: "config".into(),
            });
        } else if label_ignores(snapshot, &f.target).contains(&f.rule) {
            f.suppressed = Some(Suppression {
                reason: format!(
                    "label {IGNORE_LABEL} on {} {}",
                    f.target.kind, f.target.name
                ),
                source: "label".into(),
            });
        }
    }
    let mut meta = Vec::new();
    for (c, used) in suppressions.entries.iter().zip(used) {
        let e = &c.entry;
        let target = e.target.as_deref().unwrap_or("*");
        let (rule, name, title, message, remediation) = if expired(c) {
            (
                "META001",
                "expired-ignore",
                "An ignore entry has expired",
                format!(
                    "the ignore of {} on `{target}` expired on {} (snapshot taken {}); its findings are reported again",
                    c.rule_id,
                    e.expires.as_deref().unwrap_or_default(),
                    snapshot.collected_at
                ),
                "Fix the findings it covered, or review the accepted risk and set a new expiry date.",
            )
        } else if !used {
            (
                "META002",
                "unused-ignore",
                "An ignore entry matched no finding",
                format!(
                    "the ignore of {} on `{target}` matched no finding",
                    c.rule_id
                ),
                "Delete the ignore entry: what it accepted is fixed or gone.",
            )
        } else {
            continue;
        };
        let path = e
            .origin
            .as_ref()
            .map(|l| l.path.clone())
            .unwrap_or_default();
        meta.push(Finding {
            rule: rule.into(),
            name: name.into(),
            title: title.into(),
            category: Category::Lifecycle,
            severity: Severity::Low,
            cis: Vec::new(),
            target: Target {
                kind: "file".into(),
                id: path.clone(),
                name: path,
            },
            message,
            evidence: json!({
                "rule": c.rule_id,
                "target": e.target,
                "reason": e.reason,
                "expires": e.expires,
            }),
            remediation: remediation.into(),
            location: e.origin.clone(),
            suppressed: None,
        });
    }
    meta
}
