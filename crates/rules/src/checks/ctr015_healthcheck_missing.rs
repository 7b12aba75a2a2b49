//! CTR015 healthcheck-missing: the container has no health check, so the engine (and whatever
//! restarts or routes to it) cannot tell a hung service from a working one.
//!
//! The engine merges the image's `HEALTHCHECK` into the container's `Config.Healthcheck`, so the
//! container config alone decides. `Test: ["NONE"]` (`--no-healthcheck`) disables the image's check
//! and fails with that said.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR015",
        name: "healthcheck-missing",
        title: "Container has no health check",
        rationale: "Without a health check a container whose process is alive but hung or broken stays 'running': nothing restarts it, orchestrators keep routing to it and monitoring shows it as fine.",
        remediation: "Add `HEALTHCHECK CMD …` to the Dockerfile or run with `docker run --health-cmd CMD --health-interval 30s` (compose: `healthcheck: {test: [\"CMD\", …]}`); do not use `--no-healthcheck` (compose: `healthcheck: {disable: true}`).",
        category: Category::Containers,
        severity: Severity::Low,
        cis: &["5.27"],
        cis_v1_6: &["5.26"],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#healthcheck",
            "https://docs.docker.com/reference/cli/docker/container/run/#health-cmd",
            "https://cwe.mitre.org/data/definitions/754.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| match &c.inspect.config.healthcheck {
        Some(h) if h.is_defined() => Verdict::Pass,
        Some(h) if h.test.first().map(String::as_str) == Some("NONE") => {
            Verdict::fail("health check explicitly disabled (Healthcheck.Test is NONE)")
                .with_evidence(
                    json!({"Config.Healthcheck.Test": h.test, "State.Status": c.status()}),
                )
        }
        _ => Verdict::fail("has no health check (none in the image or the container config)")
            .with_evidence(json!({"Config.Healthcheck": null, "State.Status": c.status()})),
    });
}

/// The Compose check: `healthcheck: {disable: true}` or `test: ["NONE"]` disables the image's
/// check; without `healthcheck:` the image's own `HEALTHCHECK` decides (IMG002 judges its
/// Dockerfile), so the service is not judged.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR015",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        let hc = s.get("healthcheck")?;
        let disabled = hc.get("disable").is_some_and(|d| d.is_true())
            || hc.get("test").is_some_and(|t| {
                t.as_str() == Some("NONE")
                    || t.as_seq().first().and_then(|f| f.as_str()) == Some("NONE")
            });
        if disabled {
            crate::source::one(s.key_at("healthcheck"), "healthcheck disabled")
        } else {
            Some(Vec::new())
        }
    });
}
