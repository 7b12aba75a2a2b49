//! Facts about the engine's host, read under a host root (`--host-root`, default `/`): the files CIS
//! sections 1 and 3 name (ownership, permission bits, presence), the partition holding the Docker
//! root directory, the `docker` group, audit rules, and the kernel's protections (AppArmor, SELinux,
//! seccomp, cgroups, user namespaces), plus the listening sockets of host-network containers.
//!
//! Every fact is a [`Fact`]: present, or missing with the reason (not root, remote engine, no
//! `/proc` access, tool not installed), so rules can skip instead of guessing. Paths are always the
//! host's own (`/etc/docker/daemon.json`), never prefixed with the root they were read under.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Fact;

/// Everything read from the engine's host.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HostFacts {
    /// The directory the host was read under (`/`, or `/host` from inside a container).
    pub root: String,
    /// Kernel release (`/proc/sys/kernel/osrelease`), e.g. `6.1.0-18-amd64`.
    pub kernel_release: Fact<String>,
    /// The mount that holds the Docker root directory (CIS 1.1.1).
    pub docker_root_mount: Fact<DockerRootMount>,
    /// Who is in the `docker` group (CIS 1.1.2).
    pub docker_group: Fact<GroupMembers>,
    /// The audit rules in force or configured (CIS 1.1.3–1.1.18).
    pub audit: Fact<AuditRules>,
    /// The files and directories CIS 1.1.x and 3.x name, present or absent.
    pub files: Vec<FileFact>,
    /// The daemon's TLS CA, certificate and key files (CIS 3.9–3.14). Missing while the daemon's
    /// configuration (which names them) was not read; empty when the daemon uses no TLS files.
    pub tls_files: Fact<Vec<FileFact>>,
    /// Whether AppArmor is enabled in the kernel.
    pub apparmor: Fact<AppArmor>,
    /// SELinux mode.
    pub selinux: Fact<Selinux>,
    /// Whether the kernel can filter system calls with seccomp.
    pub seccomp: Fact<Seccomp>,
    /// cgroup version and controllers.
    pub cgroups: Fact<Cgroups>,
    /// Whether user namespaces can be created.
    pub user_namespaces: Fact<UserNamespaces>,
    /// Listening sockets of each running host-network container, by container id.
    pub host_network_listeners: BTreeMap<String, Fact<Vec<Listener>>>,
}

/// The roles of [`FileFact`]s: which file CIS means, whatever its path on this host.
pub mod roles {
    /// The `docker.service` unit (every unit directory where one exists).
    pub const DOCKER_SERVICE: &str = "docker.service";
    /// Drop-ins of `docker.service` (`docker.service.d/*.conf`).
    pub const DOCKER_SERVICE_DROPIN: &str = "docker.service.d";
    /// The `docker.socket` unit.
    pub const DOCKER_SOCKET_UNIT: &str = "docker.socket";
    /// The `/etc/docker` directory.
    pub const ETC_DOCKER: &str = "etc-docker";
    /// A file under `/etc/docker/certs.d/<registry>/`.
    pub const REGISTRY_CERT: &str = "registry-cert";
    /// The engine's unix socket (`/var/run/docker.sock`, and the one dockaudit used).
    pub const DOCKER_SOCK: &str = "docker.sock";
    /// The daemon's `daemon.json`.
    pub const DAEMON_JSON: &str = "daemon.json";
    /// `/etc/default/docker`.
    pub const ETC_DEFAULT_DOCKER: &str = "etc-default-docker";
    /// `/etc/sysconfig/docker`.
    pub const ETC_SYSCONFIG_DOCKER: &str = "etc-sysconfig-docker";
    /// containerd's socket.
    pub const CONTAINERD_SOCK: &str = "containerd.sock";
    /// The `dockerd` binary.
    pub const DOCKERD: &str = "dockerd";
    /// The `/run/containerd` directory.
    pub const RUN_CONTAINERD: &str = "run-containerd";
    /// The Docker root directory (`/var/lib/docker`).
    pub const DOCKER_ROOT: &str = "docker-root";
    /// `/etc/containerd/config.toml`.
    pub const CONTAINERD_CONFIG: &str = "containerd-config";
    /// The `containerd` binary.
    pub const CONTAINERD: &str = "containerd";
    /// The `containerd-shim` binary.
    pub const CONTAINERD_SHIM: &str = "containerd-shim";
    /// The `containerd-shim-runc-v1` binary.
    pub const CONTAINERD_SHIM_RUNC_V1: &str = "containerd-shim-runc-v1";
    /// The `containerd-shim-runc-v2` binary.
    pub const CONTAINERD_SHIM_RUNC_V2: &str = "containerd-shim-runc-v2";
    /// The `runc` binary.
    pub const RUNC: &str = "runc";
    /// The daemon's TLS CA certificate (`--tlscacert`).
    pub const TLS_CA: &str = "tls-ca";
    /// The daemon's TLS certificate (`--tlscert`).
    pub const TLS_CERT: &str = "tls-cert";
    /// The daemon's TLS key (`--tlskey`).
    pub const TLS_KEY: &str = "tls-key";
}

