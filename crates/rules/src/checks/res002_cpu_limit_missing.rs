//! RES002 cpu-limit-missing: the container has no CPU limit or priority: no `--cpus` (`NanoCpus`),
//! no CFS quota (`CpuQuota`), no CPU set (`CpusetCpus`), and the default CPU weight (`CpuShares` 0
//! or 1024). Any one of them counts as set (CIS 5.12 accepts a non-default weight).

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES002",
        name: "cpu-limit-missing",
        title: "Container has no CPU limit",
        rationale: "A container without a CPU limit or weight competes equally for every core: a runaway loop, a crypto miner or a request flood in it starves the host and the other containers.",
        remediation: "Cap it with `docker run --cpus 1.5` (compose: `cpus: 1.5` or `deploy.resources.limits.cpus: \"1.5\"`), or at least lower its weight with `--cpu-shares 512` (compose: `cpu_shares: 512`) or pin it with `--cpuset-cpus 0,1` (compose: `cpuset: \"0,1\"`).",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.12"],
        cis_v1_6: &["5.11"],
        references: &[
            "https://docs.docker.com/engine/containers/resource_constraints/#cpu",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let hc = &c.inspect.host_config;
        let limited = hc.nano_cpus > 0
            || hc.cpu_quota > 0
            || !hc.cpuset_cpus.trim().is_empty()
            || !matches!(hc.cpu_shares, 0 | 1024);
        if limited {
            Verdict::Pass
        } else {
            Verdict::fail(
                "has no CPU limit (no --cpus, --cpu-quota, --cpuset-cpus or --cpu-shares)",
            )
            .with_evidence(json!({
                "HostConfig.NanoCpus": hc.nano_cpus,
                "HostConfig.CpuQuota": hc.cpu_quota,
                "HostConfig.CpusetCpus": hc.cpuset_cpus,
                "HostConfig.CpuShares": hc.cpu_shares,
                "State.Status": c.status(),
            }))
        }
    });
}

/// The Compose check: none of `cpus or cpu_quota or deploy.resources.limits.cpus` set.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "RES002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match crate::source::first_set(
            s,
            &[
                &["cpus"],
                &["cpu_quota"],
                &["deploy", "resources", "limits", "cpus"],
            ],
        ) {
            Some(_) => Some(Vec::new()),
            None => crate::source::one(
                &s.at,
                "no CPU limit (cpus or cpu_quota or deploy.resources.limits.cpus)",
            ),
        }
    });
}
