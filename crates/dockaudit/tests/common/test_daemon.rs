//! A `dockerd` of a test's own, beside the machine's engine: the machine's `/usr/sbin/dockerd` with
//! its own data root, exec root, pid file, unix socket, empty daemon.json and bridge interface, no
//! iptables changes, listening also on `tcp://127.0.0.1:<free port>`. Dropping it stops the daemon,
//! deletes its bridge and unmounts what it mounted, panics included.
//!
//! Never `--bridge=none`: dockerd then deletes the host's docker0 at start-up, breaking the
//! machine's engine for every other test.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The daemon binary every test daemon runs.
pub const DOCKERD: &str = "/usr/sbin/dockerd";

/// Whether the tests run as root (needed to start dockerd and add a bridge).
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|r| r.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// How a test daemon differs from the plain one.
pub struct Options<'a> {
    /// Prefix of its temporary directory and bridge name (three letters: names must stay short).
    pub prefix: &'a str,
    /// Second octet of its bridge's 172.X.Y.1/24 subnet, so tests running at once do not clash.
    pub subnet: u8,
    /// Writes files the daemon needs (certificates) into its directory before it starts.
    pub prepare: &'a dyn Fn(&Path),
    /// Extra dockerd arguments, given the daemon's directory.
    pub args: &'a dyn Fn(&Path) -> Vec<OsString>,
}

/// A running test daemon; stopped and cleaned up on drop.
pub struct TestDaemon {
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
    bridge: Option<String>,
}

impl TestDaemon {
    /// Starts a daemon and waits until its API answers on the unix socket and the TCP port is open.
    pub fn start(options: &Options) -> TestDaemon {
        // Short path: containerd's sockets under the exec root must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix(options.prefix)
            .tempdir_in("/tmp")
            .expect("temp dir");
        // Only root may enter, as for /etc/docker on many hosts: an unprivileged audit cannot read
        // this daemon's daemon.json (its command line in /proc stays readable to anyone).
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        let port = free_port();
        // The guard exists before anything needs cleaning up, so a failure below still cleans up.
        let mut daemon = TestDaemon {
            dir,
            child: None,
            port,
            bridge: None,
        };
        let d = daemon.dir.path().to_path_buf();
        (options.prepare)(&d);
        std::fs::write(d.join("daemon.json"), "{}\n").expect("daemon.json");

        let bridge = format!("{}{port}", options.prefix);
        let cidr = format!("172.{}.{}.1/24", options.subnet, port % 250);
        for (i, args) in [
            vec!["link", "add", bridge.as_str(), "type", "bridge"],
            vec!["addr", "add", cidr.as_str(), "dev", bridge.as_str()],
            vec!["link", "set", bridge.as_str(), "up"],
        ]
        .into_iter()
        .enumerate()
        {
            let ok = Command::new("ip")
                .args(&args)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "ip {args:?} failed");
            if i == 0 {
                daemon.bridge = Some(bridge.clone());
            }
        }

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
            .args((options.args)(&d))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("dockerd starts");
        daemon.child = Some(child);

        let deadline = Instant::now() + Duration::from_secs(60);
        while !daemon.ping() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(d.join("dockerd.log")).unwrap_or_default();
                panic!("dockerd did not answer within 60 s:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // The unix socket answers once the API is up; make sure the TCP listener is too.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "TCP port {port} never opened");
            std::thread::sleep(Duration::from_millis(100));
        }
        daemon
    }

    /// Pings through the unix socket (the TCP port may speak TLS only).
    fn ping(&self) -> bool {
        ping_unix(&self.dir.path().join("d.sock"))
    }

    /// `tcp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    /// A path inside the daemon's directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

impl Drop for TestDaemon {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            stop_gracefully(child);
        }
        if let Some(bridge) = &self.bridge {
            let _ = Command::new("ip").args(["link", "delete", bridge]).status();
        }
        // What dockerd mounted under its directory must go before the directory can.
        unmount_under(self.dir.path());
    }
}

/// Stops a daemon the way its service manager would: SIGTERM, up to 20 s to shut down (it stops its
/// containers and unmounts), then SIGKILL.
pub fn stop_gracefully(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Lazily unmounts everything mounted below `dir`, deepest first, so the directory can be removed.
pub fn unmount_under(dir: &Path) {
    let prefix = format!("{}/", dir.display());
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

/// Whether an engine answers `GET /_ping` with OK on the unix socket at `socket`.
pub fn ping_unix(socket: &Path) -> bool {
    let Ok(mut s) = UnixStream::connect(socket) else {
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
