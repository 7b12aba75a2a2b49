//! HST014 mandatory-access-control-disabled: neither AppArmor is enabled nor SELinux enforcing on
//! the host, so containers run without the mandatory access control layer Docker applies by default
//! (`docker-default` AppArmor profile, or SELinux `container_t` labels).
//!
//! SELinux in permissive mode logs denials but blocks nothing, and counts as off. Which containers
//! run unconfined on a host that has AppArmor is CTR003's question; this one is about the host.

use crate::host::{fact, host_facts, host_target};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST014",
        name: "mandatory-access-control-disabled",
        title: "Neither AppArmor nor SELinux protects containers on this host",
        rationale: "Docker confines every container with AppArmor's docker-default profile or SELinux labels when the host has one of them; without either, a process that escapes its namespaces meets no second barrier on /proc, /sys, mounts and host files.",
        remediation: "Enable AppArmor (Debian, Ubuntu, SUSE: boot with `apparmor=1 security=apparmor`, install apparmor) or SELinux in enforcing mode (RHEL, Fedora: `setenforce 1` and SELINUX=enforcing in /etc/selinux/config, with `\"selinux-enabled\": true` in daemon.json), then restart the daemon and the containers.",
        category: Category::Protections,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/apparmor/",
            "https://docs.docker.com/engine/security/#other-kernel-security-features",
            "https://cwe.mitre.org/data/definitions/693.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let facts = match host_facts(snapshot) {
        Ok(f) => f,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let target = host_target(snapshot, Some(facts));
    // Either one enforcing is enough, so a known-on one decides even if the other is unknown.
    let apparmor = fact(&facts.apparmor, "AppArmor's state");
    let selinux = fact(&facts.selinux, "SELinux's mode");
    if apparmor.as_ref().is_ok_and(|a| a.enabled)
        || selinux.as_ref().is_ok_and(|s| s.mode == "enforcing")
    {
        checks.pass(target);
        return;
    }
    let (apparmor, selinux) = match (apparmor, selinux) {
        (Ok(a), Ok(s)) => (a, s),
        (Err(why), _) | (_, Err(why)) => {
            checks.skip(why);
            return;
        }
    };
    let selinux_words = match selinux.mode.as_str() {
        "permissive" => "SELinux is permissive (it logs, but blocks nothing)",
        "disabled" => "SELinux is disabled",
        _ => "SELinux's mode is unknown",
    };
    checks
        .fail(
            target,
            format!(
                "AppArmor is not enabled ({}) and {selinux_words}",
                apparmor.detail
            ),
        )
        .evidence(json!({
            "apparmor": {"enabled": apparmor.enabled, "detail": apparmor.detail},
            "selinux": selinux.mode,
        }));
}
