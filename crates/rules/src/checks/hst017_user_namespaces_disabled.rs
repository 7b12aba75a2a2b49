//! HST017 user-namespaces-disabled: the kernel allows no user namespaces
//! (`user.max_user_namespaces = 0`), so the daemon cannot remap container root to an unprivileged
//! host user (`userns-remap`) and rootless Docker cannot run: root in a container stays root on the
//! host.
//!
//! Turning off *unprivileged* user namespaces (`kernel.unprivileged_userns_clone = 0`) is a
//! hardening of its own and does not stop `userns-remap`, so it is reported as evidence only.

use crate::host::{fact, host_facts, host_target};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST017",
        name: "user-namespaces-disabled",
        title: "User namespaces are disabled in the kernel",
        rationale: "User namespaces let the daemon map container root to an unprivileged host user (userns-remap) and let Docker run rootless; with max_user_namespaces at 0 neither is possible, so an escape from any container is an escape as root.",
        remediation: "Allow user namespaces (`sysctl -w user.max_user_namespaces=15000`, persisted in /etc/sysctl.d/), then enable remapping with daemon.json `\"userns-remap\": \"default\"` or run Docker rootless.",
        category: Category::Protections,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/userns-remap/",
            "https://docs.docker.com/engine/security/rootless/",
            "https://man7.org/linux/man-pages/man7/user_namespaces.7.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let (facts, userns) = match host_facts(snapshot)
        .and_then(|h| fact(&h.user_namespaces, "the user namespace settings").map(|u| (h, u)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let target = host_target(snapshot, Some(facts));
    if userns.enabled {
        checks.pass(target);
        return;
    }
    checks
        .fail(
            target,
            "user.max_user_namespaces is 0: userns-remap and rootless Docker cannot work on this host",
        )
        .evidence(json!({
            "max_user_namespaces": userns.max_user_namespaces,
            "unprivileged_userns_clone": userns.unprivileged_userns_clone,
        }));
}
