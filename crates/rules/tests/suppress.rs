//! Ignores, applied by the engine: config entries (rule, target glob, required reason, expiry judged
//! against the snapshot's `collected_at`) and the `dockaudit.ignore` label.

mod common;

use dockaudit_report::{Location, Report, RuleStatus, Severity};
use dockaudit_rules::{
    audit, AuditOptions, IgnoreEntry, RuleSelection, SuppressError, Suppressions, RULES,
};

fn entry(rule: &str, target: Option<&str>, expires: Option<&str>) -> IgnoreEntry {
    IgnoreEntry {
        rule: rule.into(),
        target: target.map(String::from),
        reason: "accepted for the test".into(),
        expires: expires.map(String::from),
        origin: Some(Location {
            path: "dockaudit.toml".into(),
            line: 7,
            column: 1,
        }),
    }
}

fn run(snapshot: &dockaudit_snapshot::Snapshot, entries: Vec<IgnoreEntry>) -> Report {
    let options = AuditOptions {
        selection: RuleSelection::new(&["CTR001".into()], &[], RULES).expect("valid"),
        suppressions: Suppressions::new(entries, RULES).expect("valid ignores"),
        ..AuditOptions::default()
    };
    audit(snapshot, RULES, &options)
}

fn ctr001(report: &Report) -> Vec<&dockaudit_report::Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == "CTR001")
        .collect()
}

#[test]
fn a_reason_is_required_and_rules_dates_and_globs_are_checked() {
    let mut e = entry("CTR001", None, None);
    e.reason = "  ".into();
    assert_eq!(
        Suppressions::new(vec![e], RULES).unwrap_err(),
        SuppressError::NoReason("CTR001".into())
    );
    assert!(matches!(
        Suppressions::new(vec![entry("XYZ999", None, None)], RULES).unwrap_err(),
        SuppressError::UnknownRule(_)
    ));
    assert!(matches!(
        Suppressions::new(vec![entry("CTR001", None, Some("31/12/2026"))], RULES).unwrap_err(),
        SuppressError::BadDate(..)
    ));
    assert!(matches!(
        Suppressions::new(vec![entry("CTR001", Some("fx-[priv"), None)], RULES).unwrap_err(),
        SuppressError::BadGlob(..)
    ));
    // A rule name works as well as its id.
    assert!(Suppressions::new(vec![entry("privileged-container", None, None)], RULES).is_ok());
}

#[test]
fn an_ignore_suppresses_without_counting_and_keeps_the_finding() {
    let snapshot = common::scenario();
    let plain = run(snapshot, vec![]);
    assert_eq!(ctr001(&plain).len(), 1);
    assert!(plain.has_findings_at_or_above(Severity::Critical));
    assert_eq!(plain.summary.failed, 1);

    let report = run(snapshot, vec![entry("CTR001", Some("fx-priv*"), None)]);
    let found = ctr001(&report);
    assert_eq!(found.len(), 1, "the finding stays in the report");
    let s = found[0].suppressed.as_ref().expect("suppressed");
    assert_eq!(s.source, "config");
    assert_eq!(s.reason, "accepted for the test");
    assert!(!report.has_findings_at_or_above(Severity::Info));
    assert_eq!(report.summary.failed, 0);
    // CTR001, and the two rules that judge the (used, unexpired) entry.
    assert_eq!(report.summary.passed, 3);
    assert_eq!(report.summary.suppressed, 1);
    assert_eq!(report.summary.by_severity.critical, 0);
    assert_eq!(report.results[0].status, RuleStatus::Passed);
    assert_eq!(report.results[0].failed, 0);
    let json = serde_json::to_value(&report).expect("json");
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CTR001")
        .unwrap();
    assert_eq!(f["suppressed"]["source"], "config");
    assert_eq!(f["suppressed"]["reason"], "accepted for the test");
}

#[test]
fn expiry_is_judged_against_the_snapshot_clock() {
    // The scenario was collected on 2026-12-04.
    let snapshot = common::scenario();
    assert!(snapshot.collected_at.starts_with("2026-12-04"));
    for until in ["2026-12-04", "2030-01-01"] {
        let report = run(snapshot, vec![entry("CTR001", None, Some(until))]);
        assert!(ctr001(&report)[0].suppressed.is_some(), "{until}");
        assert!(report.findings.iter().all(|f| !f.rule.starts_with("META")));
    }
    let report = run(snapshot, vec![entry("CTR001", None, Some("2026-12-03"))]);
    assert!(ctr001(&report)[0].suppressed.is_none());
    assert!(report.has_findings_at_or_above(Severity::Critical));
    let meta: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "META001")
        .collect();
    assert_eq!(meta.len(), 1, "{:#?}", report.findings);
    assert!(meta[0].message.contains("expired on 2026-12-03"));
    assert_eq!(meta[0].location.as_ref().unwrap().line, 7);
    assert_eq!(meta[0].target.name, "dockaudit.toml:7");

    // The same ignore against a snapshot taken earlier still applies: no clock is read.
    let mut earlier = snapshot.clone();
    earlier.collected_at = "2026-11-01T00:00:00Z".into();
    let report = run(&earlier, vec![entry("CTR001", None, Some("2026-12-03"))]);
    assert!(ctr001(&report)[0].suppressed.is_some());
}

