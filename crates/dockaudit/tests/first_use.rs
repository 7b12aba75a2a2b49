//! What a new user meets first, through the built binary: a pipe that closes early, the rule table
//! in a narrow terminal, one configuration for every command, a target filter that matches nothing,
//! `baseline --help`, the man pages, and a snapshot collected without a vulnerability database.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json")
}

fn dockaudit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.env_remove("FORCE_COLOR")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKAUDIT_DB")
        .env("NO_COLOR", "1")
        // Never the user's own configuration, database or cache.
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_CACHE_HOME", "/nonexistent/dockaudit-test");
    cmd
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `args` with stdout on a pipe whose reader reads `keep` bytes and closes it, as `| head -c`.
fn into_closed_pipe(args: &[&str], keep: usize) -> (Option<i32>, String) {
    let mut child = dockaudit()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dockaudit starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = vec![0u8; keep];
    stdout.read_exact(&mut head).expect("the first bytes");
    drop(stdout);
    let out = child.wait_with_output().expect("dockaudit ends");
    (out.status.code(), text(&out.stderr))
}

#[test]
fn a_pipe_closed_early_ends_quietly_and_keeps_the_exit_code() {
    // More than a pipe's buffer (64 KiB) is written, so the writes after the reader has gone fail.
    let (code, stderr) = into_closed_pipe(&["rules", "--format", "json"], 100);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let snap = scenario();
    let (code, stderr) = into_closed_pipe(
        &[
            "audit",
            "--format",
            "json",
            "--snapshot",
            snap.to_str().unwrap(),
        ],
        100,
    );
    // The scenario has high findings: the exit code still says so.
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn the_rule_table_fits_columns_and_has_no_trailing_spaces() {
    let out = dockaudit()
        .arg("rules")
        .env("COLUMNS", "90")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    for line in table.lines() {
        assert!(line.chars().count() <= 90, "too wide: {line:?}");
        assert_eq!(line, line.trim_end(), "trailing spaces: {line:?}");
    }
    assert!(table.contains("CTR001") && table.contains("LCY005"));
}

/// A dockaudit.toml with an unknown key, in a fresh directory.
fn config_with_typo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dockaudit.toml");
    std::fs::write(&path, "[engine]\ntimeout = 5\nhots = \"unix:///x.sock\"\n").unwrap();
    (dir, path)
}

#[test]
fn collect_and_image_read_the_configuration_and_its_mistakes() {
    let (dir, path) = config_with_typo();
    // Found in the working directory, as for `audit`: the typo stops `collect` before any engine.
    let out = dockaudit()
        .current_dir(dir.path())
        .args([
            "collect",
            "-o",
            "-",
            "--host",
            "unix:///nonexistent/engine.sock",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("dockaudit.toml:3") && stderr.contains("hots"),
        "{stderr}"
    );

    // `[engine] host` is the engine `image` and `collect` reach.
    std::fs::write(
        &path,
        "[engine]\nhost = \"unix:///nonexistent/from-config.sock\"\n",
    )
    .unwrap();
    for args in [&["image", "busybox"][..], &["collect", "-o", "-"][..]] {
        let out = dockaudit()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("from-config.sock"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_target_filter_that_matches_nothing_is_not_a_pass() {
    let snap = scenario();
    let out = dockaudit()
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--container",
            "no-such-*",
        ])
        .arg("--snapshot")
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no container matches --container no-such-*"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report");
    let gaps = report["gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["what"] == "targets" && g["why"].as_str().unwrap().contains("no-such-*")),
        "{gaps:?}"
    );

    let out = dockaudit()
        .args([
            "audit",
            "--quiet",
            "--label",
            "no.such.label=x",
            "--snapshot",
        ])
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no.such.label=x"));

    // A filter that matches is audited as before.
    let out = dockaudit()
        .args([
            "audit",
            "--quiet",
            "--fail-on",
            "never",
            "--container",
            "*",
            "--snapshot",
        ])
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn baseline_help_offers_only_what_a_baseline_uses() {
    let out = dockaudit().args(["baseline", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for absent in ["--format", "--fail-on", "--color", "--verbose", "--quiet"] {
        assert!(!help.contains(absent), "{absent} in:\n{help}");
    }
    for present in [
        "--snapshot",
        "--output",
        "--select",
        "--container",
        "--host",
    ] {
        assert!(help.contains(present), "{present} missing:\n{help}");
    }
}

#[test]
fn every_man_page_is_written_and_one_can_be_printed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dockaudit()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let top = std::fs::read_to_string(dir.path().join("dockaudit.1")).unwrap();
    // Every page the top page points to exists.
    for sub in [
        "audit", "baseline", "collect", "rules", "explain", "db", "image", "man",
    ] {
        assert!(top.contains(&format!("dockaudit\\-{sub}")), "{sub}");
        let page = dir.path().join(format!("dockaudit-{sub}.1"));
        assert!(page.is_file(), "{}", page.display());
    }
    let printed = dockaudit().args(["man", "audit"]).output().unwrap();
    assert_eq!(printed.status.code(), Some(0));
    let written = std::fs::read(dir.path().join("dockaudit-audit.1")).unwrap();
    assert_eq!(printed.stdout, written);
    assert!(text(&written).contains("\\-\\-fail\\-on"));

    let out = dockaudit().args(["man", "nonsense"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("audit"));
}

#[test]
fn db_status_without_a_database_says_so() {
    let out = dockaudit()
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["exists"], false);
}
