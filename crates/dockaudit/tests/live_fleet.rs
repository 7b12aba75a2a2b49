//! Fleets of live engines: the machine's own and a current one (`scripts/second-engine.sh`, or the
//! one `.ci/run` started, DOCKAUDIT_SECOND_ENGINE), audited together by `--host` and `--context`,
//! with an unreachable third host; and the snapshots collected from each, merged, audited to the
//! same findings.
//!
//! Each test creates one privileged container (never started) on each engine, from a busybox image
//! it imports there, all labelled `dockaudit.test=1` and `dockaudit.fleet=PREFIX` and named by a
//! unique prefix, and removes exactly those (by name and tag) in a guard. Assertions are on the
//! test's own containers only: other tests create containers on the same engines at the same time.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use common::docker::{busybox_rootfs_tar, text, unique_prefix};
use serde_json::Value;

/// A generous bound so that a hung binary fails the test instead of hanging CI (not a timing check).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The machine's engine, as a URL.
fn machine() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".into())
}

/// `docker -H HOST ARGS...`, trimmed stdout; panics when it fails.
fn docker_at(host: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("docker")
        .args(["-H", host])
        .args(args)
        .output()
        .expect("run docker");
    assert!(
        out.status.success(),
        "docker -H {host} {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout).trim().to_string()
}

/// A second, current engine: DOCKAUDIT_SECOND_ENGINE, or one started here and stopped on drop.
struct SecondEngine {
    host: String,
    /// Set when this test started it.
    dir: Option<PathBuf>,
}

impl SecondEngine {
    fn get() -> SecondEngine {
        if let Ok(host) = std::env::var("DOCKAUDIT_SECOND_ENGINE") {
            if !host.is_empty() {
                return SecondEngine { host, dir: None };
            }
        }
        // Short (containerd's socket paths under it must fit in 108 bytes) and this test's own.
        let dir = PathBuf::from(format!("/tmp/da-fl{}", std::process::id()));
        let out = std::process::Command::new("bash")
            .arg(workspace_root().join("scripts/second-engine.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run scripts/second-engine.sh");
        assert!(
            out.status.success(),
            "scripts/second-engine.sh start failed:\n{}",
            text(&out.stderr)
        );
        let host = text(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        SecondEngine {
            host,
            dir: Some(dir),
        }
    }
}

impl Drop for SecondEngine {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::process::Command::new("bash")
                .arg(workspace_root().join("scripts/second-engine.sh"))
                .arg("stop")
                .arg(dir)
                .output();
            // `stop` leaves the directory (socket, log, links); it is this test's own.
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// One privileged container on each engine, removed (by name, then its image by tag) on drop.
struct Planted {
    prefix: String,
    /// (engine URL, container name) per engine.
    containers: Vec<(String, String)>,
    image: String,
}

impl Planted {
    fn on(engines: &[&str]) -> Planted {
        let prefix = unique_prefix("fleet");
        let image = format!("{prefix}-busybox:1");
        let mut planted = Planted {
            prefix: prefix.clone(),
            containers: Vec::new(),
            image: image.clone(),
        };
        let work = tempfile::tempdir().expect("temp dir");
        let tar = busybox_rootfs_tar(work.path(), &["sh"], &[]);
        for (i, engine) in engines.iter().enumerate() {
            let mut import = std::process::Command::new("docker")
                .args([
                    "-H",
                    engine,
                    "import",
                    "--change",
                    "LABEL dockaudit.test=1",
                    "-",
                    &image,
                ])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("docker import");
            std::io::Write::write_all(&mut import.stdin.take().expect("stdin"), &tar)
                .expect("feed docker import");
            assert!(import.wait().expect("docker import").success());
            let name = format!("{prefix}-{i}");
            planted.containers.push((engine.to_string(), name.clone()));
            docker_at(
                engine,
                &[
                    "create",
                    "--privileged",
                    "--label",
                    "dockaudit.test=1",
                    "--label",
                    &planted.label(),
                    "--name",
                    &name,
                    &image,
                    "sh",
                ],
            );
        }
        planted
    }

    /// The label only this test's objects carry.
    fn label(&self) -> String {
        format!("dockaudit.fleet={}", self.prefix)
    }
}

impl Drop for Planted {
    fn drop(&mut self) {
        let mut engines = BTreeSet::new();
        for (engine, name) in &self.containers {
            let _ = std::process::Command::new("docker")
                .args(["-H", engine, "rm", "-f", name])
                .output();
            engines.insert(engine.clone());
        }
        for engine in engines {
            let _ = std::process::Command::new("docker")
                .args(["-H", &engine, "rmi", "-f", &self.image])
                .output();
        }
    }
}

fn dockaudit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.timeout(COMMAND_TIMEOUT)
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST");
    cmd
}

/// `dockaudit audit ARGS --format json` on the planted label; exit code, report, stderr.
fn audit_json(planted: &Planted, args: &[&str], env: &[(&str, &Path)]) -> (i32, Value, String) {
    let mut cmd = dockaudit();
    cmd.args([
        "audit",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-image-scan",
    ])
    .args(["--label", &planted.label()])
    .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run dockaudit");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "dockaudit {args:?} printed no JSON report ({e}): {}",
            text(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report, text(&out.stderr))
}

/// (host, rule, container name) of every finding on the planted containers.
fn on_planted(report: &Value, planted: &Planted) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["target"]["kind"] == "container")
        .filter(|f| {
            let name = f["target"]["name"].as_str().unwrap_or_default();
            planted.containers.iter().any(|(_, n)| n == name)
        })
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (s(&f["host"]), s(&f["rule"]), s(&f["target"]["name"]))
        })
        .collect()
}

