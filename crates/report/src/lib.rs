//! The Report: dockaudit's public contract, and the emitters that render it.
//!
//! The rules engine builds one [`Report`]; every output format is a function of it alone. The JSON
//! form is versioned by [`REPORT_SCHEMA_VERSION`] and documented in docs/design.md; fields are only ever
//! added, never renamed or repurposed, within a version. With the `schema` feature the types derive
//! a JSON Schema (checked in as docs/report.schema.json and compared with the types in a test).
#![forbid(unsafe_code)]

pub mod emit;
pub mod fleet;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the JSON report format.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of the JSON report, derived from these types (checked in as
/// docs/report.schema.json).
#[cfg(feature = "schema")]
pub fn report_json_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Report)).expect("a schema is JSON")
}

/// How bad a finding is. Ordered from least to most severe, so `max()` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Severity {
    /// Worth knowing; no action needed by itself.
    Info,
    /// Hardening that is good practice.
    Low,
    /// A weakness an attacker could use with some other foothold.
    Medium,
    /// A direct weakness: fix soon.
    High,
    /// A host takeover or a leaked credential: fix now.
    Critical,
}

impl Severity {
    /// Every severity, most severe first (the order reports list them in).
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// Parses a lowercase or capitalised name.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The audit areas, following how operators think about a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Category {
    /// Host configuration and isolation.
    Host,
    /// The Docker daemon's configuration.
    Daemon,
    /// Running containers and their permissions.
    Containers,
    /// Image source, trust and contents.
    Images,
    /// Known vulnerabilities in image packages.
    Vulnerabilities,
    /// Network exposure and the firewall.
    Network,
    /// Volumes and host access.
    Mounts,
    /// Logging and monitoring.
    Logging,
    /// Resource limits and abuse prevention.
    Resources,
    /// Orphaned and unused resources.
    Lifecycle,
    /// AppArmor, SELinux, seccomp, cgroups.
    Protections,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Category; 11] = [
        Category::Host,
        Category::Daemon,
        Category::Containers,
        Category::Images,
        Category::Vulnerabilities,
        Category::Network,
        Category::Mounts,
        Category::Logging,
        Category::Resources,
        Category::Lifecycle,
        Category::Protections,
    ];

    /// The lowercase name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Host => "host",
            Category::Daemon => "daemon",
            Category::Containers => "containers",
            Category::Images => "images",
            Category::Vulnerabilities => "vulnerabilities",
            Category::Network => "network",
            Category::Mounts => "mounts",
            Category::Logging => "logging",
            Category::Resources => "resources",
            Category::Lifecycle => "lifecycle",
            Category::Protections => "protections",
        }
    }

    /// A heading for people.
    pub fn heading(self) -> &'static str {
        match self {
            Category::Host => "Host configuration & isolation",
            Category::Daemon => "Docker daemon",
            Category::Containers => "Running containers & permissions",
            Category::Images => "Image source & trust",
            Category::Vulnerabilities => "Known vulnerabilities",
            Category::Network => "Network exposure & firewall",
            Category::Mounts => "Volume mounts & host access",
            Category::Logging => "Logging & monitoring",
            Category::Resources => "Resource limits & abuse prevention",
            Category::Lifecycle => "Lifecycle & orphaned resources",
            Category::Protections => "Host protections",
        }
    }

    /// Parses a category name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The whole result of one audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The engine audited.
    pub engine: Engine,
    /// When the facts were collected (RFC 3339).
    pub collected_at: String,
    /// Counts.
    pub summary: Summary,
    /// Share of applicable checks passed, weighted by severity (see [`Score`]). Absent from reports
    /// written before it existed, so it defaults when read back.
    #[serde(default)]
    pub score: Score,
    /// Every finding, sorted by severity (worst first), rule, then target.
    pub findings: Vec<Finding>,
    /// Rules (or rule × target checks) that could not be evaluated, with the reason.
    pub skipped: Vec<Skipped>,
    /// Facts that could not be collected.
    pub gaps: Vec<Gap>,
    /// One line per selected rule: what happened to it.
    pub results: Vec<RuleResult>,
    /// A fleet report (several hosts audited into one, see [`fleet`]): each host, its engine, its
    /// own summary and score, or why it could not be audited. Absent from a single-host report,
    /// whose findings then carry no `host`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<fleet::HostReport>,
}

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tool {
    /// `dockaudit`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The engine a report is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Engine {
    /// `docker` or `podman`.
    pub kind: String,
    /// Engine version.
    pub version: String,
    /// Negotiated API version.
    pub api_version: String,
    /// Where it was reached.
    pub endpoint: String,
}

