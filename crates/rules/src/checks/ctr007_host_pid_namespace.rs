//! CTR007 host-pid-namespace: the container shares the host's PID namespace (`--pid host`), so it
//! sees every host process and, as root, can signal or ptrace them.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR007",
        name: "host-pid-namespace",
        title: "Container shares the host's PID namespace",
        rationale: "In the host's PID namespace a container sees every host process with its command line and environment, and root in it can signal or trace them; it also loses the PID isolation that stops a fork bomb from reaching host processes.",
        remediation: "Remove `--pid host` (compose: drop `pid: host`); to debug another container use `--pid container:NAME` instead.",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.16"],
        cis_v1_6: &["5.15"],
        references: &[
            "https://docs.docker.com/engine/containers/run/#pid-settings---pid",
            "https://cwe.mitre.org/data/definitions/653.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mode = &c.inspect.host_config.pid_mode;
        if facts::is_host_mode(mode) {
            Verdict::fail("shares the host's PID namespace (--pid host)")
                .with_evidence(json!({"HostConfig.PidMode": mode, "State.Status": c.status()}))
        } else {
            Verdict::Pass
        }
    });
}

/// The Compose check: `pid: host`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR007",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match s.get("pid").and_then(|n| n.as_str()) {
            Some("host") => {
                crate::source::one(s.key_at("pid"), "pid: host shares the host's PID namespace")
            }
            _ => Some(Vec::new()),
        }
    });
}
