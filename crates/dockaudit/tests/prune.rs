//! Live tests of `dockaudit prune plan | apply | restore` against the real Docker engine, on
//! objects these tests create only: each test's objects carry `dockaudit.test=1` and
//! `dockaudit.test.run=<unique>`, every plan is made with `--label dockaudit.test.run=<unique>`
//! (other tests run on the same engine at the same time), and a guard removes exactly the objects
//! the test created (by name and id), on failure and panic too.
//!
//! Also: `audit`, `collect` and `image` send GET requests only, and every request `prune apply`
//! sends that is not a GET is one of those the README lists, recorded by the fault-injection
//! proxy in front of the engine.
//!
//! Needs: a reachable Docker engine (DOCKER_HOST's unix socket, else /var/run/docker.sock) and
//! busybox-static (`.ci/run` installs both); without the engine the tests say so and pass.

mod common;

#[path = "../../collect/tests/support/fault_proxy.rs"]
mod fault_proxy;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::docker::{busybox_rootfs_tar, docker, docker_ok, text, unique_prefix};
use dockaudit_collect::mutate::MUTATING_REQUESTS;
use serde_json::Value;

/// What one test created; removed (only these) when dropped.
struct Scenario {
    prefix: String,
    run_label: String,
    containers: Vec<String>,
    volumes: Vec<String>,
    networks: Vec<String>,
    images: Vec<String>,
    work: tempfile::TempDir,
}

impl Scenario {
    fn new(tag: &str) -> Scenario {
        let prefix = unique_prefix(&format!("prune{tag}"));
        Scenario {
            run_label: format!("dockaudit.test.run={prefix}"),
            prefix,
            containers: Vec::new(),
            volumes: Vec::new(),
            networks: Vec::new(),
            images: Vec::new(),
            work: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn name(&self, what: &str) -> String {
        format!("{}-{what}", self.prefix)
    }

    fn labels(&self) -> Vec<String> {
        vec![
            "--label".into(),
            "dockaudit.test=1".into(),
            "--label".into(),
            self.run_label.clone(),
        ]
    }

    /// An imported image tagged `PREFIX-img:1` (`extra` in its /etc/extra); its tag.
    fn tagged_image(&mut self, extra: &str) -> String {
        let tag = format!("{}-img:1", self.prefix);
        self.image(Some(&tag), extra);
        tag
    }

    /// Imports a busybox image (`extra` makes its content, and so its id, unique); tagged when
    /// `tag` is given, else dangling. Returns its id.
    fn image(&mut self, tag: Option<&str>, extra: &str) -> String {
        let dir = self
            .work
            .path()
            .join(format!("rootfs-{}", self.images.len()));
        let tar = busybox_rootfs_tar(&dir, &["sh", "sleep", "true"], &[("etc/extra", extra)]);
        let mut args = vec![
            "import".to_string(),
            "--change".into(),
            "LABEL dockaudit.test=1".into(),
            "--change".into(),
            format!("LABEL {}", self.run_label),
            "-".into(),
        ];
        if let Some(tag) = tag {
            args.push(tag.to_string());
        }
        let mut child = Command::new("docker")
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("docker import");
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), &tar).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "docker import failed");
        let id = text(&out.stdout).trim().to_string();
        self.images.push(id.clone());
        if let Some(tag) = tag {
            self.images.push(tag.to_string());
        }
        id
    }

    fn container(&mut self, name: &str, image: &str, extra: &[&str], cmd: &[&str]) -> String {
        let name = self.name(name);
        let mut args: Vec<String> = vec!["create".into(), "--name".into(), name.clone()];
        args.extend(self.labels());
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(image.into());
        args.extend(cmd.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let id = docker_ok(&refs);
        self.containers.push(name);
        id
    }

    fn volume(&mut self, name: &str, extra: &[&str]) -> String {
        let name = self.name(name);
        let mut args: Vec<String> = vec!["volume".into(), "create".into()];
        args.extend(self.labels());
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(name.clone());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        docker_ok(&refs);
        self.volumes.push(name.clone());
        name
    }

    fn network(&mut self, name: &str, extra: &[&str]) -> String {
        let name = self.name(name);
        let mut args: Vec<String> = vec!["network".into(), "create".into()];
        args.extend(self.labels());
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(name.clone());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let id = docker_ok(&refs);
        self.networks.push(name);
        id
    }

    /// `dockaudit ARGS` on the machine's engine, no terminal on stdin.
    fn dockaudit(&self, args: &[&str]) -> Output {
        dockaudit_at(args, None)
    }

    /// `prune plan --label <this run> ARGS -o FILE`: the plan as JSON.
    fn plan(&self, args: &[&str], file: &Path) -> Value {
        let mut all = vec!["prune", "plan", "--label", &self.run_label, "-o"];
        let file_arg = file.to_string_lossy().to_string();
        all.push(&file_arg);
        all.extend_from_slice(args);
        let out = self.dockaudit(&all);
        assert!(
            out.status.success(),
            "prune plan failed: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        serde_json::from_slice(&std::fs::read(file).unwrap()).expect("the plan is JSON")
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = docker(&["rm", "-f", c]);
        }
        // Helper containers dockaudit left on one of our volumes (only if it failed midway).
        for v in &self.volumes {
            let filter = format!("volume={v}");
            for id in text(&docker(&["ps", "-aq", "--filter", &filter]).stdout).split_whitespace() {
                let _ = docker(&["rm", "-f", id]);
            }
            let _ = docker(&["volume", "rm", v]);
        }
        for n in &self.networks {
            let _ = docker(&["network", "rm", n]);
        }
        for i in self.images.iter().rev() {
            let _ = docker(&["rmi", "-f", i]);
        }
    }
}

