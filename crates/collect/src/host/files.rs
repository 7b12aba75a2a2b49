//! The files and directories CIS sections 1 (audit) and 3 (ownership and permissions) name, found
//! where the host has them: units in every systemd unit directory, binaries in the usual bin
//! directories, sockets, configuration files, registry certificates. Each is recorded present
//! (with owner and mode) or absent; a role with several possible places is recorded at every place
//! it exists, or once, absent, at its usual place.

use std::collections::BTreeSet;

use dockaudit_snapshot::host::{roles, FileFact};
use dockaudit_snapshot::Fact;

use super::accounts::Accounts;
use super::rootfs::HostRoot;

/// systemd unit directories, most specific first.
const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// Where binaries live, the CIS path first.
const BIN_DIRS: &[&str] = &[
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/bin",
    "/sbin",
];

/// Registry certificate files read at most.
const MAX_CERTS: usize = 256;
/// Unit drop-ins read at most.
const MAX_DROPINS: usize = 64;

/// What the file collector needs from elsewhere.
#[derive(Debug, Clone, Default)]
pub struct FileInputs {
    /// The Docker root directory (`/var/lib/docker` unless the engine says otherwise).
    pub docker_root_dir: String,
    /// The daemon's `daemon.json` (`/etc/docker/daemon.json` unless `--config-file` says otherwise).
    pub daemon_json: String,
    /// The unix socket dockaudit reached the engine through, when it is another than
    /// `/var/run/docker.sock`.
    pub engine_socket: Option<String>,
    /// The running dockerd's binary, when known.
    pub daemon_binary: Option<String>,
}

/// Records `role` at each of `paths` where it exists; if it exists nowhere, once as absent at
/// the first path. Places that resolve to one file are recorded once.
fn record_first_of(
    out: &mut Vec<FileFact>,
    host: &HostRoot,
    accounts: &Accounts,
    role: &str,
    paths: &[String],
) {
    let mut seen = BTreeSet::new();
    let mut found = false;
    for path in paths {
        let stat = host.stat(path, accounts);
        match &stat {
            Fact::Value(None) => continue,
            Fact::Value(Some(s)) => {
                let real = s.link_target.clone().unwrap_or_else(|| path.clone());
                if !seen.insert(real) {
                    continue;
                }
            }
            Fact::Missing(_) => {}
        }
        found = true;
        out.push(FileFact {
            role: role.to_string(),
            path: path.clone(),
            stat,
        });
    }
    if !found {
        if let Some(first) = paths.first() {
            out.push(FileFact {
                role: role.to_string(),
                path: first.clone(),
                stat: Fact::Value(None),
            });
        }
    }
}

fn record(out: &mut Vec<FileFact>, host: &HostRoot, accounts: &Accounts, role: &str, path: &str) {
    out.push(FileFact {
        role: role.to_string(),
        path: path.to_string(),
        stat: host.stat(path, accounts),
    });
}

/// Names in a host directory (sorted, at most `max`), or why they could not be listed;
/// `Ok(empty)` when the directory does not exist.
fn list_dir(host: &HostRoot, dir: &str, max: usize) -> Result<Vec<String>, String> {
    match host.resolve(dir).and_then(|r| std::fs::read_dir(r.local)) {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names.truncate(max);
            Ok(names)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(host.why(dir, &e)),
    }
}

