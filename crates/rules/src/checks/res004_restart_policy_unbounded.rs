//! RES004 restart-policy-unbounded: the restart policy restarts a failing container forever
//! (`always`, `unless-stopped`, `on-failure` without a count) or more than 5 times (CIS 5.15
//! recommends `on-failure:5`). `no` (or no policy) passes.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES004",
        name: "restart-policy-unbounded",
        title: "Restart policy retries forever or more than 5 times",
        rationale: "A container that restarts without bound after every failure hides a crash loop, keeps re-running whatever compromised it, and can load the host; a small retry count surfaces the failure instead.",
        remediation: "Bound restarts with `docker run --restart on-failure:5` (compose: `restart: on-failure:5`, or `deploy.restart_policy: {condition: on-failure, max_attempts: 5}`) and alert on containers that stop.",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.15"],
        cis_v1_6: &["5.14"],
        references: &[
            "https://docs.docker.com/engine/containers/start-containers-automatically/",
            "https://docs.docker.com/reference/cli/docker/container/run/#restart",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

/// Most restarts CIS accepts.
const MAX_RETRIES: i64 = 5;

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let policy = &c.inspect.host_config.restart_policy;
        let retries = policy.maximum_retry_count;
        let problem = match policy.name.as_str() {
            "always" | "unless-stopped" => Some(format!(
                "restart policy {} restarts it forever",
                policy.name
            )),
            "on-failure" if retries <= 0 => Some(
                "restart policy on-failure has no retry limit: it restarts forever".to_string(),
            ),
            "on-failure" if retries > MAX_RETRIES => Some(format!(
                "restart policy on-failure:{retries} retries more than {MAX_RETRIES} times"
            )),
            _ => None,
        };
        match problem {
            None => Verdict::Pass,
            Some(message) => Verdict::fail(message).with_evidence(json!({
                "HostConfig.RestartPolicy.Name": policy.name,
                "HostConfig.RestartPolicy.MaximumRetryCount": retries,
                "State.Status": c.status(),
            })),
        }
    });
}

/// The Compose check: `restart: always` / `unless-stopped` / `on-failure` without a limit (or more
/// than the runtime rule accepts), and `deploy.restart_policy` without `max_attempts`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "RES004",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        if let Some(r) = s.get("restart").and_then(|n| n.as_str()) {
            let (name, retries) = r.split_once(':').unwrap_or((r, ""));
            let retries: i64 = retries.parse().unwrap_or(0);
            let problem = match name {
                "always" | "unless-stopped" => Some(format!("restart: {r} restarts it forever")),
                "on-failure" if retries <= 0 => {
                    Some("restart: on-failure has no retry limit".to_string())
                }
                "on-failure" if retries > MAX_RETRIES => Some(format!(
                    "restart: {r} retries more than {MAX_RETRIES} times"
                )),
                _ => None,
            };
            return Some(
                problem
                    .map(|m| vec![crate::source::Hit::at(s.key_at("restart"), m)])
                    .unwrap_or_default(),
            );
        }
        let policy = s.def.path(&["deploy", "restart_policy"])?;
        let condition = policy
            .get("condition")
            .and_then(|c| c.as_str())
            .unwrap_or("any");
        let attempts: i64 = policy
            .get("max_attempts")
            .and_then(|m| m.as_str())
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if condition != "none" && (attempts <= 0 || attempts > MAX_RETRIES) {
            crate::source::one(&policy.at, format!("deploy.restart_policy condition {condition} with max_attempts {attempts}: unbounded restarts"))
        } else {
            Some(Vec::new())
        }
    });
}
