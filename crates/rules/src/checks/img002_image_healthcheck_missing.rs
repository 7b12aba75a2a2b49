//! IMG002 image-healthcheck-missing: without a `HEALTHCHECK` the engine only knows whether the main
//! process is alive, not whether the service answers.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG002",
        name: "image-healthcheck-missing",
        title: "Image defines no HEALTHCHECK",
        rationale: "A health check lets the engine, orchestrators and operators see a hung or failing service (and restart or stop routing to it); without one a container that has stopped working still shows as running.",
        remediation: "Add a HEALTHCHECK to the Dockerfile (`HEALTHCHECK --interval=30s --timeout=3s CMD wget -q --spider http://localhost:8080/health || exit 1`); until the image is rebuilt, set one per container with --health-cmd (compose: `healthcheck: {test: [\"CMD\", \"…\"], interval: 30s}`).",
        category: Category::Images,
        severity: Severity::Low,
        cis: &["4.6"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#healthcheck",
            "https://docs.docker.com/reference/compose-file/services/#healthcheck",
            "https://cwe.mitre.org/data/definitions/754.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_image_in_use(input, |image| match &image.inspect.config.healthcheck {
        Some(h) if h.is_defined() => Verdict::Pass,
        Some(h) if h.test.first().is_some_and(|t| t == "NONE") => {
            Verdict::fail("disables its health check (HEALTHCHECK NONE)")
                .with_evidence(json!({ "Config.Healthcheck.Test": h.test }))
        }
        _ => Verdict::fail("defines no HEALTHCHECK")
            .with_evidence(json!({ "Config.Healthcheck": null })),
    });
}