fn engine_here() -> bool {
    let here = Command::new("docker")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !here {
        eprintln!("no Docker engine: prune live tests not run");
    }
    here
}

/// The engine's socket: DOCKER_HOST's when it names one (the tests then run on that engine, as
/// `DOCKER_HOST=unix:///tmp/da-prn/docker.sock` for the one scripts/second-engine.sh starts), else
/// the machine's.
fn engine_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(fault_proxy::ENGINE))
}

/// `dockaudit ARGS`, against `host` (a proxy) or the default engine.
fn dockaudit_at(args: &[&str], host: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.args(args);
    if let Some(host) = host {
        cmd.args(["--host", host]);
    }
    if host.is_some() {
        cmd.env_remove("DOCKER_HOST");
    }
    cmd.env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_CACHE_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
        .stdin(Stdio::null())
        .output()
        .expect("dockaudit runs")
}

/// Runs `dockaudit watch --listen 127.0.0.1:0` on `host` for the objects labelled `label` until its
/// first audit is served, runs `change`, and waits (60 s at most) until `/report.json` names a
/// container whose name ends in `-while-watched`; then stops it. Whether it was seen.
fn watch_until_it_sees(host: &str, label: &str, change: impl FnOnce()) -> bool {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args([
            "watch",
            "--listen",
            "127.0.0.1:0",
            "--label",
            label,
            "--no-image-scan",
        ])
        .args(["--host", host])
        .env_remove("DOCKER_HOST")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_CACHE_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watch starts");
    // Killed on every way out of this function, a failed assertion included.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stderr = child.stderr.take().expect("stderr");
    let _guard = Kill(child);
    // Read stderr to its end on a thread (a closed pipe would fail watch's next message), handing
    // over the address it listens on.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(a) = line.strip_prefix("dockaudit: watch: listening on http://") {
                let _ = tx.send(a.trim().to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("watch prints the address it listens on");
    let get = |path: &str| -> Option<String> {
        let mut stream = std::net::TcpStream::connect(&addr).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let wait_for = |ok: &dyn Fn() -> bool| {
        while std::time::Instant::now() < deadline {
            if ok() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    };
    if !wait_for(&|| get("/healthz").is_some_and(|a| a.starts_with("HTTP/1.1 200"))) {
        return false;
    }
    change();
    wait_for(&|| get("/report.json").is_some_and(|a| a.contains("-while-watched")))
}

fn items(plan: &Value) -> BTreeSet<(String, String)> {
    plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn exists(kind: &str, name: &str) -> bool {
    let args: Vec<&str> = match kind {
        "container" => vec!["container", "inspect", name],
        "volume" => vec!["volume", "inspect", name],
        "network" => vec!["network", "inspect", name],
        _ => vec!["image", "inspect", name],
    };
    docker(&args).status.success()
}

/// sha256 of every file under a volume's directory, by relative path.
fn volume_files(volume: &str) -> BTreeMap<String, String> {
    let mountpoint = docker_ok(&["volume", "inspect", "-f", "{{.Mountpoint}}", volume]);
    let out = Command::new("sh")
        .arg("-c")
        .arg("cd \"$1\" && find . -type f -exec sha256sum {} +")
        .arg("sh")
        .arg(&mountpoint)
        .output()
        .expect("sha256sum");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sum, path)| (path.to_string(), sum.to_string()))
        .collect()
}

#[test]
fn the_plan_lists_exactly_the_orphans_and_nothing_in_use_kept_or_young() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("plan");
    let tag = s.tagged_image("used");
    let dangling = s.image(None, "dangling");
    let unused_tag = format!("{}-unused:1", s.prefix);
    s.image(Some(&unused_tag), "unused");
    let used_volume = s.volume("usedvol", &[]);
    let orphan_volume = s.volume("orphanvol", &[]);
    s.volume("keptvol", &["--label", "dockaudit.keep=true"]);
    let used_net = s.network("usednet", &[]);
    s.network("orphannet", &[]);
    s.network("keptnet", &["--label", "dockaudit.keep=true"]);

    let running = s.container(
        "running",
        &tag,
        &[
            "-v",
            &format!("{used_volume}:/data"),
            "--network",
            &used_net,
        ],
        &["sleep", "600"],
    );
    docker_ok(&["start", &running]);
    let exited = s.container("exited", &tag, &[], &["true"]);
    docker_ok(&["start", "-a", &exited]);
    s.container("created", &tag, &[], &["true"]);
    s.container("kept", &tag, &["--label", "dockaudit.keep=true"], &["true"]);
    s.container(
        "custom-kept",
        &tag,
        &["--label", "team.hold=yes"],
        &["true"],
    );

    let file = s.work.path().join("plan.json");
    let plan = s.plan(&["--older-than", "0", "--volumes"], &file);
    let short = |id: &str| id.trim_start_matches("sha256:")[..12].to_string();
    let expected: BTreeSet<(String, String)> = [
        ("container", s.name("exited")),
        ("container", s.name("created")),
        ("container", s.name("custom-kept")),
        ("image", short(&dangling)),
        ("volume", orphan_volume.clone()),
        ("network", s.name("orphannet")),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(items(&plan), expected, "{plan:#}");
    assert!(plan["digest"].as_str().unwrap().starts_with("sha256:"));

    // Containers before images before volumes before networks.
    let kinds: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    let mut sorted = kinds.clone();
    sorted.sort_by_key(|k| {
        ["container", "image", "volume", "network"]
            .iter()
            .position(|x| x == k)
    });
    assert_eq!(kinds, sorted);

    // Tagged unused images only with --all-images; another keep label; nothing younger than an hour.
    let plan = s.plan(
        &[
            "--older-than",
            "0",
            "--all-images",
            "--keep-label",
            "team.hold=yes",
        ],
        &file,
    );
    let names = items(&plan);
    assert!(
        names.contains(&("image".to_string(), unused_tag.clone())),
        "{names:?}"
    );
    assert!(
        !names.contains(&("image".to_string(), tag.clone())),
        "{names:?}"
    );
    assert!(
        !names.contains(&("container".to_string(), s.name("custom-kept"))),
        "{names:?}"
    );
    // Another keep label adds to dockaudit.keep=true, which still keeps.
    assert!(
        !names.contains(&("container".to_string(), s.name("kept"))),
        "{names:?}"
    );
    assert!(
        names.contains(&("container".to_string(), s.name("exited"))),
        "{names:?}"
    );
    let plan = s.plan(&["--older-than", "1h", "--volumes", "--all-images"], &file);
    assert_eq!(items(&plan), BTreeSet::new(), "{plan:#}");
}

#[test]
fn a_container_started_between_plan_and_apply_is_not_removed() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("start");
    let tag = s.tagged_image("start");
    let later = s.container("later", &tag, &[], &["sleep", "600"]);
    let idle = s.container("idle", &tag, &[], &["sleep", "600"]);
    let file = s.work.path().join("plan.json");
    let plan = s.plan(&["--older-than", "0"], &file);
    assert_eq!(plan["items"].as_array().unwrap().len(), 2, "{plan:#}");

    docker_ok(&["start", &later]);
    // No terminal and no --yes: refused, nothing removed.
    let out = s.dockaudit(&["prune", "apply", &file.to_string_lossy(), "--no-backup"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
    assert!(exists("container", &idle));

    let out = s.dockaudit(&[
        "prune",
        "apply",
        &file.to_string_lossy(),
        "--no-backup",
        "--yes",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        exists("container", &later),
        "the started container was removed: {stdout}"
    );
    assert!(!exists("container", &idle), "{stdout}");
    assert!(
        stdout.contains(&format!("not removing container {}", s.name("later"))),
        "{stdout}"
    );
}

#[test]
fn backup_remove_and_restore_round_trip_a_volume_and_an_image_and_a_corrupt_backup_is_refused() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("trip");
    let tag = s.tagged_image("writer");
    let dangling = s.image(None, "to-restore");
    let volume = s.volume("data", &[]);
    // Files written by a container that is then removed: the volume is left unused.
    let writer = s.container(
        "writer",
        &tag,
        &["-v", &format!("{volume}:/data")],
        &[
            "sh",
            "-c",
            "echo one > /data/a; mkdir -p /data/d/e; echo two > /data/d/e/b; : > /data/empty",
        ],
    );
    docker_ok(&["start", "-a", &writer]);
    docker_ok(&["rm", &writer]);
    let before = volume_files(&volume);
    assert_eq!(before.len(), 3, "{before:?}");

    let file = s.work.path().join("plan.json");
    let plan = s.plan(&["--older-than", "0", "--volumes"], &file);
    let names = items(&plan);
    assert!(
        names.contains(&("volume".to_string(), volume.clone())),
        "{names:?}"
    );
    assert!(
        names.iter().any(|(k, _)| k == "image"),
        "the dangling image is planned: {names:?}"
    );
    // What could break: the volume's files and how recent they are.
    let volume_item = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == volume.as_str())
        .unwrap();
    let risks = volume_item["risks"].to_string();
    assert!(
        risks.contains("recent writes: 3 files, the newest written"),
        "{risks}"
    );

    let backup = s.work.path().join("backup");
    let out = s.dockaudit(&[
        "prune",
        "apply",
        &file.to_string_lossy(),
        "--backup",
        &backup.to_string_lossy(),
        "--yes",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("backup verified"), "{stdout}");
    assert!(!exists("volume", &volume), "{stdout}");
    assert!(!exists("image", &dangling), "{stdout}");

    // A corrupted copy is refused, naming the file, and restores nothing.
    let corrupt = s.work.path().join("corrupt");
    copy_dir(&backup, &corrupt);
    let data = corrupt.join(format!("volumes/{volume}/data.tar"));
    let mut bytes = std::fs::read(&data).unwrap();
    let last = bytes.len() / 2;
    bytes[last] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();
    let out = s.dockaudit(&["prune", "restore", &corrupt.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&data.to_string_lossy().to_string()) && stderr.contains("corrupt"),
        "{stderr}"
    );
    assert!(!exists("volume", &volume));

    let backup_arg = backup.to_string_lossy().to_string();
    let out = s.dockaudit(&["prune", "restore", &backup_arg, "--item", "no-such-item"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no item `no-such-item`"),
        "{}",
        text(&out.stderr)
    );

    // One item: the volume, with the same bytes; the image stays out.
    let out = s.dockaudit(&["prune", "restore", &backup_arg, "--item", &volume]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert_eq!(volume_files(&volume), before, "{stdout}");
    assert!(!exists("image", &dangling), "{stdout}");

    // Everything: the image comes back with its id; the volume, which exists now, is not
    // overwritten (said, exit 2).
    let out = s.dockaudit(&["prune", "restore", &backup_arg]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("NOT restored volume {volume}"))
            && stdout.contains("not overwritten"),
        "{stdout}"
    );
    let id = docker_ok(&["image", "inspect", "-f", "{{.Id}}", &dangling]);
    assert_eq!(id, dangling);
    assert_eq!(volume_files(&volume), before, "{stdout}");
    // No helper left behind.
    let filter = format!("volume={volume}");
    assert_eq!(docker_ok(&["ps", "-aq", "--filter", &filter]), "");
}

fn copy_dir(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success());
}

#[test]
fn bad_plan_files_are_refused_edited_truncated_or_from_another_engine() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("bad");
    let tag = s.tagged_image("bad");
    let victim = s.container("victim", &tag, &[], &["true"]);
    let file = s.work.path().join("plan.json");
    let plan = s.plan(&["--older-than", "0"], &file);
    let original = std::fs::read_to_string(&file).unwrap();
    let apply = |path: &PathBuf| {
        s.dockaudit(&[
            "prune",
            "apply",
            &path.to_string_lossy(),
            "--no-backup",
            "--yes",
        ])
    };

    // Edited: an item's id pointed somewhere else.
    let edited = s.work.path().join("edited.json");
    let first_id = plan["items"][0]["id"].as_str().unwrap();
    std::fs::write(&edited, original.replace(first_id, &"f".repeat(64))).unwrap();
    let out = apply(&edited);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("edited.json") && stderr.contains("changed after"),
        "{stderr}"
    );

    // Truncated.
    let truncated = s.work.path().join("truncated.json");
    std::fs::write(&truncated, &original[..original.len() * 2 / 3]).unwrap();
    let out = apply(&truncated);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("truncated.json") && stderr.contains("truncated"),
        "{stderr}"
    );

    // From another engine, re-sealed with a valid digest: refused for its engine.
    let mut other = plan.clone();
    other["engine"]["id"] = Value::from("AAAA:BBBB:another-engine");
    other["digest"] = Value::from("");
    let canonical = serde_json::to_vec(&other).unwrap();
    other["digest"] = Value::from(format!("sha256:{}", sha256_hex(&canonical)));
    let foreign = s.work.path().join("foreign.json");
    std::fs::write(&foreign, serde_json::to_vec_pretty(&other).unwrap()).unwrap();
    let out = apply(&foreign);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("another engine"), "{stderr}");

    assert!(
        exists("container", &victim),
        "a refused plan removed something"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Whether `request` (`METHOD /path`) is one of the mutating requests dockaudit declares.
fn listed_mutation(request: &str) -> bool {
    let (method, path) = request.split_once(' ').unwrap_or(("", ""));
    MUTATING_REQUESTS.iter().any(|r| r.matches(method, path))
}

#[test]
fn the_readme_lists_every_mutating_request() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    for r in MUTATING_REQUESTS {
        let row = format!("| `{} {}`", r.method, r.path);
        assert!(readme.contains(&row), "README.md has no row {row}");
    }
}