/// The labels and statuses of a fleet report's hosts.
fn hosts(report: &Value) -> Vec<(String, String)> {
    report["hosts"]
        .as_array()
        .unwrap_or_else(|| panic!("a fleet report lists its hosts: {report}"))
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap_or_default().to_string(),
                h["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn live_fleet_names_both_engines_and_an_unreachable_third_is_a_gap() {
    let second = SecondEngine::get();
    let machine = machine();
    let planted = Planted::on(&[&machine, &second.host]);
    let nowhere = format!("unix:///nonexistent/{}.sock", planted.prefix);

    let (code, report, stderr) = audit_json(
        &planted,
        &[
            "--host",
            &machine,
            "--host",
            &second.host,
            "--host",
            &nowhere,
        ],
        &[],
    );
    assert_eq!(code, 2, "one host not audited is exit 2: {stderr}");
    assert!(stderr.contains(&nowhere), "stderr names the host: {stderr}");
    let listed = hosts(&report);
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(listed[0].1, "audited");
    assert_eq!(listed[1].1, "audited");
    assert_eq!(listed[2], (nowhere.clone(), "unreachable".to_string()));
    let (m, s) = (listed[0].0.clone(), listed[1].0.clone());
    assert_ne!(m, s);
    // Each engine's own container, privileged, on its own host.
    let privileged: BTreeSet<_> = on_planted(&report, &planted)
        .into_iter()
        .filter(|(_, rule, _)| rule == "CTR001")
        .collect();
    let expected: BTreeSet<_> = [
        (
            m.clone(),
            "CTR001".to_string(),
            planted.containers[0].1.clone(),
        ),
        (
            s.clone(),
            "CTR001".to_string(),
            planted.containers[1].1.clone(),
        ),
    ]
    .into();
    assert_eq!(privileged, expected);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["host"] == m.as_str() || f["host"] == s.as_str()));
    assert!(report["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["host"] == nowhere.as_str()
            && g["why"]
                .as_str()
                .unwrap_or_default()
                .contains("does not exist")));
    // Each engine is the one it says: the machine's API and the current one's differ or not, but
    // the versions are each engine's own.
    let version_of = |host: &str| docker_at(host, &["version", "-f", "{{.Server.Version}}"]);
    assert_eq!(
        report["hosts"][0]["engine"]["version"].as_str(),
        Some(version_of(&machine).as_str())
    );
    assert_eq!(
        report["hosts"][1]["engine"]["version"].as_str(),
        Some(version_of(&second.host).as_str())
    );

    // Without the third host: the same findings, and --fail-on decides the exit code again.
    let (code, both, stderr) =
        audit_json(&planted, &["--host", &machine, "--host", &second.host], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(on_planted(&both, &planted), on_planted(&report, &planted));
}

