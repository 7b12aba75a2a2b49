//! What a local collection reads on the engine's host instead of asking the engine, against the
//! real engine: running containers' processes from `/proc` (the same PIDs, parents, users and
//! commands as the engine's `top`, which it falls back to when `/proc` cannot be read), stopped
//! containers' sizes from their inspect, and unused volumes measured on disk.
//!
//! Needs: a reachable Docker engine (DOCKER_HOST or the default socket) on this machine, root (to
//! read other users' `/proc` entries and the volumes' directories) and busybox-static. Everything
//! made carries `dockaudit.test=1` and a unique name, and is removed when a test ends, failed or not.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use dockaudit_collect::{collect, connect, resolve_endpoint, CollectOptions, EndpointEnv};
use dockaudit_snapshot::{Container, Fact, SizeRwSource, SizeSource, Snapshot, Top, TopSource};

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A tag no other run uses.
fn unique(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("da-{what}-{}-{nanos}", std::process::id())
}

/// A static busybox (the image has no libc).
fn busybox() -> PathBuf {
    for c in [
        std::env::var("BUSYBOX").unwrap_or_default(),
        "/bin/busybox".into(),
        "/usr/bin/busybox".into(),
    ] {
        let ldd = Command::new("ldd").arg(&c).output();
        if !c.is_empty()
            && Path::new(&c).exists()
            && ldd.map(|o| !o.status.success()).unwrap_or(true)
        {
            return PathBuf::from(c);
        }
    }
    panic!("no static busybox found (apt-get install busybox-static)");
}

/// Everything a test made, removed on drop.
struct Made {
    tag: String,
    image: String,
    containers: Vec<String>,
    volumes: Vec<String>,
}

impl Made {
    /// Imports a busybox image labelled `dockaudit.test=1` and `dockaudit.local-reads=TAG`.
    fn new(what: &str) -> Made {
        let tag = unique(what);
        let made = Made {
            image: format!("{tag}:1"),
            tag,
            containers: Vec::new(),
            volumes: Vec::new(),
        };
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join("bin")).expect("mkdir");
        std::fs::copy(busybox(), root.path().join("bin/busybox")).expect("copy busybox");
        for applet in ["sh", "sleep", "head", "echo"] {
            std::os::unix::fs::symlink("busybox", root.path().join("bin").join(applet))
                .expect("symlink");
        }
        let tar = Command::new("tar")
            .arg("-C")
            .arg(root.path())
            .args(["-c", "."])
            .output()
            .expect("tar");
        let mut import = Command::new("docker")
            .args(["import", "-c", "LABEL dockaudit.test=1", "-", &made.image])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("docker import");
        use std::io::Write;
        import
            .stdin
            .take()
            .expect("stdin")
            .write_all(&tar.stdout)
            .expect("feed docker import");
        assert!(import.wait().expect("docker import").success());
        made
    }

    fn labels(&self) -> Vec<String> {
        vec![
            "--label".into(),
            "dockaudit.test=1".into(),
            "--label".into(),
            format!("dockaudit.local-reads={}", self.tag),
        ]
    }

    /// `docker run` (detached unless `--rm` is among `args`) of the image with `args` before it
    /// and `command` after; returns the container's name.
    fn run(&mut self, name: &str, args: &[&str], command: &[&str]) -> String {
        let name = format!("{}-{name}", self.tag);
        let mut all: Vec<String> = vec!["run".into(), "--name".into(), name.clone()];
        all.extend(self.labels());
        all.extend(args.iter().map(|a| a.to_string()));
        all.push(self.image.clone());
        all.extend(command.iter().map(|a| a.to_string()));
        if !args.contains(&"--rm") {
            self.containers.push(name.clone());
        }
        docker(&all.iter().map(String::as_str).collect::<Vec<_>>());
        name
    }

    fn volume(&mut self, name: &str) -> String {
        let name = format!("{}-{name}", self.tag);
        let mut all: Vec<String> = vec!["volume".into(), "create".into()];
        all.extend(self.labels());
        all.push(name.clone());
        docker(&all.iter().map(String::as_str).collect::<Vec<_>>());
        self.volumes.push(name.clone());
        name
    }
}