#[test]
fn audit_collect_and_image_send_only_get_and_apply_only_the_listed_mutations() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("get");
    let tag = s.tagged_image("get");
    let c = s.container("stopped", &tag, &[], &["true"]);
    let v = s.volume("vol", &[]);
    let dir = tempfile::tempdir().unwrap();
    let proxy = fault_proxy::Proxy::start(dir.path(), &engine_socket(), vec![]);
    let host = format!("unix://{}", proxy.socket().display());
    let snap = dir.path().join("snap.json");
    for args in [
        vec!["audit", "--fail-on", "never", "--timeout", "120"],
        vec!["collect", "-o", &snap.to_string_lossy()],
        vec!["image", &tag],
    ] {
        let out = dockaudit_at(&args, Some(&host));
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    // watch: its first audit, then the re-collection an event causes (a container created while it
    // watches), all through the proxy.
    let run_label = s.run_label.clone();
    let watched = watch_until_it_sees(&host, &run_label, || {
        // Kept, so the plan below is the same as without it.
        s.container(
            "while-watched",
            &tag,
            &["--label", "dockaudit.keep=true"],
            &["true"],
        );
    });
    assert!(
        watched,
        "watch never reported the container created while it watched"
    );
    let seen = proxy.requests();
    assert!(seen.iter().any(|r| r == "GET /containers/json"), "{seen:?}");
    assert!(seen.iter().any(|r| r == "GET /events"), "{seen:?}");
    let not_get: Vec<&String> = seen.iter().filter(|r| !r.starts_with("GET ")).collect();
    assert!(
        not_get.is_empty(),
        "audit/collect/image/watch sent {not_get:?}"
    );

    // prune plan too; prune apply sends only listed mutations, and only on the planned objects.
    let file = dir.path().join("plan.json");
    let before = proxy.requests().len();
    let label = s.run_label.clone();
    let out = dockaudit_at(
        &[
            "prune",
            "plan",
            "--label",
            &label,
            "--older-than",
            "0",
            "--volumes",
            "-o",
            &file.to_string_lossy(),
        ],
        Some(&host),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seen = proxy.requests();
    assert!(
        seen[before..].iter().all(|r| r.starts_with("GET ")),
        "{seen:?}"
    );

    let backup = dir.path().join("backup");
    let before = proxy.requests().len();
    let out = dockaudit_at(
        &[
            "prune",
            "apply",
            &file.to_string_lossy(),
            "--backup",
            &backup.to_string_lossy(),
            "--yes",
        ],
        Some(&host),
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let seen = proxy.requests();
    let mutations: Vec<&String> = seen[before..]
        .iter()
        .filter(|r| !r.starts_with("GET ") && !r.starts_with("HEAD "))
        .collect();
    assert!(
        mutations.iter().all(|r| listed_mutation(r)),
        "{mutations:?}"
    );
    assert!(
        mutations.contains(&&format!("DELETE /containers/{c}")),
        "{mutations:?}"
    );
    assert!(
        mutations.contains(&&format!("DELETE /volumes/{v}")),
        "{mutations:?}"
    );
    // Removals touch only what was planned (or the helper dockaudit created).
    let deletes: Vec<&&String> = mutations
        .iter()
        .filter(|r| r.starts_with("DELETE "))
        .collect();
    assert!(deletes.len() <= 4, "{deletes:?}");
}

/// A volume's removal (`DELETE /volumes/NAME`); volumes are only listed, never inspected, without
/// a backup.
fn volume_removal(path: &str) -> bool {
    path.starts_with("/volumes/")
}

#[test]
fn an_engine_error_on_one_removal_says_what_was_and_was_not_removed() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("fail");
    let tag = s.tagged_image("fail");
    let container = s.container("gone", &tag, &[], &["true"]);
    let volume = s.volume("stays", &[]);
    let file = s.work.path().join("plan.json");
    s.plan(&["--older-than", "0", "--volumes"], &file);

    let dir = tempfile::tempdir().unwrap();
    let proxy = fault_proxy::Proxy::start(
        dir.path(),
        &engine_socket(),
        vec![(volume_removal, fault_proxy::Fault::Status500)],
    );
    let host = format!("unix://{}", proxy.socket().display());
    let out = dockaudit_at(
        &[
            "prune",
            "apply",
            &file.to_string_lossy(),
            "--no-backup",
            "--yes",
        ],
        Some(&host),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(!exists("container", &container), "{stdout}");
    assert!(exists("volume", &volume), "{stdout}");
    assert!(
        stdout.contains(&format!("removed container {}", s.name("gone"))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("NOT removed volume {volume}")) && stdout.contains("HTTP 500"),
        "{stdout}"
    );
    assert!(stdout.contains("1 removed, 1 failed"), "{stdout}");
}

/// `docker build` (classic builder, as Docker 20.10's CLI defaults to) of `FROM base` plus one
/// file, tagged `tag`, with `labels`; its id.
fn build_child(s: &mut Scenario, base: &str, tag: &str, file: &str, labels: &[&str]) -> String {
    let dir = s.work.path().join(format!("ctx-{file}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), file).unwrap();
    let mut dockerfile = format!("FROM {base}\nCOPY {file} /{file}\n");
    for l in labels {
        dockerfile.push_str(&format!("LABEL {l}\n"));
    }
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    let out = Command::new("docker")
        .args(["build", "-q", "-t", tag])
        .arg(&dir)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("docker build");
    assert!(out.status.success(), "docker build: {}", text(&out.stderr));
    s.images.push(tag.to_string());
    docker_ok(&["image", "inspect", "-f", "{{.Id}}", tag])
}

#[test]
fn images_go_children_first_and_a_parent_of_an_unplanned_image_says_so() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("tree");
    let parent_tag = format!("{}-parent:1", s.prefix);
    let parent = s.image(Some(&parent_tag), "parent");
    let child_tag = format!("{}-child:1", s.prefix);
    let child = build_child(&mut s, &parent_tag, &child_tag, "child", &[]);
    // A second child outside the plan (another run label).
    let other_tag = format!("{}-other:1", s.prefix);
    let other_label = format!("dockaudit.test.run={}-other", s.prefix);
    build_child(&mut s, &parent_tag, &other_tag, "other", &[&other_label]);

    let file = s.work.path().join("plan.json");
    let plan = s.plan(&["--older-than", "0", "--all-images"], &file);
    let planned: Vec<&str> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(planned, vec![child.as_str(), parent.as_str()], "{plan:#}");
    let risks = plan["items"][1]["risks"].to_string();
    assert!(
        risks.contains(&other_tag) && risks.contains("not in this plan"),
        "{risks}"
    );

    let out = s.dockaudit(&[
        "prune",
        "apply",
        &file.to_string_lossy(),
        "--no-backup",
        "--yes",
    ]);
    let stdout = text(&out.stdout);
    assert!(!exists("image", &child), "{stdout}");
    // The engine keeps the parent for the other child: said, and exit 2.
    assert!(exists("image", &parent), "{stdout}");
    assert!(exists("image", &other_tag), "{stdout}");
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains(&format!("NOT removed image {parent_tag}")),
        "{stdout}"
    );
}

/// A container's filesystem export, `/containers/{id}/export`.
fn container_export(path: &str) -> bool {
    path.starts_with("/containers/") && path.ends_with("/export")
}

#[test]
fn when_the_backup_fails_nothing_is_removed() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("nobk");
    let tag = s.tagged_image("nobk");
    let container = s.container("kept-by-failure", &tag, &[], &["true"]);
    let volume = s.volume("also-kept", &[]);
    let file = s.work.path().join("plan.json");
    s.plan(&["--older-than", "0", "--volumes"], &file);

    let dir = tempfile::tempdir().unwrap();
    let proxy = fault_proxy::Proxy::start(
        dir.path(),
        &engine_socket(),
        vec![(container_export, fault_proxy::Fault::Truncated)],
    );
    let host = format!("unix://{}", proxy.socket().display());
    let backup = dir.path().join("backup");
    let out = dockaudit_at(
        &[
            "prune",
            "apply",
            &file.to_string_lossy(),
            "--backup",
            &backup.to_string_lossy(),
            "--yes",
        ],
        Some(&host),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}{stderr}", text(&out.stdout));
    assert!(
        stderr.contains("the backup failed, so nothing was removed") && stderr.contains("/export"),
        "{stderr}"
    );
    assert!(exists("container", &container));
    assert!(exists("volume", &volume));
    let deletes: Vec<String> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("DELETE /containers/") || r.starts_with("DELETE /volumes/"))
        .filter(|r| r.contains(&container) || r.contains(&volume))
        .collect();
    assert!(deletes.is_empty(), "{deletes:?}");
}

