//! `dockaudit.toml` and `dockaudit baseline` through the binary, on the recorded scenario snapshot
//! (offline: no engine needed). Each test runs in its own directory with HOME and XDG_CONFIG_HOME
//! pointed there, so no user configuration leaks in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("dockaudit runs")
}

fn audit_json(dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let snap = scenario();
    let mut args = vec![
        "audit",
        "--snapshot",
        snap.to_str().unwrap(),
        "--format",
        "json",
        "--select",
        "CTR001",
    ];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), report)
}

#[test]
fn an_ignore_in_the_working_directory_suppresses_and_changes_the_exit_code() {
    let dir = tempfile::tempdir().expect("tmp");
    let (code, report) = audit_json(dir.path(), &[]);
    assert_eq!(code, Some(1), "{report:#}");

    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "[[ignore]]\nrule = \"CTR001\"\ntarget = \"fx-priv*\"\nreason = \"lab box\"\n",
    )
    .unwrap();
    let (code, report) = audit_json(dir.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "CTR001");
    assert_eq!(f["suppressed"]["reason"], "lab box");
    assert_eq!(f["suppressed"]["source"], "config");
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["summary"]["by_severity"]["critical"], 0);
}

#[test]
fn a_malformed_config_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("audit.toml");
    std::fs::write(&file, "[[ignore]]\nrule = \"CTR001\"\ntarget = \"x\"\n").unwrap();
    let snap = scenario();
    let out = run(
        dir.path(),
        &[
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--config",
            file.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:1: key `ignore[0].reason`", file.display())),
        "{stderr}"
    );

    std::fs::write(&file, "fail-on = \"high\"\nformat = [\n").unwrap();
    let out = run(
        dir.path(),
        &[
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--config",
            file.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{}:", file.display())), "{stderr}");
}

#[test]
fn a_baseline_accepts_every_current_finding() {
    let dir = tempfile::tempdir().expect("tmp");
    let snap = scenario();
    let out = run(
        dir.path(),
        &[
            "baseline",
            "--snapshot",
            snap.to_str().unwrap(),
            "--output",
            "baseline.toml",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("baseline.toml")).unwrap();
    assert!(text.contains("reason = \"TODO: why is this accepted?\""));
    let out = run(
        dir.path(),
        &[
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "info",
            "--config",
            "baseline.toml",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["suppressed"]["source"] == "config"),
        "{report:#}"
    );
}
