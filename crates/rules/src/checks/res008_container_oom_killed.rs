//! RES008 container-oom-killed: the container's last run ended with the kernel's OOM killer
//! killing it (`State.OOMKilled`). Every container is judged whatever its state: the engine keeps
//! the flag until the container starts again.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES008",
        name: "container-oom-killed",
        title: "Container was killed for running out of memory",
        rationale: "A container the OOM killer ended was down (or is restarting in a loop) because it needed more memory than it had: a limit too low for the workload, a leak, or input an attacker can use to exhaust memory on demand (a denial of service).",
        remediation: "Read why it grew (`docker logs CONTAINER`, `docker stats`), fix a leak or bound the input, then size the limit to the workload (`docker update --memory 512m --memory-swap 512m CONTAINER`, compose: `mem_limit:`) and start it again (`docker start CONTAINER`).",
        category: Category::Resources,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/containers/resource_constraints/#understand-the-risks-of-running-out-of-memory",
            "https://docs.docker.com/reference/cli/docker/container/inspect/",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let state = &c.inspect.state;
        if !state.oom_killed {
            return Verdict::Pass;
        }
        let memory = c.inspect.host_config.memory;
        let limit = if memory > 0 {
            format!("at its memory limit of {}", facts::human_bytes(memory))
        } else {
            "with no memory limit: the host itself ran out of memory".into()
        };
        Verdict::fail(format!(
            "was killed by the kernel's OOM killer {limit} (exit code {})",
            state.exit_code
        ))
        .with_evidence(json!({
            "State.OOMKilled": true,
            "State.ExitCode": state.exit_code,
            "State.FinishedAt": state.finished_at,
            "HostConfig.Memory": memory,
            "State.Status": c.status(),
        }))
    });
}
