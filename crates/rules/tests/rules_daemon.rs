//! The daemon rules (DMN) on snapshots recorded from real engines by
//! `tests/fixtures/daemon/record.sh`: the machine's own engine, dockerds the script starts with
//! weak, hardened, TLS-without-verification, swarm and unconfined-seccomp settings, one whose
//! daemon.json was broken or edited after it started, and one audited through its TCP endpoint
//! (a remote engine: only what `/info` tells).

mod common;

use std::path::PathBuf;

use dockaudit_report::{RuleStatus, Severity};
use dockaudit_rules::{audit, AuditOptions, Checks, RuleSelection, RULES};
use dockaudit_snapshot::{Fact, Snapshot};
use serde_json::Value;

fn fixture(name: &str) -> Snapshot {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/daemon")
        .join(name);
    Snapshot::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn run(id: &str, name: &str) -> Checks {
    common::run_rule(id, &fixture(name))
}

fn messages(checks: &Checks) -> Vec<String> {
    checks
        .failures()
        .iter()
        .map(|f| f.message.clone())
        .collect()
}

fn skip_reason(id: &str, name: &str) -> String {
    let checks = run(id, name);
    assert!(
        checks.failures().is_empty(),
        "{id} on {name}: {:?}",
        messages(&checks)
    );
    assert!(checks.passed().is_empty(), "{id} on {name} passed");
    checks
        .rule_skip()
        .unwrap_or_else(|| panic!("{id} on {name} did not skip"))
        .to_string()
}

#[test]
fn the_fixtures_are_what_record_sh_says() {
    let weak = fixture("weak.json");
    let config = weak.daemon_config().expect("weak's configuration was read");
    assert!(matches!(config.process, Fact::Value(_)));
    assert!(weak.engine.endpoint.starts_with("unix://"));
    let remote = fixture("remote.json");
    assert!(remote.engine.endpoint.starts_with("tcp://127.0.0.1:"));
    assert_eq!(remote.engine.tls, Some(false));
    assert!(remote.daemon_config().is_err());
}

#[test]
fn a_tcp_listener_without_tls_is_found_from_every_source() {
    let checks = run("DMN007", "weak.json");
    assert_eq!(checks.failures().len(), 1, "{:?}", messages(&checks));
    let f = &checks.failures()[0];
    assert!(f.message.contains("without TLS"), "{}", f.message);
    // Loopback only: every local user, not the whole network.
    assert_eq!(f.severity, Some(Severity::High));
    let sources = f.evidence["sources"].to_string();
    assert!(
        sources.contains("API is accessible on http://127.0.0.1:"),
        "{sources}"
    );
    assert!(sources.contains("-H tcp://127.0.0.1:"), "{sources}");

    // Audited through that very endpoint: /info's warning and the endpoint itself.
    let checks = run("DMN007", "remote.json");
    assert_eq!(checks.failures().len(), 1);
    let sources = checks.failures()[0].evidence["sources"].to_string();
    assert!(sources.contains("docker info"), "{sources}");
    assert!(
        sources.contains("dockaudit reached the engine at tcp://"),
        "{sources}"
    );

    let checks = run("DMN007", "tls-noverify.json");
    assert_eq!(checks.failures().len(), 1);
    assert!(
        checks.failures()[0]
            .message
            .contains("without client certificate verification"),
        "{:?}",
        messages(&checks)
    );
    assert_eq!(checks.failures()[0].severity, Some(Severity::High));

    for passing in ["machine.json", "hardened.json", "second-engine.json"] {
        let checks = run("DMN007", passing);
        assert!(
            checks.failures().is_empty(),
            "{passing}: {:?}",
            messages(&checks)
        );
        assert_eq!(checks.passed().len(), 1, "{passing}");
    }
}

#[test]
fn a_remote_engine_is_judged_on_what_info_tells_and_the_rest_skips() {
    // Settings only the command line or daemon.json hold: skipped, and the reason says why.
    for id in [
        "DMN004", "DMN008", "DMN010", "DMN014", "DMN016", "DMN021", "DMN022",
    ] {
        let why = skip_reason(id, "remote.json");
        assert!(why.contains("engine is remote"), "{id}: {why}");
    }
    // What /info reports is judged.
    for id in [
        "DMN001", "DMN005", "DMN009", "DMN012", "DMN013", "DMN015", "DMN018",
    ] {
        let checks = run(id, "remote.json");
        assert!(
            checks.rule_skip().is_none(),
            "{id} skipped: {:?}",
            checks.rule_skip()
        );
        assert_eq!(checks.failures().len(), 1, "{id}");
    }
    for id in ["DMN006", "DMN017", "DMN019"] {
        assert_eq!(run(id, "remote.json").passed().len(), 1, "{id}");
    }
}

#[test]
fn a_weak_daemon_fails_where_its_flags_say() {
    let expect = [
        ("DMN003", "`debug`"),
        ("DMN004", "--iptables=false"),
        ("DMN005", "registry.local:5000"),
        ("DMN010", "dockaudit-fixture"),
        ("DMN018", "ExperimentalBuild: true"),
    ];
    for (id, needle) in expect {
        let m = messages(&run(id, "weak.json"));
        assert_eq!(m.len(), 1, "{id}: {m:?}");
        assert!(m[0].contains(needle), "{id}: {}", m[0]);
    }
}

#[test]
fn daemon_json_edited_after_the_start_is_reported_with_path_and_line() {
    let weak = fixture("weak.json");
    let path = weak
        .daemon_config()
        .expect("config")
        .file_path()
        .expect("file")
        .to_string();

    let invalid = common::run_rule("DMN021", &weak);
    let found: Vec<(String, u64, String)> = invalid
        .failures()
        .iter()
        .map(|f| {
            assert_eq!(f.target.kind, "file");
            assert_eq!(f.target.id, path);
            // The report's location points at the same line, so SARIF and editors can jump to it.
            let location = f.location.as_ref().expect("a file finding has a location");
            assert_eq!(location.path, path);
            assert_eq!(
                Some(location.line as u64),
                f.evidence["line"].as_u64(),
                "{}",
                f.message
            );
            (
                f.evidence["problem"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f.evidence["line"].as_u64().unwrap_or_default(),
                f.evidence["key"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("ignored_key".into(), 6, "insecure-registry".into()),
            ("unknown_key".into(), 7, "log-levle".into()),
        ]
    );
    assert_eq!(invalid.failures()[1].severity, Some(Severity::High));
    assert!(invalid.failures()[1]
        .message
        .contains(&format!("{path} line 7")));

    let conflicts = common::run_rule("DMN022", &weak);
    let kinds: Vec<(&str, Option<Severity>)> = conflicts
        .failures()
        .iter()
        .map(|f| {
            (
                f.evidence["setting"].as_str().unwrap_or_default(),
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("iptables", Some(Severity::Medium)),
            ("live-restore", Some(Severity::Low))
        ]
    );
    assert!(conflicts.failures()[0].message.contains("line 3"));

    let basesize = messages(&common::run_rule("DMN011", &weak));
    assert!(basesize[0].contains("dm.basesize=20G"), "{basesize:?}");
    assert!(
        basesize[0].contains(&format!("{path} line 5")),
        "{basesize:?}"
    );
}

#[test]
fn a_malformed_daemon_json_is_one_finding_and_the_rest_goes_on() {
    let malformed = fixture("malformed.json");
    let checks = common::run_rule("DMN021", &malformed);
    assert_eq!(checks.failures().len(), 1);
    let f = &checks.failures()[0];
    assert_eq!(f.evidence["problem"], "malformed");
    assert_eq!(f.evidence["line"], 4);
    assert_eq!(f.severity, Some(Severity::High));
    // Settings the file may hold are unknown: skipped, not passed.
    assert!(skip_reason("DMN003", "malformed.json").contains("not valid JSON"));
    assert!(skip_reason("DMN022", "malformed.json").contains("not valid JSON"));
    // What the command line and /info say is still judged.
    assert_eq!(run("DMN004", "malformed.json").failures().len(), 1);
    assert_eq!(run("DMN015", "malformed.json").failures().len(), 1);
}

#[test]
fn a_hardened_daemon_passes_what_it_configures() {
    for id in [
        "DMN002", "DMN003", "DMN007", "DMN008", "DMN009", "DMN012", "DMN013", "DMN014", "DMN015",
        "DMN016", "DMN021", "DMN022",
    ] {
        let checks = run(id, "hardened.json");
        assert!(
            checks.failures().is_empty(),
            "{id}: {:?}",
            messages(&checks)
        );
        assert_eq!(checks.passed().len(), 1, "{id}: {:?}", checks.rule_skip());
    }
}

#[test]
fn swarm_checks_apply_to_swarm_managers_only() {
    assert_eq!(run("DMN019", "swarm.json").failures().len(), 1);
    assert_eq!(run("DMN020", "swarm.json").failures().len(), 1);
    assert_eq!(run("DMN020", "swarm-autolock.json").passed().len(), 1);
    // Live restore is not for swarm nodes.
    assert_eq!(run("DMN015", "swarm.json").passed().len(), 1);
    assert!(skip_reason("DMN020", "machine.json").contains("swarm mode is inactive"));
}

#[test]
fn docker_28_reports_no_new_privileges_and_unconfined_seccomp() {
    // Docker 24+ lists no-new-privileges in /info when on, so its absence is a finding.
    let m = messages(&run("DMN014", "second-engine.json"));
    assert!(m[0].contains("SecurityOptions"), "{m:?}");
    let checks = run("DMN017", "unconfined.json");
    assert_eq!(checks.failures().len(), 1);
    assert!(checks.failures()[0].message.contains("unconfined"));
}

#[test]
fn the_icc_default_is_a_finding_and_no_default_bridge_is_not() {
    let m = messages(&run("DMN002", "machine.json"));
    assert!(m[0].contains("dockerd's default"), "{m:?}");
    // The recording dockerds run with --bridge=none: nothing to restrict.
    assert_eq!(run("DMN002", "weak.json").passed().len(), 1);
}

#[test]
fn reports_on_the_fixtures_are_deterministic_and_carry_every_skip_reason() {
    let options = AuditOptions {
        selection: RuleSelection::new(&["DMN".into()], &[], RULES).expect("valid"),
        ..AuditOptions::default()
    };
    for name in ["machine.json", "weak.json", "remote.json", "malformed.json"] {
        let snapshot = fixture(name);
        let report = audit(&snapshot, RULES, &options);
        assert_eq!(report, audit(&snapshot, RULES, &options), "{name}");
        for r in report
            .results
            .iter()
            .filter(|r| r.status == RuleStatus::Skipped)
        {
            assert!(
                report
                    .skipped
                    .iter()
                    .any(|s| s.rule == r.rule && !s.reason.trim().is_empty()),
                "{name}: {} skipped without a reason",
                r.rule
            );
        }
        let json = serde_json::to_value(&report).expect("serialises");
        assert!(
            json["findings"].as_array().is_some_and(|f| !f.is_empty()),
            "{name}"
        );
        // daemon.json findings name the file and the line.
        for f in json["findings"].as_array().into_iter().flatten() {
            if f["rule"] == "DMN021" {
                assert_eq!(f["target"]["kind"], "file");
                assert!(f["evidence"]["line"].as_u64().is_some_and(|l| l > 0));
                assert!(f["evidence"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("daemon.json")));
            }
        }
        let _: &Value = &json;
    }
}
