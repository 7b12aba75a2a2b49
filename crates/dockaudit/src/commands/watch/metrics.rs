//! `/metrics`: what the watcher publishes, in the OpenMetrics text format (prometheus-client
//! writes it) and in the Prometheus text format 0.0.4 (derived from it), chosen by the scraper's
//! `Accept` header.
//!
//! The series are rebuilt from the latest report at each scrape: the report is the truth, and a
//! finding that went away leaves no stale series behind.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::published::Published;

/// The OpenMetrics content type.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The Prometheus text format's content type.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Vec<(String, String)>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The metrics of `state`, in the OpenMetrics text format.
pub fn openmetrics(state: &Published) -> String {
    let mut registry = Registry::with_prefix("dockaudit");

    let engine_up = Gauge::<i64>::default();
    engine_up.set(i64::from(state.engine_up));
    registry.register(
        "engine_up",
        "1 when the engine answers and its event stream is followed, 0 while the watcher reconnects",
        engine_up,
    );

    let events = Counter::<u64>::default();
    events.inc_by(state.events_seen);
    registry.register("engine_events", "Engine events received", events);

    let reconnects = Counter::<u64>::default();
    reconnects.inc_by(state.reconnects);
    registry.register(
        "engine_reconnects",
        "Times the watcher lost the engine and connected again",
        reconnects,
    );

    let restarts = Family::<Labels, Counter<u64>>::default();
    for (name, count) in &state.restarts_by_name {
        restarts
            .get_or_create(&labels(&[("container", name)]))
            .inc_by(*count);
    }
    registry.register(
        "container_restarts",
        "Container stops (die events) seen since the watcher started, by container name",
        restarts,
    );

    if let Some(report) = &state.report {
        let mut by_group: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
        let findings = Family::<Labels, Gauge<i64>>::default();
        for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
            *by_group
                .entry((
                    f.rule.clone(),
                    f.severity.as_str().to_string(),
                    f.category.as_str().to_string(),
                    f.target.kind.clone(),
                ))
                .or_default() += 1;
            findings
                .get_or_create(&labels(&[
                    ("rule", &f.rule),
                    ("name", &f.name),
                    ("severity", f.severity.as_str()),
                    ("category", f.category.as_str()),
                    ("target_kind", &f.target.kind),
                    ("target", &f.target.name),
                ]))
                .set(1);
        }
        let counts = Family::<Labels, Gauge<i64>>::default();
        for ((rule, severity, category, kind), n) in &by_group {
            counts
                .get_or_create(&labels(&[
                    ("rule", rule),
                    ("severity", severity),
                    ("category", category),
                    ("target_kind", kind),
                ]))
                .set(*n);
        }
        registry.register(
            "findings",
            "Findings of the latest audit (accepted ones not counted), by rule, severity, category and target kind",
            counts,
        );
        registry.register(
            "finding",
            "1 for each finding of the latest audit (accepted ones left out), naming its target",
            findings,
        );

        let suppressed = Gauge::<i64>::default();
        suppressed.set(count(report.summary.suppressed));
        registry.register(
            "findings_suppressed",
            "Findings an ignore accepted",
            suppressed,
        );
        let skipped = Family::<Labels, Gauge<i64>>::default();
        for s in &report.skipped {
            skipped
                .get_or_create(&labels(&[
                    ("rule", &s.rule),
                    ("scope", if s.target.is_some() { "target" } else { "rule" }),
                ]))
                .inc();
        }
        registry.register(
            "rule_skips",
            "Rules (scope=rule) or rule-target checks (scope=target) that could not be judged",
            skipped,
        );
        let gaps = Gauge::<i64>::default();
        gaps.set(count(report.gaps.len()));
        registry.register("gaps", "Facts the latest collection could not get", gaps);
    }

    let duration = Gauge::<f64, AtomicU64>::default();
    duration.set(state.full_audit_seconds);
    registry.register(
        "audit_duration_seconds",
        "How long the latest full audit took (collection and rules)",
        duration,
    );
    let last_full = Gauge::<f64, AtomicU64>::default();
    last_full.set(state.last_full_audit_unix);
    registry.register(
        "last_audit_timestamp_seconds",
        "When the latest full audit finished (Unix time; 0: none yet)",
        last_full,
    );
    let last_update = Gauge::<f64, AtomicU64>::default();
    last_update.set(state.last_update_unix);
    registry.register(
        "last_update_timestamp_seconds",
        "When the findings were last re-judged, after a full audit or an event (Unix time)",
        last_update,
    );

    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = encode(&mut out, &registry);
    sort_samples(&out)
}

/// The samples of each family in label order (prometheus-client writes them in hash order), so
/// two scrapes of the same findings read the same.
fn sort_samples(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut samples: Vec<&str> = Vec::new();
    let flush = |samples: &mut Vec<&str>, out: &mut String| {
        samples.sort_unstable();
        for s in samples.drain(..) {
            out.push_str(s);
            out.push('\n');
        }
    };
    for line in text.lines() {
        if line.starts_with('#') {
            flush(&mut samples, &mut out);
            out.push_str(line);
            out.push('\n');
        } else {
            samples.push(line);
        }
    }
    flush(&mut samples, &mut out);
    out
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The Prometheus text format 0.0.4 of an OpenMetrics text: no `# EOF` or `# UNIT` lines, and a
/// counter's family is named like its samples (`x_total`), as that format wants.
pub fn prometheus_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{prefix}{name}_total {tail}"))
        });
        match renamed {
            Some(l) => out.push_str(&l),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Whether a scraper's `Accept` header asks for OpenMetrics.
pub fn wants_openmetrics(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| a.contains("application/openmetrics-text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_renamed_and_eof_dropped_for_prometheus() {
        let om = "# HELP dockaudit_engine_events Engine events received.\n\
                  # TYPE dockaudit_engine_events counter\n\
                  dockaudit_engine_events_total 3\n\
                  # HELP dockaudit_gaps Gaps.\n\
                  # TYPE dockaudit_gaps gauge\n\
                  dockaudit_gaps 1\n\
                  # EOF\n";
        let text = prometheus_text(om);
        assert!(text.contains("# TYPE dockaudit_engine_events_total counter\n"));
        assert!(text.contains("# HELP dockaudit_engine_events_total Engine events received.\n"));
        assert!(text.contains("# TYPE dockaudit_gaps gauge\n"));
        assert!(text.contains("dockaudit_engine_events_total 3\n"));
        assert!(!text.contains("# EOF"));
    }

    #[test]
    fn samples_are_sorted_within_their_family_only() {
        let text = "# TYPE a gauge\na{x=\"2\"} 1\na{x=\"1\"} 1\n# TYPE b gauge\nb 0\n# EOF\n";
        assert_eq!(
            sort_samples(text),
            "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 1\n# TYPE b gauge\nb 0\n# EOF\n"
        );
    }

    #[test]
    fn openmetrics_is_asked_for_by_accept() {
        assert!(wants_openmetrics(Some(
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        )));
        assert!(!wants_openmetrics(Some("text/plain")));
        assert!(!wants_openmetrics(None));
    }
}
