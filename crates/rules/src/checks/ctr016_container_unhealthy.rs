//! CTR016 container-unhealthy: a running container whose health check fails (`State.Health.Status`
//! is `unhealthy`). Containers that are not running or have no health check are not judged
//! (CTR015 reports the missing check).

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR016",
        name: "container-unhealthy",
        title: "Container reports unhealthy",
        rationale: "An unhealthy container is running but failing its own health check: the service it provides is likely down or degraded, and the engine does not restart it by itself.",
        remediation: "Read the failing checks' output with `docker inspect --format '{{json .State.Health}}' CONTAINER`, fix the cause and restart it (`docker restart CONTAINER`, compose: `docker compose restart SERVICE`); if the check itself is too strict, tune `--health-interval`, `--health-timeout` and `--health-retries` (compose: `healthcheck: {interval, timeout, retries}`).",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#healthcheck",
            "https://docs.docker.com/reference/cli/docker/container/inspect/",
            "https://cwe.mitre.org/data/definitions/754.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let has_check = c
            .inspect
            .config
            .healthcheck
            .as_ref()
            .is_some_and(|h| h.is_defined());
        if !c.inspect.state.running || !has_check {
            return Verdict::NotApplicable;
        }
        let Some(health) = &c.inspect.state.health else {
            return Verdict::Skip(
                "has a health check but the engine reported no health state".into(),
            );
        };
        if health.status == "unhealthy" {
            Verdict::fail(format!(
                "is unhealthy: {} consecutive failed health checks",
                health.failing_streak
            ))
            .with_evidence(json!({
                "State.Health.Status": health.status,
                "State.Health.FailingStreak": health.failing_streak,
            }))
        } else {
            Verdict::Pass
        }
    });
}
