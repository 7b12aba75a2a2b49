//! Live tests of the daemon checks against a second `dockerd` of the test's own: the machine's
//! `/usr/sbin/dockerd` with its own data root, exec root, pid file and unix socket under a temporary
//! directory, its own bridge, no iptables changes, an empty daemon.json, and a TCP listener on
//! `127.0.0.1:<free port>` without TLS. The audits go through that TCP endpoint, as for a remote
//! engine. A guard stops the daemon and removes its state when the test ends, panics included.
//!
//! Needs root (to run dockerd) and /usr/sbin/dockerd; without them the tests say so and return.
//! The machine's own engine is not touched.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::test_daemon::{running_as_root, Options, TestDaemon, DOCKERD};
use serde_json::Value;

/// Whether this machine can run the tests; prints why not.
fn can_run() -> bool {
    if !running_as_root() || !Path::new(DOCKERD).exists() {
        eprintln!("skipped: needs root and {DOCKERD} to start a dockerd of its own");
        return false;
    }
    true
}

/// A plain-TCP test daemon with these extra dockerd arguments.
fn start_daemon(extra: &[&str]) -> TestDaemon {
    let extra: Vec<OsString> = extra.iter().map(OsString::from).collect();
    TestDaemon::start(&Options {
        prefix: "dal",
        subnet: 30,
        prepare: &|_| {},
        args: &move |_| extra.clone(),
    })
}

fn dockaudit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dockaudit"))
}

/// Runs an audit of the DMN rules and returns the JSON report.
fn audit(program: &Path, prefix: &[&str], args: &[&str]) -> Value {
    let mut cmd = if prefix.is_empty() {
        Command::new(program)
    } else {
        let mut c = Command::new(prefix[0]);
        c.args(&prefix[1..]).arg(program);
        c
    };
    let out = cmd
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--select",
            "DMN",
        ])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("dockaudit runs");
    assert!(
        out.status.success(),
        "dockaudit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

fn status<'a>(report: &'a Value, rule: &str) -> &'a str {
    report["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["rule"] == rule))
        .and_then(|x| x["status"].as_str())
        .unwrap_or("absent")
}

fn skip_reason(report: &Value, rule: &str) -> String {
    report["skipped"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["rule"] == rule))
        .and_then(|x| x["reason"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn a_second_dockerd_reached_over_plain_tcp_is_reported_and_live_restore_flips() {
    if !can_run() {
        return;
    }
    let started = Instant::now();
    let daemon = start_daemon(&[]);
    let report = audit(&dockaudit(), &[], &["--host", &daemon.url()]);
    assert_eq!(report["engine"]["endpoint"], daemon.url());
    let tcp = findings(&report, "DMN007");
    assert_eq!(tcp.len(), 1, "{report:#}");
    let message = tcp[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("tcp://127.0.0.1:{}", daemon.port)),
        "{message}"
    );
    assert!(message.contains("without TLS"), "{message}");
    assert_eq!(tcp[0]["severity"], "high");
    let sources = tcp[0]["evidence"]["sources"].to_string();
    assert!(
        sources.contains("API is accessible on http://"),
        "{sources}"
    );
    assert!(
        sources.contains("dockaudit reached the engine"),
        "{sources}"
    );
    // Remote: what only the host's files say is skipped, with the reason.
    for rule in ["DMN016", "DMN021", "DMN022"] {
        assert_eq!(status(&report, rule), "skipped", "{rule}");
        assert!(
            skip_reason(&report, rule).contains("engine is remote"),
            "{rule}"
        );
    }
    assert_eq!(status(&report, "DMN015"), "failed");
    drop(daemon);

    let daemon = start_daemon(&["--live-restore"]);
    let report = audit(&dockaudit(), &[], &["--host", &daemon.url()]);
    assert_eq!(status(&report, "DMN015"), "passed", "{report:#}");
    assert_eq!(findings(&report, "DMN007").len(), 1);
    drop(daemon);
    eprintln!(
        "two dockerds started, audited and stopped in {:?}",
        started.elapsed()
    );
}

#[test]
fn an_unprivileged_audit_skips_what_it_cannot_read() {
    if !can_run() || Command::new("runuser").arg("--help").output().is_err() {
        eprintln!("skipped: needs root, {DOCKERD} and runuser");
        return;
    }
    let daemon = start_daemon(&[]);
    // `nobody` may not enter the build directory: give it a copy it can run.
    let bin_dir = tempfile::Builder::new()
        .prefix("dab")
        .tempdir_in("/tmp")
        .expect("temp dir");
    let bin = bin_dir.path().join("dockaudit");
    std::fs::copy(dockaudit(), &bin).expect("copy");
    let chmod = |path: &Path, mode: &str| {
        let ok = Command::new("chmod").arg(mode).arg(path).status();
        assert!(
            ok.is_ok_and(|s| s.success()),
            "chmod {mode} {}",
            path.display()
        );
    };
    chmod(bin_dir.path(), "755");
    chmod(&bin, "755");
    let as_nobody = ["runuser", "-u", "nobody", "--"];

    // Through TCP: a remote engine; nobody cannot open the unix socket anyway.
    let report = audit(&bin, &as_nobody, &["--host", &daemon.url()]);
    assert_eq!(findings(&report, "DMN007").len(), 1);
    for rule in ["DMN008", "DMN016", "DMN021", "DMN022"] {
        assert_eq!(status(&report, rule), "skipped", "{rule}: {report:#}");
    }

    // With this host's root named explicitly: the dockerd is found (its command line is readable
    // by anyone), but its daemon.json, in a directory only root may enter, is not.
    let report = audit(
        &bin,
        &as_nobody,
        &["--host", &daemon.url(), "--host-root", "/"],
    );
    for rule in ["DMN008", "DMN016", "DMN021"] {
        assert_eq!(status(&report, rule), "skipped", "{rule}: {report:#}");
        let why = skip_reason(&report, rule);
        assert!(
            why.to_lowercase().contains("permission denied"),
            "{rule}: {why}"
        );
    }
    // What the readable command line says is judged: --iptables=false.
    assert_eq!(status(&report, "DMN004"), "failed", "{report:#}");
    let gaps = report["gaps"].to_string();
    assert!(gaps.contains("daemon.json"), "{gaps}");
}
