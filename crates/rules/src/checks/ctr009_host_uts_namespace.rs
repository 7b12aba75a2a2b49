//! CTR009 host-uts-namespace: the container shares the host's UTS namespace (`--uts host`), so root
//! in it can change the host's hostname and NIS domain name.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR009",
        name: "host-uts-namespace",
        title: "Container shares the host's UTS namespace",
        rationale: "In the host's UTS namespace a container with root (and SYS_ADMIN) can rename the host, which confuses logging, monitoring and anything that trusts the hostname.",
        remediation: "Remove `--uts host` (compose: drop `uts: host`); set the container's own name with `--hostname` (compose: `hostname:`).",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.21"],
        cis_v1_6: &["5.20"],
        references: &[
            "https://docs.docker.com/engine/containers/run/#uts-settings---uts",
            "https://cwe.mitre.org/data/definitions/653.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mode = &c.inspect.host_config.uts_mode;
        if facts::is_host_mode(mode) {
            Verdict::fail("shares the host's UTS namespace (--uts host)")
                .with_evidence(json!({"HostConfig.UTSMode": mode, "State.Status": c.status()}))
        } else {
            Verdict::Pass
        }
    });
}

/// The Compose check: `uts: host`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR009",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match s.get("uts").and_then(|n| n.as_str()) {
            Some("host") => {
                crate::source::one(s.key_at("uts"), "uts: host shares the host's UTS namespace")
            }
            _ => Some(Vec::new()),
        }
    });
}
