//! Readers of the engine's host: files, mounts, accounts, audit rules and kernel protections
//! ([`collect_host`]), and the firewall ([`firewall::capture_firewall`]). Everything is read under a
//! host root directory (`/`, `/host` from inside a container, or a test's fixture tree); the pure
//! parsers are public so tests can feed them captured text.
//!
//! Nothing here writes: files are opened for reading, and the only tools run (`iptables-save`,
//! `nft -j list ruleset`, `auditctl -l`) print state. What cannot be read becomes a missing fact
//! with the reason (not root, tool not installed, nothing mounted there).

pub mod accounts;
pub mod audit;
pub mod files;
pub mod firewall;
pub mod kernel;
pub mod listeners;
pub mod mounts;
pub mod rootfs;
pub mod tool;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockaudit_snapshot::firewall::FirewallCapture;
use dockaudit_snapshot::host::{DockerRootMount, GroupMembers, HostFacts, Listener};
use dockaudit_snapshot::{Fact, Gap};
use tokio::task::JoinHandle;

use accounts::Accounts;
use rootfs::HostRoot;

/// What host collection needs to know from the engine and the daemon's configuration.
#[derive(Debug, Clone)]
pub struct HostInputs {
    /// `DockerRootDir` from `/info`.
    pub docker_root_dir: String,
    /// The daemon's `daemon.json` path.
    pub daemon_json: String,
    /// The unix socket dockaudit reached the engine through.
    pub engine_socket: Option<String>,
    /// The daemon's TLS files as `(role, path)` (roles `tls-ca`, `tls-cert`, `tls-key`), or why
    /// they are unknown.
    pub tls_files: Result<Vec<(String, String)>, String>,
    /// Running containers on the host network, with their host process ids.
    pub host_network: Vec<HostNetworkContainer>,
    /// The running dockerd's process id, when the daemon configuration found it: its binary
    /// (`/proc/PID/exe`) is the one audit rules must watch.
    pub daemon_pid: Option<u32>,
    /// The running dockerd's `argv[0]`, used when `/proc/PID/exe` cannot be read and it is a path.
    pub daemon_arg0: Option<String>,
}

impl Default for HostInputs {
    fn default() -> Self {
        HostInputs {
            docker_root_dir: "/var/lib/docker".into(),
            daemon_json: "/etc/docker/daemon.json".into(),
            engine_socket: None,
            tls_files: Err(
                "the daemon's configuration was not read, so its TLS files are unknown".into(),
            ),
            host_network: Vec::new(),
            daemon_pid: None,
            daemon_arg0: None,
        }
    }
}

/// A running container on the host network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostNetworkContainer {
    /// Full container id.
    pub id: String,
    /// Host process ids of its processes (`State.Pid` and the engine's `top`).
    pub pids: Vec<u32>,
}

/// Reads every host fact under `root`. Blocking: run it off the async runtime.
pub fn collect_host(root: &Path, inputs: &HostInputs) -> HostFacts {
    let mut facts = collect_host_facts(root, inputs);
    facts.host_network_listeners = host_network_listeners(root, &inputs.host_network);
    facts
}

/// The listening sockets of each running host-network container, by container id. Blocking.
pub fn host_network_listeners(
    root: &Path,
    containers: &[HostNetworkContainer],
) -> BTreeMap<String, Fact<Vec<Listener>>> {
    let host = HostRoot::new(root);
    containers
        .iter()
        .map(|c| (c.id.clone(), listeners::container_listeners(&host, &c.pids)))
        .collect()
}

