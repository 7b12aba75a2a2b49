//! Live tests of the daemon checks against a second `dockerd` of the test's own: the machine's
//! `/usr/sbin/dockerd` with its own data root, exec root, pid file and unix socket under a temporary
//! directory, no bridge, no iptables changes, an empty daemon.json, and a TCP listener on
//! `127.0.0.1:<free port>` without TLS. The audits go through that TCP endpoint, as for a remote
//! engine. A guard stops the daemon and removes its state when the test ends, panics included.
//!
//! Needs root (to run dockerd) and /usr/sbin/dockerd; without them the tests say so and return.
//! The machine's own engine is not touched.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const DOCKERD: &str = "/usr/sbin/dockerd";

/// Whether this machine can run the tests; prints why not.
fn can_run() -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|r| r.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if !root || !Path::new(DOCKERD).exists() {
        eprintln!("skipped: needs root and {DOCKERD} to start a dockerd of its own");
        return false;
    }
    true
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A dockerd of the test's own; stopped and cleaned up on drop.
struct Daemon {
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
    bridge: String,
}

/// Adds a bridge interface of the test's own. A test dockerd must never run with `--bridge=none`:
/// dockerd then deletes the host's docker0 at start-up, breaking the machine's engine for every
/// other test.
fn add_bridge(name: &str, subnet: u16) {
    let cidr = format!("172.30.{}.1/24", subnet % 250);
    for args in [
        vec!["link", "add", name, "type", "bridge"],
        vec!["addr", "add", cidr.as_str(), "dev", name],
        vec!["link", "set", name, "up"],
    ] {
        let ok = Command::new("ip")
            .args(&args)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "ip {args:?} failed");
    }
}

impl Daemon {
    fn start(extra: &[&str]) -> Daemon {
        // Short path: containerd's sockets under the exec root must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("dal")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let d = dir.path();
        // Only root may enter, as for /etc/docker on many hosts: an unprivileged audit cannot read
        // this daemon's daemon.json (its command line in /proc stays readable to anyone).
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        std::fs::write(d.join("daemon.json"), "{}\n").expect("daemon.json");
        let port = free_port();
        let bridge = format!("dal{port}");
        add_bridge(&bridge, port);
        let log = std::fs::File::create(d.join("dockerd.log")).expect("log");
        let child = Command::new(DOCKERD)
            .arg("--config-file")
            .arg(d.join("daemon.json"))
            .arg("--data-root")
            .arg(d.join("data"))
            .arg("--exec-root")
            .arg(d.join("exec"))
            .arg("--pidfile")
            .arg(d.join("d.pid"))
            .arg("-H")
            .arg(format!("unix://{}", d.join("d.sock").display()))
            .arg("-H")
            .arg(format!("tcp://127.0.0.1:{port}"))
            .args(["--bridge", &bridge, "--iptables=false", "--ip6tables=false"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("dockerd starts");
        let daemon = Daemon {
            dir,
            child,
            port,
            bridge,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !daemon.ping() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(daemon.dir.path().join("dockerd.log"))
                    .unwrap_or_default();
                panic!("dockerd did not answer within 60 s:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        daemon
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        if s.write_all(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer.ends_with("OK")
    }

    fn url(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "delete", &self.bridge])
            .status();
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").arg(&pid).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // What dockerd mounted under its directory must go before the directory can.
        let prefix = format!("{}/", self.dir.path().display());
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        let mut points: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter(|p| p.starts_with(&prefix))
            .collect();
        points.sort_unstable_by(|a, b| b.cmp(a));
        for p in points {
            let _ = Command::new("umount").args(["-l", p]).status();
        }
    }
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
    let daemon = Daemon::start(&[]);
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

    let daemon = Daemon::start(&["--live-restore"]);
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
    let daemon = Daemon::start(&[]);
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
