//! What changed between two reports (new and resolved findings), the JSON line each change is
//! published as, and the restart bursts seen in `die` events.
//!
//! Pure: no clock, no I/O. Times come from the events and from the caller.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use dockaudit_report::{Category, Finding, Report, Severity, Target};
use dockaudit_rules::RuleMeta;
use serde::Serialize;
use serde_json::json;

/// A finding's identity across audits: its rule, its target and, for file findings, where. The
/// message is not part of it: a message that names an age or a count changes while the finding
/// stays the same.
pub type FindingKey = (String, String, String, String);

/// The key of `finding`.
pub fn key_of(finding: &Finding) -> FindingKey {
    (
        finding.rule.clone(),
        finding.target.kind.clone(),
        finding.target.id.clone(),
        finding
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.path, l.line, l.column))
            .unwrap_or_default(),
    )
}

/// The findings of `report` that count (an ignore did not accept them), by key; of several
/// findings with one key, the first.
pub fn active_findings(report: &Report) -> BTreeMap<FindingKey, Finding> {
    let mut out = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        out.entry(key_of(f)).or_insert_with(|| f.clone());
    }
    out
}

/// A finding that appeared or went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// It is in the new report and was not in the old one.
    New,
    /// It was in the old report and is not in the new one.
    Resolved,
}

/// The findings of `now` that `before` lacked (new), then those of `before` that `now` lacks
/// (resolved), each in key order.
pub fn changes(
    before: &BTreeMap<FindingKey, Finding>,
    now: &BTreeMap<FindingKey, Finding>,
) -> Vec<(Change, Finding)> {
    let new = now
        .iter()
        .filter(|(k, _)| !before.contains_key(*k))
        .map(|(_, f)| (Change::New, f.clone()));
    let resolved = before
        .iter()
        .filter(|(k, _)| !now.contains_key(*k))
        .map(|(_, f)| (Change::Resolved, f.clone()));
    new.chain(resolved).collect()
}

/// One line of `--events`: a finding that appeared or went away, for log shippers.
#[derive(Debug, Serialize)]
pub struct EventLine<'a> {
    /// When the watcher saw the change (RFC 3339, UTC).
    pub timestamp: &'a str,
    /// The engine's host (`Name` of `/info`), else its endpoint.
    pub host: &'a str,
    /// `new` or `resolved`.
    pub event: Change,
    /// Rule id.
    pub rule: &'a str,
    /// Rule name.
    pub name: &'a str,
    /// Severity of the finding.
    pub severity: Severity,
    /// Audit area.
    pub category: Category,
    /// What it is about.
    pub target: &'a Target,
    /// What is wrong (masked at collection, like every output).
    pub message: &'a str,
}

/// The JSON line (without its newline) of one change.
pub fn event_line(timestamp: &str, host: &str, change: Change, finding: &Finding) -> String {
    let line = EventLine {
        timestamp,
        host,
        event: change,
        rule: &finding.rule,
        name: &finding.name,
        severity: finding.severity,
        category: finding.category,
        target: &finding.target,
        message: &finding.message,
    };
    // Plain strings and enums: serialising cannot fail. Escaped as the JSON report is, so that a
    // hostile container name cannot act on the terminal that tails the file.
    let text = serde_json::to_string(&line).unwrap_or_default();
    dockaudit_report::emit::escape_raw_controls(&text).into_owned()
}

/// The restart-burst finding's metadata. Not a rule of the registry: it judges the event stream,
/// which no snapshot holds, so only `watch` reports it (`dockaudit explain WCH001` knows it).
pub const RESTART_BURST: RuleMeta = RuleMeta {
    id: "WCH001",
    name: "restart-burst",
    title: "Container restarts in a burst",
    rationale: "A container that keeps stopping and being restarted is failing: it serves nothing \
                between crashes, may lose data on every stop, and a crash loop can hide an attack \
                (a payload that kills the process) or exhaust the host (each start costs CPU, \
                memory and log space). Its restart count alone (LOG003) says it restarted, not \
                that it is doing so now; the engine's `die` events do.",
    remediation: "Read the container's logs (docker logs --tail 100 NAME) and its exit code \
                  (docker inspect -f '{{.State.ExitCode}}' NAME); fix the crash, or cap retries \
                  with --restart on-failure:5 instead of always.",
    category: Category::Containers,
    severity: Severity::High,
    cis: &[],
    cis_v1_6: &[],
    references: &["https://docs.docker.com/engine/containers/start-containers-automatically/"],
};

/// Id of the restart-burst finding.
pub const RESTART_BURST_RULE: &str = RESTART_BURST.id;

/// "N restarts within M": the restart-burst threshold (`--restart-burst 5/10m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstThreshold {
    /// Restarts (`die` events) that make a burst.
    pub restarts: usize,
    /// Within this window.
    pub window: Duration,
}

