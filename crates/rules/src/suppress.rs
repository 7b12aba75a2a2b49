//! Accepted risks: `[[ignore]]` entries (rule, target glob, required reason, optional expiry date)
//! and the `dockaudit.ignore=RULE[,RULE]` label on a container or image. Applied centrally by the
//! engine after the rules ran; rules know nothing of it.
//!
//! A suppressed finding stays in the report, marked with its reason and source, and counts for
//! neither the exit code nor the summary. An entry whose expiry date is before the snapshot's
//! `collected_at` date (never the clock) suppresses nothing. What became of each entry is an
//! [`IgnoreOutcome`], which the META rules judge after the other rules ran: META001 reports an expired
//! entry, META002 one that matched no finding, so the list shrinks as problems are fixed.

use dockaudit_report::{Finding, Location, RuleResult, RuleStatus, Summary, Suppression, Target};
use dockaudit_snapshot::Snapshot;
use globset::{Glob, GlobMatcher};

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
    /// The entry names a rule about the ignore entries themselves.
    #[error("ignore names `{0}`, which judges the ignore entries themselves: turn it off with [rules] ignore = [\"{0}\"] (or --ignore {0}) instead")]
    IgnoresItself(String),
}

impl IgnoreOutcome {
    /// The entry as a report target: the file and line it is written at (`dockaudit.toml:12`), so
    /// two entries of one file are two targets.
    pub fn target(&self) -> Target {
        let name = match &self.entry.origin {
            Some(at) => format!("{}:{}", at.path, at.line),
            None => format!("ignore of {}", self.rule_id),
        };
        Target {
            kind: "file".into(),
            id: name.clone(),
            name,
        }
    }

    /// The entry's target glob, `*` when it has none.
    pub fn target_glob(&self) -> &str {
        self.entry.target.as_deref().unwrap_or("*")
    }

    /// Reports a finding about the entry: on its target, at its place in the file, with the entry
    /// as evidence.
    pub fn fail(&self, checks: &mut crate::rule::Checks, message: String) {
        let failure = checks.fail(self.target(), message);
        failure.evidence(self.evidence());
        if let Some(at) = &self.entry.origin {
            failure.location(at.path.clone(), at.line, at.column);
        }
    }

    /// Evidence for a finding about the entry.
    pub fn evidence(&self) -> serde_json::Value {
        serde_json::json!({
            "rule": self.rule_id,
            "target": self.entry.target,
            "reason": self.entry.reason,
            "expires": self.entry.expires,
        })
    }
}

/// What became of one ignore entry in an audit, for the rules that judge the entries (META).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreOutcome {
    /// The entry as configured.
    pub entry: IgnoreEntry,
    /// The id of the rule it names.
    pub rule_id: &'static str,
    /// Its expiry date is before the snapshot's day (or the snapshot's time is unreadable).
    pub expired: bool,
    /// It accepted at least one finding.
    pub used: bool,
    /// The rule it names ran (passed or failed): not deselected, not skipped.
    pub rule_ran: bool,
    /// A target filter narrowed the audit, so the entry may be about a target that was not judged.
    pub narrowed: bool,
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
    inline: Vec<Inline>,
}

/// A `# dockaudit-ignore RULE: reason` comment in a source file, for one rule.
#[derive(Debug, Clone)]
struct Inline {
    entry: IgnoreEntry,
    rule_id: &'static str,
    /// The file and line whose findings it accepts.
    path: String,
    line: usize,
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
            if rule.judges_ignores() {
                return Err(SuppressError::IgnoresItself(rule.meta.id.to_string()));
            }
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
        Ok(Suppressions {
            entries: compiled,
            inline: Vec::new(),
        })
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.inline.is_empty()
    }

    /// Adds an inline suppression written in `path` (`# dockaudit-ignore CTR001: reason`): it
    /// accepts the findings of its rules located at `path`, line `ignore.applies_to`. Reported like
    /// `[[ignore]]` entries (source `inline`, META002 when it matches nothing).
    pub fn add_inline(
        &mut self,
        path: &str,
        ignore: &dockaudit_source::InlineIgnore,
        rules: &[Rule],
    ) -> Result<(), SuppressError> {
        let named = if ignore.rules.is_empty() {
            String::from("(no rule)")
        } else {
            ignore.rules.join(",")
        };
        if ignore.rules.is_empty() {
            return Err(SuppressError::UnknownRule(named));
        }
        if ignore.reason.trim().is_empty() {
            return Err(SuppressError::NoReason(named));
        }
        for name in &ignore.rules {
            let rule = rules
                .iter()
                .find(|r| r.meta.id.eq_ignore_ascii_case(name) || r.meta.name == name)
                .ok_or_else(|| SuppressError::UnknownRule(name.clone()))?;
            if rule.judges_ignores() {
                return Err(SuppressError::IgnoresItself(rule.meta.id.to_string()));
            }
            self.inline.push(Inline {
                entry: IgnoreEntry {
                    rule: name.clone(),
                    target: None,
                    reason: ignore.reason.clone(),
                    expires: None,
                    origin: Some(Location {
                        path: path.to_string(),
                        line: ignore.at.line,
                        column: ignore.at.column,
                    }),
                },
                rule_id: rule.meta.id,
                path: path.to_string(),
                line: ignore.applies_to,
            });
        }
        Ok(())
    }
}

