//! Shared by the rule tests: the recorded scenario snapshot and a way to run one rule over it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use dockaudit_rules::{find_rule, AuditInput, Checks, TargetFilter};
use dockaudit_snapshot::Snapshot;

/// The snapshot recorded from the real engine with `scripts/record-fixture.sh` (see its header).
pub fn scenario() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenario.json");
        let mut snapshot = Snapshot::load(&path).unwrap_or_else(|e| panic!("{e}"));
        // Recorded with `collect --label dockaudit.scenario=fx` to keep the recording machine's own
        // objects out. Every object of the scenario carries that label (scripts/scenario.sh), so no
        // container outside the recording uses them: the lifecycle rules may judge "unused" here
        // (on a real partial collection they skip, as rules_inventory.rs checks).
        snapshot.settings.labels.clear();
        snapshot
    })
}

/// Runs rule `id` over `snapshot` with no filters and returns what it reported.
pub fn run_rule(id: &str, snapshot: &Snapshot) -> Checks {
    let rule = find_rule(id).unwrap_or_else(|| panic!("no rule {id}"));
    let input = AuditInput::new(snapshot, &TargetFilter::default());
    let mut checks = Checks::default();
    (rule.check)(&input, &mut checks);
    checks
}

/// Names of the targets rule `id` failed on the scenario (scenario prefix `fx-` kept).
pub fn failing(id: &str) -> Vec<String> {
    failing_on(id, scenario())
}

/// Names of the targets rule `id` failed on `snapshot`, sorted, each once.
pub fn failing_on(id: &str, snapshot: &Snapshot) -> Vec<String> {
    let mut names: Vec<String> = run_rule(id, snapshot)
        .failures()
        .iter()
        .map(|f| f.target.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Names of the targets rule `id` passed on the scenario.
pub fn passing(id: &str) -> Vec<String> {
    let mut names: Vec<String> = run_rule(id, scenario())
        .passed()
        .iter()
        .map(|t| t.name.clone())
        .collect();
    names.sort();
    names
}
