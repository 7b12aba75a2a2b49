//! The registry's self-test: every rule is well described, and every rule both fails and passes on
//! the scenario recorded from a real engine (or, where the recording host cannot exercise it, skips
//! with a reason that says why). Rules about what an engine has only one of (its daemon's
//! configuration, its host) are judged on their own recorded fixtures instead ([`OTHER_FIXTURES`]).

mod common;

use std::collections::BTreeSet;

use dockaudit_report::{Location, RuleStatus, Severity};
use dockaudit_rules::{
    audit, AuditOptions, IgnoreEntry, RuleSelection, Suppressions, TargetFilter, RULES,
};

/// Rules the recording engine cannot exercise, and why. Each must skip on the fixture.
const HOST_DEPENDENT: &[(&str, &str)] = &[
    ("CTR003", "the recording host has no AppArmor"),
    ("CTR004", "the recording host has no SELinux"),
];

/// A recorded fixture under tests/fixtures/, or why no host here can record one (the rule's unit
/// tests then cover that case with a written-out snapshot).
enum Fixture {
    File(&'static str),
    Unrecordable(&'static str),
}

use Fixture::{File, Unrecordable};

/// Rules judged on other recorded fixtures than the scenario, because what they judge (the
/// daemon's configuration, the host, the runtimes the daemon has) is one per engine and cannot vary
/// between containers:
/// (rule id, a fixture it fails on, a fixture it passes on).
const OTHER_FIXTURES: &[(&str, Fixture, Fixture)] = &[
    // The scenario was recorded before application packages were read: VLN002 has fixtures of its
    // own, images of real Debian packages matched against real OSV records (apps/record.sh).
    (
        "VLN002",
        File("apps/vulnerable.json"),
        File("apps/clean.json"),
    ),
    // Every scenario container runs under runc: a runtime other than runc needs a daemon that has
    // one (daemon/record.sh, runtimes.json).
    (
        "CTR022",
        File("daemon/runtimes.json"),
        File("scenario.json"),
    ),
    (
        "DMN001",
        File("daemon/machine.json"),
        Unrecordable("no engine here runs rootless (no rootlesskit)"),
    ),
    (
        "DMN002",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN003",
        File("daemon/weak.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN004",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN005",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN006",
        Unrecordable("the kernel here has neither aufs nor device-mapper"),
        File("daemon/machine.json"),
    ),
    (
        "DMN007",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN008",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN009",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN010",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN011",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN012",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN013",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN014",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN015",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN016",
        File("daemon/machine.json"),
        File("daemon/hardened.json"),
    ),
    (
        "DMN017",
        File("daemon/unconfined.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN018",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN019",
        File("daemon/swarm.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN020",
        File("daemon/swarm.json"),
        File("daemon/swarm-autolock.json"),
    ),
    (
        "DMN021",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    (
        "DMN022",
        File("daemon/weak.json"),
        File("daemon/machine.json"),
    ),
    // Host rules: host/weak.json and host/hardened.json are the engine objects of
    // host/live-machine.json with a fixture host tree and firewall capture read by the collector
    // (crates/collect/tests/host.rs); host/live-*.json are recorded by scripts/record-host-fixture.sh.
    ("HST001", File("host/weak.json"), File("host/hardened.json")),
    ("HST002", File("host/weak.json"), File("host/hardened.json")),
    ("HST003", File("host/weak.json"), File("host/hardened.json")),
    ("HST004", File("host/weak.json"), File("host/hardened.json")),
    (
        "HST005",
        File("host/live-machine.json"),
        File("host/live-current.json"),
    ),
    ("HST006", File("host/weak.json"), File("host/hardened.json")),
    ("HST007", File("host/weak.json"), File("host/hardened.json")),
    ("HST008", File("host/weak.json"), File("host/hardened.json")),
    ("HST009", File("host/weak.json"), File("host/hardened.json")),
    ("HST010", File("host/weak.json"), File("host/hardened.json")),
    ("HST011", File("host/weak.json"), File("host/hardened.json")),
    ("HST012", File("host/weak.json"), File("host/hardened.json")),
    ("HST013", File("host/weak.json"), File("host/hardened.json")),
    ("HST014", File("host/weak.json"), File("host/hardened.json")),
    ("HST015", File("host/weak.json"), File("host/hardened.json")),
    ("HST016", File("host/weak.json"), File("host/hardened.json")),
    ("HST017", File("host/weak.json"), File("host/hardened.json")),
    ("NET007", File("host/weak.json"), File("host/hardened.json")),
    ("NET008", File("host/weak.json"), File("host/hardened.json")),
    (
        "NET009",
        File("host/live-current.json"),
        File("host/live-machine.json"),
    ),
    ("NET010", File("host/weak.json"), File("host/hardened.json")),
];

/// Checks one side of an [`OTHER_FIXTURES`] entry.
fn check_other_fixture(id: &str, fixture: &Fixture, failing: bool, problems: &mut Vec<String>) {
    let side = if failing { "failing" } else { "passing" };
    let path = match fixture {
        Unrecordable(why) => {
            if why.trim().is_empty() {
                problems.push(format!("{id}: no {side} fixture and no reason why"));
            }
            return;
        }
        File(path) => path,
    };
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    let snapshot = match dockaudit_snapshot::Snapshot::load(&full) {
        Ok(s) => s,
        Err(e) => {
            problems.push(format!("{id}: {e}"));
            return;
        }
    };
    let checks = common::run_rule(id, &snapshot);
    if let Some(reason) = checks.rule_skip() {
        problems.push(format!("{id} skipped on {path}: {reason}"));
    } else if failing && checks.failures().is_empty() {
        problems.push(format!("{id} does not fail on its failing fixture {path}"));
    } else if !failing && (checks.passed().is_empty() || !checks.failures().is_empty()) {
        problems.push(format!(
            "{id} does not pass on its passing fixture {path} ({} failures)",
            checks.failures().len()
        ));
    }
}

/// The META rules judge ignore entries, not the snapshot: on the scenario, an entry that accepts
/// CTR001's finding on fx-privileged, one that expired before the recording and one that names no
/// container each make them fail and pass.
fn check_ignore_rule(id: &str, problems: &mut Vec<String>) {
    let entry = |target: &str, expires: Option<&str>, line: usize| IgnoreEntry {
        rule: "CTR001".into(),
        target: Some(target.into()),
        reason: "the registry self-test".into(),
        expires: expires.map(String::from),
        origin: Some(Location {
            path: "dockaudit.toml".into(),
            line,
            column: 1,
        }),
    };
    let entries = vec![
        entry("fx-privileged", None, 1),
        entry("fx-privileged", Some("2020-01-01"), 6),
        entry("no-such-container", None, 11),
    ];
    let options = AuditOptions {
        suppressions: Suppressions::new(entries, RULES).expect("valid ignores"),
        ..AuditOptions::default()
    };
    let report = audit(common::scenario(), RULES, &options);
    match report.results.iter().find(|r| r.rule == id) {
        Some(r) if r.failed > 0 && r.checked > r.failed => {}
        Some(r) => problems.push(format!(
            "{id} on the self-test's ignore entries: {:?}, {} checked, {} failed",
            r.status, r.checked, r.failed
        )),
        None => problems.push(format!(
            "{id} did not run although there were ignore entries"
        )),
    }
}

/// Planted fake secrets of the scenario (scripts/scenario.md): never in any output.
const PLANTED: &[&str] = &[
    "hunter2-planted-db-secret",
    "AKIAIOSFODNN7EXAMPLE",
    "planted-label-token-123456",
    "planted-image-secret-987",
    "planted-log-secret-555",
    // In the bad image's files (scenario.md, "Image contents").
    "AKIA2PLANTEDFAKE7KEY",
    "planted-fake-ssh-key",
    "planted-deleted-token",
];

const FAMILIES: &[&str] = &[
    "CTR", "IMG", "DMN", "HST", "NET", "MNT", "LOG", "RES", "LCY", "VLN", "DKF", "CMP", "META",
];

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in RULES {
        let m = &rule.meta;
        assert!(ids.insert(m.id), "duplicate id {}", m.id);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        let (family, number) = m.id.split_at(m.id.len() - 3);
        assert!(FAMILIES.contains(&family), "{}: unknown family", m.id);
        assert!(number.chars().all(|c| c.is_ascii_digit()), "{}", m.id);
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !m.name.starts_with('-')
                && !m.name.ends_with('-'),
            "{}: name {} is not kebab-case",
            m.id,
            m.name
        );
    }
}

#[test]
fn every_rule_is_described() {
    for rule in RULES {
        let m = &rule.meta;
        for (field, text) in [
            ("title", m.title),
            ("rationale", m.rationale),
            ("remediation", m.remediation),
        ] {
            assert!(
                text.trim().len() >= 10,
                "{} has no real {field}: {text:?}",
                m.id
            );
        }
        assert!(!m.references.is_empty(), "{} has no references", m.id);
        for cis in m.cis.iter().chain(m.cis_v1_6) {
            assert!(
                cis.split('.')
                    .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit())),
                "{}: bad CIS id {cis}",
                m.id
            );
        }
        assert!(
            m.cis_v1_6.is_empty() || !m.cis.is_empty(),
            "{}: a v1.6.0 id without a v1.8.0 one",
            m.id
        );
    }
}

#[test]
fn registry_is_in_id_order_within_each_family() {
    for family in FAMILIES {
        let ids: Vec<&str> = RULES
            .iter()
            .map(|r| r.meta.id)
            .filter(|id| id.starts_with(family) && id.len() == family.len() + 3)
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "family {family} is out of order");
    }
}

#[test]
fn every_rule_fails_and_passes_on_the_recorded_scenario() {
    let snapshot = common::scenario();
    let mut problems = Vec::new();
    for rule in RULES {
        let id = rule.meta.id;
        if rule.judges_ignores() {
            check_ignore_rule(id, &mut problems);
            continue;
        }
        if rule.judges_source_only() {
            continue; // judged on source files: tests/source_rules.rs
        }
        if let Some((_, fail, pass)) = OTHER_FIXTURES.iter().find(|(r, ..)| *r == id) {
            check_other_fixture(id, fail, true, &mut problems);
            check_other_fixture(id, pass, false, &mut problems);
            continue;
        }
        let checks = common::run_rule(id, snapshot);
        if let Some((_, why)) = HOST_DEPENDENT.iter().find(|(r, _)| *r == id) {
            if checks
                .rule_skip()
                .is_none_or(|reason| reason.trim().is_empty())
            {
                problems.push(format!(
                    "{id} should skip with a reason here ({why}), got {} failures",
                    checks.failures().len()
                ));
            }
            continue;
        }
        if let Some(reason) = checks.rule_skip() {
            problems.push(format!("{id} skipped on the scenario: {reason}"));
            continue;
        }
        if checks.failures().is_empty() {
            problems.push(format!("{id} has no failing fixture"));
        }
        if checks.passed().is_empty() {
            problems.push(format!("{id} has no passing fixture"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_planted_secret_reaches_the_report() {
    let report = audit(common::scenario(), RULES, &AuditOptions::default());
    let json = serde_json::to_string(&report).expect("report serialises");
    for secret in PLANTED {
        assert!(!json.contains(secret), "{secret} leaked into the report");
    }
    // The snapshot itself was masked at collection.
    let snapshot = serde_json::to_string(common::scenario()).expect("snapshot serialises");
    for secret in PLANTED {
        assert!(
            !snapshot.contains(secret),
            "{secret} is in the recorded snapshot"
        );
    }
}

#[test]
fn the_report_counts_add_up_and_are_deterministic() {
    let snapshot = common::scenario();
    let report = audit(snapshot, RULES, &AuditOptions::default());
    let s = &report.summary;
    // With no ignore entries, the rules that judge them do not run; nor do the source-only rules.
    let host_rules = RULES
        .iter()
        .filter(|r| !r.judges_ignores() && !r.judges_source_only())
        .count();
    assert_eq!(s.rules, host_rules);
    assert_eq!(s.rules, s.passed + s.failed + s.skipped);
    assert_eq!(s.evaluated, s.passed + s.failed);
    let by_severity: usize = Severity::ALL
        .iter()
        .map(|&sev| s.by_severity.get(sev))
        .sum();
    assert_eq!(by_severity, report.findings.len());
    let failed_rules: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(failed_rules.len(), s.failed);
    assert_eq!(report.results.len(), s.rules);
    for r in &report.results {
        assert_eq!(
            r.status == RuleStatus::Failed,
            failed_rules.contains(r.rule.as_str()),
            "{}",
            r.rule
        );
    }
    // Sorted worst first.
    assert!(report
        .findings
        .windows(2)
        .all(|w| w[0].severity >= w[1].severity));
    assert_eq!(report, audit(snapshot, RULES, &AuditOptions::default()));
}

#[test]
fn target_filters_narrow_containers_and_selection_narrows_rules() {
    let snapshot = common::scenario();
    let options = AuditOptions {
        selection: RuleSelection::new(&["CTR001".into()], &[], RULES).expect("valid"),
        filter: TargetFilter::new(&["fx-priv*".into()], &[], &[], &[]).expect("valid"),
        tool_version: "test".into(),
        ..AuditOptions::default()
    };
    let report = audit(snapshot, RULES, &options);
    assert_eq!(report.summary.rules, 1);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].target.name, "fx-privileged");
    assert_eq!(report.findings[0].cis, vec!["5.5"]);

    let excluded = AuditOptions {
        selection: RuleSelection::new(&["CTR001".into()], &[], RULES).expect("valid"),
        filter: TargetFilter::new(&[], &["fx-privileged".into()], &[], &[]).expect("valid"),
        tool_version: "test".into(),
        ..AuditOptions::default()
    };
    assert!(audit(snapshot, RULES, &excluded).findings.is_empty());
}