/// Whether a target glob (compiled without its leading `/`) matches the target's name or id, so
/// `/web` and `web` both name container `web`, and `/etc/docker/*` matches the file `/etc/docker/x`.
fn matches_target(glob: &GlobMatcher, target: &Target) -> bool {
    [&target.name, &target.id]
        .iter()
        .any(|s| glob.is_match(s.trim_start_matches('/')))
}

/// The rule ids `dockaudit.ignore` labels name, per labelled container and image (by kind and id).
/// Built once per audit: most objects carry no such label, and looking each finding's target up in
/// the whole snapshot would make the audit quadratic in the containers.
struct LabelIgnores<'a> {
    by_target: std::collections::HashMap<(&'static str, &'a str), Vec<String>>,
}

impl<'a> LabelIgnores<'a> {
    fn new(snapshot: &'a Snapshot) -> Self {
        let rules = |v: &str| -> Vec<String> {
            v.split(',')
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let containers = snapshot.containers.iter().filter_map(|c| {
            c.label(IGNORE_LABEL)
                .map(|v| (("container", c.inspect.id.as_str()), rules(v)))
        });
        let images = snapshot.images.iter().filter_map(|i| {
            i.inspect
                .config
                .labels
                .get(IGNORE_LABEL)
                .map(|v| (("image", i.inspect.id.as_str()), rules(v)))
        });
        LabelIgnores {
            by_target: containers.chain(images).collect(),
        }
    }

    /// Whether a label on the finding's container or image ignores its rule.
    fn ignores(&self, target: &Target, rule: &str) -> bool {
        let kind = match target.kind.as_str() {
            "container" => "container",
            "image" => "image",
            _ => return false,
        };
        self.by_target
            .get(&(kind, target.id.as_str()))
            .is_some_and(|rules| rules.iter().any(|r| r == rule))
    }
}

/// Applies the ignores to a finished rule run: marks the findings they accept, turns a rule whose
/// every finding is suppressed from failed into passed (and `RuleResult::failed` counts only targets
/// with a finding left), and counts the suppressed findings in the summary. Returns what became of
/// each entry; `narrowed` says whether a target filter was applied.
pub(crate) fn settle(
    suppressions: &Suppressions,
    snapshot: &Snapshot,
    findings: &mut [Finding],
    results: &mut [RuleResult],
    summary: &mut Summary,
    narrowed: bool,
) -> Vec<IgnoreOutcome> {
    let outcomes = apply(suppressions, snapshot, findings, results, narrowed);
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
    outcomes
}

/// Marks the findings that ignores accept, and returns what became of each entry. Expiry is judged
/// against the snapshot's `collected_at` day.
fn apply(
    suppressions: &Suppressions,
    snapshot: &Snapshot,
    findings: &mut [Finding],
    results: &[RuleResult],
    narrowed: bool,
) -> Vec<IgnoreOutcome> {
    // The snapshot's day; an unreadable time expires every dated entry (skip is not pass).
    let today = snapshot.collected_at.get(..10).filter(|d| is_date(d));
    let expired = |c: &Compiled| match (&c.entry.expires, today) {
        (None, _) => false,
        (Some(until), Some(today)) => today > until.as_str(),
        (Some(_), None) => true,
    };
    let labels = LabelIgnores::new(snapshot);
    let mut used = vec![false; suppressions.entries.len()];
    let mut used_inline = vec![false; suppressions.inline.len()];
    for f in findings.iter_mut() {
        // A comment on the very line wins over a config entry: it is the most specific.
        let inline = suppressions.inline.iter().enumerate().find(|(_, i)| {
            i.rule_id == f.rule
                && f.location
                    .as_ref()
                    .is_some_and(|l| l.line == i.line && l.path == i.path)
        });
        if let Some((n, i)) = inline {
            used_inline[n] = true;
            f.suppressed = Some(Suppression {
                reason: i.entry.reason.clone(),
                source: "inline".into(),
            });
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
        } else if labels.ignores(&f.target, &f.rule) {
            f.suppressed = Some(Suppression {
                reason: format!(
                    "label {IGNORE_LABEL} on {} {}",
                    f.target.kind, f.target.name
                ),
                source: "label".into(),
            });
        }
    }
    suppressions
        .entries
        .iter()
        .zip(used)
        .map(|(c, used)| IgnoreOutcome {
            entry: c.entry.clone(),
            rule_id: c.rule_id,
            expired: expired(c),
            used,
            rule_ran: results
                .iter()
                .any(|r| r.rule == c.rule_id && r.status != RuleStatus::Skipped),
            narrowed,
        })
        .chain(
            suppressions
                .inline
                .iter()
                .zip(used_inline)
                .map(|(i, used)| IgnoreOutcome {
                    entry: i.entry.clone(),
                    rule_id: i.rule_id,
                    expired: false,
                    used,
                    rule_ran: results
                        .iter()
                        .any(|r| r.rule == i.rule_id && r.status != RuleStatus::Skipped),
                    narrowed,
                }),
        )
        .collect()
}
