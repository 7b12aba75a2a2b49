//! DKF003 download-piped-to-shell: `curl … | sh` (or `wget -O- … | bash`, `| python`) runs
//! whatever the server sends at build time, unverified.

use crate::prelude::*;
use crate::source::{each_dockerfile, runs, Hit};
use dockaudit_source::shell::program;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF003",
        name: "download-piped-to-shell",
        title: "A download is piped into a shell",
        rationale: "Piping a download into an interpreter runs unverified code as root in the build: a compromised or spoofed server, or a truncated transfer, ends up in the image with nothing to show it.",
        remediation: "Download to a file, verify its checksum or signature, then run it: `curl -fsSLo install.sh URL && echo \"SHA256  install.sh\" | sha256sum -c - && sh install.sh`; better, install from a signed package repository.",
        category: Category::Images,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://cwe.mitre.org/data/definitions/494.html",
            "https://docs.docker.com/build/building/best-practices/",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF003",
    check: source,
};

const DOWNLOADERS: &[&str] = &["curl", "wget", "fetch"];
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python2", "python3", "perl", "ruby",
    "node", "php",
];

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins, pipelines) in runs(df) {
            for p in &pipelines {
                let progs: Vec<&str> = p
                    .iter()
                    .filter_map(|c| program(c).map(|(_, n)| n))
                    .collect();
                let Some(d) = progs.iter().position(|n| DOWNLOADERS.contains(n)) else {
                    continue;
                };
                if let Some(shell) = progs[d + 1..].iter().find(|n| INTERPRETERS.contains(n)) {
                    hits.push(
                        Hit::in_dockerfile(
                            df,
                            ins.pos,
                            format!("pipes a {} download into {shell}", progs[d]),
                        )
                        .evidence(json!({"pipeline": progs})),
                    );
                    break;
                }
            }
        }
        hits
    });
}
