//! RES001 memory-limit-missing: the container has no memory limit (`HostConfig.Memory` is 0), so
//! one leaking or attacked container can exhaust the host's memory.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES001",
        name: "memory-limit-missing",
        title: "Container has no memory limit",
        rationale: "A container without a memory limit can take all of the host's memory, pushing the kernel's OOM killer onto other containers or host services: one bug or attack becomes a host-wide outage.",
        remediation: "Set a limit sized to the workload with `docker run --memory 512m` (compose: `mem_limit: 512m` or `deploy.resources.limits.memory: 512m`).",
        category: Category::Resources,
        severity: Severity::Medium,
        cis: &["5.11"],
        cis_v1_6: &["5.10"],
        references: &[
            "https://docs.docker.com/engine/containers/resource_constraints/#memory",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        if c.inspect.host_config.memory > 0 {
            Verdict::Pass
        } else {
            Verdict::fail("has no memory limit (no --memory)").with_evidence(
                json!({"HostConfig.Memory": c.inspect.host_config.memory, "State.Status": c.status()}),
            )
        }
    });
}

/// The Compose check: none of `mem_limit or deploy.resources.limits.memory` set.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "RES001",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match crate::source::first_set(
            s,
            &[&["mem_limit"], &["deploy", "resources", "limits", "memory"]],
        ) {
            Some(_) => Some(Vec::new()),
            None => crate::source::one(
                &s.at,
                "no memory limit (mem_limit or deploy.resources.limits.memory)",
            ),
        }
    });
}
