//! RES007 oom-killer-disabled: the kernel may not kill the container's processes when memory runs
//! out: `--oom-kill-disable` (`HostConfig.OomKillDisable`), or `--oom-score-adj -1000`
//! (`HostConfig.OomScoreAdj`, the value that exempts a process from the OOM killer).
//!
//! Without a memory limit that is High: when the host runs short, the kernel must kill host
//! services and other containers instead (Docker warns about exactly this at create time). With a
//! limit the damage stays in the container, whose processes hang at the limit instead of one
//! being killed: Low. Other negative scores only make the container a later choice and are not
//! reported.

use crate::prelude::*;
use serde_json::Value;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES007",
        name: "oom-killer-disabled",
        title: "Container is exempt from the kernel's OOM killer",
        rationale: "With the OOM killer disabled for it (or an OOM score of -1000) a container that leaks or is made to allocate memory is never the one killed: without a memory limit the kernel kills host services and other containers instead, and with one its processes hang at the limit.",
        remediation: "Remove `--oom-kill-disable` and `--oom-score-adj -1000` (compose: `oom_kill_disable: true`, `oom_score_adj: -1000`) and set a memory limit (`--memory 512m`, compose `mem_limit: 512m`); protect a critical service with a memory reservation rather than an OOM exemption.",
        category: Category::Resources,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/containers/resource_constraints/#--memory-swap-details",
            "https://docs.docker.com/reference/cli/docker/container/run/#oom-kill-disable",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

/// The OOM score adjustment that exempts a process from the OOM killer (`OOM_SCORE_ADJ_MIN`).
const OOM_SCORE_EXEMPT: i64 = -1000;

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let hc = &c.inspect.host_config;
        let kill_disabled = hc.extra.get("OomKillDisable").and_then(Value::as_bool);
        let score = hc.extra.get("OomScoreAdj").and_then(Value::as_i64);
        let how = match (kill_disabled, score) {
            (None, None) => {
                return Verdict::Skip(
                    "the engine did not report HostConfig.OomKillDisable or OomScoreAdj".into(),
                )
            }
            (Some(true), _) => "the OOM killer is disabled for it (--oom-kill-disable)",
            (_, Some(OOM_SCORE_EXEMPT)) => {
                "it is exempt from the OOM killer (--oom-score-adj -1000)"
            }
            _ => return Verdict::Pass,
        };
        let evidence = json!({
            "HostConfig.OomKillDisable": kill_disabled,
            "HostConfig.OomScoreAdj": score,
            "HostConfig.Memory": hc.memory,
            "State.Status": c.status(),
        });
        if hc.memory > 0 {
            Verdict::fail(format!(
                "{how}: at its memory limit ({}) its processes hang instead of one being killed",
                facts::human_bytes(hc.memory)
            ))
            .with_evidence(evidence)
            .with_severity(Severity::Low)
        } else {
            Verdict::fail(format!(
                "{how} and it has no memory limit: when memory runs out the kernel kills host processes and other containers instead"
            ))
            .with_evidence(evidence)
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RES007's verdicts on one container with these `HostConfig` values.
    fn judge(
        kill_disable: Option<bool>,
        score: Option<i64>,
        memory: i64,
    ) -> Vec<(String, Option<Severity>)> {
        let mut c = Container::default();
        c.inspect.name = "/c".into();
        c.inspect.host_config.memory = memory;
        if let Some(k) = kill_disable {
            c.inspect
                .host_config
                .extra
                .insert("OomKillDisable".into(), json!(k));
        }
        if let Some(s) = score {
            c.inspect
                .host_config
                .extra
                .insert("OomScoreAdj".into(), json!(s));
        }
        let checks = crate::testing::check_one(check, c);
        checks
            .failures()
            .iter()
            .map(|f| (f.message.clone(), f.severity))
            .collect()
    }

    #[test]
    fn severity_follows_the_memory_limit() {
        let unlimited = judge(Some(true), Some(0), 0);
        assert_eq!(unlimited.len(), 1);
        assert_eq!(unlimited[0].1, None);
        let limited = judge(Some(true), Some(0), 64 << 20);
        assert_eq!(limited[0].1, Some(Severity::Low));
        assert!(limited[0].0.contains("64.0 MiB"), "{}", limited[0].0);
    }

    #[test]
    fn an_exempt_oom_score_counts_and_a_lower_preference_does_not() {
        let exempt = judge(Some(false), Some(-1000), 0);
        assert!(
            exempt[0].0.contains("--oom-score-adj -1000"),
            "{}",
            exempt[0].0
        );
        assert!(judge(Some(false), Some(-500), 0).is_empty());
        assert!(judge(Some(false), Some(0), 0).is_empty());
        // Nothing reported by the engine: no verdict (a skip, not a pass).
        assert!(judge(None, None, 0).is_empty());
    }
}
