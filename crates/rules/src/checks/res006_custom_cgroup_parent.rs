//! RES006 custom-cgroup-parent: the container runs under a cgroup parent of its own choosing
//! (`--cgroup-parent`) instead of the engine's, which moves it out of the limits and accounting the
//! host applies to Docker's cgroup.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES006",
        name: "custom-cgroup-parent",
        title: "Container runs under a custom cgroup parent",
        rationale: "A custom cgroup parent places the container outside the cgroup the host uses to limit and account for containers, so host-wide limits may not apply to it; it should be a deliberate, reviewed choice.",
        remediation: "Remove `--cgroup-parent` (compose: `cgroup_parent:`) unless the placement is intended, and set the engine-wide parent in daemon.json (`\"cgroup-parent\": \"…\"`) instead of per container.",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.25"],
        cis_v1_6: &["5.24"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#cgroup-parent",
            "https://docs.docker.com/reference/cli/dockerd/#default-cgroup-parent",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let parent = c.inspect.host_config.cgroup_parent.trim();
        if parent.is_empty() {
            Verdict::Pass
        } else {
            Verdict::fail(format!("runs under the custom cgroup parent {parent}")).with_evidence(
                json!({"HostConfig.CgroupParent": parent, "State.Status": c.status()}),
            )
        }
    });
}
