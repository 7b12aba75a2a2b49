//! Live test against a real Podman engine: a `podman system service` of the test's own (its own
//! storage, run root, socket and bridge; see `common/podman.rs`), a busybox image imported through
//! Podman's Docker-compatible API, and containers made with the docker CLI against that API, each
//! with one known misconfiguration (privileged, a port on 0.0.0.0, a secret in its environment and
//! log), one hardened, one exited. The built binary audits and collects through the socket; the
//! test checks the findings, `engine.kind`, the Podman-specific skips and their reasons, that
//! processes were listed, that the image was scanned through Podman's export, that the planted
//! secret appears in no output, and the exit code. A guard removes everything when it ends,
//! panics included.
//!
//! Needs root and Debian's podman; without podman the test fails saying what to install.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::podman::{podman_binary, PodmanService, INSTALL_HINT};
use common::test_daemon::{free_port, running_as_root};
use serde_json::Value;

fn dockaudit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dockaudit"))
}

fn busybox() -> PathBuf {
    let found = std::env::var_os("BUSYBOX")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/bin/busybox", "/usr/bin/busybox"].map(PathBuf::from))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "no busybox: install busybox-static (`apt-get install busybox-static`) or set BUSYBOX"
        )
    })
}

/// A tar of a busybox-only root filesystem, for `docker import`.
fn rootfs_tar(dir: &Path) -> PathBuf {
    let root = dir.join("rootfs");
    std::fs::create_dir_all(root.join("bin")).expect("mkdir");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("tmp")).expect("mkdir");
    std::fs::copy(busybox(), root.join("bin/busybox")).expect("copy busybox");
    for applet in ["sh", "sleep", "echo", "httpd"] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).expect("symlink");
    }
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/:/bin/sh\n",
    )
    .expect("passwd");
    let tar = dir.join("rootfs.tar");
    let ok = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "tar of the rootfs failed");
    tar
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs dockaudit with a private cache directory.
fn run(cache: &Path, args: &[&str]) -> Output {
    Command::new(dockaudit())
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache)
        .env_remove("DOCKER_HOST")
        .output()
        .expect("dockaudit runs")
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn targets(report: &Value, rule: &str) -> Vec<String> {
    let mut out: Vec<String> = findings(report, rule)
        .iter()
        .filter_map(|f| f["target"]["name"].as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

fn status<'a>(report: &'a Value, rule: &str) -> &'a str {
    report["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["rule"] == rule))
        .and_then(|x| x["status"].as_str())
        .unwrap_or("absent")
}

/// The skip reason of `rule`, for one target (`Some(name)`) or the whole rule (`None`).
fn skip_reason(report: &Value, rule: &str, target: Option<&str>) -> String {
    report["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| {
            s["rule"] == rule
                && match target {
                    Some(name) => s["target"]["name"] == name,
                    None => s.get("target").is_none_or(Value::is_null),
                }
        })
        .and_then(|s| s["reason"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn podman_engine_is_audited_through_its_docker_compatible_api() {
    if !running_as_root() {
        eprintln!("skipped: needs root to run a rootful podman service of its own");
        return;
    }
    let Some(podman) = podman_binary() else {
        panic!("podman is not installed: {INSTALL_HINT}");
    };
    let service = PodmanService::start(&podman);
    let work = tempfile::tempdir().expect("temp dir");
    let cache = work.path().join("cache");

    // Unique names, so a leftover of another run can never be mistaken for this one's.
    let tag = format!("t{}", std::process::id());
    let name = |what: &str| format!("dkpm-{tag}-{what}");
    let image = format!("dockaudit-test-podman-{tag}:1");
    let secret = format!("S3cr3t-{tag}-Xq7LmZ2pVw9");
    let port = free_port();

    service.docker(&[
        "import",
        "--change",
        "CMD [\"sleep\", \"3600\"]",
        "--change",
        "LABEL dockaudit.test=1",
        rootfs_tar(work.path()).to_str().expect("utf-8 path"),
        &image,
    ]);
    let label = ["--label", "dockaudit.test=1"];
    // `docker run` attached fails on Podman 4.3's compat API (409 on the attach upgrade), and
    // `docker run -d` needs nothing more: create, then start.
    let create = |what: &str, extra: &[&str], cmd: &[&str]| {
        let n = name(what);
        let mut args = vec!["create", "--name", n.as_str()];
        args.extend(label);
        args.extend(extra);
        args.push(&image);
        args.extend(cmd);
        service.docker(&args);
        n
    };
    let privileged = create("privileged", &["--privileged"], &[]);
    let published = format!("0.0.0.0:{port}:80");
    let ports = create("ports", &["-p", &published], &["httpd", "-f", "-p", "80"]);
    let env = format!("DB_PASSWORD={secret}");
    let echo = format!("echo connecting with password={secret}; exec sleep 3600");
    let secrets = create("secrets", &["-e", &env], &["sh", "-c", &echo]);
    let hardened = create(
        "hardened",
        &[
            "--user",
            "1000:1000",
            "--read-only",
            "--security-opt",
            "no-new-privileges",
            "--cap-drop",
            "ALL",
            "--memory",
            "64m",
            "--cpus",
            "0.5",
            "--pids-limit",
            "100",
            "--network",
            "none",
        ],
        &[],
    );
    let exited = create("exited", &["--network", "none"], &["sh", "-c", "exit 3"]);
    for c in [&privileged, &ports, &secrets, &hardened, &exited] {
        service.docker(&["start", c]);
    }
    // The exited one stops by itself; the secret's log line must be written before the audit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let states = text(
            &service
                .docker(&["ps", "-a", "--format", "{{.Names}} {{.State}}"])
                .stdout,
        );
        let logs = text(&service.docker(&["logs", &secrets]).stdout);
        if states.contains(&format!("{exited} exited")) && logs.contains("connecting") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "containers did not settle: {states}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    let url = service.url();
    let json_out = run(&cache, &["audit", "--host", &url, "--format", "json"]);
    let stderr = text(&json_out.stderr);
    // A critical finding (privileged) is above the default --fail-on high: exit 1, not 2.
    assert_eq!(json_out.status.code(), Some(1), "stderr: {stderr}");
    let report: Value = serde_json::from_slice(&json_out.stdout).expect("a JSON report");

    assert_eq!(report["engine"]["kind"], "podman", "{:#}", report["engine"]);
    assert_eq!(report["engine"]["endpoint"], url.as_str());
    assert!(
        report["engine"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())),
        "{:#}",
        report["engine"]
    );

    // The planted misconfigurations, each on its own container.
    assert_eq!(targets(&report, "CTR001"), vec![privileged.clone()]);
    let net003 = findings(&report, "NET003");
    assert_eq!(net003.len(), 1, "{net003:#?}");
    assert_eq!(net003[0]["target"]["name"], ports.as_str());
    let message = net003[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("0.0.0.0:{port}")), "{message}");
    let ctr017 = findings(&report, "CTR017");
    assert_eq!(ctr017.len(), 1, "{ctr017:#?}");
    assert_eq!(ctr017[0]["target"]["name"], secrets.as_str());
    assert!(
        ctr017[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("DB_PASSWORD")),
        "{:#}",
        ctr017[0]
    );
    assert!(targets(&report, "LCY003").contains(&exited));
    // The hardened container passes what it was hardened against.
    for rule in [
        "CTR001", "CTR002", "CTR005", "CTR011", "CTR014", "RES001", "RES003",
    ] {
        assert!(
            !targets(&report, rule).contains(&hardened),
            "{rule} flags the hardened container: {:#?}",
            findings(&report, rule)
        );
    }
    // ...and the others fail them: the rules read Podman's shapes, not only pass them.
    assert!(targets(&report, "CTR014").contains(&privileged));
    assert!(targets(&report, "CTR011").contains(&ports));

    // Processes were listed (psgo descriptors, no exec): no per-container skip for want of them.
    for rule in ["CTR006", "CTR018", "CTR019"] {
        for c in [&privileged, &ports, &secrets] {
            let why = skip_reason(&report, rule, Some(c));
            assert!(why.is_empty(), "{rule} skipped {c}: {why}");
        }
    }

    // What Podman's compat API does not tell is a skip with the reason, never a verdict.
    for rule in [
        "DMN009", "DMN012", "DMN015", "DMN017", "DMN018", "NET005", "NET007", "HST010",
    ] {
        assert_eq!(status(&report, rule), "skipped", "{rule}");
        let why = skip_reason(&report, rule, None);
        assert!(why.contains("Podman"), "{rule}: {why}");
    }
    assert!(findings(&report, "DMN015").is_empty());
    assert!(findings(&report, "DMN018").is_empty());
    let why = skip_reason(&report, "LOG002", Some(&privileged));
    assert!(why.contains("log options"), "LOG002: {why}");
    let why = skip_reason(&report, "CTR008", Some(&ports));
    assert!(why.contains("IpcMode"), "CTR008: {why}");
    let gaps = report["gaps"].to_string();
    assert!(gaps.contains("Podman"), "{gaps}");

    // The image was read through Podman's export (`GET /images/{id}/get`) and scanned: the
    // contents rules judged it (IMG007 skips only because busybox has no os-release).
    let why = skip_reason(
        &report,
        "IMG007",
        Some(&format!("docker.io/library/{image}")),
    );
    assert!(
        why.contains("no OS release file"),
        "IMG007: {why}\n{:#}",
        report["skipped"]
    );

    // The terminal report and the collected snapshot, through the same socket.
    let terminal = run(&cache, &["audit", "--host", &url]);
    assert_eq!(
        terminal.status.code(),
        Some(1),
        "{}",
        text(&terminal.stderr)
    );
    let terminal_text = text(&terminal.stdout);
    assert!(terminal_text.contains("podman"), "{terminal_text}");
    let snap_path = work.path().join("snap.json");
    let collect = run(
        &cache,
        &[
            "collect",
            "--host",
            &url,
            "-o",
            snap_path.to_str().expect("utf-8"),
        ],
    );
    assert!(collect.status.success(), "{}", text(&collect.stderr));
    let snap_text = std::fs::read_to_string(&snap_path).expect("snapshot");
    let snap: Value = serde_json::from_str(&snap_text).expect("snapshot JSON");
    assert_eq!(snap["engine"]["kind"], "podman");
    let container = |n: &str| {
        snap["containers"]
            .as_array()
            .and_then(|cs| {
                cs.iter()
                    .find(|c| c["inspect"]["Name"] == format!("/{n}").as_str())
            })
            .cloned()
            .unwrap_or_else(|| panic!("{n} not in the snapshot"))
    };
    // Rootful and local: the processes come from the host's /proc, in `ps -ef`'s shape.
    let privileged_container = container(&privileged);
    assert_eq!(
        privileged_container["top_source"], "/proc",
        "{privileged_container:#}"
    );
    let top = &privileged_container["top"]["value"];
    assert!(top["Titles"].to_string().contains("CMD"), "{top:#}");
    assert!(
        top["Processes"].to_string().contains("sleep 3600"),
        "{top:#}"
    );
    // Where /proc cannot be read, Podman is asked with its own descriptors (psgo reads /proc on
    // its side; Docker's `-ef` would make it exec `ps` inside the container).
    let empty_root = tempfile::tempdir().expect("tmp");
    let fallback_path = work.path().join("snap-fallback.json");
    let collect = run(
        &cache,
        &[
            "collect",
            "--host",
            &url,
            "--host-root",
            empty_root.path().to_str().expect("utf-8"),
            "-o",
            fallback_path.to_str().expect("utf-8"),
        ],
    );
    assert!(collect.status.success(), "{}", text(&collect.stderr));
    let fallback: Value =
        serde_json::from_str(&std::fs::read_to_string(&fallback_path).expect("snapshot"))
            .expect("snapshot JSON");
    let engine_top = fallback["containers"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["inspect"]["Name"] == format!("/{privileged}").as_str())
        })
        .map(|c| c["top"]["value"].clone())
        .expect("the container in the fallback snapshot");
    assert!(
        engine_top["Titles"].to_string().contains("COMMAND"),
        "{engine_top:#}"
    );
    assert!(
        engine_top["Processes"].to_string().contains("sleep 3600"),
        "{engine_top:#}"
    );
    let logs = container(&secrets)["logs"]["value"]["lines"].to_string();
    assert!(logs.contains("connecting with password="), "{logs}");

    // The planted secret is in no output: not in the JSON, the terminal, the snapshot (env,
    // command line, process list, log line), nor any error message.
    for (what, out) in [
        ("audit --format json", text(&json_out.stdout)),
        ("audit stderr", stderr),
        ("audit (terminal)", terminal_text),
        ("collect snapshot", snap_text),
        ("collect stderr", text(&collect.stderr)),
    ] {
        assert!(!out.contains(&secret), "the secret leaked into {what}");
    }
    drop(service);
}