/// The value of a fact nothing filled in (an older snapshot, or a collector that stopped early).
fn not_collected<T>() -> Fact<T> {
    Fact::Missing("not collected".into())
}

impl Default for HostFacts {
    fn default() -> Self {
        HostFacts {
            root: String::new(),
            kernel_release: not_collected(),
            docker_root_mount: not_collected(),
            docker_group: not_collected(),
            audit: not_collected(),
            files: Vec::new(),
            tls_files: not_collected(),
            apparmor: not_collected(),
            selinux: not_collected(),
            seccomp: not_collected(),
            cgroups: not_collected(),
            user_namespaces: not_collected(),
            host_network_listeners: BTreeMap::new(),
        }
    }
}

impl HostFacts {
    /// The file facts with this role (`docker.service`, `docker.sock`…), in collection order.
    pub fn files_with_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a FileFact> {
        self.files.iter().filter(move |f| f.role == role)
    }
}

/// The mount holding the Docker root directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DockerRootMount {
    /// The Docker root directory as the engine reported it (`/var/lib/docker`).
    pub docker_root_dir: String,
    /// The same directory with symlinks resolved, when it differs.
    pub resolved_dir: String,
    /// Mount point of the filesystem that holds it (`/` when it has none of its own).
    pub mount_point: String,
    /// Device: `major:minor` from mountinfo, or the mount source from `/proc/mounts`.
    pub device: String,
    /// Filesystem type (`ext4`, `xfs`).
    pub fs_type: String,
    /// Device of the root filesystem, for comparison.
    pub root_device: String,
    /// Whether the directory is on a filesystem of its own: a mount below `/` whose device is not
    /// the root filesystem's (a bind mount of a directory of `/` is not a separate partition).
    pub separate: bool,
    /// Where the mount table was read (`/proc/1/mountinfo`).
    pub source: String,
}

/// Members of a group, from the host's `/etc/group` and `/etc/passwd`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct GroupMembers {
    /// Group name (`docker`).
    pub name: String,
    /// Whether the group exists in `/etc/group`.
    pub exists: bool,
    /// Its numeric id.
    pub gid: Option<u32>,
    /// Users listed as members in `/etc/group`.
    pub members: Vec<String>,
    /// Users whose primary group it is (`/etc/passwd`).
    pub primary_members: Vec<String>,
    /// Where this was read; directory services (LDAP, sssd) are not consulted.
    pub source: String,
}

impl GroupMembers {
    /// Every member, listed or primary, sorted and without repeats.
    pub fn all_members(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .members
            .iter()
            .chain(&self.primary_members)
            .map(String::as_str)
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Audit rules and where they came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct AuditRules {
    /// `auditctl -l` (rules loaded in the kernel), or the rule files read (configured rules).
    pub source: String,
    /// Every rule line, comments and blanks removed (bounded).
    pub lines: Vec<String>,
    /// The paths the rules watch (`-w PATH`, `-F path=PATH`, `-F dir=PATH`).
    pub watches: Vec<AuditWatch>,
}

/// One path an audit rule watches.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AuditWatch {
    /// The watched path.
    pub path: String,
    /// Whether it covers everything below the path (`-w DIR`, `-F dir=`).
    pub recursive: bool,
    /// The rule as written.
    pub rule: String,
}

impl AuditRules {
    /// The rule that watches `path`: one on the path itself, or a recursive one on a directory
    /// above it (`-w /etc/docker` covers `/etc/docker/daemon.json`).
    pub fn watch_for(&self, path: &str) -> Option<&AuditWatch> {
        let path = path.trim_end_matches('/');
        self.watches.iter().find(|w| {
            let watched = w.path.trim_end_matches('/');
            watched == path
                || (w.recursive && (watched.is_empty() || path.starts_with(&format!("{watched}/"))))
        })
    }
}

/// A file CIS names, as found on the host.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileFact {
    /// What the file is (`docker.service`, `docker.socket`, `/etc/docker`, `docker.sock`,
    /// `daemon.json`, `registry-cert`, `tls-ca`…); see the collector for the full list.
    pub role: String,
    /// The path on the host.
    pub path: String,
    /// `Value(Some)`: present; `Value(None)`: absent; `Missing`: could not be told (permission).
    pub stat: Fact<Option<FileStat>>,
}

/// Ownership and mode of a present file (symlinks followed).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct FileStat {
    /// `file`, `dir`, `socket`, `symlink`, `other`.
    pub kind: String,
    /// Permission bits including setuid/setgid/sticky (`mode & 0o7777`).
    pub mode: u32,
    /// Owner's user id.
    pub uid: u32,
    /// Owner's group id.
    pub gid: u32,
    /// Owner's name from the host's `/etc/passwd`, when listed.
    pub user: Option<String>,
    /// Group's name from the host's `/etc/group`, when listed.
    pub group: Option<String>,
    /// Where a symlink on the way pointed, when the path was one.
    pub link_target: Option<String>,
}

impl FileStat {
    /// The mode as `chmod` writes it: `0644`.
    pub fn mode_octal(&self) -> String {
        format!("{:04o}", self.mode)
    }