impl Drop for Made {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = Command::new("docker").args(["rm", "-f", c]).output();
        }
        for v in &self.volumes {
            let _ = Command::new("docker")
                .args(["volume", "rm", "-f", v])
                .output();
        }
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.image])
            .output();
    }
}

fn snapshot(options: CollectOptions) -> Snapshot {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let endpoint =
            resolve_endpoint(None, &EndpointEnv::from_process()).expect("engine endpoint");
        let client = connect(endpoint, Duration::from_secs(30))
            .await
            .expect("engine reachable");
        collect(&client, &options).await
    })
}

fn options(tag: &str, host_root: Option<PathBuf>) -> CollectOptions {
    CollectOptions {
        logs: false,
        labels: vec![format!("dockaudit.local-reads={tag}")],
        host_root,
        ..CollectOptions::default()
    }
}

fn container<'a>(snapshot: &'a Snapshot, name: &str) -> &'a Container {
    snapshot
        .containers
        .iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("{name} not collected; gaps: {:?}", snapshot.gaps))
}

fn top(c: &Container) -> &Top {
    match &c.top {
        Some(Fact::Value(top)) => top,
        other => panic!("{}: no processes: {other:?}", c.name()),
    }
}

/// Rows as (UID, PID, PPID, CMD), the columns the rules and the host listeners read.
fn rows(top: &Top) -> Vec<[String; 4]> {
    let col = |title: &str| {
        top.titles
            .iter()
            .position(|t| t == title)
            .unwrap_or_else(|| panic!("no {title} column in {:?}", top.titles))
    };
    let (uid, pid, ppid, cmd) = (col("UID"), col("PID"), col("PPID"), col("CMD"));
    let mut rows: Vec<[String; 4]> = top
        .processes
        .iter()
        .map(|r| {
            [
                r[uid].clone(),
                r[pid].clone(),
                r[ppid].clone(),
                r[cmd].clone(),
            ]
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn processes_from_proc_are_the_engines_top_and_top_is_the_fallback() {
    let mut made = Made::new("procs");
    // Several processes, one with a secret in its arguments, one under a uid with no name.
    let shell = made.run(
        "shell",
        &["-d"],
        &[
            "sh",
            "-c",
            "sleep 1001 & sh -c 'sleep 1002; :' --password=hunter2-secret-value & exec sleep 1003",
        ],
    );
    let numeric = made.run(
        "numeric",
        &["-d", "--user", "4321:4321"],
        &["sleep", "1004"],
    );
    let stopped = made.run("stopped", &[], &["echo", "done"]);
    // The shell has started its children once it has exec'd into `sleep 1003`.
    for _ in 0..50 {
        if docker(&["top", &shell]).contains("sleep 1003") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    let local = snapshot(options(&made.tag, None));
    let empty = tempfile::tempdir().expect("tempdir");
    let fallback = snapshot(options(&made.tag, Some(empty.path().to_path_buf())));

    for name in [&shell, &numeric] {
        let from_proc = container(&local, name);
        let from_engine = container(&fallback, name);
        assert_eq!(
            from_proc.top_source,
            Some(TopSource::Proc),
            "{name}: {:?}",
            from_proc.top_fallback
        );
        assert_eq!(from_proc.top_fallback, None);
        assert_eq!(
            top(from_proc).titles,
            ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
        );
        // An empty host root has no /proc: the engine's `top` answers, and the snapshot says why.
        assert_eq!(from_engine.top_source, Some(TopSource::Engine));
        let why = from_engine.top_fallback.as_deref().unwrap_or_default();
        assert!(why.contains("proc/stat"), "{name}: {why}");
        assert_eq!(top(from_proc).titles, top(from_engine).titles);
        assert_eq!(rows(top(from_proc)), rows(top(from_engine)), "{name}");
    }

    let shell_rows = rows(top(container(&local, &shell)));
    let commands: Vec<&str> = shell_rows.iter().map(|r| r[3].as_str()).collect();
    // sleep 1003 (the exec'd shell), sleep 1001, the inner shell and its sleep 1002.
    assert_eq!(shell_rows.len(), 4, "{shell_rows:?}");
    assert!(commands.contains(&"sleep 1001"), "{commands:?}");
    assert!(commands.contains(&"sleep 1002"), "{commands:?}");
    assert!(commands.contains(&"sleep 1003"), "{commands:?}");
    // The secret is masked as the engine's listing is, and the masking recorded.
    assert!(
        commands.iter().all(|c| !c.contains("hunter2")),
        "{commands:?}"
    );
    assert!(
        local
            .redactions
            .iter()
            .any(|r| r.field == "top" && r.object_id == container(&local, &shell).inspect.id),
        "{:?}",
        local.redactions
    );
    let numeric_rows = rows(top(container(&local, &numeric)));
    assert_eq!(numeric_rows.len(), 1);
    assert_eq!(numeric_rows[0][0], "4321");
    assert_eq!(numeric_rows[0][3], "sleep 1004");

    // A stopped container has no processes to list, from either source.
    assert_eq!(container(&local, &stopped).top, None);
    assert_eq!(container(&local, &stopped).top_source, None);
}

#[test]
fn sizes_are_read_only_where_a_finding_reports_them() {
    let mut made = Made::new("sizes");
    let volume = made.volume("data");
    let mount = format!("{volume}:/data");
    // Fill the volume from a container that is then removed, so the volume is unused.
    made.run(
        "filler",
        &["--rm", "-v", &mount],
        &[
            "sh",
            "-c",
            "mkdir -p /data/sub && head -c 100000 /dev/zero > /data/sub/big && echo hello > /data/small",
        ],
    );
    let stopped = made.run(
        "stopped",
        &[],
        &["sh", "-c", "head -c 200000 /dev/zero > /big"],
    );
    let running = made.run("running", &["-d"], &["sleep", "1005"]);
    let used = made.volume("used");
    made.run("user", &["-v", &format!("{used}:/u")], &["echo", "mounted"]);

    // Without a label filter, so "unused" can be told (the other sessions' objects come along).
    let all = |disk_usage: bool| {
        snapshot(CollectOptions {
            logs: false,
            disk_usage,
            ..CollectOptions::default()
        })
    };
    let sized = all(true);
    assert!(sized.settings.sizes);
    assert_eq!(sized.settings.size_source, SizeSource::StoppedAndUnused);
    let stopped_size = container(&sized, &stopped).size_rw;
    assert!(
        stopped_size.is_some_and(|s| s >= 200_000),
        "stopped container's writable layer: {stopped_size:?}"
    );
    // This engine is local: measured on disk where the storage driver keeps an upper directory.
    let driver = docker(&["inspect", "-f", "{{.GraphDriver.Name}}", &stopped]);
    let expected_source = if ["overlay2", "fuse-overlayfs"].contains(&driver.as_str()) {
        SizeRwSource::UpperDir
    } else {
        SizeRwSource::Engine
    };
    assert_eq!(
        container(&sized, &stopped).size_rw_source,
        Some(expected_source)
    );
    // The same figure as the engine's own, within the few bytes the engine adds up differently.
    let engine = docker(&["inspect", "--size", "-f", "{{.SizeRw}}", &stopped]);
    let engine: i64 = engine.parse().expect("SizeRw");
    assert!(
        stopped_size.is_some_and(|s| (s - engine).abs() < 4096),
        "measured {stopped_size:?}, engine {engine}"
    );
    assert_eq!(
        container(&sized, &running).size_rw,
        None,
        "a running container is not sized"
    );
    let volume_of = |s: &Snapshot, name: &str| {
        s.volumes
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("volume {name} not collected"))
            .measured_size
            .clone()
    };
    match volume_of(&sized, &volume) {
        Some(Fact::Value(size)) => {
            assert_eq!((size.bytes, size.files, size.complete), (100_006, 2, true))
        }
        other => panic!("unused volume not measured: {other:?}"),
    }
    assert_eq!(
        volume_of(&sized, &used),
        None,
        "a used volume is not measured"
    );

    let without_sizes = all(false);
    assert!(!without_sizes.settings.sizes);
    assert_eq!(container(&without_sizes, &stopped).size_rw, None);
    assert_eq!(container(&without_sizes, &stopped).size_rw_source, None);
    assert_eq!(volume_of(&without_sizes, &volume), None);
}