/// Runs `dockaudit ARGS` on a pseudo-terminal (util-linux `script`), typing `answer`.
fn on_a_terminal(args: &[&str], answer: &str) -> Output {
    let command = std::iter::once(env!("CARGO_BIN_EXE_dockaudit"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux)");
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, answer.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    out
}

#[test]
fn on_a_terminal_apply_asks_and_only_yes_removes() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("tty");
    let tag = s.tagged_image("tty");
    let container = s.container("asked", &tag, &[], &["true"]);
    let file = s.work.path().join("plan.json");
    s.plan(&["--older-than", "0"], &file);
    let plan = file.to_string_lossy().to_string();

    let out = on_a_terminal(&["prune", "apply", &plan, "--no-backup"], "n\n");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("[y/N]") && said.contains("not confirmed"),
        "{said}"
    );
    assert!(exists("container", &container), "{said}");

    let out = on_a_terminal(&["prune", "apply", &plan, "--no-backup"], "y\n");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!exists("container", &container), "{said}");
}

/// Runs `test` on the current engine `.ci/run` starts beside the machine's
/// (`DOCKAUDIT_SECOND_ENGINE`, Docker 28.x, API 1.5x), by pointing DOCKER_HOST at it: the docker
/// CLI, dockaudit and the proxy all follow it. Only under nextest, which runs each test in a
/// process of its own, so the variable is this test's alone; otherwise the test says so and passes.
fn on_current_engine(test: fn()) {
    let host = std::env::var("DOCKAUDIT_SECOND_ENGINE").unwrap_or_default();
    if host.is_empty() {
        eprintln!(
            "DOCKAUDIT_SECOND_ENGINE is not set (.ci/run sets it): not run on a current engine"
        );
        return;
    }
    if std::env::var_os("NEXTEST").is_none() {
        eprintln!("not run under cargo nextest: not run on the current engine");
        return;
    }
    std::env::set_var("DOCKER_HOST", host);
    test();
}