/// Counts over the selected rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Rules selected.
    pub rules: usize,
    /// Rules that ran (passed + failed).
    pub evaluated: usize,
    /// Rules that ran and found nothing.
    pub passed: usize,
    /// Rules with at least one finding.
    pub failed: usize,
    /// Rules that could not run at all.
    pub skipped: usize,
    /// Findings per severity (suppressed findings not included).
    pub by_severity: BySeverity,
    /// Findings an ignore accepted: kept in `findings`, counted nowhere else.
    #[serde(default)]
    pub suppressed: usize,
}

/// A count per severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BySeverity {
    /// Critical findings.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
    /// Informational findings.
    pub info: usize,
}

impl BySeverity {
    /// Adds one to the count of `severity`.
    pub fn add(&mut self, severity: Severity) {
        *self.slot(severity) += 1;
    }

    /// The count for `severity`.
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn slot(&mut self, severity: Severity) -> &mut usize {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    /// `container`, `image`, `network`, `volume`, `daemon`, `host`, `file`, or `service` (a Compose
    /// service judged by `dockaudit lint`; its id is `FILE#SERVICE`).
    pub kind: String,
    /// Full id (or path, for files).
    pub id: String,
    /// The name people use: container name, first repo:tag, volume or network name.
    pub name: String,
}

/// A place in a file, for findings about files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Location {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One problem found on one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// Rule id (`CTR001`).
    pub rule: String,
    /// Rule name (`privileged-container`).
    pub name: String,
    /// Rule title.
    pub title: String,
    /// Audit area.
    pub category: Category,
    /// Severity of this finding (a rule may raise it for a worse case, e.g. a read-write mount).
    pub severity: Severity,
    /// CIS Docker Benchmark v1.8.0 control ids.
    pub cis: Vec<String>,
    /// What it is about.
    pub target: Target,
    /// What is wrong, specifically, for this target.
    pub message: String,
    /// The facts the judgement rests on (never a secret value).
    pub evidence: Value,
    /// What to do about it.
    pub remediation: String,
    /// Where, for findings about a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Set when an ignore accepted this finding: it stays in the report but counts for neither the
    /// exit code nor the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
    /// The host (its label in a fleet report: the `--host` URL, the context name, or the
    /// snapshot's endpoint) the finding is on; set on every finding of a fleet report, absent in a
    /// single-host report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Suppression {
    /// The reason the ignore gives.
    pub reason: String,
    /// `config` (an `[[ignore]]` entry), `label` (`dockaudit.ignore` on the container or image) or
    /// `inline` (a `# dockaudit-ignore RULE: reason` comment in a Dockerfile or Compose file).
    pub source: String,
}

/// A rule, or one rule on one target, that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Skipped {
    /// Rule id.
    pub rule: String,
    /// Why.
    pub reason: String,
    /// The target, when only one target could not be judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The host it was skipped on (fleet reports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// A fact that could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Gap {
    /// What is missing.
    pub what: String,
    /// Why.
    pub why: String,
    /// The host it is missing on (fleet reports only; an unreachable host is a gap of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleResult {
    /// Rule id.
    pub rule: String,
    /// Audit area, so scores per category can be computed from the report alone.
    pub category: Category,
    /// The rule's default severity.
    pub severity: Severity,
    /// `passed`, `failed` or `skipped`.
    pub status: RuleStatus,
    /// Targets the rule judged.
    pub checked: usize,
    /// Targets with a finding.
    pub failed: usize,
}

/// Outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RuleStatus {
    /// Ran and found nothing.
    Passed,
    /// Found at least one problem.
    Failed,
    /// Could not run.
    Skipped,
}

/// How well a host did: per category and overall, the share of applicable checks that passed,
/// each check weighted by its rule's default severity ([`Score::weight`]).
///
/// A check is one target a rule judged (`RuleResult::checked`); a skipped rule, a rule that had
/// nothing to judge and an `info` rule are not applicable and do not move the score. Scores are
/// rounded down, so 100 means nothing applicable failed. With nothing applicable there is no score
/// (`null`, and the category is left out of `by_category`): skip is not pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Score {
    /// 0–100 over every category; `None` when nothing applicable was checked.
    pub overall: Option<u8>,
    /// 0–100 per category that had applicable checks, in category order.
    pub by_category: BTreeMap<Category, u8>,
}

impl Score {
    /// The weight of one check of a rule whose default severity is `severity`.
    pub fn weight(severity: Severity) -> u64 {
        match severity {
            Severity::Critical => 10,
            Severity::High => 5,
            Severity::Medium => 3,
            Severity::Low => 1,
            Severity::Info => 0,
        }
    }