impl std::str::FromStr for BurstThreshold {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (n, window) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected N/DURATION, e.g. 5/10m"))?;
        let restarts: usize = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n >= 2)
            .ok_or_else(|| format!("`{s}`: the count must be a whole number of at least 2"))?;
        let window = parse_duration(window)?;
        Ok(BurstThreshold { restarts, window })
    }
}

/// Parses `90`, `90s`, `15m`, `2h` (at least one second).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}`: expected a duration such as 30s, 15m or 1h"))?;
    let secs = match unit {
        "" | "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    }
    .filter(|s| *s > 0)
    .ok_or_else(|| format!("`{s}`: expected a duration such as 30s, 15m or 1h"))?;
    Ok(Duration::from_secs(secs))
}

/// The `die` events of each container within the burst window, and every container's count of
/// them since the watcher started.
#[derive(Debug, Default)]
pub struct Restarts {
    /// Event times (ns since the epoch) within the window, by container id.
    recent: HashMap<String, VecDeque<i64>>,
    /// `die` events since the watcher started, by container name (the metrics' label).
    pub total_by_name: BTreeMap<String, u64>,
    names: HashMap<String, String>,
}

impl Restarts {
    /// Records a `die` of container `id` named `name` at `time_nano`.
    pub fn died(&mut self, id: &str, name: &str, time_nano: i64) {
        self.recent
            .entry(id.to_string())
            .or_default()
            .push_back(time_nano);
        *self.total_by_name.entry(name.to_string()).or_default() += 1;
        self.names.insert(id.to_string(), name.to_string());
    }

    /// Forgets container `id` (destroyed): its window and its count.
    pub fn destroyed(&mut self, id: &str) {
        self.recent.remove(id);
        if let Some(name) = self.names.remove(id) {
            self.total_by_name.remove(&name);
        }
    }

    /// Drops the events older than `window` before `now_nano`; containers with none left are
    /// forgotten, so memory follows the containers that restart, not the events seen.
    pub fn expire(&mut self, now_nano: i64, window: Duration) {
        let oldest = now_nano.saturating_sub(i64::try_from(window.as_nanos()).unwrap_or(i64::MAX));
        self.recent.retain(|_, times| {
            while times.front().is_some_and(|t| *t < oldest) {
                times.pop_front();
            }
            !times.is_empty()
        });
    }

    /// The containers with at least `threshold.restarts` `die` events within the window ending at
    /// `now_nano`: (id, name, count).
    pub fn bursts(
        &mut self,
        now_nano: i64,
        threshold: BurstThreshold,
    ) -> Vec<(String, String, usize)> {
        self.expire(now_nano, threshold.window);
        let mut out: Vec<(String, String, usize)> = self
            .recent
            .iter()
            .filter(|(_, times)| times.len() >= threshold.restarts)
            .map(|(id, times)| {
                let name = self.names.get(id).cloned().unwrap_or_else(|| id.clone());
                (id.clone(), name, times.len())
            })
            .collect();
        out.sort();
        out
    }
}

/// The restart-burst finding of one container.
pub fn burst_finding(id: &str, name: &str, count: usize, threshold: BurstThreshold) -> Finding {
    let minutes = threshold.window.as_secs().div_ceil(60);
    Finding {
        rule: RESTART_BURST.id.to_string(),
        name: RESTART_BURST.name.to_string(),
        title: RESTART_BURST.title.to_string(),
        category: RESTART_BURST.category,
        severity: RESTART_BURST.severity,
        cis: Vec::new(),
        target: Target {
            kind: "container".to_string(),
            id: id.to_string(),
            name: name.trim_start_matches('/').to_string(),
        },
        message: format!(
            "stopped {count} times within {minutes} min (threshold {} in {minutes} min)",
            threshold.restarts
        ),
        evidence: json!({
            "die_events": count,
            "window_seconds": threshold.window.as_secs(),
            "threshold": threshold.restarts,
        }),
        remediation: RESTART_BURST.remediation.to_string(),
        location: None,
        suppressed: None,
        host: None,
    }
}