#[test]
fn live_fleet_reaches_an_engine_through_a_docker_context() {
    let second = SecondEngine::get();
    let machine = machine();
    let planted = Planted::on(&[&machine, &second.host]);
    // A context as `docker context create NAME --docker host=…` writes it, in a DOCKER_CONFIG of
    // the test's own.
    let config = tempfile::tempdir().expect("temp dir");
    let context = format!("{}-ctx", planted.prefix);
    let meta = config.path().join("contexts/meta/0123abcd");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("meta.json"),
        serde_json::json!({
            "Name": context,
            "Metadata": {"Description": "the machine's engine"},
            "Endpoints": {"docker": {"Host": machine, "SkipTLSVerify": false}}
        })
        .to_string(),
    )
    .unwrap();

    let (code, report, stderr) = audit_json(
        &planted,
        &["--context", &context, "--host", &second.host],
        &[("DOCKER_CONFIG", config.path())],
    );
    assert_eq!(code, 0, "{stderr}");
    let listed = hosts(&report);
    assert_eq!(listed.len(), 2, "{listed:?}");
    // --host first, then the contexts; the context's host is labelled by its name.
    assert_eq!(listed[1], (context.clone(), "audited".to_string()));
    let privileged: BTreeSet<_> = on_planted(&report, &planted)
        .into_iter()
        .filter(|(_, rule, _)| rule == "CTR001")
        .collect();
    let expected: BTreeSet<_> = [
        (
            listed[0].0.clone(),
            "CTR001".to_string(),
            planted.containers[1].1.clone(),
        ),
        (
            context.clone(),
            "CTR001".to_string(),
            planted.containers[0].1.clone(),
        ),
    ]
    .into();
    assert_eq!(privileged, expected);

    // One context alone is a single-host audit: no host labels.
    let (_, single, stderr) = audit_json(
        &planted,
        &["--context", &context],
        &[("DOCKER_CONFIG", config.path())],
    );
    assert!(single.get("hosts").is_none(), "{stderr}");
    assert_eq!(
        on_planted(&single, &planted)
            .into_iter()
            .filter(|(_, r, _)| r == "CTR001")
            .map(|(h, _, n)| (h, n))
            .collect::<Vec<_>>(),
        [(String::new(), planted.containers[0].1.clone())]
    );
}

