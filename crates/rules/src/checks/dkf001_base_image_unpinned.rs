//! DKF001 base-image-unpinned: a `FROM` without a tag (which means `:latest`) or with `:latest`
//! builds on whatever the tag points to at build time: two builds of one commit can differ.
//! `scratch`, earlier stages, digests and references whose variables have no default are not judged.
//! hadolint: DL3006 (no tag) and DL3007 (`latest`).

use crate::prelude::*;
use crate::source::{each_dockerfile, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF001",
        name: "base-image-unpinned",
        title: "Dockerfile builds FROM an untagged or :latest image",
        rationale: "An untagged or :latest base image changes under the build without any change to the Dockerfile, so builds are not reproducible and a broken or compromised upstream release is picked up silently.",
        remediation: "Pin the base image to a version tag, better a digest: `FROM debian:12.7-slim@sha256:…`; let a bot (Dependabot, Renovate) propose updates.",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#from",
            "https://github.com/hadolint/hadolint/wiki/DL3007",
            "https://cwe.mitre.org/data/definitions/1357.html",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF001",
    check: source,
};

/// `Some("latest")`, `Some(tag)` or `None` (untagged) for an image reference without a digest.
pub(crate) fn tag_of(reference: &str) -> Option<&str> {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.split_once(':').map(|(_, t)| t)
}

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for stage in &df.stages {
            let from = &stage.from;
            let image = from.resolved.as_str();
            if from.is_stage
                || image.eq_ignore_ascii_case("scratch")
                || image.contains('@')
                || image.contains('$')
            {
                continue;
            }
            let message = match tag_of(image) {
                None => format!("`FROM {image}` has no tag, which means :latest"),
                Some("latest") => format!("`FROM {image}` uses the moving :latest tag"),
                Some(_) => continue,
            };
            hits.push(
                Hit::in_dockerfile(df, from.pos, message).evidence(
                    json!({"image": from.image, "resolved": image, "stage": stage.index}),
                ),
            );
        }
        hits
    });
}
