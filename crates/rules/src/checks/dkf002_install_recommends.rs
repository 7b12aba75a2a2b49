//! DKF002 install-recommends: `apt-get install` without `--no-install-recommends` pulls in every
//! recommended package: a larger image with more code to patch and attack. hadolint: DL3015.

use crate::prelude::*;
use crate::source::{each_dockerfile, runs, runs_subcommand, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF002",
        name: "install-recommends",
        title: "apt-get install without --no-install-recommends",
        rationale: "Recommended packages are installed by default: they grow the image and its attack surface with code the application never uses, and every one of them needs patching.",
        remediation: "Add `--no-install-recommends` to `apt-get install` (or set `APT::Install-Recommends \"false\";` in /etc/apt/apt.conf.d).",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#apt-get",
            "https://github.com/hadolint/hadolint/wiki/DL3015",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins, pipelines) in runs(df) {
            let bare = pipelines.iter().flatten().any(|cmd| {
                runs_subcommand(cmd, &["apt-get"], &["install"])
                    && !cmd.iter().any(|w| {
                        w == "--no-install-recommends" || w.contains("Install-Recommends=false")
                    })
            });
            if bare {
                hits.push(Hit::in_dockerfile(
                    df,
                    ins.pos,
                    "`apt-get install` without --no-install-recommends",
                ));
            }
        }
        hits
    });
}
