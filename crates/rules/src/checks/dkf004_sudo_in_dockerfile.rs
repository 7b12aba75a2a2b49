//! DKF004 sudo-in-dockerfile: `sudo` in a `RUN`. Build steps run as the `USER` in force; `sudo`
//! there means the image ships sudo (and a sudoers rule) for no reason, and its TTY and
//! signal handling behave unpredictably. hadolint: DL3004.

use crate::prelude::*;
use crate::source::{each_dockerfile, runs, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF004",
        name: "sudo-in-dockerfile",
        title: "RUN uses sudo",
        rationale: "sudo in an image is a privilege-escalation path left for anyone who gets a shell in the container, and it is never needed to build: switch USER instead.",
        remediation: "Run the step as root with `USER root` before it and switch back with `USER app` after it; remove sudo from the image (use gosu or su-exec in entrypoints that must drop privileges).",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#user",
            "https://github.com/hadolint/hadolint/wiki/DL3004",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF004",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins, pipelines) in runs(df) {
            let sudo = pipelines.iter().flatten().any(|cmd| {
                cmd.iter()
                    .find(|w| !w.contains('='))
                    .is_some_and(|w| w.rsplit('/').next() == Some("sudo"))
            });
            if sudo {
                hits.push(Hit::in_dockerfile(df, ins.pos, "RUN uses sudo"));
            }
        }
        hits
    });
}
