//! DKF006 relative-workdir: a relative `WORKDIR` depends on the `WORKDIR` before it (often the base
//! image's), so a change upstream moves where the build writes. hadolint: DL3000.

use crate::prelude::*;
use crate::source::{each_dockerfile, Hit};
use dockaudit_source::dockerfile::Kind;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF006",
        name: "relative-workdir",
        title: "WORKDIR is a relative path",
        rationale: "A relative WORKDIR is resolved against the previous one, which may come from the base image; files land somewhere else when the base image changes.",
        remediation: "Use an absolute path: `WORKDIR /app`.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#workdir",
            "https://github.com/hadolint/hadolint/wiki/DL3000",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF006",
    check: source,
};

fn is_absolute(path: &str) -> bool {
    let p = path.trim_matches(|c| c == '"' || c == '\'');
    let b = p.as_bytes();
    p.starts_with('/') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins) in df.instructions() {
            let Kind::Workdir { raw, resolved } = &ins.kind else {
                continue;
            };
            // A path from a variable without a known value cannot be judged.
            let path = match resolved {
                Some(r) => r.as_str(),
                None if raw.starts_with('$') => continue,
                None => raw.as_str(),
            };
            if !is_absolute(path) {
                hits.push(
                    Hit::in_dockerfile(df, ins.pos, format!("`WORKDIR {raw}` is relative"))
                        .evidence(json!({"workdir": raw})),
                );
            }
        }
        hits
    });
}
