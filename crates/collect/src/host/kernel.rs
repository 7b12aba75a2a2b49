//! The kernel's protections, read from `/proc` and `/sys` under the host root: release, AppArmor,
//! SELinux, seccomp, cgroups (version and the memory and pids controllers), user namespaces.
//!
//! "Absent" and "cannot tell" differ: no `apparmor` module under a readable `/sys/module` means
//! AppArmor is off; no `/sys` at all under the root means the fact is missing.

use std::io;

use dockaudit_snapshot::host::{AppArmor, Cgroups, Seccomp, Selinux, UserNamespaces};
use dockaudit_snapshot::Fact;

use super::rootfs::HostRoot;

/// Kernel release (`/proc/sys/kernel/osrelease`).
pub fn kernel_release(host: &HostRoot) -> Fact<String> {
    match host.read_small("/proc/sys/kernel/osrelease") {
        Ok(v) if !v.is_empty() => Fact::Value(v),
        Ok(_) => Fact::Missing("/proc/sys/kernel/osrelease is empty".into()),
        Err(e) => Fact::Missing(host.why("/proc/sys/kernel/osrelease", &e)),
    }
}

/// Whether `/sys` is there to read at all; the reason when not.
fn sys_available(host: &HostRoot, dir: &str) -> Result<(), String> {
    match host.resolve(dir).and_then(|r| std::fs::metadata(r.local)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!(
            "{dir} is not available under {} (is /sys mounted there?)",
            host.shown()
        )),
        Err(e) => Err(host.why(dir, &e)),
    }
}

/// AppArmor: `/sys/module/apparmor/parameters/enabled` is `Y`.
pub fn apparmor(host: &HostRoot) -> Fact<AppArmor> {
    if let Err(why) = sys_available(host, "/sys/module") {
        return Fact::Missing(why);
    }
    let path = "/sys/module/apparmor/parameters/enabled";
    match host.read_small(path) {
        Ok(v) => Fact::Value(AppArmor {
            enabled: v == "Y",
            detail: format!("{path}: {v}"),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Fact::Value(AppArmor {
            enabled: false,
            detail: "the kernel has no apparmor module".into(),
        }),
        Err(e) => Fact::Missing(host.why(path, &e)),
    }
}

/// SELinux: `/sys/fs/selinux/enforce` is `1` (enforcing) or `0` (permissive); absent: disabled.
pub fn selinux(host: &HostRoot) -> Fact<Selinux> {
    if let Err(why) = sys_available(host, "/sys/fs") {
        return Fact::Missing(why);
    }
    let path = "/sys/fs/selinux/enforce";
    match host.read_small(path) {
        Ok(v) => Fact::Value(Selinux {
            mode: match v.as_str() {
                "1" => "enforcing",
                "0" => "permissive",
                _ => "unknown",
            }
            .into(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Fact::Value(Selinux {
            mode: "disabled".into(),
        }),
        Err(e) => Fact::Missing(host.why(path, &e)),
    }
}

/// Parses seccomp support from a `/proc/PID/status` text and whether
/// `/proc/sys/kernel/seccomp/actions_avail` exists (with its text).
pub fn parse_seccomp(status: &str, actions_avail: Option<&str>) -> Seccomp {
    let mode = status
        .lines()
        .find_map(|l| l.strip_prefix("Seccomp:"))
        .map(str::trim);
    let available = mode.is_some();
    let filter = actions_avail.is_some();
    let detail = match (mode, actions_avail) {
        (Some(m), Some(a)) => format!("Seccomp: {m} in /proc/self/status; actions_avail: {a}"),
        (Some(m), None) => {
            format!("Seccomp: {m} in /proc/self/status; no /proc/sys/kernel/seccomp/actions_avail")
        }
        (None, _) => "no Seccomp line in /proc/self/status: the kernel has no seccomp".into(),
    };
    Seccomp {
        available,
        filter: available && filter,
        detail,
    }
}

/// seccomp: the `Seccomp:` line of `/proc/self/status` (CONFIG_SECCOMP), and
/// `/proc/sys/kernel/seccomp/actions_avail` (filter mode, which Docker's profiles use).
pub fn seccomp(host: &HostRoot) -> Fact<Seccomp> {
    let status = match host.read_small("/proc/self/status") {
        Ok(s) => s,
        Err(e) => return Fact::Missing(host.why("/proc/self/status", &e)),
    };
    let actions = host
        .read_small("/proc/sys/kernel/seccomp/actions_avail")
        .ok();
    Fact::Value(parse_seccomp(&status, actions.as_deref()))
}

/// Parses `/proc/cgroups`: the v1 controllers that are enabled and mounted (hierarchy ≠ 0).
pub fn parse_proc_cgroups(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && f[1] != "0" && f[3] == "1").then(|| f[0].to_string())
        })
        .collect()
}

/// cgroups: v2 when `/sys/fs/cgroup/cgroup.controllers` exists (its controllers), otherwise v1
/// controllers from `/proc/cgroups` ("hybrid" when an empty v2 hierarchy sits beside them).
pub fn cgroups(host: &HostRoot) -> Fact<Cgroups> {
    if let Err(why) = sys_available(host, "/sys/fs/cgroup") {
        return Fact::Missing(why);
    }
    let v2 = "/sys/fs/cgroup/cgroup.controllers";
    let (version, controllers, source) = match host.read_small(v2) {
        Ok(text) => (
            "v2",
            text.split_whitespace().map(str::to_string).collect(),
            v2.to_string(),
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let version = if host.exists("/sys/fs/cgroup/unified") {
                "hybrid"
            } else {
                "v1"
            };
            match host.read_small("/proc/cgroups") {
                Ok(text) => (version, parse_proc_cgroups(&text), "/proc/cgroups".into()),
                Err(e) => return Fact::Missing(host.why("/proc/cgroups", &e)),
            }
        }
        Err(e) => return Fact::Missing(host.why(v2, &e)),
    };
    let controllers: Vec<String> = controllers;
    Fact::Value(Cgroups {
        version: version.into(),
        memory: controllers.iter().any(|c| c == "memory"),
        pids: controllers.iter().any(|c| c == "pids"),
        controllers,
        source,
    })
}

/// User namespaces: `/proc/sys/user/max_user_namespaces` (0 disables them) and, where the kernel
/// has it, `kernel.unprivileged_userns_clone`.
pub fn user_namespaces(host: &HostRoot) -> Fact<UserNamespaces> {
    let path = "/proc/sys/user/max_user_namespaces";
    let max = match host.read_small(path) {
        Ok(v) => match v.parse::<u64>() {
            Ok(n) => n,
            Err(_) => return Fact::Missing(format!("{path} is not a number: {v:?}")),
        },
        Err(e) => return Fact::Missing(host.why(path, &e)),
    };
    let clone = host
        .read_small("/proc/sys/kernel/unprivileged_userns_clone")
        .ok()
        .map(|v| v != "0");
    Fact::Value(UserNamespaces {
        max_user_namespaces: Some(max),
        unprivileged_userns_clone: clone,
        enabled: max > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seccomp_and_cgroup_texts() {
        let s = parse_seccomp(
            "Name:\tcat\nSeccomp:\t0\nSeccomp_filters:\t0\n",
            Some("kill allow"),
        );
        assert!(s.available && s.filter);
        let s = parse_seccomp("Name:\tcat\n", None);
        assert!(!s.available && !s.filter);
        let c = parse_proc_cgroups(
            "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t2\t1\nmemory\t4\t37\t1\nnet_cls\t0\t2\t1\npids\t8\t2\t0\n",
        );
        assert_eq!(c, vec!["cpu", "memory"]);
    }
}
