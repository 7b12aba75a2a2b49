//! `dockaudit lint` as a user runs it: every format carries the file, line and column (SARIF as a
//! region valid against the 2.1.0 schema), exit codes follow `--fail-on`, a broken file is named
//! with its line and the others are still linted (exit 2), and the engine is never needed.

use std::process::Command;

use serde_json::Value;

fn lint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    c.arg("lint");
    // No engine: lint must not need one.
    c.env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    c.env_remove("XDG_CONFIG_HOME");
    c
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN apt-get update\n# dockaudit-ignore DKF004: vendor build\nRUN sudo make\nUSER 1000\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
    )
    .unwrap();
    dir
}

#[test]
fn every_format_carries_the_place() {
    let dir = project();
    let sarif = dir.path().join("out.sarif");
    let md = dir.path().join("out.md");
    let junit = dir.path().join("out.xml");
    let out = lint()
        .current_dir(dir.path())
        .args(["-f", "json", "-f"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("-f")
        .arg(format!("markdown={}", md.display()))
        .arg("-f")
        .arg(format!("junit={}", junit.display()))
        .output()
        .unwrap();
    // CTR001 is critical: at or above the default fail-on (high).
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ctr001 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CTR001")
        .expect("CTR001 on the compose service");
    assert_eq!(ctr001["location"]["path"], "./compose.yaml");
    assert_eq!(ctr001["location"]["line"], 4);
    assert_eq!(ctr001["location"]["column"], 5);
    assert_eq!(ctr001["target"]["kind"], "service");
    let dkf004 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "DKF004")
        .unwrap();
    assert_eq!(dkf004["suppressed"]["source"], "inline");

    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(include_str!(
        "../../report/tests/data/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&log), "SARIF invalid");
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CTR001")
        .unwrap();
    let loc = &result["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("compose.yaml"));
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 5);

    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .contains("./compose.yaml:4"));
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("At: ./compose.yaml:4:5"));

    let term = lint()
        .current_dir(dir.path())
        .args(["--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(term.stdout).unwrap();
    assert!(
        text.contains("service web at ./compose.yaml:4:5: privileged: true"),
        "{text}"
    );
    assert!(text.contains("file ./Dockerfile:2:1"), "{text}");
}

#[test]
fn fail_on_and_select_shape_the_exit_code() {
    let dir = project();
    let status = lint()
        .current_dir(dir.path())
        .args(["--fail-on", "never", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    // Only the Dockerfile rules: nothing at or above high is left.
    let status = lint()
        .current_dir(dir.path())
        .args(["--select", "DKF,IMG003", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn a_broken_file_is_named_and_the_rest_is_linted() {
    let dir = project();
    let sub = dir.path().join("broken");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        sub.join("compose.yml"),
        "services:\n  web:\n    image: [unclosed\n",
    )
    .unwrap();
    std::fs::write(
        sub.join("Dockerfile"),
        "FROM x:1\nRUN <<EOF\nnever closed\n",
    )
    .unwrap();
    let out = lint()
        .current_dir(dir.path())
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken/compose.yml") && stderr.contains("not valid YAML"),
        "{stderr}"
    );
    assert!(
        stderr.contains("broken/Dockerfile") && stderr.contains("not a valid Dockerfile"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["gaps"].as_array().unwrap().len(), 2);
    // The good files were still judged.
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "CTR001"));
}

#[test]
fn a_missing_path_is_an_error() {
    let out = lint().arg("/nonexistent/dockaudit-lint").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/dockaudit-lint"));
}
