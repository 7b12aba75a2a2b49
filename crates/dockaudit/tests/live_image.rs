//! Live tests of `dockaudit image` and the audit's image scan, against the real Docker engine on
//! this machine: images built locally (no registry: `docker import` of a busybox-static rootfs,
//! then `docker build FROM` it), labelled `dockaudit.test=1` with a unique prefix, removed by a
//! guard on success, failure and panic.
//!
//! The bad image holds an end-of-life OS (Ubuntu 18.04), a real dpkg database, a setuid file, a
//! planted fake AWS key and an `id_rsa`, a file added in one layer and deleted in the next (a
//! whiteout), and a directory removed and recreated (an opaque directory on overlay2): what is
//! deleted must not be reported, and no planted value may be printed.
//!
//! Needs: a reachable Docker engine and busybox-static (`.ci/run` installs both).

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use common::docker::{
    busybox_rootfs_tar, docker_import, docker_ok, text, unique_prefix, RemoveLabelled,
};
use serde_json::Value;

/// Planted (fake) values: none may appear in any output.
const PLANTED: &[&str] = &[
    "AKIA3LIVETESTFAKE9KY",
    "live-fake-ssh-key-body",
    "live-deleted-token",
    "live-opaque-key-body",
];

const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

fn write(dir: &Path, path: &str, content: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(&p, content).expect("write");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Builds the base and the bad image; returns the bad image's tag.
fn build_images(prefix: &str, guard: &mut RemoveLabelled, work: &Path) -> String {
    let label = format!("dockaudit.image-test={prefix}");
    let base = format!("dockaudit-test-{prefix}-imgbase:1");
    let bad = format!("dockaudit-test-{prefix}-imgbad:1");
    guard.tags = vec![base.clone(), bad.clone()];

    let tar = busybox_rootfs_tar(
        work,
        &["sh", "chmod", "rm", "mkdir", "echo"],
        &[("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")],
    );
    docker_import(
        &tar,
        &[
            "--change",
            "LABEL dockaudit.test=1",
            "--change",
            &format!("LABEL {label}"),
        ],
        &base,
    );

    let ctx = work.join("bad");
    let c = |p: &str| format!("contents/{p}");
    write(
        &ctx,
        &c("etc/os-release"),
        "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"18.04\"\nPRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_CODENAME=bionic\n",
        0o644,
    );
    let status = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scan/tests/data/dpkg/ubuntu-status"),
    )
    .expect("test dpkg database");
    write(&ctx, &c("var/lib/dpkg/status"), &status, 0o644);
    write(
        &ctx,
        &c("usr/local/bin/helper"),
        "#!/bin/sh\necho hi\n",
        0o755,
    );
    write(
        &ctx,
        &c("srv/app/settings.ini"),
        "[aws]\naws_access_key_id = AKIA3LIVETESTFAKE9KY\n",
        0o644,
    );
    write(
        &ctx,
        &c("root/.ssh/id_rsa"),
        "-----BEGIN OPENSSH PRIVATE KEY-----\nlive-fake-ssh-key-body\n-----END OPENSSH PRIVATE KEY-----\n",
        0o600,
    );
    write(
        &ctx,
        &c("srv/leftover/.env"),
        "API_TOKEN=live-deleted-token-q8Zr2Vf9LmXw4Tn7Kp1Yd6\n",
        0o644,
    );
    write(
        &ctx,
        &c("opt/old/id_ed25519"),
        "-----BEGIN OPENSSH PRIVATE KEY-----\nlive-opaque-key-body\n-----END OPENSSH PRIVATE KEY-----\n",
        0o600,
    );
    write(
        &ctx,
        "Dockerfile",
        &format!(
            "FROM {base}\nCOPY contents/ /\n\
             RUN chmod 4755 /usr/local/bin/helper && rm /srv/leftover/.env && \
             rm -rf /opt/old && mkdir /opt/old && echo notes > /opt/old/README\n"
        ),
        0o644,
    );
    let out = std::process::Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "--rm", "--force-rm", "-t", &bad])
        .arg(&ctx)
        .output()
        .expect("docker build");
    assert!(out.status.success(), "docker build: {}", text(&out.stderr));
    bad
}

fn dockaudit(cache: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.timeout(COMMAND_TIMEOUT)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache);
    cmd
}