#[test]
fn the_plan_lists_exactly_the_orphans_and_nothing_in_use_kept_or_young_on_current_engine() {
    on_current_engine(the_plan_lists_exactly_the_orphans_and_nothing_in_use_kept_or_young);
}

#[test]
fn a_container_started_between_plan_and_apply_is_not_removed_on_current_engine() {
    on_current_engine(a_container_started_between_plan_and_apply_is_not_removed);
}

#[test]
fn backup_remove_and_restore_round_trip_a_volume_and_an_image_and_a_corrupt_backup_is_refused_on_current_engine(
) {
    on_current_engine(
        backup_remove_and_restore_round_trip_a_volume_and_an_image_and_a_corrupt_backup_is_refused,
    );
}

#[test]
fn bad_plan_files_are_refused_edited_truncated_or_from_another_engine_on_current_engine() {
    on_current_engine(bad_plan_files_are_refused_edited_truncated_or_from_another_engine);
}

#[test]
fn audit_collect_and_image_send_only_get_and_apply_only_the_listed_mutations_on_current_engine() {
    on_current_engine(audit_collect_and_image_send_only_get_and_apply_only_the_listed_mutations);
}

#[test]
fn an_engine_error_on_one_removal_says_what_was_and_was_not_removed_on_current_engine() {
    on_current_engine(an_engine_error_on_one_removal_says_what_was_and_was_not_removed);
}

