//! The JSON report's schema: docs/report.schema.json is what the report types derive (regenerate it
//! with `UPDATE_REPORT_SCHEMA=1 cargo nextest run -p dockaudit report_schema`), and a real report,
//! written by the binary over the recorded scenario, validates against it.

use std::path::PathBuf;

use assert_cmd::Command;
use dockaudit_report::{Location, Report, Suppression};
use serde_json::Value;

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json")
}

fn generated() -> String {
    let mut text = serde_json::to_string_pretty(&dockaudit_report::report_json_schema()).unwrap();
    text.push('\n');
    text
}

#[test]
fn the_checked_in_schema_is_the_generated_one() {
    let generated = generated();
    if std::env::var_os("UPDATE_REPORT_SCHEMA").is_some() {
        std::fs::write(checked_in(), &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(checked_in()).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/report.schema.json is not what the report types derive; regenerate it with \
         UPDATE_REPORT_SCHEMA=1 cargo nextest run -p dockaudit report_schema"
    );
}

fn real_report() -> Value {
    let scenario =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json");
    let out = Command::cargo_bin("dockaudit")
        .unwrap()
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--snapshot",
        ])
        .arg(scenario)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn errors(instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(&generated()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn a_real_report_validates_against_the_schema() {
    let report = real_report();
    assert!(report["findings"].as_array().unwrap().len() > 10);
    assert!(!report["skipped"].as_array().unwrap().is_empty());
    assert_eq!(errors(&report), Vec::<String>::new());

    // The optional parts too: a suppressed finding with a file location.
    let mut typed: Report = serde_json::from_value(report).unwrap();
    typed.findings[0].suppressed = Some(Suppression {
        reason: "accepted until the migration".into(),
        source: "config".into(),
    });
    typed.findings[0].location = Some(Location {
        path: "/etc/docker/daemon.json".into(),
        line: 3,
        column: 5,
    });
    typed.score.overall = None;
    let value = serde_json::to_value(&typed).unwrap();
    assert_eq!(errors(&value), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_what_is_not_a_report() {
    let mut report = real_report();
    report["findings"][0]["severity"] = "catastrophic".into();
    report["summary"].as_object_mut().unwrap().remove("rules");
    let errors = errors(&report);
    assert!(errors.len() >= 2, "{errors:?}");
}
