//! A rule whose object list the engine did not give is skipped with the reason, never passed; and
//! every rule declares (through `inputs::lists_read`) each list its outcome depends on.

mod common;

use std::path::PathBuf;

use dockaudit_rules::inputs::lists_read;
use dockaudit_rules::{audit, AuditInput, AuditOptions, Checks, TargetFilter, RULES};
use dockaudit_snapshot::{ObjectList, Snapshot};

/// What a rule reported, in a comparable form.
fn outcome(rule: &dockaudit_rules::Rule, snapshot: &Snapshot) -> String {
    let input = AuditInput::new(snapshot, &TargetFilter::default());
    let mut checks = Checks::default();
    (rule.check)(&input, &mut checks);
    format!(
        "{:?} {:?} {:?} {:?}",
        checks.rule_skip(),
        checks.failures(),
        checks.passed(),
        checks.target_skips()
    )
}

fn without(snapshot: &Snapshot, list: ObjectList) -> Snapshot {
    let mut s = snapshot.clone();
    match list {
        ObjectList::Containers => s.containers.clear(),
        ObjectList::Images => s.images.clear(),
        ObjectList::Networks => s.networks.clear(),
        ObjectList::Volumes => s.volumes.clear(),
    }
    s
}

fn fixtures() -> Vec<Snapshot> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = vec![common::scenario().clone()];
    for name in ["podman.json", "daemon/machine.json", "daemon/hardened.json"] {
        out.push(Snapshot::load(&dir.join(name)).unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

#[test]
fn every_list_a_rule_depends_on_is_declared() {
    let mut problems = Vec::new();
    for snapshot in fixtures() {
        for rule in RULES.iter().filter(|r| !r.judges_ignores()) {
            let declared = lists_read(&rule.meta);
            let whole = outcome(rule, &snapshot);
            for list in ObjectList::ALL {
                if declared.contains(&list) {
                    continue;
                }
                if outcome(rule, &without(&snapshot, list)) != whole {
                    problems.push(format!(
                        "{} reads the {} list but does not declare it in inputs::lists_read",
                        rule.meta.id,
                        list.noun()
                    ));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn rules_over_a_failed_list_are_skipped_with_the_reason_not_passed() {
    let mut snapshot = common::scenario().clone();
    snapshot.containers.clear();
    snapshot.lists_failed.insert(
        ObjectList::Containers,
        "the engine answered HTTP 500: boom".into(),
    );
    let report = audit(&snapshot, RULES, &AuditOptions::default());
    let skipped = |id: &str| {
        report
            .skipped
            .iter()
            .find(|s| s.rule == id && s.target.is_none())
            .map(|s| s.reason.clone())
    };
    for id in ["CTR001", "LCY003", "NET003", "MNT001", "IMG001"] {
        let reason = skipped(id).unwrap_or_else(|| panic!("{id} not skipped"));
        assert!(
            reason.contains("container list could not be read (GET /containers/json)")
                && reason.contains("HTTP 500: boom"),
            "{id}: {reason}"
        );
        assert!(
            report.findings.iter().all(|f| f.rule != id),
            "{id} has findings"
        );
    }
    // Rules that do not read the list still judge.
    assert!(skipped("DMN002").is_none());
    assert!(report.summary.passed + report.summary.failed > 0);

    // A failed volume list skips only what reads volumes.
    let mut snapshot = common::scenario().clone();
    snapshot
        .lists_failed
        .insert(ObjectList::Volumes, "timed out after 2 s".into());
    let report = audit(&snapshot, RULES, &AuditOptions::default());
    let skipped_ids: Vec<&str> = report
        .skipped
        .iter()
        .filter(|s| s.reason.contains("volume list could not be read"))
        .map(|s| s.rule.as_str())
        .collect();
    // LCY004 judges volumes; MNT001/MNT002 see host paths behind bind volumes.
    assert_eq!(skipped_ids, vec!["LCY004", "MNT001", "MNT002"]);
}

#[test]
fn a_rule_whose_every_target_was_skipped_is_skipped_not_passed() {
    // Process lists that could not be read for any container: CTR018 judged nothing.
    let mut snapshot = common::scenario().clone();
    let mut missing = 0;
    for c in &mut snapshot.containers {
        if c.top.is_some() {
            c.top = Some(dockaudit_snapshot::Fact::Missing(
                "not collected (--no-top)".into(),
            ));
            missing += 1;
        }
    }
    assert!(missing > 0, "the scenario has running containers");
    let report = audit(&snapshot, RULES, &AuditOptions::default());
    let ctr018 = report
        .results
        .iter()
        .find(|r| r.rule == "CTR018")
        .expect("CTR018 ran");
    assert_eq!(ctr018.status, dockaudit_report::RuleStatus::Skipped);
    assert_eq!(ctr018.checked, 0);
    let target_skips = report
        .skipped
        .iter()
        .filter(|s| s.rule == "CTR018" && s.target.is_some())
        .count();
    assert_eq!(target_skips, missing);
    // With the process lists, the same rule judges (and here fails on the planted miner).
    let report = audit(common::scenario(), RULES, &AuditOptions::default());
    let ctr018 = report.results.iter().find(|r| r.rule == "CTR018").unwrap();
    assert_ne!(ctr018.status, dockaudit_report::RuleStatus::Skipped);
    assert!(ctr018.checked > 0);
}
