//! DMN007 daemon-api-without-tls: the Engine API listens on TCP without TLS, or with TLS but
//! without verifying client certificates. Anyone who reaches that port controls the daemon, and
//! through it the host (`docker run -v /:/host --privileged …`).
//!
//! Every source counts:
//! - the daemon's own warnings in `/info` (Docker 20.10 and later list each such listener:
//!   "API is accessible on http://0.0.0.0:2375 without encryption", "… on https://… without TLS
//!   client verification"), which are what the running daemon does, remote engines included;
//! - the `hosts` setting (`-H`, daemon.json `hosts`) with `tls` and `tlsverify` (flags,
//!   daemon.json, `DOCKER_TLS_VERIFY` in dockerd's environment), for the file and line to fix;
//!   `--tls` alone verifies clients too (dockerd's `tlsverify` defaults to its `tls`), only an
//!   explicit `tlsverify: false` turns verification off;
//! - the endpoint dockaudit itself used: a `tcp://` endpoint reached without TLS.
//!
//! When `/info` is there its warnings decide what the daemon does, and the configuration only
//! locates it; without `/info` the configuration decides. A listener on a loopback address is
//! reported at High (every local user and process, containers on the host network included, can
//! reach it), any other address at Critical; TLS without client verification is High.

use std::collections::BTreeMap;

use dockaudit_snapshot::daemon::Effective;
use dockaudit_snapshot::Snapshot;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN007",
        name: "daemon-api-without-tls",
        title: "Engine API listens on TCP without TLS client verification",
        rationale: "The Engine API is root on the host: whoever can call it can start a privileged container that mounts the host's filesystem. On TCP without TLS anyone who reaches the port has that power (and sees everything in clear text); with TLS but without client certificate verification, anyone who reaches it still does.",
        remediation: "Listen on the unix socket only (remove tcp:// entries from -H and daemon.json \"hosts\"), or reach a remote engine over SSH (DOCKER_HOST=ssh://user@host); if TCP is required, set \"tlsverify\": true with \"tlscacert\", \"tlscert\" and \"tlskey\" in daemon.json, listen on port 2376, and give clients certificates signed by that CA.",
        category: Category::Daemon,
        severity: Severity::Critical,
        cis: &["2.8"],
        cis_v1_6: &["2.7"],
        references: &[
            "https://docs.docker.com/engine/security/protect-access/",
            "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
            "https://cwe.mitre.org/data/definitions/306.html",
            "https://cwe.mitre.org/data/definitions/319.html",
        ],
    },
    check,
};

/// How a TCP listener is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Exposure {
    /// Plain TCP.
    NoTls,
    /// TLS, any client accepted.
    NoVerify,
}

/// One exposed listener and what says so.
#[derive(Debug, Default)]
struct Listener {
    exposure: Option<Exposure>,
    sources: Vec<String>,
}

/// The port of `host:port`, `[::]:port`, `tcp://host:port`, `:port`.
fn port_of(addr: &str) -> &str {
    addr.trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap_or(addr)
}

