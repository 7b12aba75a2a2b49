//! LOG003 container-restarting: a container the engine keeps restarting is failing, and a crash loop
//! also hides intrusion attempts and resets whatever an investigator would have looked at.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG003",
        name: "container-restarting",
        title: "Container restarts repeatedly",
        rationale: "Frequent restarts mean the service is crashing (bad configuration, resource exhaustion, an exploit attempt that kills it); each restart loses in-memory evidence and, with an `always` policy, the loop can go unnoticed for weeks.",
        remediation: "Find the cause with `docker logs --tail 100 NAME` and `docker inspect --format '{{.State.ExitCode}} {{.State.OOMKilled}}' NAME`, fix it, and bound retries so a broken container stops and alerts: `--restart on-failure:5` (compose: `restart: on-failure:5`, or `deploy.restart_policy.max_attempts: 5`); add a health check and watch restart counts in monitoring.",
        category: Category::Logging,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/containers/start-containers-automatically/",
            "https://docs.docker.com/reference/cli/docker/container/inspect/",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

/// Restarts from which the container is flagged.
const RESTARTS_FLAGGED: i64 = 5;

/// Restarts from which it is a high-severity finding.
const RESTARTS_HIGH: i64 = 20;

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let state = &c.inspect.state;
        let count = c.inspect.restart_count;
        if !state.restarting && count < RESTARTS_FLAGGED {
            return Verdict::Pass;
        }
        let now = if state.restarting {
            "now restarting".to_string()
        } else {
            format!("now {}", c.status())
        };
        let mut message = format!(
            "restarted {count} {}, {now}; last exit code {}",
            if count == 1 { "time" } else { "times" },
            state.exit_code
        );
        if state.oom_killed {
            message.push_str(" (killed for running out of memory)");
        }
        let verdict = Verdict::fail(message).with_evidence(json!({
            "RestartCount": count,
            "State.Restarting": state.restarting,
            "State.Status": c.status(),
            "State.ExitCode": state.exit_code,
            "State.OOMKilled": state.oom_killed,
            "HostConfig.RestartPolicy.Name": c.inspect.host_config.restart_policy.name,
        }));
        if count >= RESTARTS_HIGH {
            verdict.with_severity(Severity::High)
        } else {
            verdict
        }
    });
}
