//! Fleets without an engine: the recorded scenario saved as the snapshots of two hosts, audited
//! together (`audit --snapshot A --snapshot B`), merged (`dockaudit merge`) and audited again, with
//! an unreadable snapshot among them; the exit codes of a fleet.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn scenario() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The scenario as collected from `endpoint`, written to `dir/name`.
fn snapshot_of(dir: &Path, name: &str, endpoint: &str) -> PathBuf {
    let mut s = scenario();
    s["engine"]["endpoint"] = Value::from(endpoint);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&s).unwrap()).unwrap();
    path
}

fn dockaudit() -> Command {
    let mut cmd = Command::cargo_bin("dockaudit").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("DOCKER_HOST");
    cmd
}

fn json_audit(snapshots: &[&Path], fail_on: &str) -> (i32, Value, String) {
    let mut cmd = dockaudit();
    cmd.args(["audit", "--format", "json", "--fail-on", fail_on]);
    for s in snapshots {
        cmd.arg("--snapshot").arg(s);
    }
    let out = cmd.output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (host, rule, target kind, target id, message) of every finding, in report order.
fn findings(report: &Value) -> Vec<(String, String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&f["host"]),
                s(&f["rule"]),
                s(&f["target"]["kind"]),
                s(&f["target"]["id"]),
                s(&f["message"]),
            )
        })
        .collect()
}

#[test]
fn snapshots_audited_together_are_one_report_and_an_unreadable_one_is_a_gap_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = snapshot_of(dir.path(), "a.json", "tcp://a:2376");
    let b = snapshot_of(dir.path(), "b.json", "tcp://b:2376");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not a snapshot").unwrap();

    let (_, single, _) = json_audit(&[&a], "never");
    assert!(single.get("hosts").is_none());
    let per_host = single["findings"].as_array().unwrap().len();
    assert!(per_host > 10);

    let (code, fleet, stderr) = json_audit(&[&a, &b, &bad], "never");
    assert_eq!(code, 2, "a host not audited is exit 2: {stderr}");
    assert!(stderr.contains("bad.json"), "{stderr}");
    let hosts: Vec<(&str, &str)> = fleet["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["host"].as_str().unwrap(), h["status"].as_str().unwrap()))
        .collect();
    let bad_label = bad.display().to_string();
    assert_eq!(
        hosts,
        [
            ("tcp://a:2376", "audited"),
            ("tcp://b:2376", "audited"),
            (bad_label.as_str(), "unreachable")
        ]
    );
    let all = findings(&fleet);
    assert_eq!(all.len(), 2 * per_host);
    assert_eq!(
        all.iter().filter(|f| f.0 == "tcp://a:2376").count(),
        per_host
    );
    assert_eq!(
        all.iter().filter(|f| f.0 == "tcp://b:2376").count(),
        per_host
    );
    assert!(fleet["gaps"].as_array().unwrap().iter().any(|g| {
        g["host"] == bad_label.as_str() && g["why"].as_str().unwrap().contains("bad.json")
    }));
    assert_eq!(
        fleet["summary"]["by_severity"]["critical"]
            .as_u64()
            .unwrap(),
        2 * single["summary"]["by_severity"]["critical"]
            .as_u64()
            .unwrap()
    );

    // The fleet report is what docs/report.schema.json describes.
    let schema: Value = serde_json::from_slice(
        &std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&fleet)
        .map(|e| e.to_string())
        .collect();
    assert_eq!(errors, Vec::<String>::new());
}

#[test]
fn exit_codes_of_a_fleet() {
    let dir = tempfile::tempdir().unwrap();
    let a = snapshot_of(dir.path(), "a.json", "tcp://a:2376");
    let b = snapshot_of(dir.path(), "b.json", "tcp://b:2376");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "").unwrap();
    let missing = dir.path().join("missing.json");
    // Every host audited: --fail-on decides, as for one host (the scenario has critical findings).
    assert_eq!(json_audit(&[&a, &b], "critical").0, 1);
    assert_eq!(json_audit(&[&a, &b], "never").0, 0);
    // One host not audited: 2 whatever the findings, the report of the others written all the same.
    let (code, report, _) = json_audit(&[&a, &bad], "never");
    assert_eq!(code, 2);
    assert!(!report["findings"].as_array().unwrap().is_empty());
    // No host audited: 2, and the report says why for each.
    let (code, report, stderr) = json_audit(&[&bad, &missing], "never");
    assert_eq!(code, 2);
    assert!(report["findings"].as_array().unwrap().is_empty());
    assert_eq!(report["gaps"].as_array().unwrap().len(), 2);
    assert!(
        stderr.contains("missing.json") && stderr.contains("bad.json"),
        "{stderr}"
    );
}

