//! RES003 pids-limit-missing: the container has no PIDs limit (`PidsLimit` null, 0 or negative all
//! mean unlimited), so a fork bomb in it can exhaust the host's process table.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES003",
        name: "pids-limit-missing",
        title: "Container has no PIDs limit",
        rationale: "Without a PIDs limit a fork bomb or a process leak in one container can use up the host's process table, so no other container or host service can start a process.",
        remediation: "Set a limit above the workload's peak with `docker run --pids-limit 200` (compose: `pids_limit: 200` or `deploy.resources.limits.pids: 200`).",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.29"],
        cis_v1_6: &["5.28"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#pids-limit",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let limit = c.inspect.host_config.pids_limit;
        match limit {
            Some(n) if n > 0 => Verdict::Pass,
            _ => Verdict::fail(match limit {
                None => "has no PIDs limit (no --pids-limit)".to_string(),
                Some(n) => format!("has no PIDs limit (PidsLimit is {n}: unlimited)"),
            })
            .with_evidence(json!({"HostConfig.PidsLimit": limit, "State.Status": c.status()})),
        }
    });
}

/// The Compose check: none of `pids_limit or deploy.resources.limits.pids` set.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "RES003",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match crate::source::first_set(
            s,
            &[&["pids_limit"], &["deploy", "resources", "limits", "pids"]],
        ) {
            Some(_) => Some(Vec::new()),
            None => crate::source::one(
                &s.at,
                "no PIDs limit (pids_limit or deploy.resources.limits.pids)",
            ),
        }
    });
}
