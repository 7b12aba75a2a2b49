//! Live test of the TCP+TLS client path against a real engine: a `dockerd` of the test's own (the
//! machine's `/usr/sbin/dockerd`, own data root, exec root, pid file, unix socket, empty daemon.json
//! and its own bridge interface, no iptables changes) listening on `tcp://127.0.0.1:<free port>` with
//! `--tlsverify`, with a CA, server and client certificates made by `openssl` in a temporary
//! directory. A guard stops the daemon and deletes its bridge when the test ends, panics included.
//!
//! Needs root (to run dockerd), /usr/sbin/dockerd and openssl; without them the test says so and
//! returns. The machine's own engine is not touched.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const DOCKERD: &str = "/usr/sbin/dockerd";

/// Whether this machine can run the test; prints why not.
fn can_run() -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|r| r.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let openssl = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !root || !Path::new(DOCKERD).exists() || !openssl {
        eprintln!("skipped: needs root, {DOCKERD} and openssl to start a TLS dockerd of its own");
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

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Certificates under `dir`: `ca.pem`, the server's `server-cert.pem`/`server-key.pem` for
/// IP:127.0.0.1, and the client's in `client/` as the docker CLI expects them (`ca.pem`, `cert.pem`,
/// `key.pem`).
fn make_certificates(dir: &Path) {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )
    .expect("server.ext");
    std::fs::write(
        dir.join("client.ext"),
        "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
    )
    .expect("client.ext");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=dockaudit test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    for (name, cn) in [("server", "127.0.0.1"), ("client", "dockaudit test client")] {
        let key = format!("{name}-key.pem");
        let csr = format!("{name}.csr");
        let cert = format!("{name}-cert.pem");
        let ext = format!("{name}.ext");
        let subj = format!("/CN={cn}");
        openssl(
            dir,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                &subj,
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                &cert,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
    }
    let client = dir.join("client");
    std::fs::create_dir(&client).expect("client dir");
    std::fs::copy(dir.join("ca.pem"), client.join("ca.pem")).expect("copy");
    std::fs::copy(dir.join("client-cert.pem"), client.join("cert.pem")).expect("copy");
    std::fs::copy(dir.join("client-key.pem"), client.join("key.pem")).expect("copy");
    let ca_only = dir.join("ca-only");
    std::fs::create_dir(&ca_only).expect("ca-only dir");
    std::fs::copy(dir.join("ca.pem"), ca_only.join("ca.pem")).expect("copy");
}

/// A TLS dockerd of the test's own; stopped and cleaned up on drop.
struct Daemon {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    bridge: Option<String>,
}

impl Daemon {
    fn start() -> Daemon {
        // Short path: containerd's sockets under the exec root must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("dat")
            .tempdir_in("/tmp")
            .expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        let port = free_port();
        // The guard exists before anything needs cleaning up, so a failure below still cleans up.
        let mut daemon = Daemon {
            dir,
            child: None,
            port,
            bridge: None,
        };
        let d = daemon.dir.path().to_path_buf();
        make_certificates(&d);
        std::fs::write(d.join("daemon.json"), "{}\n").expect("daemon.json");

        // Its own bridge: never `--bridge=none`, which makes dockerd delete the host's docker0.
        let bridge = format!("dat{port}");
        let cidr = format!("172.31.{}.1/24", port % 250);
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
            .arg("--tlsverify")
            .arg("--tlscacert")
            .arg(d.join("ca.pem"))
            .arg("--tlscert")
            .arg(d.join("server-cert.pem"))
            .arg("--tlskey")
            .arg(d.join("server-key.pem"))
            .args(["--bridge", &bridge, "--iptables=false", "--ip6tables=false"])
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
            assert!(Instant::now() < deadline, "TLS port {port} never opened");
            std::thread::sleep(Duration::from_millis(100));
        }
        daemon
    }

    /// Pings through the unix socket (the TCP port speaks TLS only).
    fn ping(&self) -> bool {
        let Ok(mut s) = UnixStream::connect(self.dir.path().join("d.sock")) else {
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

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if !matches!(child.try_wait(), Ok(Some(_))) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if let Some(bridge) = &self.bridge {
            let _ = Command::new("ip").args(["link", "delete", bridge]).status();
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

/// Runs `dockaudit audit --host URL --format json` with the given TLS environment.
fn audit(url: &str, tls_verify: Option<&str>, cert_path: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.args([
        "audit",
        "--host",
        url,
        "--format",
        "json",
        "--timeout",
        "20",
    ])
    .env("NO_COLOR", "1")
    .env_remove("DOCKER_HOST")
    .env_remove("DOCKER_TLS_VERIFY")
    .env_remove("DOCKER_CERT_PATH");
    if let Some(v) = tls_verify {
        cmd.env("DOCKER_TLS_VERIFY", v);
    }
    if let Some(p) = cert_path {
        cmd.env("DOCKER_CERT_PATH", p);
    }
    cmd.output().expect("dockaudit runs")
}

#[test]
fn a_tls_dockerd_is_audited_with_client_certificates_and_refused_without() {
    if !can_run() {
        return;
    }
    let started = Instant::now();
    let daemon = Daemon::start();
    let url = daemon.url();

    // With the client certificates: the audit runs over TLS.
    let out = audit(&url, Some("1"), Some(&daemon.path("client")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["engine"]["endpoint"], url.as_str(), "{report:#}");
    assert!(
        !report["engine"]["version"]
            .as_str()
            .unwrap_or("")
            .is_empty(),
        "{report:#}"
    );
    let dmn007: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "DMN007")
        .collect();
    assert!(
        dmn007.is_empty(),
        "a TLS-verified API was flagged: {dmn007:#?}"
    );

    // Without client certificates: exit 2 naming the endpoint and the missing file.
    let out = audit(&url, Some("1"), Some(&daemon.path("ca-only")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains("cert.pem"), "{stderr}");
    eprintln!("without client certificates: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Plain HTTP against the TLS port: exit 2 naming the endpoint and saying TLS is needed.
    let out = audit(&url, None, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains("expects TLS"), "{stderr}");
    assert!(stderr.contains("DOCKER_TLS_VERIFY=1"), "{stderr}");
    eprintln!("plain HTTP: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    drop(daemon);
    eprintln!(
        "TLS dockerd started, audited and stopped in {:?}",
        started.elapsed()
    );
}
