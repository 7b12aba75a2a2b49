//! MNT002 sensitive-host-path-mounted: a bind mount exposes a sensitive host directory (`/`, `/etc`,
//! `/proc`, `/var/lib/docker`, home and backup directories… see [`facts::sensitive_host_path`]).
//! Engine sockets are left to MNT001.
//!
//! Severity follows what the container can do with it: Critical for a read-write mount of a path
//! whose write access is host takeover (`/`, `/etc`, `/boot`, `/root`, `/usr`, `/lib`, `/proc`,
//! `/sys`, `/dev`, `/var/lib/docker`, and a few files and directories such as `/etc/shadow`,
//! `/etc/cron.d`, `/root/.ssh`, `/sys/fs/cgroup`); High for other read-write mounts and for the
//! whole host filesystem `/` read-only (every secret on the host is readable); Medium for other
//! read-only mounts. One finding per container, naming the worst mount; evidence lists them all.

use crate::prelude::*;
use dockaudit_snapshot::Mount;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MNT002",
        name: "sensitive-host-path-mounted",
        title: "Sensitive host directory mounted into a container",
        rationale: "A container that can write to host directories such as /, /etc, /boot, /usr or /var/lib/docker can plant cron jobs, users, binaries or container configs and take over the host; read-only, it still reads host secrets and keys.",
        remediation: "Remove the bind mount of the host directory (`docker run -v /etc:/…`, compose: `volumes: [\"/etc:/…\"]`); mount only the specific file or subdirectory the workload needs, read-only (`-v /srv/app/config:/config:ro`, compose: `\"/srv/app/config:/config:ro\"`), or use a named volume.",
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

/// `/etc/` → `/etc`, `` → `/`.
fn normalized(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// The severity of one sensitive bind mount.
fn mount_severity(m: &Mount) -> Severity {
    let source = normalized(&m.source);
    match (m.rw, CRITICAL_WHEN_WRITABLE.contains(&source)) {
        (true, true) => Severity::Critical,
        (true, false) => Severity::High,
        (false, _) if source == "/" => Severity::High,
        (false, _) => Severity::Medium,
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mut found: Vec<(&Mount, &str, Severity)> = c
            .inspect
            .mounts
            .iter()
            .filter(|m| m.kind == "bind" && !facts::is_engine_socket(&m.source))
            .filter_map(|m| {
                facts::sensitive_host_path(&m.source).map(|dir| (m, dir, mount_severity(m)))
            })
            .collect();
        if found.is_empty() {
            return Verdict::Pass;
        }
        // Worst first; among equals, keep the engine's order (stable sort).
        found.sort_by_key(|f| std::cmp::Reverse(f.2));
        let (worst, _, severity) = found[0];
        let access = if worst.rw { "read-write" } else { "read-only" };
        let mut message = format!(
            "mounts {} {access} at {}",
            normalized(&worst.source),
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
            .map(|(m, dir, sev)| {
                json!({
                    "source": m.source,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(source: &str, rw: bool) -> Mount {
        Mount {
            kind: "bind".into(),
            source: source.into(),
            rw,
            ..Mount::default()
        }
    }

    #[test]
    fn severities() {
        assert_eq!(mount_severity(&bind("/etc", true)), Severity::Critical);
        assert_eq!(mount_severity(&bind("/etc/", true)), Severity::Critical);
        assert_eq!(mount_severity(&bind("/etc/nginx", true)), Severity::High);
        assert_eq!(mount_severity(&bind("/home/me", true)), Severity::High);
        assert_eq!(mount_severity(&bind("/", false)), Severity::High);
        assert_eq!(mount_severity(&bind("/etc", false)), Severity::Medium);
    }
}
