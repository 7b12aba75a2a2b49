//! Live test of the TCP+TLS client path against a real engine: a `dockerd` of the test's own (the
//! machine's `/usr/sbin/dockerd`, own data root, exec root, pid file, unix socket, empty daemon.json
//! and its own bridge interface, no iptables changes) listening on `tcp://127.0.0.1:<free port>` with
//! `--tlsverify`, with a CA, server and client certificates made by `openssl` in a temporary
//! directory. A guard stops the daemon and deletes its bridge when the test ends, panics included.
//!
//! Needs root (to run dockerd), /usr/sbin/dockerd and openssl; without them the test says so and
//! returns. The machine's own engine is not touched.

mod common;

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use common::test_daemon::{running_as_root, Options, TestDaemon, DOCKERD};
use serde_json::Value;

/// Whether this machine can run the test; prints why not.
fn can_run() -> bool {
    let openssl = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !running_as_root() || !Path::new(DOCKERD).exists() || !openssl {
        eprintln!("skipped: needs root, {DOCKERD} and openssl to start a TLS dockerd of its own");
        return false;
    }
    true
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

/// A TLS test daemon: `--tlsverify` with certificates made in its directory.
fn start_daemon() -> TestDaemon {
    TestDaemon::start(&Options {
        prefix: "dat",
        subnet: 31,
        prepare: &make_certificates,
        args: &|d| {
            vec![
                OsString::from("--tlsverify"),
                OsString::from("--tlscacert"),
                d.join("ca.pem").into(),
                OsString::from("--tlscert"),
                d.join("server-cert.pem").into(),
                OsString::from("--tlskey"),
                d.join("server-key.pem").into(),
            ]
        },
    })
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
    let daemon = start_daemon();
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

/// Writes a Docker context `name` for `host` into the Docker config directory `config`, as `docker
/// context create NAME --docker host=…,ca=…,cert=…,key=…` lays it out, with the client
/// certificates of `tls` when given.
fn write_context(config: &Path, dir: &str, name: &str, host: &str, tls: Option<&Path>) {
    let meta = config.join("contexts/meta").join(dir);
    std::fs::create_dir_all(&meta).expect("meta dir");
    let json = serde_json::json!({
        "Name": name,
        "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}
    });
    std::fs::write(meta.join("meta.json"), json.to_string()).expect("meta.json");
    if let Some(tls) = tls {
        let to = config.join("contexts/tls").join(dir).join("docker");
        std::fs::create_dir_all(&to).expect("tls dir");
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::copy(tls.join(f), to.join(f)).expect("copy");
        }
    }
}

#[test]
fn a_tls_dockerd_is_audited_through_a_docker_context_with_its_tls_material() {
    if !can_run() {
        return;
    }
    let daemon = TestDaemon::start(&Options {
        prefix: "dfc",
        subnet: 33,
        prepare: &make_certificates,
        args: &|d| {
            vec![
                OsString::from("--tlsverify"),
                OsString::from("--tlscacert"),
                d.join("ca.pem").into(),
                OsString::from("--tlscert"),
                d.join("server-cert.pem").into(),
                OsString::from("--tlskey"),
                d.join("server-key.pem").into(),
            ]
        },
    });
    let url = daemon.url();
    let config = tempfile::tempdir().expect("temp dir");
    write_context(
        config.path(),
        "c1",
        "secure",
        &url,
        Some(&daemon.path("client")),
    );
    // The same engine without the context's TLS files: plain HTTP to a TLS port.
    write_context(config.path(), "c2", "no-certs", &url, None);

    let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--timeout",
            "20",
        ])
        .args([
            "--no-image-scan",
            "--context",
            "secure",
            "--context",
            "no-certs",
        ])
        .env("NO_COLOR", "1")
        .env("DOCKER_CONFIG", config.path())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .output()
        .expect("dockaudit runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One host not audited: the fleet's exit code is 2, the other host's findings are reported.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("[no-certs]") && stderr.contains("expects TLS"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let hosts = report["hosts"].as_array().expect("a fleet report");
    assert_eq!(hosts.len(), 2, "{report:#}");
    assert_eq!(hosts[0]["host"], "secure");
    assert_eq!(hosts[0]["status"], "audited");
    assert_eq!(hosts[0]["engine"]["endpoint"], url.as_str());
    assert!(!hosts[0]["engine"]["version"]
        .as_str()
        .unwrap_or("")
        .is_empty());
    assert_eq!(hosts[1]["host"], "no-certs");
    assert_eq!(hosts[1]["status"], "unreachable");
    // Reached over TLS: the daemon findings are there, and none says the API is unprotected.
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings
        .iter()
        .any(|f| f["host"] == "secure" && f["rule"] == "DMN009"));
    assert!(
        !findings.iter().any(|f| f["rule"] == "DMN007"),
        "{findings:#?}"
    );
    assert!(findings.iter().all(|f| f["host"] == "secure"));
}
