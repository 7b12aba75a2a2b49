//! DKF009 pipe-without-pipefail: a `RUN` with a pipe under a shell without `pipefail` succeeds when
//! the last command does, even if an earlier one failed (`curl … | tar x` with a failed download
//! builds an image without the files). hadolint: DL4006.

use crate::prelude::*;
use crate::source::{each_dockerfile, Hit};
use dockaudit_source::dockerfile::{Command, Kind};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF009",
        name: "pipe-without-pipefail",
        title: "RUN pipes commands without pipefail",
        rationale: "A pipeline's status is its last command's: without pipefail a failed download or build step in the middle of a pipe still produces a 'successful' layer, and a broken image ships.",
        remediation: "Set the shell first: `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (or start the RUN with `set -o pipefail &&` where the shell supports it).",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#using-pipes",
            "https://github.com/hadolint/hadolint/wiki/DL4006",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF009",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for stage in &df.stages {
            // SHELL applies to the instructions after it in its stage.
            let mut pipefail = false;
            let mut posix = true;
            for ins in &stage.instructions {
                match &ins.kind {
                    Kind::Shell(words) => {
                        pipefail = words.windows(2).any(|w| w[0] == "-o" && w[1] == "pipefail")
                            || words.iter().any(|w| w.contains("pipefail"));
                        let prog = words.first().map(|w| {
                            w.rsplit(['/', '\\'])
                                .next()
                                .unwrap_or(w)
                                .to_ascii_lowercase()
                        });
                        posix = !prog.is_some_and(|p| {
                            p.starts_with("pwsh")
                                || p.starts_with("powershell")
                                || p.starts_with("cmd")
                        });
                    }
                    Kind::Run {
                        command: Command::Shell(_),
                        ..
                    } if !pipefail && posix => {}
                    _ => continue,
                }
                if !matches!(ins.kind, Kind::Run { .. }) {
                    continue;
                }
                let script = ins.kind.script().unwrap_or_default();
                if script.contains("pipefail") {
                    continue;
                }
                let piped = dockaudit_source::shell::pipelines(&script)
                    .iter()
                    .any(|p| p.len() > 1);
                if piped {
                    hits.push(Hit::in_dockerfile(
                        df,
                        ins.pos,
                        "RUN pipes commands without `-o pipefail` in the SHELL",
                    ));
                }
            }
        }
        hits
    });
}
