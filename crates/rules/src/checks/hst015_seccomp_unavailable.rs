//! HST015 seccomp-unavailable: the host kernel cannot filter system calls (no seccomp, or no
//! seccomp filter mode), or the engine does not use it, so every container runs without Docker's
//! default profile that blocks dangerous system calls.
//!
//! The kernel's support comes from the host facts; the engine's use of it from `docker info`'s
//! security options (`name=seccomp`). Containers that opt out with `seccomp=unconfined` are CTR013's
//! question.

use crate::host::{fact, host_facts, host_target};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST015",
        name: "seccomp-unavailable",
        title: "System call filtering (seccomp) is not available to containers",
        rationale: "Docker's default seccomp profile blocks about 50 system calls (keyctl, add_key, unshare, mount and others) used in container escapes and kernel exploits; without kernel support, or with an engine that does not apply it, every container can call them.",
        remediation: "Run a kernel built with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER (every mainstream distribution kernel is) and a Docker Engine built with seccomp support; check with `docker info --format '{{.SecurityOptions}}'` that it lists name=seccomp.",
        category: Category::Protections,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/seccomp/",
            "https://cwe.mitre.org/data/definitions/693.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let (facts, seccomp) = match host_facts(snapshot)
        .and_then(|h| fact(&h.seccomp, "seccomp support").map(|s| (h, s)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let target = host_target(snapshot, Some(facts));
    let engine = snapshot
        .info
        .as_ref()
        .map(|i| i.has_security_option("seccomp"));
    let evidence = json!({
        "kernel_seccomp": seccomp.available,
        "kernel_seccomp_filter": seccomp.filter,
        "detail": seccomp.detail,
        "engine_seccomp": engine,
    });
    if !seccomp.available || !seccomp.filter {
        let what = if seccomp.available {
            "the host kernel has seccomp but not its filter mode, which Docker's profiles need"
        } else {
            "the host kernel has no seccomp support"
        };
        checks.fail(target, what).evidence(evidence);
        return;
    }
    match engine {
        Some(false) => {
            checks
                .fail(
                    target,
                    "the kernel supports seccomp, but the engine applies none (no name=seccomp in docker info)",
                )
                .evidence(evidence);
        }
        _ => checks.pass(target),
    }
}
