//! MNT002 sensitive-host-path-mounted: a bind mount exposes a sensitive host directory (`/`, `/etc`,
//! `/proc`, `/var/lib/docker`, home and backup directories, containerd's, CRI-O's and the kubelet's
//! state, Kubernetes' configuration, and credential stores such as `.ssh`, `.aws`, `.kube` or
//! `.docker` wherever they are… see [`facts::sensitive_host_path`]). A local volume created as a
//! bind of such a directory counts as the directory ([`facts::mount_host_path`]). Engine sockets
//! are left to MNT001.
//!
//! Severity follows what the container can do with it: Critical for a read-write mount of a path
//! whose write access is host takeover (`/`, `/etc`, `/boot`, `/root`, `/usr`, `/lib`, `/proc`,
//! `/sys`, `/dev`, `/var/lib/docker`, containerd's, CRI-O's and the kubelet's state, and a few files
//! and directories such as `/etc/shadow`, `/etc/cron.d`, `/root/.ssh`, `/sys/fs/cgroup`); High for
//! other read-write mounts, for the whole host filesystem `/` read-only (every secret on the host is
//! readable) and for a store of credentials read-only ([`facts::credential_store`]: reading is
//! enough to use them); Medium for other read-only mounts. One finding per container, naming the
//! worst mount; evidence lists them all.

use crate::prelude::*;
use dockaudit_snapshot::Mount;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MNT002",
        name: "sensitive-host-path-mounted",
        title: "Sensitive host directory mounted into a container",
        rationale: "A container that can write to host directories such as /, /etc, /boot, /usr, /var/lib/docker or /var/lib/kubelet can plant cron jobs, users, binaries or container configs and take over the host; read-only, it still reads host secrets, cloud and cluster credentials (.aws, .kube, /etc/kubernetes) and keys.",
        remediation: "Remove the bind mount of the host directory (`docker run -v /etc:/…`, compose: `volumes: [\"/etc:/…\"]`, or the local volume created with `--opt o=bind --opt device=/etc`); mount only the specific file or subdirectory the workload needs, read-only (`-v /srv/app/config:/config:ro`, compose: `\"/srv/app/config:/config:ro\"`), or use a named volume; give credentials to a container as a secret (`docker secret`, compose `secrets:`) scoped to what it needs.",
        category: Category::Mounts,
        severity: Severity::High,
        cis: &["5.6"],
        cis_v1_6: &["5.5"],
        references: &[
            "https://docs.docker.com/engine/storage/bind-mounts/",
            "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
            "https://cwe.mitre.org/data/definitions/668.html",
        ],
    },
    check,
};

/// Host paths whose write access from a container is a host takeover.
const CRITICAL_WHEN_WRITABLE: &[&str] = &[
    "/",
    "/etc",
    "/boot",
    "/root",
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/proc",
    "/sys",
    "/dev",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/containers",
    "/var/lib/kubelet",
    "/etc/kubernetes",
    "/etc/shadow",
    "/etc/passwd",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/crontab",
    "/etc/cron.d",
    "/etc/systemd",
    "/etc/ssh",
    "/etc/ld.so.preload",
    "/root/.ssh",
    "/proc/sys",
    "/sys/fs/cgroup",
    "/sys/kernel",
];

/// The severity of one sensitive mount of host path `source`.
pub(crate) fn mount_severity(source: &str, rw: bool) -> Severity {
    let source = facts::trim_path(source);
    match (rw, CRITICAL_WHEN_WRITABLE.contains(&source)) {
        (true, true) => Severity::Critical,
        (true, false) => Severity::High,
        (false, _) if source == "/" || facts::credential_store(source).is_some() => Severity::High,
        (false, _) => Severity::Medium,
    }
}

/// One sensitive mount: the mount, the host path it exposes, the sensitive directory that path is
/// (in), and how bad it is.
type Found<'a> = (&'a Mount, &'a str, &'static str, Severity);

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mut found: Vec<Found> = c
            .inspect
            .mounts
            .iter()
            .filter_map(|m| {
                let host = facts::mount_host_path(m, input.snapshot)?;
                if facts::is_engine_socket(host) {
                    return None;
                }
                let dir = facts::sensitive_host_path(host)?;
                Some((m, host, dir, mount_severity(host, m.rw)))
            })
            .collect();
        if found.is_empty() {
            return Verdict::Pass;
        }
        // Worst first; among equals, keep the engine's order (stable sort).
        found.sort_by_key(|f| std::cmp::Reverse(f.3));
        let (worst, worst_host, _, severity) = found[0];
        let access = if worst.rw { "read-write" } else { "read-only" };
        let through = if worst.kind == "volume" {
            format!(" (through volume {})", worst.name)
        } else {
            String::new()
        };
        let mut message = format!(
            "mounts {} {access} at {}{through}",
            facts::trim_path(worst_host),
            worst.destination
        );
        if found.len() > 1 {
            message.push_str(&format!(
                " (and {} more sensitive host path{})",
                found.len() - 1,
                if found.len() == 2 { "" } else { "s" }
            ));
        }
        let mounts: Vec<_> = found
            .iter()
            .map(|(m, host, dir, sev)| {
                json!({
                    "source": host,
                    "type": m.kind,
                    "destination": m.destination,
                    "rw": m.rw,
                    "sensitive": dir,
                    "severity": sev,
                })
            })
            .collect();
        Verdict::fail(message)
            .with_evidence(json!({"mounts": mounts, "State.Status": c.status()}))
            .with_severity(severity)
    });
}

/// The Compose check: a bind mount of a sensitive host directory (relative paths resolved against
/// the project directory), with the runtime rule's severities.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "MNT002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |p, s| {
        Some(
            crate::source::compose_mounts(p, s)
                .into_iter()
                .filter(|m| m.kind == "bind" && !facts::is_engine_socket(&m.source))
                .filter_map(|m| {
                    let dir = facts::sensitive_host_path(&m.source)?;
                    let access = if m.read_only { "read-only" } else { "read-write" };
                    Some(
                        crate::source::Hit::at(m.at, format!("mounts {} {access} at {} ({dir})", m.source, m.target))
                            .evidence(json!({"source": m.source, "target": m.target, "read_only": m.read_only}))
                            .severity(mount_severity(&m.source, !m.read_only)),
                    )
                })
                .collect(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities() {
        assert_eq!(mount_severity("/etc", true), Severity::Critical);
        assert_eq!(mount_severity("/etc/", true), Severity::Critical);
        assert_eq!(mount_severity("/var/lib/kubelet", true), Severity::Critical);
        assert_eq!(mount_severity("/etc/nginx", true), Severity::High);
        assert_eq!(mount_severity("/home/me", true), Severity::High);
        assert_eq!(mount_severity("/", false), Severity::High);
        assert_eq!(mount_severity("/etc", false), Severity::Medium);
        // Credentials are stolen by reading them.
        assert_eq!(mount_severity("/home/me/.aws", false), Severity::High);
        assert_eq!(mount_severity("/etc/kubernetes", false), Severity::High);
        assert_eq!(mount_severity("/home/me", false), Severity::Medium);
    }
}
