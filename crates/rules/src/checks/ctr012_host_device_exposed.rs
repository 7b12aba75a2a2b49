//! CTR012 host-device-exposed: host devices are passed into the container (`--device`) or allowed by
//! device cgroup rules (`--device-cgroup-rule`).
//!
//! Block devices (disks, partitions, loop and mapper devices), memory and kernel devices
//! (`/dev/mem`, `/dev/kmem`, `/dev/port`, `/dev/kmsg`) and rules that allow all or block devices
//! are High: they read or rewrite the host's data or kernel directly. Other character devices
//! (a GPU, a serial port, `/dev/null`) are Medium.

use crate::prelude::*;
use dockaudit_snapshot::Device;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR012",
        name: "host-device-exposed",
        title: "Host devices are passed into the container",
        rationale: "A host device inside a container bypasses the filesystem and namespace isolation: a disk exposes every file on it, /dev/mem and /dev/kmsg the kernel, and any device widens the kernel attack surface.",
        remediation: "Remove the --device and --device-cgroup-rule flags the workload does not need (compose: `devices:` and `device_cgroup_rules:`); pass a single device read-only where possible (`--device /dev/X:/dev/X:r`), never a whole disk.",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.18"],
        cis_v1_6: &["5.17"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#device",
            "https://docs.docker.com/reference/cli/docker/container/run/#device-cgroup-rule",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

/// Device nodes that give access to physical memory or the kernel.
const KERNEL_DEVICES: &[&str] = &["/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg"];

/// Name prefixes of block devices under `/dev`.
const BLOCK_PREFIXES: &[&str] = &[
    "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "loop", "dm-", "md", "sr", "nbd", "rbd", "zd",
];

/// Why a host device path is dangerous, if it is.
fn dangerous_device(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    if KERNEL_DEVICES.contains(&path) {
        return Some("kernel memory device");
    }
    if path.starts_with("/dev/mapper/") || path.starts_with("/dev/disk/") {
        return Some("block device");
    }
    let name = path.strip_prefix("/dev/")?;
    if name.contains('/') {
        return None;
    }
    BLOCK_PREFIXES
        .iter()
        .any(|p| name.starts_with(p))
        .then_some("block device")
}

/// Whether a device cgroup rule (`TYPE MAJOR:MINOR PERMS`) allows all devices, block devices, or
/// the memory devices (char major 1: mem, kmem, port, kmsg).
fn dangerous_rule(rule: &str) -> bool {
    let mut parts = rule.split_whitespace();
    let kind = parts.next().unwrap_or("");
    let numbers = parts.next().unwrap_or("");
    let (major, minor) = numbers.split_once(':').unwrap_or((numbers, ""));
    match kind {
        "a" | "b" => true,
        "c" => major == "*" || (major == "1" && matches!(minor, "*" | "1" | "2" | "4" | "11")),
        _ => false,
    }
}

fn describe(d: &Device) -> String {
    let inside = if d.path_in_container.is_empty() {
        &d.path_on_host
    } else {
        &d.path_in_container
    };
    let perms = if d.cgroup_permissions.is_empty() {
        "rwm"
    } else {
        &d.cgroup_permissions
    };
    format!("{}:{inside}:{perms}", d.path_on_host)
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let hc = &c.inspect.host_config;
        if hc.devices.is_empty() && hc.device_cgroup_rules.is_empty() {
            return Verdict::Pass;
        }
        let devices: Vec<String> = hc.devices.iter().map(describe).collect();
        let worst_device = hc
            .devices
            .iter()
            .find_map(|d| dangerous_device(&d.path_on_host).map(|why| (d, why)));
        let worst_rule = hc.device_cgroup_rules.iter().find(|r| dangerous_rule(r));
        let mut parts = Vec::new();
        if !devices.is_empty() {
            parts.push(format!("host devices {}", devices.join(", ")));
        }
        if !hc.device_cgroup_rules.is_empty() {
            parts.push(format!(
                "device cgroup rules {}",
                hc.device_cgroup_rules.join(", ")
            ));
        }
        let mut message = format!("exposes {}", parts.join(" and "));
        if let Some((d, why)) = worst_device {
            message.push_str(&format!(" ({} is a {why})", d.path_on_host));
        } else if let Some(rule) = worst_rule {
            message.push_str(&format!(" (rule {rule:?} allows block or memory devices)"));
        }
        let verdict = Verdict::fail(message).with_evidence(json!({
            "devices": devices,
            "device_cgroup_rules": hc.device_cgroup_rules,
            "State.Status": c.status(),
        }));
        if worst_device.is_some() || worst_rule.is_some() {
            verdict
        } else {
            verdict.with_severity(Severity::Medium)
        }
    });
}

/// The Compose check: `devices:` entries.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR012",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            s.list("devices")
                .into_iter()
                .map(|(d, at)| {
                    crate::source::Hit::at(at, format!("devices: {d}"))
                        .evidence(json!({"device": d}))
                })
                .collect(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_classified() {
        for p in [
            "/dev/sda",
            "/dev/sda1",
            "/dev/nvme0n1",
            "/dev/mapper/root",
            "/dev/loop0",
        ] {
            assert_eq!(dangerous_device(p), Some("block device"), "{p}");
        }
        assert_eq!(dangerous_device("/dev/mem"), Some("kernel memory device"));
        assert_eq!(dangerous_device("/dev/kmsg"), Some("kernel memory device"));
        for p in [
            "/dev/null",
            "/dev/snd/pcmC0D0p",
            "/dev/ttyUSB0",
            "/dev/dri/renderD128",
            "/dev/fuse",
        ] {
            assert_eq!(dangerous_device(p), None, "{p}");
        }
    }

    #[test]
    fn cgroup_rules_are_classified() {
        assert!(dangerous_rule("a *:* rwm"));
        assert!(dangerous_rule("b 8:* rmw"));
        assert!(dangerous_rule("c 1:1 r"));
        assert!(dangerous_rule("c *:* m"));
        assert!(!dangerous_rule("c 1:3 mr"));
        assert!(!dangerous_rule("c 189:* rmw"));
        assert!(!dangerous_rule(""));
    }
}
