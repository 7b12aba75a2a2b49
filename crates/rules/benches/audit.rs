//! Benchmark of the rules engine (not a test; nothing is asserted): every rule over the recorded
//! scenario (tests/fixtures/scenario.json, 18 containers) and over copies of its containers, as a
//! host with many containers would be. `cargo bench -p dockaudit-rules --bench audit`.
//!
//! Collection dominates a live audit (bench/live.sh measures that against a bare fetch); this shows
//! what judging adds, and that it grows linearly with the containers.

use std::path::PathBuf;
use std::sync::OnceLock;

use dockaudit_rules::{audit, AuditOptions, RULES};
use dockaudit_snapshot::Snapshot;

fn main() {
    divan::main();
}

fn scenario() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenario.json");
        Snapshot::load(&path).expect("the recorded scenario loads")
    })
}

/// The scenario with each container copied `copies` times under new ids and names.
fn host_of(copies: usize) -> Snapshot {
    let mut snapshot = scenario().clone();
    let originals = snapshot.containers.clone();
    snapshot.containers.clear();
    for n in 0..copies {
        for c in &originals {
            let mut copy = c.clone();
            copy.inspect.id = format!("{}{n:08x}", &c.inspect.id[..56]);
            copy.inspect.name = format!("{}-{n}", c.inspect.name);
            snapshot.containers.push(copy);
        }
    }
    snapshot
}

/// Every rule over 18 × `copies` containers.
#[divan::bench(args = [1, 10, 100])]
fn every_rule(bencher: divan::Bencher, copies: usize) {
    let snapshot = host_of(copies);
    let options = AuditOptions::default();
    bencher.bench(|| audit(divan::black_box(&snapshot), RULES, &options));
}