fn json_of(out: &Output, what: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what} printed no JSON ({e}); exit {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

fn no_planted(what: &str, out: &Output) {
    for s in PLANTED {
        assert!(!text(&out.stdout).contains(s), "{what} stdout has {s}");
        assert!(!text(&out.stderr).contains(s), "{what} stderr has {s}");
    }
}

/// What must be equal between two reads of the same image.
fn essence(doc: &Value) -> Value {
    let findings: Vec<Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| serde_json::json!([f["rule"], f["severity"], f["message"]]))
        .collect();
    serde_json::json!({
        "id": doc["image"]["id"], "os": doc["os"], "packages": doc["packages"],
        "findings": findings, "problems": doc["problems"],
    })
}

fn rules_of(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn live_image_scan_through_the_engine_and_as_an_archive() {
    let prefix = unique_prefix("li");
    let mut guard = RemoveLabelled {
        label: format!("dockaudit.image-test={prefix}"),
        tags: Vec::new(),
    };
    let work = tempfile::tempdir().expect("temp dir");
    let cache = work.path().join("cache");
    let bad = build_images(&prefix, &mut guard, work.path());

    // 1. Through the engine (GET /images/{id}/get, streamed), twice: the second from the cache.
    let first = dockaudit(&cache)
        .args(["image", &bad, "--format", "json"])
        .output()
        .expect("run dockaudit image");
    no_planted("image (engine)", &first);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    assert!(
        text(&first.stderr).is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        text(&first.stderr)
    );
    let engine = json_of(&first, "image --format json");
    assert_eq!(engine["image"]["cached"], false);
    assert_eq!(engine["os"]["id"], "ubuntu");
    assert_eq!(engine["os"]["eol"]["status"], "end_of_life");
    assert_eq!(engine["os"]["eol"]["date"], "2023-05-31");
    assert_eq!(engine["packages"].as_array().map(Vec::len), Some(90));
    assert_eq!(engine["vulnerabilities"], serde_json::json!([]));
    assert!(engine["vulnerabilities_skipped"].is_string());
    let rules = rules_of(&engine);
    for want in ["IMG007", "IMG008", "IMG009", "IMG010"] {
        assert!(rules.contains(&want.to_string()), "{want} in {rules:?}");
    }
    let messages = engine["findings"].to_string();
    assert!(
        messages.contains("AWS access key id in /srv/app/settings.ini:2 (AK****KY)"),
        "{messages}"
    );
    // Deleted by a later layer (a whiteout; an opaque directory): not reported.
    assert!(!messages.contains("/srv/leftover"), "{messages}");
    assert!(!messages.contains("/opt/old"), "{messages}");
    assert!(
        messages.contains("/root/.ssh/id_rsa (SSH private key)"),
        "{messages}"
    );

    let second = dockaudit(&cache)
        .args(["image", &bad, "--format", "json"])
        .output()
        .expect("run dockaudit image again");
    let cached = json_of(&second, "image (cached)");
    assert_eq!(cached["image"]["cached"], true);
    assert_eq!(essence(&cached), essence(&engine));

    // A corrupt cache entry is ignored and rewritten.
    let hex = engine["image"]["id"]
        .as_str()
        .expect("id")
        .trim_start_matches("sha256:")
        .to_string();
    let entry = cache.join(format!("dockaudit/images/{hex}.json"));
    std::fs::write(&entry, b"{\"format\":1,\"contents\":").expect("corrupt the cache entry");
    let third = dockaudit(&cache)
        .args(["image", &bad, "--format", "json"])
        .output()
        .expect("run dockaudit image with a corrupt cache");
    let rescanned = json_of(&third, "image (corrupt cache)");
    assert_eq!(rescanned["image"]["cached"], false);
    assert_eq!(essence(&rescanned), essence(&engine));
    let rewritten: Value =
        serde_json::from_slice(&std::fs::read(&entry).expect("entry")).expect("valid again");
    assert_eq!(rewritten["image_id"], engine["image"]["id"]);

    // 2. The same image saved with `docker save`, plain and gzipped: the same result.
    let archive = work.path().join("bad.tar");
    docker_ok(&["save", "-o", archive.to_str().expect("utf-8 path"), &bad]);
    let from_archive = dockaudit(&cache)
        .args(["image", "whatever", "--archive"])
        .arg(&archive)
        .args(["--format", "json"])
        .output()
        .expect("run dockaudit image --archive");
    no_planted("image --archive", &from_archive);
    let archived = json_of(&from_archive, "image --archive");
    assert_eq!(archived["image"]["source"], "archive");
    assert_eq!(essence(&archived), essence(&engine));
    let gz = work.path().join("bad.tar.gz");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -c {} > {}", archive.display(), gz.display()))
        .status()
        .expect("gzip");
    assert!(status.success());
    let from_gz = dockaudit(&cache)
        .args(["image", "whatever", "--archive"])
        .arg(&gz)
        .args(["--format", "json"])
        .output()
        .expect("run dockaudit image --archive .tar.gz");
    assert_eq!(
        essence(&json_of(&from_gz, "image --archive gz")),
        essence(&engine)
    );

    // 2b. `dockaudit image` reads dockaudit.toml: severity overrides, ignores (an ignore of a
    // container rule is a skip: that rule does not run on an image) and `fail-on`.
    let config = work.path().join("image-config.toml");
    std::fs::write(
        &config,
        "fail-on = \"critical\"\n[severity]\nIMG007 = \"low\"\n\
         [[ignore]]\nrule = \"IMG008\"\nreason = \"test keys, accepted\"\n\
         [[ignore]]\nrule = \"CTR001\"\nreason = \"not about images\"\n",
    )
    .unwrap();
    let configured = dockaudit(&cache)
        .args(["image", "whatever", "--format", "json", "--archive"])
        .arg(&archive)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run dockaudit image --config");
    let doc = json_of(&configured, "image --config");
    let findings = doc["findings"].as_array().expect("findings");
    let img007 = findings
        .iter()
        .find(|f| f["rule"] == "IMG007")
        .expect("IMG007");
    assert_eq!(img007["severity"], "low", "{img007}");
    assert!(findings
        .iter()
        .filter(|f| f["rule"] == "IMG008")
        .all(|f| f["suppressed"]["reason"] == "test keys, accepted"));
    assert!(
        doc["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["rule"] == "META002" && s["reason"].as_str().unwrap().contains("CTR001")),
        "{}",
        doc["skipped"]
    );
    // The file's fail-on (critical) decides the exit code.
    let critical_left = findings
        .iter()
        .any(|f| f["severity"] == "critical" && f["suppressed"].is_null());
    assert_eq!(configured.status.code(), Some(i32::from(critical_left)));
    assert!(
        critical_left || findings.iter().any(|f| f["severity"] == "high"),
        "the exit code would not tell fail-on critical from high"
    );
    let lenient = dockaudit(&cache)
        .args([
            "image",
            "whatever",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--archive",
        ])
        .arg(&archive)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run dockaudit image --config --fail-on never");
    assert_eq!(
        lenient.status.code(),
        Some(0),
        "the command line wins over the file"
    );

    // 3. The terminal report names the end of life and prints no planted value.
    let terminal = dockaudit(&cache)
        .args(["image", &bad, "--color", "never"])
        .output()
        .expect("run dockaudit image (terminal)");
    no_planted("image (terminal)", &terminal);
    let shown = text(&terminal.stdout);
    assert!(
        shown.contains("OS: Ubuntu 18.04.6 LTS (END OF LIFE since 2023-05-31"),
        "{shown}"
    );
    // The header names the engine as the audit's does: its version and API version, not blanks.
    let server = docker_ok(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        shown.contains(&format!("docker {} (API ", server.trim())),
        "{shown}"
    );
    assert!(!shown.contains("(API )"), "{shown}");

    // 4. In the audit: a container uses the image; `--no-image-scan` skips the contents rules.
    let label = format!("dockaudit.image-test={prefix}");
    docker_ok(&[
        "create",
        "--name",
        &format!("{prefix}-user"),
        "--label",
        "dockaudit.test=1",
        "--label",
        &label,
        &bad,
        "sh",
    ]);
    let audited = dockaudit(&cache)
        .args([
            "audit",
            "--format",
            "json",
            "--label",
            &label,
            "--select",
            "IMG007,IMG008",
            "--no-logs",
        ])
        .output()
        .expect("run dockaudit audit");
    no_planted("audit", &audited);
    let report = json_of(&audited, "audit");
    let rules = rules_of(&report);
    assert_eq!(rules, vec!["IMG008", "IMG007"], "{}", report["findings"]);
    let skipped = dockaudit(&cache)
        .args([
            "audit",
            "--format",
            "json",
            "--label",
            &label,
            "--select",
            "IMG007",
            "--no-image-scan",
            "--no-logs",
        ])
        .output()
        .expect("run dockaudit audit --no-image-scan");
    let report = json_of(&skipped, "audit --no-image-scan");
    assert!(rules_of(&report).is_empty());
    let reason = report["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("--no-image-scan"), "{}", report["skipped"]);

    drop(guard);
}