/// Every file CIS 1.1.x and 3.x name, as found under the host root.
pub fn docker_files(host: &HostRoot, accounts: &Accounts, inputs: &FileInputs) -> Vec<FileFact> {
    let mut out = Vec::new();
    let in_dirs = |dirs: &[&str], name: &str| -> Vec<String> {
        dirs.iter().map(|d| format!("{d}/{name}")).collect()
    };

    // Section 3 (and the units, sockets and configuration section 1 audits).
    record_first_of(
        &mut out,
        host,
        accounts,
        roles::DOCKER_SERVICE,
        &in_dirs(UNIT_DIRS, "docker.service"),
    );
    for dir in ["/etc/systemd/system", "/run/systemd/system"] {
        let dropins = format!("{dir}/docker.service.d");
        match list_dir(host, &dropins, MAX_DROPINS) {
            Ok(names) => {
                for name in names.iter().filter(|n| n.ends_with(".conf")) {
                    record(
                        &mut out,
                        host,
                        accounts,
                        roles::DOCKER_SERVICE_DROPIN,
                        &format!("{dropins}/{name}"),
                    );
                }
            }
            Err(why) => out.push(FileFact {
                role: roles::DOCKER_SERVICE_DROPIN.into(),
                path: dropins,
                stat: Fact::Missing(why),
            }),
        }
    }
    record_first_of(
        &mut out,
        host,
        accounts,
        roles::DOCKER_SOCKET_UNIT,
        &in_dirs(UNIT_DIRS, "docker.socket"),
    );
    record(&mut out, host, accounts, roles::ETC_DOCKER, "/etc/docker");
    registry_certs(&mut out, host, accounts);
    let mut sockets = vec!["/var/run/docker.sock".to_string()];
    if let Some(engine) = &inputs.engine_socket {
        if !sockets.contains(engine) {
            sockets.push(engine.clone());
        }
    }
    for sock in &sockets {
        record(&mut out, host, accounts, roles::DOCKER_SOCK, sock);
    }
    record(
        &mut out,
        host,
        accounts,
        roles::DAEMON_JSON,
        &inputs.daemon_json,
    );
    record(
        &mut out,
        host,
        accounts,
        roles::ETC_DEFAULT_DOCKER,
        "/etc/default/docker",
    );
    record(
        &mut out,
        host,
        accounts,
        roles::ETC_SYSCONFIG_DOCKER,
        "/etc/sysconfig/docker",
    );
    // Docker's packages run containerd on its own socket; dockerd started without one runs a
    // managed containerd under /var/run/docker.
    let containerd_socks = [
        "/run/containerd/containerd.sock".to_string(),
        "/var/run/docker/containerd/containerd.sock".to_string(),
    ];
    record_first_of(
        &mut out,
        host,
        accounts,
        roles::CONTAINERD_SOCK,
        &containerd_socks,
    );

    // Section 1 only: what the audit rules should watch.
    let mut dockerd = in_dirs(BIN_DIRS, "dockerd");
    if let Some(running) = &inputs.daemon_binary {
        // The running daemon's binary first: it is the one that matters, wherever it is.
        dockerd.retain(|p| p != running);
        dockerd.insert(0, running.clone());
    }
    record_first_of(&mut out, host, accounts, roles::DOCKERD, &dockerd);
    for (role, bin) in [
        (roles::CONTAINERD, "containerd"),
        (roles::CONTAINERD_SHIM, "containerd-shim"),
        (roles::CONTAINERD_SHIM_RUNC_V1, "containerd-shim-runc-v1"),
        (roles::CONTAINERD_SHIM_RUNC_V2, "containerd-shim-runc-v2"),
        (roles::RUNC, "runc"),
    ] {
        record_first_of(&mut out, host, accounts, role, &in_dirs(BIN_DIRS, bin));
    }
    record(
        &mut out,
        host,
        accounts,
        roles::RUN_CONTAINERD,
        "/run/containerd",
    );
    record(
        &mut out,
        host,
        accounts,
        roles::DOCKER_ROOT,
        &inputs.docker_root_dir,
    );
    record(
        &mut out,
        host,
        accounts,
        roles::CONTAINERD_CONFIG,
        "/etc/containerd/config.toml",
    );
    out
}

/// Files under `/etc/docker/certs.d/<registry>/` (CIS 3.7, 3.8).
fn registry_certs(out: &mut Vec<FileFact>, host: &HostRoot, accounts: &Accounts) {
    let base = "/etc/docker/certs.d";
    let registries = match list_dir(host, base, MAX_CERTS) {
        Ok(r) => r,
        Err(why) => {
            out.push(FileFact {
                role: roles::REGISTRY_CERT.into(),
                path: base.into(),
                stat: Fact::Missing(why),
            });
            return;
        }
    };
    let mut count = 0;
    for registry in registries {
        let dir = format!("{base}/{registry}");
        let is_dir = host
            .resolve(&dir)
            .and_then(|r| std::fs::metadata(r.local))
            .is_ok_and(|m| m.is_dir());
        if !is_dir {
            // A stray file beside the registry directories: judged like the certificates.
            if count < MAX_CERTS {
                count += 1;
                record(out, host, accounts, roles::REGISTRY_CERT, &dir);
            }
            continue;
        }
        match list_dir(host, &dir, MAX_CERTS) {
            Ok(files) => {
                for file in files {
                    if count == MAX_CERTS {
                        return;
                    }
                    count += 1;
                    record(
                        out,
                        host,
                        accounts,
                        roles::REGISTRY_CERT,
                        &format!("{dir}/{file}"),
                    );
                }
            }
            Err(why) => out.push(FileFact {
                role: roles::REGISTRY_CERT.into(),
                path: dir,
                stat: Fact::Missing(why),
            }),
        }
    }
}

/// The daemon's TLS files (`(role, path)` from its configuration).
pub fn tls_files(
    host: &HostRoot,
    accounts: &Accounts,
    paths: &[(String, String)],
) -> Vec<FileFact> {
    paths
        .iter()
        .map(|(role, path)| FileFact {
            role: role.clone(),
            path: path.clone(),
            stat: host.stat(path, accounts),
        })
        .collect()
}