/// Whether `host:port` is bound to a loopback address only.
fn is_loopback(addr: &str) -> bool {
    let host = addr
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(addr)
        .trim_start_matches('[')
        .trim_end_matches(']');
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// The listeners the daemon's own `/info` warnings name.
fn from_warnings(snapshot: &Snapshot) -> Vec<(String, Exposure, String)> {
    let Some(info) = &snapshot.info else {
        return Vec::new();
    };
    info.warnings
        .iter()
        .filter_map(|w| {
            let rest = w.split("API is accessible on ").nth(1)?;
            let (url, tail) = rest.split_once(' ')?;
            let first_line = w.lines().next().unwrap_or(w).trim().to_string();
            if let Some(addr) = url.strip_prefix("http://") {
                Some((addr.to_string(), Exposure::NoTls, first_line))
            } else if let Some(addr) = url.strip_prefix("https://") {
                tail.contains("without TLS client verification")
                    .then(|| (addr.to_string(), Exposure::NoVerify, first_line))
            } else {
                None
            }
        })
        .collect()
}

/// The TCP listeners the configuration declares, or why that is unknown.
fn from_config(snapshot: &Snapshot) -> Result<Vec<(String, Exposure, String)>, String> {
    let hosts = match snapshot.daemon_setting("hosts") {
        Effective::Set(s) => s,
        // Without -H or "hosts", dockerd listens on its unix socket only.
        Effective::Default => return Ok(Vec::new()),
        Effective::Unknown(why) => return Err(why),
    };
    let tcp: Vec<String> = hosts
        .as_strings()
        .into_iter()
        .filter(|h| h.starts_with("tcp://") || h.starts_with("http://"))
        .collect();
    if tcp.is_empty() {
        return Ok(Vec::new());
    }
    let flag = |key: &str| match snapshot.daemon_setting(key) {
        Effective::Set(s) => Ok((s.as_bool() == Some(true), Some(s.source()))),
        Effective::Default => Ok((false, None)),
        Effective::Unknown(why) => Err(why),
    };
    let (tls, tls_source) = flag("tls")?;
    // dockerd verifies clients whenever TLS is on and tlsverify is not set at all (its tlsverify
    // defaults to its tls): only an explicit tlsverify=false turns verification off.
    let (verify, verify_source) = match snapshot.daemon_setting("tlsverify") {
        Effective::Default => (tls, None),
        _ => flag("tlsverify")?,
    };
    let exposure = if verify {
        return Ok(Vec::new());
    } else if tls {
        Exposure::NoVerify
    } else {
        Exposure::NoTls
    };
    let mut why = hosts.source();
    for s in [tls_source, verify_source].into_iter().flatten() {
        why.push_str("; ");
        why.push_str(&s);
    }
    Ok(tcp
        .into_iter()
        .map(|h| {
            let addr = h
                .trim_start_matches("tcp://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string();
            // `tcp://:2375` and `tcp://` bind every interface.
            let addr = if addr.is_empty() {
                "0.0.0.0:2375".to_string()
            } else if addr.starts_with(':') {
                format!("0.0.0.0{addr}")
            } else {
                addr
            };
            (addr, exposure, why.clone())
        })
        .collect())
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    let warnings = from_warnings(snapshot);
    let config = from_config(snapshot);
    let info_known = snapshot.info.is_some();

    let mut listeners: BTreeMap<String, Listener> = BTreeMap::new();
    for (addr, exposure, text) in &warnings {
        let l = listeners.entry(addr.clone()).or_default();
        l.exposure = Some(*exposure);
        l.sources.push(format!("{text} (docker info)"));
    }
    if let Ok(configured) = &config {
        for (addr, exposure, source) in configured {
            // With /info present its warnings say what the daemon does; the configuration only
            // points at the line to change (same port).
            let same_port = listeners
                .keys()
                .find(|a| port_of(a) == port_of(addr))
                .cloned();
            match same_port {
                Some(key) => {
                    if let Some(l) = listeners.get_mut(&key) {
                        l.sources.push(source.clone());
                    }
                }
                None if !info_known => {
                    let l = listeners.entry(addr.clone()).or_default();
                    l.exposure = Some(*exposure);
                    l.sources.push(source.clone());
                }
                None => {}
            }
        }
    }
    // The endpoint this audit used.
    let endpoint = &snapshot.engine.endpoint;
    let plain_endpoint = endpoint.starts_with("tcp://") && snapshot.engine.tls == Some(false);
    if plain_endpoint {
        let addr = endpoint.trim_start_matches("tcp://").trim_end_matches('/');
        let text = format!("dockaudit reached the engine at {endpoint} without TLS");
        match listeners
            .iter_mut()
            .find(|(a, _)| port_of(a) == port_of(addr))
        {
            Some((_, l)) => l.sources.push(text),
            None => {
                listeners.insert(
                    addr.to_string(),
                    Listener {
                        exposure: Some(Exposure::NoTls),
                        sources: vec![text],
                    },
                );
            }
        }
    }

    if listeners.is_empty() {
        match (&config, info_known) {
            (Ok(_), _) | (Err(_), true) => checks.pass(target),
            (Err(why), false) => checks.skip(format!(
                "engine info (docker info) was not collected and {why}"
            )),
        }
        return;
    }
    for (addr, l) in listeners {
        let Some(exposure) = l.exposure else { continue };
        let (message, severity) = match exposure {
            Exposure::NoTls if is_loopback(&addr) => (
                format!("the Engine API listens on tcp://{addr} without TLS: every local user and process can control the daemon"),
                Severity::High,
            ),
            Exposure::NoTls => (
                format!("the Engine API listens on tcp://{addr} without TLS: anyone who reaches the port controls the daemon and the host"),
                Severity::Critical,
            ),
            Exposure::NoVerify => (
                format!("the Engine API listens on tcp://{addr} with TLS but without client certificate verification: anyone who reaches the port controls the daemon"),
                Severity::High,
            ),
        };
        checks
            .fail(target.clone(), message)
            .evidence(json!({
                "listener": format!("tcp://{addr}"),
                "tls": exposure == Exposure::NoVerify,
                "client_verification": false,
                "sources": l.sources,
            }))
            .severity(severity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(is_loopback("127.0.0.1:2375"));
        assert!(is_loopback("[::1]:2375"));
        assert!(is_loopback("localhost:2375"));
        assert!(!is_loopback("0.0.0.0:2375"));
        assert!(!is_loopback("[::]:2375"));
        assert_eq!(port_of("tcp://0.0.0.0:2375/"), "2375");
    }

    #[test]
    fn warnings_of_both_kinds_are_read() {
        let snapshot = Snapshot {
            info: Some(dockaudit_snapshot::EngineInfo {
                warnings: vec![
                    "WARNING: API is accessible on http://0.0.0.0:2375 without encryption.\n         Access to the remote API is equivalent to root access on the host.".into(),
                    "WARNING: API is accessible on https://10.0.0.1:2376 without TLS client verification.".into(),
                    "WARNING: bridge-nf-call-iptables is disabled".into(),
                ],
                ..Default::default()
            }),
            ..Snapshot::default()
        };
        let got: Vec<(String, Exposure)> = from_warnings(&snapshot)
            .into_iter()
            .map(|(a, e, _)| (a, e))
            .collect();
        assert_eq!(
            got,
            vec![
                ("0.0.0.0:2375".to_string(), Exposure::NoTls),
                ("10.0.0.1:2376".to_string(), Exposure::NoVerify)
            ]
        );
    }
}