    /// Computes the score from the per-rule results of a report.
    pub fn from_results(results: &[RuleResult]) -> Score {
        // (weighted passed, weighted applicable) per category.
        let mut sums: BTreeMap<Category, (u64, u64)> = BTreeMap::new();
        for r in results {
            if r.status == RuleStatus::Skipped {
                continue;
            }
            let w = Score::weight(r.severity);
            let checked = r.checked as u64;
            if w == 0 || checked == 0 {
                continue;
            }
            let passed = checked.saturating_sub(r.failed as u64);
            let slot = sums.entry(r.category).or_default();
            slot.0 += w * passed;
            slot.1 += w * checked;
        }
        let pct = |(passed, total): (u64, u64)| (passed * 100 / total) as u8;
        let total = sums
            .values()
            .fold((0, 0), |acc, s| (acc.0 + s.0, acc.1 + s.1));
        Score {
            overall: (total.1 > 0).then(|| pct(total)),
            by_category: sums.into_iter().map(|(c, s)| (c, pct(s))).collect(),
        }
    }
}

/// One rule as the emitters that describe rules need it (SARIF's `tool.driver.rules`, rule names in
/// JUnit). The report crate knows nothing of the rules crate: the binary fills these from the
/// registry. Field names match `dockaudit rules --format json`, so that output deserialises as a
/// catalogue too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// Stable id (`CTR001`).
    pub id: String,
    /// Kebab-case name (`privileged-container`).
    pub name: String,
    /// One line: what is checked.
    pub title: String,
    /// Why it matters.
    pub rationale: String,
    /// What to do.
    pub remediation: String,
    /// Audit area.
    pub category: Category,
    /// Default severity.
    pub severity: Severity,
    /// CIS Docker Benchmark v1.8.0 control ids.
    #[serde(default)]
    pub cis: Vec<String>,
    /// Docker docs, CIS, CWE.
    #[serde(default)]
    pub references: Vec<String>,
}

impl Report {
    /// The worst severity among the findings, if any.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| f.severity)
            .max()
    }

    /// Whether any finding that is not suppressed is at or above `threshold`.
    pub fn has_findings_at_or_above(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= threshold)
    }
}

#[cfg(test)]
mod score_tests {
    use super::*;

    fn result(
        category: Category,
        severity: Severity,
        status: RuleStatus,
        checked: usize,
        failed: usize,
    ) -> RuleResult {
        RuleResult {
            rule: "X".into(),
            category,
            severity,
            status,
            checked,
            failed,
        }
    }

    #[test]
    fn weights_checks_by_severity_and_ignores_what_is_not_applicable() {
        let results = [
            // containers: critical 4 checked 1 failed (30/40), low 2 checked 2 failed (0/2) -> 30/42
            result(
                Category::Containers,
                Severity::Critical,
                RuleStatus::Failed,
                4,
                1,
            ),
            result(
                Category::Containers,
                Severity::Low,
                RuleStatus::Failed,
                2,
                2,
            ),
            // info rules and skipped rules do not count
            result(
                Category::Containers,
                Severity::Info,
                RuleStatus::Failed,
                5,
                5,
            ),
            result(Category::Daemon, Severity::High, RuleStatus::Skipped, 0, 0),
            // a rule with nothing to judge does not count
            result(Category::Mounts, Severity::High, RuleStatus::Passed, 0, 0),
            // daemon: high 1 checked, passed -> 5/5
            result(Category::Daemon, Severity::High, RuleStatus::Passed, 1, 0),
        ];
        let score = Score::from_results(&results);
        assert_eq!(score.by_category.get(&Category::Containers), Some(&71)); // 30/42 = 71.4
        assert_eq!(score.by_category.get(&Category::Daemon), Some(&100));
        assert!(!score.by_category.contains_key(&Category::Mounts));
        assert_eq!(score.overall, Some(74)); // 35/47 = 74.5, rounded down
    }

    #[test]
    fn nothing_applicable_is_no_score_not_a_perfect_one() {
        let score = Score::from_results(&[result(
            Category::Host,
            Severity::High,
            RuleStatus::Skipped,
            0,
            0,
        )]);
        assert_eq!(score.overall, None);
        assert!(score.by_category.is_empty());
    }

    #[test]
    fn one_failure_keeps_the_score_below_100() {
        let score = Score::from_results(&[result(
            Category::Host,
            Severity::Low,
            RuleStatus::Failed,
            1000,
            1,
        )]);
        assert_eq!(score.overall, Some(99));
    }
}