/// Every host fact but the host-network containers' listeners, which need the containers: so
/// the rest can be read while the engine is still answering. Blocking.
fn collect_host_facts(root: &Path, inputs: &HostInputs) -> HostFacts {
    let host = HostRoot::new(root);
    let passwd = host.read_text("/etc/passwd", 4 * 1024 * 1024);
    let group = host.read_text("/etc/group", 4 * 1024 * 1024);
    let accounts = Accounts::parse(
        passwd.as_ref().map(|(t, _)| t.as_str()).unwrap_or(""),
        group.as_ref().map(|(t, _)| t.as_str()).unwrap_or(""),
    );
    let docker_group: Fact<GroupMembers> = match &group {
        Ok(_) => Fact::Value(accounts.group_members(
            "docker",
            if passwd.is_ok() {
                "/etc/group and /etc/passwd"
            } else {
                "/etc/group (/etc/passwd unreadable: primary members unknown)"
            },
        )),
        Err(e) => Fact::Missing(host.why("/etc/group", e)),
    };
    let file_inputs = files::FileInputs {
        docker_root_dir: inputs.docker_root_dir.clone(),
        daemon_json: inputs.daemon_json.clone(),
        engine_socket: inputs.engine_socket.clone(),
        daemon_binary: daemon_binary(&host, inputs),
    };
    HostFacts {
        root: host.shown(),
        kernel_release: kernel::kernel_release(&host),
        docker_root_mount: docker_root_mount(&host, &inputs.docker_root_dir),
        docker_group,
        audit: audit::read_audit_rules(&host, host.is_slash()),
        files: files::docker_files(&host, &accounts, &file_inputs),
        tls_files: match &inputs.tls_files {
            Ok(paths) => Fact::Value(files::tls_files(&host, &accounts, paths)),
            Err(why) => Fact::Missing(why.clone()),
        },
        apparmor: kernel::apparmor(&host),
        selinux: kernel::selinux(&host),
        seccomp: kernel::seccomp(&host),
        cgroups: kernel::cgroups(&host),
        user_namespaces: kernel::user_namespaces(&host),
        host_network_listeners: BTreeMap::new(),
    }
}

/// The running dockerd's binary as the host sees it: the target of `/proc/PID/exe` (needs root),
/// else its `argv[0]` when that is an absolute path.
fn daemon_binary(host: &HostRoot, inputs: &HostInputs) -> Option<String> {
    inputs
        .daemon_pid
        .and_then(|pid| std::fs::read_link(host.local(&format!("/proc/{pid}/exe"))).ok())
        .map(|p| {
            p.to_string_lossy()
                .trim_end_matches(" (deleted)")
                .to_string()
        })
        .filter(|p| p.starts_with('/'))
        .or_else(|| inputs.daemon_arg0.clone().filter(|a| a.starts_with('/')))
}

/// The mount holding the Docker root directory, from the host init's mount table (falling back to
/// our own and to `/proc/mounts`).
fn docker_root_mount(host: &HostRoot, docker_root_dir: &str) -> Fact<DockerRootMount> {
    let resolved = host
        .resolve(docker_root_dir)
        .map(|r| r.host)
        .unwrap_or_else(|_| docker_root_dir.to_string());
    let mut reasons = Vec::new();
    for (path, mountinfo) in [
        ("/proc/1/mountinfo", true),
        ("/proc/self/mountinfo", true),
        ("/proc/mounts", false),
    ] {
        match host.read_text(path, 8 * 1024 * 1024) {
            Ok((text, _)) => {
                let mounts = if mountinfo {
                    mounts::parse_mountinfo(&text)
                } else {
                    mounts::parse_proc_mounts(&text)
                };
                match mounts::docker_root_mount(&mounts, docker_root_dir, &resolved, path) {
                    Some(m) => return Fact::Value(m),
                    None => reasons.push(format!("{path} has no root mount")),
                }
            }
            Err(e) => reasons.push(host.why(path, &e)),
        }
    }
    Fact::Missing(format!(
        "the mount table could not be read: {}",
        reasons.join("; ")
    ))
}

/// The host root to read for an engine: `--host-root` when given, else `/` for a local engine (a
/// unix socket); for a remote engine, why this machine says nothing about its host.
pub(crate) fn root_for(
    host_root: Option<&Path>,
    endpoint: &crate::connect::Endpoint,
) -> Result<PathBuf, String> {
    use crate::connect::Endpoint;
    match (host_root, endpoint) {
        (Some(root), _) => Ok(root.to_path_buf()),
        (None, Endpoint::Unix(_)) => Ok(PathBuf::from("/")),
        (None, other) => Err(format!(
            "the engine is remote ({}): this machine's files, kernel and firewall say nothing about its host; run dockaudit on that host, or pass --host-root with its root directory mounted",
            other.url()
        )),
    }
}

/// Host collection for one audit, in three steps so each starts as soon as what it needs is known:
/// the firewall needs nothing ([`HostCollection::start`]), the host facts need `/info` and the
/// daemon's configuration ([`HostCollection::read_facts`]), the listeners of host-network
/// containers need the containers ([`HostReading::finish`]).
pub(crate) struct HostCollection {
    /// The root and the firewall capture under way, or why the host is not read (a remote engine).
    started: Result<(PathBuf, JoinHandle<FirewallCapture>), String>,
}