/// Adds `findings` to `report`, counted in its summary, in the report's order.
pub fn add_findings(report: &mut Report, findings: Vec<Finding>) {
    if findings.is_empty() {
        return;
    }
    for f in &findings {
        report.summary.by_severity.add(f.severity);
    }
    report.findings.extend(findings);
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.target.name.cmp(&b.target.name))
            .then_with(|| a.target.id.cmp(&b.target.id))
            .then_with(|| a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockaudit_collect::events::{parse_event, EngineEvent};

    /// The recorded events of a `--restart always` container that exits at once (see
    /// tests/fixtures/events/NOTICE.md).
    fn recorded() -> Vec<EngineEvent> {
        include_str!("../../../tests/fixtures/events/restart-burst.jsonl")
            .lines()
            .map(|l| parse_event(l).expect("a recorded event"))
            .collect()
    }

    fn threshold(restarts: usize, secs: u64) -> BurstThreshold {
        BurstThreshold {
            restarts,
            window: Duration::from_secs(secs),
        }
    }

    /// Feeds the `die` events (and not the destroy) to a tracker; returns it and the last event time.
    fn dies() -> (Restarts, i64, String) {
        let mut restarts = Restarts::default();
        let mut last = 0;
        let mut id = String::new();
        for e in recorded().iter().filter(|e| e.action == "die") {
            restarts.died(&e.id, e.name(), e.time_nano);
            last = e.time_nano;
            id = e.id.clone();
        }
        (restarts, last, id)
    }

    #[test]
    fn recorded_die_events_make_a_burst_at_the_threshold_and_not_below_it() {
        let (mut restarts, last, id) = dies();
        let bursts = restarts.bursts(last, threshold(5, 600));
        assert_eq!(bursts, vec![(id.clone(), "watchfx-c".to_string(), 6)]);
        assert_eq!(restarts.total_by_name.get("watchfx-c"), Some(&6));
        let (mut restarts, last, _) = dies();
        assert!(restarts.bursts(last, threshold(7, 600)).is_empty());
    }

    #[test]
    fn a_burst_ends_when_its_window_slides_past_it_and_destroy_forgets_the_container() {
        let (mut restarts, last, id) = dies();
        let eleven_minutes = 11 * 60 * 1_000_000_000;
        assert!(restarts
            .bursts(last + eleven_minutes, threshold(5, 600))
            .is_empty());
        let (mut restarts, last, _) = dies();
        let destroy = recorded()
            .into_iter()
            .find(|e| e.action == "destroy")
            .expect("the recording ends with a destroy");
        assert_eq!(destroy.id, id);
        restarts.destroyed(&destroy.id);
        assert!(restarts.bursts(last, threshold(5, 600)).is_empty());
        assert!(restarts.total_by_name.is_empty());
    }

    /// The report of the recorded scenario snapshot (crates/rules/tests/fixtures).
    fn scenario_report() -> Report {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/tests/fixtures/scenario.json"
        );
        let snapshot = dockaudit_snapshot::Snapshot::load(std::path::Path::new(path))
            .expect("the recorded scenario");
        dockaudit_rules::audit(
            &snapshot,
            dockaudit_rules::RULES,
            &dockaudit_rules::AuditOptions::default(),
        )
    }

    #[test]
    fn a_finding_that_appears_is_new_and_one_that_goes_is_resolved() {
        let report = scenario_report();
        let all = active_findings(&report);
        assert!(all.len() > 2, "the scenario has findings");
        let mut fewer = report.clone();
        let gone = fewer.findings.remove(0);
        let before = active_findings(&fewer);
        let appeared = changes(&before, &all);
        assert_eq!(appeared.len(), 1);
        assert_eq!(appeared[0].0, Change::New);
        assert_eq!(key_of(&appeared[0].1), key_of(&gone));
        let went = changes(&all, &before);
        assert_eq!(went.len(), 1);
        assert_eq!(went[0].0, Change::Resolved);
        assert!(changes(&all, &all).is_empty());
    }

    #[test]
    fn a_changed_message_alone_is_neither_new_nor_resolved() {
        let report = scenario_report();
        let mut reworded = report.clone();
        for f in &mut reworded.findings {
            f.message.push_str(" (again)");
        }
        assert!(changes(&active_findings(&report), &active_findings(&reworded)).is_empty());
    }

    #[test]
    fn an_event_line_is_one_json_object_with_the_contract_fields() {
        let report = scenario_report();
        let finding = &report.findings[0];
        let line = event_line("2026-12-04T12:00:00Z", "node-1", Change::Resolved, finding);
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(value["event"], "resolved");
        assert_eq!(value["host"], "node-1");
        assert_eq!(value["rule"], finding.rule.as_str());
        assert_eq!(value["target"]["id"], finding.target.id.as_str());
        assert_eq!(value["message"], finding.message.as_str());
        assert_eq!(value["severity"], finding.severity.as_str());
    }

    #[test]
    fn durations_and_thresholds_parse_or_say_what_is_wrong() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(
            "5/10m".parse::<BurstThreshold>(),
            Ok(BurstThreshold {
                restarts: 5,
                window: Duration::from_secs(600)
            })
        );
        assert!("1/10m".parse::<BurstThreshold>().is_err());
        assert!("5".parse::<BurstThreshold>().is_err());
    }

    #[test]
    fn a_burst_finding_counts_in_the_summary_and_keeps_the_report_order() {
        let mut report = scenario_report();
        let high_before = report.summary.by_severity.high;
        let burst = burst_finding("abc", "/web", 6, threshold(5, 600));
        assert_eq!(burst.target.name, "web");
        add_findings(&mut report, vec![burst]);
        assert_eq!(report.summary.by_severity.high, high_before + 1);
        assert!(report
            .findings
            .windows(2)
            .all(|w| w[0].severity >= w[1].severity));
    }
}
