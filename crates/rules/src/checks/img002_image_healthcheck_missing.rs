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

/// The Dockerfile check: the final stage has no `HEALTHCHECK`, or disables its base's with
/// `HEALTHCHECK NONE`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        let Some(stage) = df.final_stage() else {
            return Vec::new();
        };
        match stage.instructions.iter().rev().find_map(|i| match i.kind {
            Kind::Healthcheck { none } => Some((i, none)),
            _ => None,
        }) {
            Some((_, false)) => Vec::new(),
            Some((i, true)) => vec![crate::source::Hit::in_dockerfile(
                df,
                i.pos,
                "HEALTHCHECK NONE disables the base image's health check",
            )],
            None => vec![crate::source::Hit::in_dockerfile(
                df,
                stage.from.pos,
                "the final stage defines no HEALTHCHECK",
            )],
        }
    });
}