    /// Bits set beyond `allowed` (`0o644` allows rw-r--r--): empty means at least as strict.
    /// Compares bits, never numbers: 0700 is stricter than 0644 though the number is larger.
    pub fn excess_bits(&self, allowed: u32) -> u32 {
        self.mode & 0o7777 & !allowed
    }

    /// `root:docker` with names where known, ids otherwise.
    pub fn owner(&self) -> String {
        let user = self.user.clone().unwrap_or_else(|| self.uid.to_string());
        let group = self.group.clone().unwrap_or_else(|| self.gid.to_string());
        format!("{user}:{group}")
    }
}

/// AppArmor state.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AppArmor {
    /// `/sys/module/apparmor/parameters/enabled` says `Y`.
    pub enabled: bool,
    /// What was read, e.g. `Y`, or `no apparmor module`.
    pub detail: String,
}

/// SELinux state.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Selinux {
    /// `enforcing`, `permissive` or `disabled`.
    pub mode: String,
}

/// seccomp support in the kernel.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Seccomp {
    /// The kernel has seccomp (`Seccomp:` in `/proc/self/status`).
    pub available: bool,
    /// The kernel has seccomp filters (BPF), which Docker's profiles need
    /// (`/proc/sys/kernel/seccomp/actions_avail`).
    pub filter: bool,
    /// What was read.
    pub detail: String,
}

/// cgroup setup.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Cgroups {
    /// `v1`, `v2`, or `hybrid` (v1 controllers with an empty v2 hierarchy beside them).
    pub version: String,
    /// Controllers available to containers: v2 `cgroup.controllers`, or v1 controllers enabled
    /// in `/proc/cgroups` with a mounted hierarchy.
    pub controllers: Vec<String>,
    /// The memory controller is on (memory limits are enforced).
    pub memory: bool,
    /// The pids controller is on (`--pids-limit` is enforced).
    pub pids: bool,
    /// What was read.
    pub source: String,
}

/// User namespace settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct UserNamespaces {
    /// `/proc/sys/user/max_user_namespaces`; 0 disables user namespaces altogether.
    pub max_user_namespaces: Option<u64>,
    /// `kernel.unprivileged_userns_clone` (Debian and Ubuntu kernels), when the kernel has it.
    pub unprivileged_userns_clone: Option<bool>,
    /// User namespaces can be created (by root at least): `userns-remap` and rootless work.
    pub enabled: bool,
}

/// A listening socket.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default)]
pub struct Listener {
    /// `tcp`, `tcp6`, `udp`, `udp6`.
    pub proto: String,
    /// Local address (`0.0.0.0`, `::`, `127.0.0.1`).
    pub address: String,
    /// Local port.
    pub port: u16,
}

impl Listener {
    /// Whether it listens on every interface (`0.0.0.0` or `::`).
    pub fn on_all_interfaces(&self) -> bool {
        matches!(self.address.as_str(), "0.0.0.0" | "::")
    }

    /// `0.0.0.0:8080/tcp`, `[::]:53/udp6`.
    pub fn display(&self) -> String {
        if self.address.contains(':') {
            format!("[{}]:{}/{}", self.address, self.port, self.proto)
        } else {
            format!("{}:{}/{}", self.address, self.port, self.proto)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stricter_modes_have_no_excess_bits_whatever_their_number() {
        let stat = |mode| FileStat {
            mode,
            ..FileStat::default()
        };
        assert_eq!(stat(0o700).excess_bits(0o644), 0o100);
        assert_eq!(stat(0o600).excess_bits(0o644), 0);
        assert_eq!(stat(0o400).excess_bits(0o644), 0);
        assert_eq!(stat(0o660).excess_bits(0o644), 0o020);
        assert_eq!(stat(0o4644).excess_bits(0o644), 0o4000);
        assert_eq!(stat(0o755).excess_bits(0o755), 0);
        assert_eq!(stat(0o750).excess_bits(0o755), 0);
    }

    #[test]
    fn a_directory_watch_covers_what_is_below_it_and_a_file_watch_only_itself() {
        let rules = AuditRules {
            watches: vec![
                AuditWatch {
                    path: "/etc/docker".into(),
                    recursive: true,
                    rule: "-w /etc/docker -k docker".into(),
                },
                AuditWatch {
                    path: "/usr/bin/dockerd".into(),
                    recursive: false,
                    rule: "-w /usr/bin/dockerd -k docker".into(),
                },
            ],
            ..AuditRules::default()
        };
        assert!(rules.watch_for("/etc/docker/daemon.json").is_some());
        assert!(rules.watch_for("/etc/docker").is_some());
        assert!(rules.watch_for("/etc/dockerfoo").is_none());
        assert!(rules.watch_for("/usr/bin/dockerd").is_some());
        assert!(rules.watch_for("/usr/bin/dockerd/x").is_none());
    }

    #[test]
    fn missing_facts_say_so_by_default() {
        let facts: HostFacts = serde_json::from_str(r#"{"root":"/"}"#).expect("parses");
        assert!(matches!(facts.apparmor, Fact::Missing(_)));
        assert!(facts.files.is_empty());
    }
}
