//! The Report: dockaudit's public contract, and the emitters that render it.
//!
//! The rules engine builds one [`Report`]; every output format is a function of it alone. The JSON
//! form is versioned by [`REPORT_SCHEMA_VERSION`] and documented in DESIGN.md; fields are only ever
//! added, never renamed or repurposed, within a version.
#![forbid(unsafe_code)]

pub mod emit;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version of the JSON report format.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// How bad a finding is. Ordered from least to most severe, so `max()` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
    /// Every finding, sorted by severity (worst first), rule, then target.
    pub findings: Vec<Finding>,
    /// Rules (or rule × target checks) that could not be evaluated, with the reason.
    pub skipped: Vec<Skipped>,
    /// Facts that could not be collected.
    pub gaps: Vec<Gap>,
    /// One line per selected rule: what happened to it.
    pub results: Vec<RuleResult>,
}

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `dockaudit`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The engine a report is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Findings per severity.
    pub by_severity: BySeverity,
}

/// A count per severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct Target {
    /// `container`, `image`, `network`, `volume`, `daemon`, `host`, `file`.
    pub kind: String,
    /// Full id (or path, for files).
    pub id: String,
    /// The name people use: container name, first repo:tag, volume or network name.
    pub name: String,
}

/// A place in a file, for findings about files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// A rule, or one rule on one target, that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    /// Rule id.
    pub rule: String,
    /// Why.
    pub reason: String,
    /// The target, when only one target could not be judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// A fact that could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gap {
    /// What is missing.
    pub what: String,
    /// Why.
    pub why: String,
}

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub enum RuleStatus {
    /// Ran and found nothing.
    Passed,
    /// Found at least one problem.
    Failed,
    /// Could not run.
    Skipped,
}

impl Report {
    /// The worst severity among the findings, if any.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether any finding is at or above `threshold`.
    pub fn has_findings_at_or_above(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}
