//! DKF005 ssh-port-exposed: `EXPOSE 22` says the image runs an SSH server: a second way in,
//! with its own keys and passwords to manage, next to `docker exec`.

use crate::prelude::*;
use crate::source::{each_dockerfile, Hit};
use dockaudit_source::dockerfile::Kind;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF005",
        name: "ssh-port-exposed",
        title: "Dockerfile exposes the SSH port",
        rationale: "An SSH daemon in a container is another service to patch and another set of credentials to leak; containers are reached with `docker exec` and their logs, not SSH.",
        remediation: "Remove `EXPOSE 22` and the SSH server from the image; use `docker exec` (or `kubectl exec`) for debugging.",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &["4.8"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#expose",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF005",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins) in df.instructions() {
            let Kind::Expose(ports) = &ins.kind else {
                continue;
            };
            if ports
                .iter()
                .any(|p| p.split('/').next() == Some("22") && !p.ends_with("/udp"))
            {
                hits.push(Hit::in_dockerfile(
                    df,
                    ins.pos,
                    "EXPOSE 22: the image runs an SSH server",
                ));
            }
        }
        hits
    });
}
