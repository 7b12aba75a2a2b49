//! `audit --format` and `--output` through the built binary, offline over the recorded scenario:
//! several formats from one audit, each to its own file; the SARIF the binary writes (with the rule
//! catalogue it fills from the registry) validates against the official 2.1.0 schema.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json")
}

fn dockaudit() -> Command {
    let mut cmd = Command::cargo_bin("dockaudit").unwrap();
    cmd.env_remove("FORCE_COLOR").env("NO_COLOR", "1");
    cmd
}

#[test]
fn several_formats_from_one_audit() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("audit.sarif");
    let junit = dir.path().join("audit.xml");
    let md = dir.path().join("audit.md");
    let out = dockaudit()
        .arg("audit")
        .arg("--snapshot")
        .arg(scenario())
        .args(["--fail-on", "never", "-f", "terminal"])
        .arg("-f")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--format")
        .arg(format!("junit={}", junit.display()))
        .arg("-f")
        .arg(format!("markdown={}", md.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Score: "), "{stdout}");
    assert!(!stdout.contains('\u{1b}'));

    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(include_str!(
        "../../report/tests/data/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert_eq!(errors, Vec::<String>::new());
    let driver = &log["runs"][0]["tool"]["driver"];
    // Every rule that ran: with no ignore entries, the rules about them do not; nor do the rules
    // that judge only Dockerfiles and Compose files (`dockaudit lint`).
    assert_eq!(
        driver["rules"].as_array().unwrap().len(),
        dockaudit_rules::RULES
            .iter()
            .filter(|r| !r.judges_ignores() && !r.judges_source_only())
            .count()
    );
    let ctr001 = &driver["rules"][0];
    assert_eq!(ctr001["id"], "CTR001");
    assert_eq!(ctr001["properties"]["security-severity"], "9.5");
    for r in log["runs"][0]["results"].as_array().unwrap() {
        assert!(
            r["ruleIndex"].is_u64() && r["locations"][0].is_object(),
            "{r}"
        );
    }

    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("failure")));
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.starts_with("## dockaudit report"));
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    dockaudit()
        .arg("audit")
        .arg("--snapshot")
        .arg(scenario())
        .args(["--format", "json", "--output"])
        .arg(&path)
        .assert()
        .code(1) // the scenario has high and critical findings
        .stdout("");
    let report: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(report["score"]["overall"].is_u64());
}

#[test]
fn two_formats_for_stdout_is_a_usage_error() {
    dockaudit()
        .arg("audit")
        .arg("--snapshot")
        .arg(scenario())
        .args(["-f", "json", "-f", "sarif"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only one --format"));
    dockaudit()
        .args(["audit", "-f", "yaml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown format `yaml`"));
}
