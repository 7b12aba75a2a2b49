//! The Swarm deployment (deploy/swarm/stack.yml) on the machine's engine, made a one-node swarm for
//! the test: the stack runs `dockaudit watch` as a global service from an image built here without a
//! registry (`docker import` of a rootfs holding the binary and the libraries `ldd` lists), and the
//! node's findings are read from its `/metrics`.
//!
//! Opt-in (DOCKAUDIT_SWARM_TEST=1): turning the engine into a swarm changes what the other live
//! tests, running at the same time, see (DMN019, the ingress network). `.ci/run` runs it alone,
//! after the main test run. The swarm is initialised only if the engine is in none, and left again
//! by a guard that runs on failure too; an engine already in a swarm is left in it.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::docker::{docker, docker_import, docker_ok, text, unique_prefix};

const PATIENCE: Duration = Duration::from_secs(180);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Leaves the swarm the test joined, and removes its stack and image, when dropped.
struct SwarmGuard {
    joined: bool,
    /// The engine had a `docker_gwbridge` network before the test.
    had_gwbridge: bool,
    stack: String,
    image: String,
}

impl Drop for SwarmGuard {
    fn drop(&mut self) {
        let _ = docker(&["stack", "rm", &self.stack]);
        // The tasks' containers go asynchronously: wait for them before the image.
        let filter = format!("label=com.docker.stack.namespace={}", self.stack);
        for _ in 0..60 {
            if text(&docker(&["ps", "-aq", "--filter", &filter]).stdout)
                .trim()
                .is_empty()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        if self.joined {
            let _ = docker(&["swarm", "leave", "--force"]);
            // Leaving keeps the bridge `swarm init` made; it was not there before.
            if !self.had_gwbridge {
                let _ = docker(&["network", "rm", "docker_gwbridge"]);
            }
        }
        let _ = docker(&["rmi", "-f", &self.image]);
    }
}

/// A rootfs tar with the dockaudit binary at /dockaudit and the shared libraries it needs.
fn image_rootfs(work: &Path) -> Vec<u8> {
    let root = work.join("rootfs");
    let bin = env!("CARGO_BIN_EXE_dockaudit");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::copy(bin, root.join("dockaudit")).expect("copy the binary");
    let ldd = std::process::Command::new("ldd")
        .arg(bin)
        .output()
        .expect("ldd");
    for path in text(&ldd.stdout)
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
    {
        let at = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(at.parent().expect("a parent")).expect("mkdir");
        std::fs::copy(path, &at).unwrap_or_else(|e| panic!("copy {path}: {e}"));
    }
    std::fs::create_dir_all(root.join("tmp")).expect("mkdir tmp");
    let tar = std::process::Command::new("tar")
        .arg("-C")
        .arg(&root)
        .args(["--numeric-owner", "-chf", "-", "."])
        .output()
        .expect("tar");
    assert!(tar.status.success(), "tar: {}", text(&tar.stderr));
    tar.stdout
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn get_metrics(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
}

#[test]
fn the_stack_runs_a_global_watcher_whose_metrics_show_the_node_findings() {
    if std::env::var("DOCKAUDIT_SWARM_TEST").as_deref() != Ok("1") {
        eprintln!(
            "SKIP: set DOCKAUDIT_SWARM_TEST=1 to run the Swarm test (it makes the engine a swarm, \
             which the other live tests would see; .ci/run runs it alone after them)"
        );
        return;
    }
    let state = docker_ok(&["info", "-f", "{{.Swarm.LocalNodeState}}"]);
    if state != "inactive" && state != "active" {
        eprintln!("SKIP: the engine's swarm state is `{state}`");
        return;
    }
    let prefix = unique_prefix("watch-swarm-");
    let stack = format!("dockaudit-{}", prefix.replace("watch-swarm-", "t"));
    let image = format!("{prefix}:1");
    let had_gwbridge = docker(&["network", "inspect", "docker_gwbridge"])
        .status
        .success();
    let guard = SwarmGuard {
        joined: state == "inactive",
        had_gwbridge,
        stack: stack.clone(),
        image: image.clone(),
    };
    if guard.joined {
        docker_ok(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    }
    let work = tempfile::tempdir().expect("temp dir");
    docker_import(
        &image_rootfs(work.path()),
        &[
            "-c",
            "LABEL dockaudit.test=1",
            "-c",
            "ENTRYPOINT [\"/dockaudit\"]",
        ],
        &image,
    );

    let port = free_port();
    let deploy = std::process::Command::new("docker")
        .args(["stack", "deploy", "-c"])
        .arg(workspace_root().join("deploy/swarm/stack.yml"))
        .arg(&stack)
        .env("DOCKAUDIT_IMAGE", &image)
        .env("DOCKAUDIT_PORT", port.to_string())
        .output()
        .expect("docker stack deploy");
    assert!(
        deploy.status.success(),
        "docker stack deploy: {}",
        text(&deploy.stderr)
    );
    let mode = docker_ok(&[
        "service",
        "inspect",
        "-f",
        "{{if .Spec.Mode.Global}}global{{else}}replicated{{end}}",
        &format!("{stack}_watch"),
    ]);
    assert_eq!(mode, "global");

    // The node's findings: the daemon is in a swarm (DMN019); the watcher's own container is
    // audited, its socket mount accepted (suppressed, with the reason of dockaudit.toml).
    let own = format!("target=\"{stack}_watch.");
    let start = Instant::now();
    let metrics = loop {
        if let Some(m) = get_metrics(port) {
            if m.lines().any(|l| l == "dockaudit_engine_up 1")
                && m.contains("rule=\"DMN019\"")
                && m.contains(&own)
            {
                break m;
            }
        }
        if start.elapsed() > PATIENCE {
            let ps =
                text(&docker(&["service", "ps", "--no-trunc", &format!("{stack}_watch")]).stdout);
            let logs = text(&docker(&["service", "logs", &format!("{stack}_watch")]).stderr);
            panic!("no findings of the node on port {port}; tasks:\n{ps}\nlogs:\n{logs}");
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let own_socket_finding = metrics.lines().any(|l| {
        l.starts_with("dockaudit_finding{") && l.contains("rule=\"MNT001\"") && l.contains(&own)
    });
    assert!(
        !own_socket_finding,
        "the watcher's own socket mount is accepted:\n{metrics}"
    );
    let suppressed = metrics
        .lines()
        .find_map(|l| l.strip_prefix("dockaudit_findings_suppressed "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    assert!(suppressed >= 1.0, "{metrics}");
    drop(guard);
    if state == "inactive" {
        assert_eq!(
            docker_ok(&["info", "-f", "{{.Swarm.LocalNodeState}}"]),
            "inactive",
            "the engine is left as it was found"
        );
        assert_eq!(
            docker(&["network", "inspect", "docker_gwbridge"])
                .status
                .success(),
            had_gwbridge,
            "docker_gwbridge is left as it was found"
        );
    }
}
