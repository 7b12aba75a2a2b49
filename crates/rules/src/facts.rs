//! Facts several rules derive the same way: who is root, Docker's default capabilities, which host
//! paths are sensitive, which ports a container publishes. One definition each, so rules agree.

use dockaudit_snapshot::{Container, PortBinding};

/// Whether a `User` value means root: empty (the default), `root`, `0`, with any group.
pub fn is_root_user(user: &str) -> bool {
    let user_part = user.split(':').next().unwrap_or("").trim();
    matches!(user_part, "" | "root" | "0")
}

/// The capabilities Docker grants every container unless dropped (moby's `DefaultCapabilities`).
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Capabilities that amount to (or lead straight to) root on the host.
pub const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "SYS_BOOT",
    "BPF",
    "PERFMON",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

/// `cap_sys_admin` / `CAP_SYS_ADMIN` / `SYS_ADMIN` → `SYS_ADMIN`.
pub fn normalize_capability(cap: &str) -> String {
    let upper = cap.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

/// Capabilities a container adds beyond Docker's defaults, normalised and sorted.
pub fn added_capabilities(c: &Container) -> Vec<String> {
    let mut caps: Vec<String> = c
        .inspect
        .host_config
        .cap_add
        .iter()
        .map(|cap| normalize_capability(cap))
        .filter(|cap| !DEFAULT_CAPABILITIES.contains(&cap.as_str()))
        .collect();
    caps.sort();
    caps.dedup();
    caps
}

/// Host paths whose exposure gives a container power over the host (CIS 5.6), as mount sources.
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/sys",
    "/usr",
    "/bin",
    "/sbin",
    "/root",
    "/home",
    "/var/lib/docker",
    "/run",
    "/var/run",
    "/var/log",
    "/backup",
    "/backups",
    "/var/backups",
    "/srv/backup",
    "/srv/backups",
    "/mnt/backup",
    "/mnt/backups",
];

/// Whether a host path is (inside) a sensitive directory: the directory itself or anything under
/// it, except `/`, which only matches itself (everything is under `/`).
pub fn sensitive_host_path(source: &str) -> Option<&'static str> {
    let source = source.trim_end_matches('/');
    let source = if source.is_empty() { "/" } else { source };
    SENSITIVE_HOST_PATHS.iter().copied().find(|p| {
        if *p == "/" {
            source == "/"
        } else {
            source == *p || source.starts_with(&format!("{p}/"))
        }
    })
}

/// Whether a host path is an engine API socket (or a directory holding one).
pub fn is_engine_socket(source: &str) -> bool {
    let source = source.trim_end_matches('/');
    source.ends_with("docker.sock")
        || source.ends_with("podman.sock")
        || source.ends_with("containerd.sock")
        || source.ends_with("crio.sock")
        || matches!(
            source,
            "/var/run" | "/run" | "/var/run/docker" | "/run/docker"
        )
}

/// One published port: container port (`80/tcp`) and the host binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// `80/tcp`.
    pub container_port: String,
    /// Where the host listens.
    pub binding: PortBinding,
}

impl Published {
    /// The host port as a number (None for an engine-chosen port not yet assigned).
    pub fn host_port(&self) -> Option<u16> {
        self.binding.host_port.parse().ok().filter(|p| *p != 0)
    }

    /// `0.0.0.0:8080->80/tcp`, as `docker ps` shows it.
    pub fn display(&self) -> String {
        let ip = if self.binding.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &self.binding.host_ip
        };
        let ip = if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.to_string()
        };
        let port = if self.binding.host_port.is_empty() {
            "(any)"
        } else {
            &self.binding.host_port
        };
        format!("{ip}:{port}->{}", self.container_port)
    }
}

/// Every port a container publishes on the host. For a running container that is what the engine
/// bound (`NetworkSettings.Ports`, which includes `-P` choices); for any other state, what it will
/// bind when started (`HostConfig.PortBindings`).
pub fn published_ports(c: &Container) -> Vec<Published> {
    let running_map = &c.inspect.network_settings.ports;
    let map = if c.inspect.state.running && running_map.values().any(Option::is_some) {
        running_map
    } else {
        &c.inspect.host_config.port_bindings
    };
    let mut out = Vec::new();
    for (container_port, bindings) in map {
        for b in bindings.iter().flatten() {
            out.push(Published {
                container_port: container_port.clone(),
                binding: b.clone(),
            });
        }
    }
    out
}

/// Whether the container shares a host namespace through a `*Mode` value of `host`.
pub fn is_host_mode(mode: &str) -> bool {
    mode == "host"
}

/// Human-readable bytes: `1.5 GiB`.
pub fn human_bytes(bytes: i64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", bytes.max(0))
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_user_forms() {
        for u in ["", "root", "0", "0:0", "root:staff"] {
            assert!(is_root_user(u), "{u}");
        }
        for u in ["1000", "app", "1000:1000", "nobody"] {
            assert!(!is_root_user(u), "{u}");
        }
    }

    #[test]
    fn sensitive_paths_match_subdirectories_but_not_lookalikes() {
        assert_eq!(sensitive_host_path("/etc/nginx"), Some("/etc"));
        assert_eq!(sensitive_host_path("/"), Some("/"));
        assert_eq!(sensitive_host_path("/etcetera"), None);
        assert_eq!(sensitive_host_path("/srv/app"), None);
        assert_eq!(sensitive_host_path("/home/"), Some("/home"));
    }

    #[test]
    fn bytes_are_readable() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