#[test]
fn merged_snapshots_audit_as_the_snapshots_audited_together() {
    let dir = tempfile::tempdir().unwrap();
    let a = snapshot_of(dir.path(), "a.json", "tcp://a:2376");
    let b = snapshot_of(dir.path(), "b.json", "unix:///run/b.sock");
    let merged = dir.path().join("fleet.json");
    dockaudit()
        .args(["merge", "-o"])
        .arg(&merged)
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "2 hosts: tcp://a:2376, unix:///run/b.sock",
        ));

    let (_, together, _) = json_audit(&[&a, &b], "never");
    let (code, from_merge, stderr) = json_audit(&[&merged], "never");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings(&from_merge), findings(&together));
    assert_eq!(from_merge["summary"], together["summary"]);
    assert_eq!(from_merge["hosts"], together["hosts"]);

    // A fleet file merges again, with another snapshot; to stdout without -o.
    let c = snapshot_of(dir.path(), "c.json", "tcp://c:2376");
    let out = dockaudit()
        .arg("merge")
        .arg(&merged)
        .arg(&c)
        .output()
        .unwrap();
    assert!(out.status.success());
    let file: Value = serde_json::from_slice(&out.stdout).unwrap();
    let labels: Vec<&str> = file["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["tcp://a:2376", "unix:///run/b.sock", "tcp://c:2376"]
    );
}

#[test]
fn two_snapshots_of_the_same_endpoint_stay_two_hosts() {
    // Each machine collected from its own local socket: same endpoint, different engines.
    let dir = tempfile::tempdir().unwrap();
    let one = snapshot_of(dir.path(), "one.json", "unix:///var/run/docker.sock");
    let two = snapshot_of(dir.path(), "two.json", "unix:///var/run/docker.sock");
    let (_, report, _) = json_audit(&[&one, &two], "never");
    let labels: Vec<&str> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    // The second gets the engine host's name (the scenario's /info Name is `vm`).
    assert_eq!(
        labels,
        [
            "unix:///var/run/docker.sock",
            "unix:///var/run/docker.sock (vm)"
        ]
    );
}

#[test]
fn merge_refuses_an_unreadable_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = snapshot_of(dir.path(), "a.json", "tcp://a:2376");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"fleet_version": 7, "hosts": []}"#).unwrap();
    let out = dir.path().join("fleet.json");
    dockaudit()
        .args(["merge", "-o"])
        .arg(&out)
        .arg(&a)
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json"));
    assert!(!out.exists());
    dockaudit().arg("merge").assert().code(2);
}

#[test]
fn commands_that_read_one_engine_refuse_several() {
    dockaudit()
        .args([
            "collect",
            "-o",
            "-",
            "--host",
            "unix:///nonexistent/a.sock",
            "--host",
            "unix:///nonexistent/b.sock",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "collect each host on its own and combine the snapshots with `dockaudit merge`",
        ));
    // A context that does not exist is a mistake in what was typed: exit 2 before any engine.
    let config = tempfile::tempdir().unwrap();
    dockaudit()
        .env("DOCKER_CONFIG", config.path())
        .args([
            "audit",
            "--context",
            "nowhere",
            "--host",
            "unix:///nonexistent/a.sock",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Docker context `nowhere`"));
}

/// The scenario without its privileged container, as collected from `endpoint`.
fn without_privileged(dir: &Path, name: &str, endpoint: &str) -> PathBuf {
    let mut s = scenario();
    s["engine"]["endpoint"] = Value::from(endpoint);
    s["containers"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["inspect"]["Name"] != "/fx-privileged");
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&s).unwrap()).unwrap();
    path
}

fn unused_ignores(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "META002")
        .map(|f| f["host"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn an_ignore_used_on_one_host_is_not_reported_unused_on_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dockaudit.toml");
    std::fs::write(
        &config,
        "[[ignore]]\nrule = \"CTR001\"\ntarget = \"fx-privileged\"\nreason = \"the vendor appliance\"\n",
    )
    .unwrap();
    let with = snapshot_of(dir.path(), "a.json", "tcp://a:2376");
    let b = without_privileged(dir.path(), "b.json", "tcp://b:2376");
    let c = without_privileged(dir.path(), "c.json", "tcp://c:2376");
    let audit = |snapshots: &[&Path]| {
        let mut cmd = dockaudit();
        cmd.args(["audit", "-f", "json", "--fail-on", "never", "--config"])
            .arg(&config);
        for s in snapshots {
            cmd.arg("--snapshot").arg(s);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // Alone, the host without the container reports the entry unused.
    let alone = audit(&[&b]);
    assert_eq!(unused_ignores(&alone), [""]);
    // In a fleet where another host uses it, it is in use.
    let fleet = audit(&[&with, &b]);
    assert_eq!(unused_ignores(&fleet), Vec::<String>::new());
    let meta002 = fleet["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "META002")
        .unwrap();
    assert_eq!(meta002["status"], "passed");
    assert_eq!(fleet["hosts"][1]["summary"]["by_severity"]["low"], {
        let low = alone["summary"]["by_severity"]["low"].as_u64().unwrap();
        Value::from(low - 1)
    });
    assert!(fleet["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "CTR001"
            && f["host"] == "tcp://a:2376"
            && f["suppressed"].is_object()));
    // Unused on every host: reported on each.
    let unused = audit(&[&b, &c]);
    assert_eq!(unused_ignores(&unused), ["tcp://b:2376", "tcp://c:2376"]);
}
