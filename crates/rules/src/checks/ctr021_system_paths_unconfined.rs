//! CTR021 system-paths-unconfined: the kernel interfaces Docker masks or makes read-only in every
//! container are open (`--security-opt systempaths=unconfined`, which empties
//! `HostConfig.MaskedPaths` and `HostConfig.ReadonlyPaths`, or `--privileged`).
//!
//! The paths that matter are judged, not the lists' lengths (engines add paths over time: Docker 28
//! masks `/proc/interrupts` and `/sys/devices/virtual/powercap` too): `/proc/sys` and
//! `/proc/sysrq-trigger` must be read-only, `/proc/kcore` and `/proc/keys` masked. An engine that
//! reports neither list for an unprivileged container (Podman's compatibility API does not) leaves
//! it unjudged, with the reason.

use crate::prelude::*;
use serde_json::Value;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR021",
        name: "system-paths-unconfined",
        title: "Container has unmasked /proc and /sys kernel interfaces",
        rationale: "Docker makes /proc/sys and /proc/sysrq-trigger read-only and hides /proc/kcore, /proc/keys and similar files because root in a container could otherwise change host-wide kernel settings (non-namespaced sysctls such as vm.* and kernel.*), reboot or crash the host through sysrq, and read kernel memory and keyrings; systempaths=unconfined removes all of that at once.",
        remediation: "Remove `--security-opt systempaths=unconfined` (compose: from `security_opt:`) and `--privileged`; if the workload must change a namespaced kernel setting, set it with `--sysctl KEY=VALUE` (compose: `sysctls:`) instead.",
        category: Category::Protections,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
            "https://github.com/moby/moby/blob/master/oci/defaults.go",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

/// Paths Docker makes read-only in every unprivileged container whose write access matters.
const MUST_BE_READ_ONLY: &[&str] = &["/proc/sys", "/proc/sysrq-trigger"];

/// Paths Docker hides in every unprivileged container whose read access matters.
const MUST_BE_MASKED: &[&str] = &["/proc/kcore", "/proc/keys"];

/// The entries of a path list in `HostConfig`, or `None` when the engine did not report it.
fn path_list<'a>(c: &'a Container, key: &str) -> Option<Vec<&'a str>> {
    match c.inspect.host_config.extra.get(key)? {
        Value::Array(items) => Some(items.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let podman = facts::is_podman(input.snapshot);
    checks.each_container(input, |c| {
        let hc = &c.inspect.host_config;
        if hc.privileged {
            return Verdict::fail(
                "runs with --privileged, which leaves /proc/sys, /proc/sysrq-trigger and /proc/kcore open",
            )
            .with_evidence(json!({"HostConfig.Privileged": true, "State.Status": c.status()}));
        }
        let (Some(read_only), Some(masked)) =
            (path_list(c, "ReadonlyPaths"), path_list(c, "MaskedPaths"))
        else {
            let engine = if podman { "Podman" } else { "the engine" };
            return Verdict::Skip(format!(
                "{engine} did not report the container's masked and read-only paths (HostConfig.MaskedPaths, ReadonlyPaths)"
            ));
        };
        let open: Vec<&str> = MUST_BE_READ_ONLY
            .iter()
            .filter(|p| !read_only.contains(p))
            .chain(MUST_BE_MASKED.iter().filter(|p| !masked.contains(p)))
            .copied()
            .collect();
        if open.is_empty() {
            return Verdict::Pass;
        }
        let how = if read_only.is_empty() && masked.is_empty() {
            "runs with --security-opt systempaths=unconfined"
        } else {
            "runs without Docker's default path protections"
        };
        Verdict::fail(format!("{how}: {} open to it", open.join(", "))).with_evidence(json!({
            "open": open,
            "HostConfig.ReadonlyPaths": read_only,
            "HostConfig.MaskedPaths": masked,
            "State.Status": c.status(),
        }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CTR021's failure messages and skip reasons for one container with these path lists.
    fn judge(read_only: Option<&[&str]>, masked: Option<&[&str]>) -> (Vec<String>, Vec<String>) {
        let mut c = Container::default();
        c.inspect.name = "/c".into();
        let extra = &mut c.inspect.host_config.extra;
        if let Some(r) = read_only {
            extra.insert("ReadonlyPaths".into(), json!(r));
        }
        if let Some(m) = masked {
            extra.insert("MaskedPaths".into(), json!(m));
        }
        let checks = crate::testing::check_one(check, c);
        (
            checks
                .failures()
                .iter()
                .map(|f| f.message.clone())
                .collect(),
            checks
                .target_skips()
                .iter()
                .map(|(_, why)| why.clone())
                .collect(),
        )
    }

    #[test]
    fn the_paths_that_matter_are_judged_not_the_list_lengths() {
        let read_only = ["/proc/bus", "/proc/sys", "/proc/sysrq-trigger"];
        let masked = ["/proc/kcore", "/proc/keys", "/sys/firmware"];
        assert_eq!(judge(Some(&read_only), Some(&masked)), (vec![], vec![]));
        // A list an API client wrote without /proc/sys read-only.
        let (failures, _) = judge(Some(&["/proc/bus"]), Some(&masked));
        assert_eq!(
            failures,
            ["runs without Docker's default path protections: /proc/sys, /proc/sysrq-trigger open to it"]
        );
        let (failures, _) = judge(Some(&[]), Some(&[]));
        assert!(failures[0].starts_with("runs with --security-opt systempaths=unconfined"));
        let (failures, skips) = judge(None, None);
        assert!(failures.is_empty());
        assert!(skips[0].contains("did not report"), "{skips:?}");
    }
}