/// Host collection with the host facts under way too.
pub(crate) struct HostReading {
    started: Result<(PathBuf, JoinHandle<FirewallCapture>, JoinHandle<HostFacts>), String>,
}

impl HostCollection {
    /// Starts capturing the firewall on a blocking thread, when the host is read at all. Call it
    /// inside the runtime.
    pub(crate) fn start(root: Result<PathBuf, String>) -> HostCollection {
        let started = root.map(|root| {
            let firewall = {
                let root = root.clone();
                tokio::task::spawn_blocking(move || {
                    firewall::capture_firewall(&HostRoot::new(&root))
                })
            };
            (root, firewall)
        });
        HostCollection { started }
    }

    /// Starts reading the host facts (all but the listeners) on a blocking thread.
    pub(crate) fn read_facts(
        self,
        endpoint: &crate::connect::Endpoint,
        info: Option<&dockaudit_snapshot::EngineInfo>,
        daemon_config: &Fact<dockaudit_snapshot::daemon::DaemonConfig>,
    ) -> HostReading {
        let started = self.started.map(|(root, firewall)| {
            let facts = {
                let (root, inputs) = (root.clone(), host_inputs(endpoint, info, daemon_config));
                tokio::task::spawn_blocking(move || collect_host_facts(&root, &inputs))
            };
            (root, firewall, facts)
        });
        HostReading { started }
    }
}

impl HostReading {
    /// Reads the listeners of the running host-network containers, waits for the rest, and
    /// gives the host facts and firewall with a gap for each fact that could not be read (or
    /// both missing with the reason, for a remote engine).
    pub(crate) async fn finish(
        self,
        containers: &[dockaudit_snapshot::Container],
    ) -> (Fact<HostFacts>, Fact<FirewallCapture>, Vec<Gap>) {
        let (root, firewall, facts) = match self.started {
            Ok(started) => started,
            Err(why) => return missing(&why),
        };
        let host_network = host_network(containers);
        let listeners =
            tokio::task::spawn_blocking(move || host_network_listeners(&root, &host_network));
        match tokio::try_join!(facts, firewall, listeners) {
            Ok((mut host, firewall, listeners)) => {
                host.host_network_listeners = listeners;
                let gaps = gaps_of(&host, &firewall);
                (Fact::Value(host), Fact::Value(firewall), gaps)
            }
            Err(e) => missing(&format!("host collection stopped: {e}")),
        }
    }
}

/// Host facts and firewall both missing, with one gap.
fn missing(why: &str) -> (Fact<HostFacts>, Fact<FirewallCapture>, Vec<Gap>) {
    let gaps = vec![gap("host facts and firewall", why)];
    (
        Fact::Missing(why.to_string()),
        Fact::Missing(why.to_string()),
        gaps,
    )
}

fn gap(what: &str, why: &str) -> Gap {
    Gap {
        what: what.to_string(),
        why: why.to_string(),
    }
}

/// A gap for every host fact and firewall capture that could not be read. Unreadable files are
/// one gap (with the first reason), not one each.
fn gaps_of(host: &HostFacts, firewall: &dockaudit_snapshot::firewall::FirewallCapture) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let mut missing = |what: &str, why: Option<&String>| {
        if let Some(why) = why {
            gaps.push(gap(what, why));
        }
    };
    missing("host kernel release", missing_reason(&host.kernel_release));
    missing(
        "host mount table (Docker root partition)",
        missing_reason(&host.docker_root_mount),
    );
    missing("host docker group", missing_reason(&host.docker_group));
    missing("host audit rules", missing_reason(&host.audit));
    missing("host AppArmor state", missing_reason(&host.apparmor));
    missing("host SELinux mode", missing_reason(&host.selinux));
    missing("host seccomp support", missing_reason(&host.seccomp));
    missing("host cgroup controllers", missing_reason(&host.cgroups));
    missing(
        "host user namespace settings",
        missing_reason(&host.user_namespaces),
    );
    let unreadable: Vec<&str> = host
        .files
        .iter()
        .filter_map(|f| missing_reason(&f.stat).map(|_| f.path.as_str()))
        .collect();
    if let Some(first) = host.files.iter().find_map(|f| missing_reason(&f.stat)) {
        missing(
            &format!("host files ({})", unreadable.join(", ")),
            Some(first),
        );
    }
    for (id, listeners) in &host.host_network_listeners {
        missing(
            &format!(
                "listening sockets of host-network container {}",
                id.get(..12).unwrap_or(id)
            ),
            missing_reason(listeners),
        );
    }
    for dump in &firewall.iptables {
        missing(
            &format!("firewall: {}", dump.tool),
            missing_reason(&dump.dump),
        );
    }
    missing(
        "firewall: nft -j list ruleset",
        missing_reason(&firewall.nftables),
    );
    missing("net.ipv4.ip_forward", missing_reason(&firewall.ip_forward));
    gaps
}

