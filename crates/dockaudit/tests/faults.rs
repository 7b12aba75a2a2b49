//! Engine faults through the built binary: a failed container or image list makes `audit` and
//! `collect` exit 2 with the gap on stderr (also with `--quiet` and `--format json`, the report still
//! written), `--timeout 0` means no limit, and an engine error on `/version` is not "cannot reach".
//! The faults come from a proxy in front of the real engine (crates/collect/tests/support).
//!
//! Needs: the real Docker engine at /var/run/docker.sock (these tests say so and pass when it is
//! absent). Nothing is created on the engine.

#[path = "../../collect/tests/support/fault_proxy.rs"]
mod fault_proxy;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use fault_proxy::{engine_here, Fault, Proxy, Rule, ENGINE};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs dockaudit `args` against a proxy applying `rules`, quickly: no sizes, logs or image scan,
/// the host read from an empty directory, in an empty working directory (no dockaudit.toml).
fn through_proxy(rules: Vec<Rule>, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let proxy = Proxy::start(dir.path(), Path::new(ENGINE), rules);
    let host = format!("unix://{}", proxy.socket().display());
    let root = dir.path().join("host");
    std::fs::create_dir(&root).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args(args)
        .args(["--host", &host, "--host-root", &root.to_string_lossy()])
        .current_dir(dir.path())
        .env_remove("DOCKER_HOST")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_CACHE_HOME", "/nonexistent/dockaudit-test")
        .output()
        .expect("dockaudit runs");
    drop(proxy);
    out
}

const QUICK: [&str; 5] = [
    "--no-sizes",
    "--no-logs",
    "--no-image-scan",
    "--timeout",
    "2",
];

#[test]
fn a_failed_container_list_is_exit_2_with_the_gap_on_stderr_in_every_mode() {
    if !engine_here() {
        return;
    }
    let rules = || {
        vec![(
            fault_proxy::container_list as fn(&str) -> bool,
            Fault::Status500,
        )]
    };
    let says =
        "containers could not be listed (GET /containers/json): the engine answered HTTP 500";

    for extra in [&[][..], &["--quiet"][..]] {
        let out = through_proxy(rules(), &[&["audit"][..], &QUICK, extra].concat());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
    }

    // The JSON report is still written, and says the container rules were skipped, not passed.
    let out = through_proxy(
        rules(),
        &[&["audit", "--format", "json", "--quiet"][..], &QUICK].concat(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let skipped = report["skipped"].as_array().expect("skipped");
    assert!(
        skipped.iter().any(|s| s["rule"] == "CTR001"
            && s["reason"]
                .as_str()
                .is_some_and(|r| r.contains("container list could not be read"))),
        "{skipped:?}"
    );
    let results = report["results"].as_array().expect("results");
    let ctr001 = results.iter().find(|r| r["rule"] == "CTR001").unwrap();
    assert_eq!(ctr001["status"], "skipped", "{ctr001}");
}

#[test]
fn a_stalled_image_list_is_exit_2_at_the_deadline() {
    if !engine_here() {
        return;
    }
    let started = std::time::Instant::now();
    let out = through_proxy(
        vec![(fault_proxy::image_list, Fault::StallAfterHeaders)],
        &[&["audit", "--quiet"][..], &QUICK].concat(),
    );
    eprintln!(
        "audit with a stalled image list ended after {:.2?}",
        started.elapsed()
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "images could not be listed (GET /images/json): GET /images/json timed out after 2 s"
        ),
        "{stderr}"
    );
}

#[test]
fn collect_with_a_failed_list_writes_the_snapshot_and_exits_2_and_so_does_its_audit() {
    if !engine_here() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("snap.json");
    let out = through_proxy(
        vec![(fault_proxy::container_list, Fault::Malformed)],
        &[&["collect", "-o", &file.to_string_lossy()][..], &QUICK].concat(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("containers could not be listed"),
        "{stderr}"
    );
    let audit = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args(["audit", "--quiet", "--snapshot", &file.to_string_lossy()])
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
        .output()
        .expect("dockaudit runs");
    let stderr = text(&audit.stderr);
    assert_eq!(audit.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not the JSON expected"), "{stderr}");
}

#[test]
fn timeout_zero_means_no_limit() {
    if !engine_here() {
        return;
    }
    // Late headers (3 s) on the container list: with --timeout 0 the audit waits for them.
    let mut args: Vec<&str> = vec![
        "audit",
        "--quiet",
        "--no-sizes",
        "--no-logs",
        "--no-image-scan",
    ];
    args.extend(["--timeout", "0"]);
    let out = through_proxy(
        vec![(
            fault_proxy::container_list,
            Fault::Delay(Duration::from_secs(3)),
        )],
        &args,
    );
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("could not be listed"), "{stderr}");
}

#[test]
fn an_engine_error_on_version_is_not_cannot_reach() {
    if !engine_here() {
        return;
    }
    let out = through_proxy(
        vec![(fault_proxy::version, Fault::Status500)],
        &[&["audit", "--quiet"][..], &QUICK].concat(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    assert!(stderr.contains("answered GET /version"), "{stderr}");
    assert!(stderr.contains("HTTP 500: injected fault"), "{stderr}");
    assert_eq!(stderr.matches("injected fault").count(), 1, "{stderr}");
}