#[test]
fn live_snapshots_of_two_engines_merged_audit_to_the_fleet_audits_findings() {
    let second = SecondEngine::get();
    let machine = machine();
    let planted = Planted::on(&[&machine, &second.host]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (i, engine) in [&machine, &second.host].into_iter().enumerate() {
        let file = dir.path().join(format!("{i}.json"));
        let out = dockaudit()
            .args([
                "collect",
                "--no-image-scan",
                "--label",
                &planted.label(),
                "--host",
                engine,
                "-o",
            ])
            .arg(&file)
            .output()
            .expect("run dockaudit collect");
        assert!(
            out.status.success(),
            "collect from {engine}: {}",
            text(&out.stderr)
        );
        files.push(file);
    }
    let merged = dir.path().join("fleet.json");
    let out = dockaudit()
        .args(["merge", "-o"])
        .arg(&merged)
        .args(&files)
        .output()
        .expect("run dockaudit merge");
    assert!(out.status.success(), "merge: {}", text(&out.stderr));

    let (code, live, stderr) =
        audit_json(&planted, &["--host", &machine, "--host", &second.host], &[]);
    assert_eq!(code, 0, "{stderr}");
    let merged_arg = merged.display().to_string();
    let (code, offline, stderr) = audit_json(&planted, &["--snapshot", &merged_arg], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(hosts(&offline), hosts(&live));
    let live_findings = on_planted(&live, &planted);
    assert!(live_findings.len() >= 2, "{live_findings:?}");
    assert_eq!(on_planted(&offline, &planted), live_findings);

    // The same, with the two snapshots given to audit directly.
    let (a, b) = (
        files[0].display().to_string(),
        files[1].display().to_string(),
    );
    let (_, together, _) = audit_json(&planted, &["--snapshot", &a, "--snapshot", &b], &[]);
    assert_eq!(on_planted(&together, &planted), live_findings);
}

/// Names of the planted containers that a single-host audit with `env` (and no --host or
/// --context) reports CTR001 on, with its exit code and stderr.
fn privileged_seen_with(planted: &Planted, env: &[(&str, &str)]) -> (Vec<String>, String) {
    let mut cmd = dockaudit();
    cmd.args([
        "audit",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-image-scan",
    ])
    .args(["--label", &planted.label()]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run dockaudit");
    let stderr = text(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{env:?}: no JSON report ({e}): {stderr}"));
    let names = on_planted(&report, planted)
        .into_iter()
        .filter(|(_, r, _)| r == "CTR001")
        .map(|(_, _, n)| n)
        .collect();
    (names, stderr)
}

#[test]
fn without_host_or_context_the_engine_is_the_one_the_docker_cli_would_use() {
    let second = SecondEngine::get();
    let machine = machine();
    let planted = Planted::on(&[&machine, &second.host]);
    let (on_machine, on_second) = (
        planted.containers[0].1.clone(),
        planted.containers[1].1.clone(),
    );
    let config = tempfile::tempdir().expect("temp dir");
    let context = format!("{}-second", planted.prefix);
    let meta = config.path().join("contexts/meta/feedbeef");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("meta.json"),
        serde_json::json!({
            "Name": context,
            "Metadata": {},
            "Endpoints": {"docker": {"Host": second.host, "SkipTLSVerify": false}}
        })
        .to_string(),
    )
    .unwrap();
    let dir = config.path().to_str().expect("utf-8 path");

    // DOCKER_CONTEXT names the second engine.
    let (seen, stderr) = privileged_seen_with(
        &planted,
        &[("DOCKER_CONFIG", dir), ("DOCKER_CONTEXT", &context)],
    );
    assert_eq!(seen, std::slice::from_ref(&on_second), "{stderr}");
    // `docker context use` wrote it into config.json (beside a login, which is not kept).
    std::fs::write(
        config.path().join("config.json"),
        serde_json::json!({"auths": {"r.example": {"auth": "dXNlcjpwYXNz"}}, "currentContext": context})
            .to_string(),
    )
    .unwrap();
    let (seen, stderr) = privileged_seen_with(&planted, &[("DOCKER_CONFIG", dir)]);
    assert_eq!(seen, std::slice::from_ref(&on_second), "{stderr}");
    // DOCKER_HOST wins over the current context, and DOCKER_CONTEXT=default means the default.
    let (seen, stderr) = privileged_seen_with(
        &planted,
        &[("DOCKER_CONFIG", dir), ("DOCKER_HOST", &machine)],
    );
    assert_eq!(seen, std::slice::from_ref(&on_machine), "{stderr}");
    let (seen, stderr) = privileged_seen_with(
        &planted,
        &[
            ("DOCKER_CONFIG", dir),
            ("DOCKER_CONTEXT", "default"),
            ("DOCKER_HOST", &machine),
        ],
    );
    assert_eq!(seen, [on_machine], "{stderr}");
    // A context that does not exist is an error naming it, not an audit of another engine.
    let out = dockaudit()
        .args(["audit", "--no-image-scan"])
        .env("DOCKER_CONFIG", dir)
        .env("DOCKER_CONTEXT", "no-such-context")
        .output()
        .expect("run dockaudit");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no-such-context"),
        "{}",
        text(&out.stderr)
    );
    // `image` takes --context too: the planted image is on both engines.
    let out = dockaudit()
        .args(["image", &planted.image, "--format", "json", "--no-cache"])
        .args(["--context", &context])
        .env("DOCKER_CONFIG", dir)
        .output()
        .expect("run dockaudit image");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("image JSON");
    assert!(
        doc.to_string().contains(&second.host.replace('/', "\\/"))
            || doc.to_string().contains(&second.host),
        "the image report names the engine it read: {}",
        doc
    );
}
