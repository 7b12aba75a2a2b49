//! Fleet reports: several hosts audited separately, merged into one [`Report`].
//!
//! Each host is collected and judged on its own (its own snapshot, its own rule results), so a
//! rule's judgement never mixes facts of two hosts. [`merge`] then puts the host's label on every
//! finding, skip and gap, sums the per-rule results (a rule failed if it failed on any host,
//! passed if it ran somewhere and failed nowhere, skipped if it ran nowhere), recounts the summary
//! and the score over the whole fleet, and lists each host in `hosts` with its own summary and
//! score, or, for a host that could not be audited, why. An unreachable host is also a gap naming
//! it, so every format shows it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    BySeverity, Engine, Finding, Gap, Report, RuleResult, RuleStatus, Score, Summary, Tool,
    REPORT_SCHEMA_VERSION,
};

/// One host of a fleet report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HostReport {
    /// The host's label, as its findings carry it: the `--host` URL, the Docker context's name,
    /// or the snapshot's endpoint.
    pub host: String,
    /// `audited`, or `unreachable` when nothing could be collected from it.
    pub status: HostStatus,
    /// The engine audited (absent for an unreachable host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// When its facts were collected, RFC 3339 (absent for an unreachable host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// Its own counts (absent for an unreachable host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Its own score (absent for an unreachable host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    /// Why it could not be audited (unreachable hosts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Whether a host of a fleet was audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HostStatus {
    /// Collected and judged.
    Audited,
    /// Nothing could be collected: the engine could not be reached (or its snapshot read).
    Unreachable,
}

/// What became of one host of a fleet.
#[derive(Debug, Clone)]
pub enum HostOutcome {
    /// Its own report, from its own snapshot.
    Audited(Box<Report>),
    /// Why it could not be audited.
    Unreachable(String),
}

/// Merges the hosts of a fleet, in the order given, into one report (see the module).
pub fn merge(hosts: Vec<(String, HostOutcome)>) -> Report {
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    let mut gaps = Vec::new();
    let mut listed = Vec::new();
    let mut results: Vec<RuleResult> = Vec::new();
    let mut result_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut engines: Vec<Engine> = Vec::new();
    let mut collected: Vec<String> = Vec::new();
    let mut tool = None;
    for (host, outcome) in hosts {
        let report = match outcome {
            HostOutcome::Unreachable(why) => {
                gaps.push(Gap {
                    what: "engine".into(),
                    why: format!("not audited: {why}"),
                    host: Some(host.clone()),
                });
                listed.push(HostReport {
                    host,
                    status: HostStatus::Unreachable,
                    engine: None,
                    collected_at: None,
                    summary: None,
                    score: None,
                    error: Some(why),
                });
                continue;
            }
            HostOutcome::Audited(report) => *report,
        };
        let on = || Some(host.clone());
        findings.extend(
            report
                .findings
                .into_iter()
                .map(|f| Finding { host: on(), ..f }),
        );
        skipped.extend(report.skipped.into_iter().map(|mut s| {
            s.host = on();
            s
        }));
        gaps.extend(report.gaps.into_iter().map(|g| Gap { host: on(), ..g }));
        for r in report.results {
            match result_index.get(&r.rule) {
                Some(&i) => {
                    let sum = &mut results[i];
                    sum.checked += r.checked;
                    sum.failed += r.failed;
                    sum.status = combined(sum.status, r.status);
                }
                None => {
                    result_index.insert(r.rule.clone(), results.len());
                    results.push(r);
                }
            }
        }
        tool.get_or_insert(report.tool);
        engines.push(report.engine.clone());
        collected.push(report.collected_at.clone());
        listed.push(HostReport {
            host,
            status: HostStatus::Audited,
            engine: Some(report.engine),
            collected_at: Some(report.collected_at),
            summary: Some(report.summary),
            score: Some(report.score),
            error: None,
        });
    }

    // The single-host order (severity, rule, target), then the host.
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.target.name.cmp(&b.target.name))
            .then_with(|| a.target.id.cmp(&b.target.id))
            .then_with(|| a.message.cmp(&b.message))
            .then_with(|| a.host.cmp(&b.host))
    });
    skipped.sort_by(|a, b| a.cmp(b).then_with(|| a.host.cmp(&b.host)));
    gaps.sort_by(|a, b| a.host.cmp(&b.host).then_with(|| a.cmp(b)));

    let mut summary = Summary {
        rules: results.len(),
        ..Summary::default()
    };
    for r in &results {
        match r.status {
            RuleStatus::Passed => summary.passed += 1,
            RuleStatus::Failed => summary.failed += 1,
            RuleStatus::Skipped => summary.skipped += 1,
        }
    }
    summary.evaluated = summary.passed + summary.failed;
    let mut by_severity = BySeverity::default();
    for f in &findings {
        match f.suppressed {
            None => by_severity.add(f.severity),
            Some(_) => summary.suppressed += 1,
        }
    }
    summary.by_severity = by_severity;

    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: tool.unwrap_or_else(|| Tool {
            name: "dockaudit".into(),
            version: String::new(),
        }),
        engine: common_engine(&engines),
        // The earliest collection: the report is no fresher than its oldest host.
        collected_at: collected.into_iter().min().unwrap_or_default(),
        score: Score::from_results(&results),
        summary,
        findings,
        skipped,
        gaps,
        results,
        hosts: listed,
    }
}

/// A rule's status over two hosts: failed anywhere is failed; ran somewhere is passed.
fn combined(a: RuleStatus, b: RuleStatus) -> RuleStatus {
    use RuleStatus::*;
    match (a, b) {
        (Failed, _) | (_, Failed) => Failed,
        (Passed, _) | (_, Passed) => Passed,
        (Skipped, Skipped) => Skipped,
    }
}

/// The `engine` of a fleet report: each field the hosts share, else empty (`kind` is `mixed` when
/// Docker and Podman are both in the fleet); the endpoint is empty, as there are several: each
/// host's engine is in `hosts`.
fn common_engine(engines: &[Engine]) -> Engine {
    let shared = |field: fn(&Engine) -> &String| -> String {
        match engines.split_first() {
            Some((first, rest)) if rest.iter().all(|e| field(e) == field(first)) => {
                field(first).clone()
            }
            _ => String::new(),
        }
    };
    let kind = shared(|e| &e.kind);
    Engine {
        kind: if kind.is_empty() && !engines.is_empty() {
            "mixed".into()
        } else {
            kind
        },
        version: shared(|e| &e.version),
        api_version: shared(|e| &e.api_version),
        endpoint: String::new(),
    }
}

impl Report {
    /// Whether this is a fleet report (several hosts; findings carry `host`).
    pub fn is_fleet(&self) -> bool {
        !self.hosts.is_empty()
    }
}