fn missing_reason<T>(fact: &Fact<T>) -> Option<&String> {
    match fact {
        Fact::Missing(why) => Some(why),
        Fact::Value(_) => None,
    }
}

/// What host collection takes from the engine's answers and the daemon's configuration (all but
/// the host-network containers, see [`host_network`]).
fn host_inputs(
    endpoint: &crate::connect::Endpoint,
    info: Option<&dockaudit_snapshot::EngineInfo>,
    daemon_config: &Fact<dockaudit_snapshot::daemon::DaemonConfig>,
) -> HostInputs {
    let mut inputs = HostInputs::default();
    if let Some(dir) = info
        .map(|i| i.docker_root_dir.as_str())
        .filter(|d| !d.is_empty())
    {
        inputs.docker_root_dir = dir.to_string();
    }
    if let crate::connect::Endpoint::Unix(path) = endpoint {
        inputs.engine_socket = Some(path.display().to_string());
    }
    match daemon_config {
        Fact::Value(config) => {
            if let Fact::Value(file) = &config.file {
                if !file.path.is_empty() {
                    inputs.daemon_json = file.path.clone();
                }
            }
            inputs.tls_files = Ok(tls_paths(config));
            if let Fact::Value(process) = &config.process {
                inputs.daemon_pid = Some(process.pid);
                inputs.daemon_arg0 = process.args.first().cloned();
            }
        }
        Fact::Missing(why) => {
            inputs.tls_files = Err(format!(
                "the daemon's configuration was not read ({why}), so its TLS files are unknown"
            ));
        }
    }
    inputs
}

/// The running containers on the host network, with their host process ids.
fn host_network(containers: &[dockaudit_snapshot::Container]) -> Vec<HostNetworkContainer> {
    containers
        .iter()
        .filter(|c| c.inspect.host_config.network_mode == "host" && c.inspect.state.running)
        .map(|c| HostNetworkContainer {
            id: c.inspect.id.clone(),
            pids: container_pids(c),
        })
        .collect()
}

/// The TLS files the daemon uses: the paths its configuration names; when TLS is on without them,
/// dockerd's defaults under its user's `~/.docker` (root's, for a system daemon).
fn tls_paths(config: &dockaudit_snapshot::daemon::DaemonConfig) -> Vec<(String, String)> {
    use dockaudit_snapshot::host::roles;
    let text = |key: &str| {
        config
            .settings
            .get(key)
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let on = |key: &str| config.settings.get(key).and_then(|s| s.as_bool()) == Some(true);
    let tls_on = on("tls") || on("tlsverify");
    let mut out = Vec::new();
    for (role, key, default) in [
        (roles::TLS_CA, "tlscacert", "/root/.docker/ca.pem"),
        (roles::TLS_CERT, "tlscert", "/root/.docker/cert.pem"),
        (roles::TLS_KEY, "tlskey", "/root/.docker/key.pem"),
    ] {
        match text(key) {
            Some(path) => out.push((role.to_string(), path)),
            None if tls_on => out.push((role.to_string(), default.to_string())),
            None => {}
        }
    }
    out
}

/// Host pids of a running container: `State.Pid` and the `PID` column of the engine's `top`.
fn container_pids(c: &dockaudit_snapshot::Container) -> Vec<u32> {
    let mut pids: Vec<u32> = Vec::new();
    if let Some(pid) = c
        .inspect
        .state
        .extra
        .get("Pid")
        .and_then(serde_json::Value::as_u64)
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| *p > 0)
    {
        pids.push(pid);
    }
    if let Some(Fact::Value(top)) = &c.top {
        if let Some(col) = top.titles.iter().position(|t| t == "PID") {
            pids.extend(
                top.processes
                    .iter()
                    .filter_map(|row| row.get(col)?.parse::<u32>().ok()),
            );
        }
    }
    pids.sort_unstable();
    pids.dedup();
    pids
}
