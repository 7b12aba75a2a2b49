//! DKF007 multiple-cmd-entrypoint: a stage with several `CMD` (or `ENTRYPOINT`) instructions: only
//! the last takes effect, so the others mislead whoever reads the file. hadolint: DL4003, DL4004.

use crate::prelude::*;
use crate::source::{each_dockerfile, Hit};
use dockaudit_source::dockerfile::Kind;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF007",
        name: "multiple-cmd-entrypoint",
        title: "Several CMD or ENTRYPOINT instructions in one stage",
        rationale: "Only the last CMD and the last ENTRYPOINT of a stage take effect; the earlier ones are dead code that suggests the container runs something it does not.",
        remediation: "Keep one CMD and at most one ENTRYPOINT per stage; run several processes with a proper init or several containers.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#cmd",
            "https://github.com/hadolint/hadolint/wiki/DL4003",
            "https://github.com/hadolint/hadolint/wiki/DL4004",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF007",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for stage in &df.stages {
            for keyword in ["CMD", "ENTRYPOINT"] {
                let all: Vec<_> = stage
                    .instructions
                    .iter()
                    .filter(|i| {
                        i.keyword == keyword && matches!(i.kind, Kind::Cmd(_) | Kind::Entrypoint(_))
                    })
                    .collect();
                // Each one after the first is reported (where the duplicate is).
                for dup in all.iter().skip(1) {
                    hits.push(
                        Hit::in_dockerfile(
                            df,
                            dup.pos,
                            format!(
                                "{} {keyword} instructions in stage {}: only the last takes effect",
                                all.len(),
                                stage
                                    .name
                                    .clone()
                                    .unwrap_or_else(|| stage.index.to_string())
                            ),
                        )
                        .evidence(
                            json!({"lines": all.iter().map(|i| i.pos.line).collect::<Vec<_>>()}),
                        ),
                    );
                }
            }
        }
        hits
    });
}
