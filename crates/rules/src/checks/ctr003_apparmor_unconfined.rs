//! CTR003 apparmor-unconfined: the container runs (or will run) without an AppArmor profile on a
//! host that has AppArmor: `--security-opt apparmor=unconfined`, `--privileged`, or a recorded
//! `AppArmorProfile` of `unconfined` or empty for a container that ran.
//!
//! The engine fills `AppArmorProfile` when it starts a container, so a container that was created
//! but never started has it empty; such a container gets `docker-default` when it starts and is
//! judged on its options alone. On a host without AppArmor the rule cannot be judged and skips.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR003",
        name: "apparmor-unconfined",
        title: "Container runs without an AppArmor profile",
        rationale: "AppArmor's docker-default profile blocks writes to /proc and /sys, mounts and other kernel interfaces that container escapes use; an unconfined container loses that layer of defence.",
        remediation: "Remove `--security-opt apparmor=unconfined` and `--privileged` so the engine applies docker-default, or load a tailored profile and run with `docker run --security-opt apparmor=PROFILE` (compose: `security_opt: [\"apparmor=PROFILE\"]`).",
        category: Category::Protections,
        severity: Severity::High,
        cis: &["5.2"],
        cis_v1_6: &["5.1"],
        references: &[
            "https://docs.docker.com/engine/security/apparmor/",
            "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
            "https://cwe.mitre.org/data/definitions/693.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let Some(info) = input.snapshot.info.as_ref() else {
        checks.skip("engine info (docker info) was not collected: cannot tell whether the host has AppArmor");
        return;
    };
    if !info.has_security_option("apparmor") {
        checks.skip("the engine host does not have AppArmor enabled (no name=apparmor in docker info security options)");
        return;
    }
    checks.each_container(input, |c| {
        let hc = &c.inspect.host_config;
        let requested = hc.security_opt("apparmor");
        let recorded = c.inspect.app_armor_profile.as_str();
        let evidence = json!({
            "AppArmorProfile": recorded,
            "HostConfig.SecurityOpt.apparmor": requested,
            "HostConfig.Privileged": hc.privileged,
            "State.Status": c.status(),
        });
        if hc.privileged {
            return Verdict::fail(
                "runs with --privileged, which runs it without an AppArmor profile (unconfined)",
            )
            .with_evidence(evidence);
        }
        if requested == Some("unconfined") {
            return Verdict::fail("runs with --security-opt apparmor=unconfined")
                .with_evidence(evidence);
        }
        if requested.is_some() {
            return Verdict::Pass;
        }
        if recorded == "unconfined" {
            Verdict::fail("runs without an AppArmor profile (AppArmorProfile is unconfined)")
                .with_evidence(evidence)
        } else if recorded.is_empty() && c.inspect.state.running {
            Verdict::fail(
                "runs without an AppArmor profile (AppArmorProfile is empty: it was started while AppArmor was off)",
            )
            .with_evidence(evidence)
        } else {
            // A profile is recorded, or the container is not running and its next start applies
            // docker-default (an empty profile only says AppArmor was off when it last started).
            Verdict::Pass
        }
    });
}

/// The Compose check: `security_opt: [apparmor:unconfined]`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR003",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            crate::source::security_opts(s)
                .into_iter()
                .filter(|(o, _)| o == "apparmor:unconfined")
                .map(|(_, at)| crate::source::Hit::at(at, "security_opt apparmor:unconfined"))
                .collect(),
        )
    });
}
