//! HST016 cgroup-controller-missing: the memory or pids cgroup controller is not available, so
//! `--memory` and `--pids-limit` cannot be enforced and a container can exhaust the host's memory
//! or process table (RES001 and RES003 judge the containers' settings; this rule, whether the
//! host can honour them).

use crate::host::{fact, host_facts, host_target};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST016",
        name: "cgroup-controller-missing",
        title: "The memory or pids cgroup controller is not enabled",
        rationale: "Memory and process-count limits are enforced by the kernel's memory and pids cgroup controllers; without them the engine accepts the limits but cannot apply them, and one container's leak or fork bomb takes down the host.",
        remediation: "Enable the controllers at boot: remove `cgroup_disable=memory` from the kernel command line, add `cgroup_enable=memory swapaccount=1` where the distribution needs it, and on cgroup v2 make sure memory and pids are in /sys/fs/cgroup/cgroup.controllers; then restart the daemon.",
        category: Category::Protections,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/containers/resource_constraints/",
            "https://docs.kernel.org/admin-guide/cgroup-v2.html",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let (facts, cgroups) = match host_facts(snapshot)
        .and_then(|h| fact(&h.cgroups, "the cgroup controllers").map(|c| (h, c)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let target = host_target(snapshot, Some(facts));
    let missing: Vec<&str> = [("memory", cgroups.memory), ("pids", cgroups.pids)]
        .into_iter()
        .filter(|(_, on)| !on)
        .map(|(name, _)| name)
        .collect();
    if missing.is_empty() {
        checks.pass(target);
        return;
    }
    checks
        .fail(
            target,
            format!(
                "the {} controller{} not enabled (cgroup {}; from {}): {} limits are not enforced",
                missing.join(" and "),
                if missing.len() == 1 { " is" } else { "s are" },
                cgroups.version,
                cgroups.source,
                missing
                    .iter()
                    .map(|m| if *m == "memory" {
                        "--memory"
                    } else {
                        "--pids-limit"
                    })
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .evidence(json!({
            "version": cgroups.version,
            "controllers": cgroups.controllers,
            "missing": missing,
            "source": cgroups.source,
        }));
}