#[test]
fn images_go_children_first_and_a_parent_of_an_unplanned_image_says_so_on_current_engine() {
    on_current_engine(images_go_children_first_and_a_parent_of_an_unplanned_image_says_so);
}

#[test]
fn when_the_backup_fails_nothing_is_removed_on_current_engine() {
    on_current_engine(when_the_backup_fails_nothing_is_removed);
}

#[test]
fn on_a_terminal_apply_asks_and_only_yes_removes_on_current_engine() {
    on_current_engine(on_a_terminal_apply_asks_and_only_yes_removes);
}

/// A container's removal, `DELETE /containers/{id}` (inspect is `/containers/{id}/json`).
fn container_removal(path: &str) -> bool {
    path.strip_prefix("/containers/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/') && rest != "json")
}

#[test]
fn ctrl_c_during_removal_stops_after_the_request_in_flight_and_says_what_is_left() {
    if !engine_here() {
        return;
    }
    let mut s = Scenario::new("intr");
    let tag = s.tagged_image("intr");
    let first = s.container("one", &tag, &[], &["true"]);
    let second = s.container("two", &tag, &[], &["true"]);
    let volume = s.volume("three", &[]);
    let file = s.work.path().join("plan.json");
    s.plan(&["--older-than", "0", "--volumes"], &file);

    // Each container removal is held for a while by the proxy: Ctrl-C lands while one is in flight.
    let dir = tempfile::tempdir().unwrap();
    let proxy = fault_proxy::Proxy::start(
        dir.path(),
        &engine_socket(),
        vec![(
            container_removal,
            fault_proxy::Fault::Delay(std::time::Duration::from_secs(5)),
        )],
    );
    let host = format!("unix://{}", proxy.socket().display());
    let child = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args([
            "prune",
            "apply",
            &file.to_string_lossy(),
            "--no-backup",
            "--yes",
        ])
        .args(["--host", &host])
        .env_remove("DOCKER_HOST")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
        .env("XDG_CACHE_HOME", "/nonexistent/dockaudit-test")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dockaudit runs");
    let removal_sent = |p: &fault_proxy::Proxy| {
        p.requests()
            .iter()
            .filter(|r| r.starts_with("DELETE /containers/"))
            .count()
    };
    // A bound on waiting for the first removal to reach the proxy, not a timing check.
    for _ in 0..1200 {
        if removal_sent(&proxy) > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(removal_sent(&proxy), 1, "{:?}", proxy.requests());
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let out = child.wait_with_output().expect("dockaudit ends");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    // The removal in flight finished; nothing after it was sent or removed.
    assert_eq!(removal_sent(&proxy), 1, "{:?}", proxy.requests());
    assert!(
        !proxy
            .requests()
            .iter()
            .any(|r| r.starts_with("DELETE /volumes/")),
        "{:?}",
        proxy.requests()
    );
    let gone: Vec<&String> = [&first, &second]
        .into_iter()
        .filter(|c| !exists("container", c))
        .collect();
    assert_eq!(gone.len(), 1, "{stdout}");
    assert!(exists("volume", &volume), "{stdout}");
    assert!(
        stdout.contains(&format!("NOT removed volume {volume}"))
            && stdout.contains("interrupted before its turn"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 removed, 0 failed") && stdout.contains("2 not reached (interrupted)"),
        "{stdout}"
    );
}
