//! CTR001 privileged-container: `--privileged` gives a container every capability and every host
//! device, and lifts seccomp and AppArmor confinement: root in it is root on the host.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR001",
        name: "privileged-container",
        title: "Container runs privileged",
        rationale: "A privileged container has all Linux capabilities, sees every host device and runs without seccomp or AppArmor confinement; escaping to the host is trivial.",
        remediation: "Remove --privileged (compose: `privileged: false`); grant only the capabilities it needs with --cap-add and the devices with --device.",
        category: Category::Containers,
        severity: Severity::Critical,
        cis: &["5.5"],
        cis_v1_6: &["5.4"],
        references: &[
            "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        if c.inspect.host_config.privileged {
            Verdict::fail(format!("runs with --privileged ({})", c.status()))
                .with_evidence(json!({"HostConfig.Privileged": true, "State.Status": c.status()}))
        } else {
            Verdict::Pass
        }
    });
}

/// The Compose check: `privileged: true`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR001",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| match s.get("privileged") {
        Some(p) if p.is_true() => crate::source::one(s.key_at("privileged"), "privileged: true"),
        _ => Some(Vec::new()),
    });
}
