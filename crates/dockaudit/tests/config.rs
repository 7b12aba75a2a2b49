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

#[test]
fn the_config_chooses_the_formats_and_the_command_line_replaces_them() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "format = [\"markdown\", \"sarif=audit.sarif\", \"html=audit.html\"]\n",
    )
    .unwrap();
    let snap = scenario();
    let snap = snap.to_str().unwrap();
    let out = run(
        dir.path(),
        &["audit", "--snapshot", snap, "--fail-on", "never"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("## dockaudit report"), "{stdout}");
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("audit.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let html = std::fs::read_to_string(dir.path().join("audit.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));

    // --format on the command line replaces the whole list.
    std::fs::remove_file(dir.path().join("audit.sarif")).unwrap();
    let (code, report) = audit_json(dir.path(), &["--fail-on", "never"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["schema_version"], 1);
    assert!(!dir.path().join("audit.sarif").exists());

    // A single string is one format; the baseline ignores the file's formats (it writes TOML).
    std::fs::write(dir.path().join("dockaudit.toml"), "format = \"json\"\n").unwrap();
    let out = run(
        dir.path(),
        &["audit", "--snapshot", snap, "--select", "CTR001"],
    );
    serde_json::from_slice::<Value>(&out.stdout).expect("the file's json format");
    let out = run(
        dir.path(),
        &["baseline", "--snapshot", snap, "--select", "CTR001"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("[[ignore]]"));
}

#[test]
fn a_bad_format_in_the_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "fail-on = \"high\"\n\nformat = [\"terminal\", \"pdf=out.pdf\"]\n",
    )
    .unwrap();
    let snap = scenario();
    let out = run(dir.path(), &["audit", "--snapshot", snap.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("dockaudit.toml:3: key `format`: unknown format `pdf`"),
        "{stderr}"
    );
}

#[test]
fn an_unused_ignore_is_a_finding_at_its_line_that_explain_knows() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "# accepted risks\n\n[[ignore]]\nrule = \"CTR001\"\ntarget = \"gone-*\"\nreason = \"old host\"\n",
    )
    .unwrap();
    let (_, report) = audit_json(dir.path(), &[]);
    let meta: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "META002")
        .collect();
    assert_eq!(meta.len(), 1, "{report:#}");
    assert_eq!(meta[0]["location"]["line"], 3);
    assert_eq!(meta[0]["target"]["name"], "dockaudit.toml:3");
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "META002" && r["status"] == "failed"));
    let out = run(dir.path(), &["explain", "unused-ignore"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.starts_with("META002 unused-ignore"),
        "{text}"
    );
    // `--ignore META002` turns the judgement off like any rule's.
    let (_, report) = audit_json(dir.path(), &["--ignore", "META002"]);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "META002"));
}

#[test]
fn output_and_vulnerability_settings_come_from_the_config() {
    let dir = tempfile::tempdir().expect("tmp");
    let snap = scenario();
    let snap = snap.to_str().unwrap();
    let vln = |dir: &Path| {
        let (_, report) = audit_json(dir, &["--select", "VLN001"]);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let all = vln(dir.path());
    assert!(!all.is_empty(), "the scenario has known vulnerabilities");

    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "color = \"always\"\n[vulnerabilities]\nseverity = [\"critical\"]\n",
    )
    .unwrap();
    let narrowed = vln(dir.path());
    assert_ne!(narrowed, all, "the file's vulnerability severities apply");
    // Colour in a pipe only because the file asks for it; the command line still wins.
    let out = run(
        dir.path(),
        &["audit", "--snapshot", snap, "--select", "CTR001"],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = run(
        dir.path(),
        &[
            "audit",
            "--snapshot",
            snap,
            "--select",
            "CTR001",
            "--color",
            "never",
        ],
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));

    // A host in the file does not conflict with --snapshot: a snapshot audit reads no engine.
    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "[engine]\nhost = \"tcp://192.0.2.1:2376\"\n",
    )
    .unwrap();
    let (code, _) = audit_json(dir.path(), &[]);
    assert_eq!(code, Some(1));
}