#[test]
fn an_ignore_that_matched_nothing_is_reported() {
    let report = run(
        common::scenario(),
        vec![entry("CTR001", Some("no-such-container"), None)],
    );
    assert!(ctr001(&report)[0].suppressed.is_none());
    let meta: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "META002")
        .collect();
    assert_eq!(meta.len(), 1);
    assert!(meta[0].message.contains("no-such-container"));
    assert_eq!(meta[0].severity, Severity::Low);
}

#[test]
fn the_ignore_label_on_a_container_suppresses_the_rules_it_names() {
    let mut snapshot = common::scenario().clone();
    let c = snapshot
        .containers
        .iter_mut()
        .find(|c| c.name() == "fx-privileged")
        .expect("fx-privileged");
    c.inspect
        .config
        .labels
        .insert("dockaudit.ignore".into(), "ctr002, CTR001".into());
    let report = run(&snapshot, vec![]);
    let s = ctr001(&report)[0].suppressed.clone().expect("suppressed");
    assert_eq!(s.source, "label");
    assert!(s.reason.contains("fx-privileged"), "{}", s.reason);
    assert!(!report.has_findings_at_or_above(Severity::Info));

    // A label naming other rules does not.
    let c = snapshot
        .containers
        .iter_mut()
        .find(|c| c.name() == "fx-privileged")
        .unwrap();
    c.inspect
        .config
        .labels
        .insert("dockaudit.ignore".into(), "CTR002".into());
    assert!(ctr001(&run(&snapshot, vec![]))[0].suppressed.is_none());
}

#[test]
fn target_globs_match_names_with_or_without_a_leading_slash() {
    for glob in ["fx-privileged", "/fx-privileged", "fx-*"] {
        let report = run(common::scenario(), vec![entry("CTR001", Some(glob), None)]);
        assert!(ctr001(&report)[0].suppressed.is_some(), "{glob}");
    }
    // File targets are paths: an absolute pattern matches them.
    let options = AuditOptions {
        selection: RuleSelection::new(&["HST004".into()], &[], RULES).expect("valid"),
        suppressions: Suppressions::new(vec![entry("HST004", Some("/usr/bin/*"), None)], RULES)
            .expect("valid"),
        ..AuditOptions::default()
    };
    let report = audit(common::scenario(), RULES, &options);
    let hst: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "HST004")
        .collect();
    assert!(hst.iter().any(|f| f.target.name.starts_with("/usr/bin/")));
    for f in hst {
        assert_eq!(
            f.suppressed.is_some(),
            f.target.name.starts_with("/usr/bin/"),
            "{}",
            f.target.name
        );
    }
}

#[test]
fn a_severity_override_applies_to_findings_results_and_counts() {
    let options = AuditOptions {
        selection: RuleSelection::new(&["CTR001".into()], &[], RULES).expect("valid"),
        severity_overrides: [("CTR001".to_string(), Severity::Low)].into(),
        ..AuditOptions::default()
    };
    let report = audit(common::scenario(), RULES, &options);
    assert_eq!(ctr001(&report)[0].severity, Severity::Low);
    assert_eq!(report.results[0].severity, Severity::Low);
    assert_eq!(report.summary.by_severity.low, 1);
    assert!(!report.has_findings_at_or_above(Severity::Medium));
}

#[test]
fn an_unused_ignore_of_a_rule_that_did_not_run_is_a_skip_not_a_failure() {
    // The audit selects CTR001 only; an entry about CTR002 cannot be judged.
    let report = run(
        common::scenario(),
        vec![entry("CTR002", Some("fx-nothing"), None)],
    );
    assert!(report.findings.iter().all(|f| f.rule != "META002"));
    let skip = report
        .skipped
        .iter()
        .find(|s| s.rule == "META002")
        .expect("META002 skips the entry");
    assert!(
        skip.reason.contains("CTR002 did not run"),
        "{}",
        skip.reason
    );
    assert_eq!(skip.target.as_ref().unwrap().name, "dockaudit.toml:7");

    // Under a target filter an unused entry may be about a target that was left out.
    let options = AuditOptions {
        selection: RuleSelection::new(&["CTR001".into()], &[], RULES).unwrap(),
        filter: dockaudit_rules::TargetFilter::new(&["fx-caps".into()], &[], &[], &[]).unwrap(),
        suppressions: Suppressions::new(vec![entry("CTR001", Some("fx-priv*"), None)], RULES)
            .unwrap(),
        ..AuditOptions::default()
    };
    let report = audit(common::scenario(), RULES, &options);
    assert!(report.findings.iter().all(|f| f.rule != "META002"));
    assert!(report
        .skipped
        .iter()
        .any(|s| s.rule == "META002" && s.reason.contains("target filter")));
}

#[test]
fn an_ignore_cannot_name_a_rule_about_ignores() {
    assert_eq!(
        Suppressions::new(vec![entry("unused-ignore", None, None)], RULES).unwrap_err(),
        SuppressError::IgnoresItself("META002".into())
    );
}
