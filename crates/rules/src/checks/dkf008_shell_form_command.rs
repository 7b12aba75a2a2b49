//! DKF008 shell-form-command: `CMD` or `ENTRYPOINT` in shell form runs the program under
//! `/bin/sh -c`, which does not pass signals on: `docker stop` waits its timeout and kills the
//! process without a clean shutdown. hadolint: DL3025.

use crate::prelude::*;
use crate::source::{each_dockerfile, Hit};
use dockaudit_source::dockerfile::{Command, Kind};

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DKF008",
        name: "shell-form-command",
        title: "CMD or ENTRYPOINT in shell form",
        rationale: "In shell form the main process is `/bin/sh -c`, which neither forwards SIGTERM nor reaps children: stops take the full timeout and end in SIGKILL, losing in-flight work.",
        remediation: "Use the exec (JSON) form: `CMD [\"nginx\", \"-g\", \"daemon off;\"]`; when a shell is needed, `exec` the program at the end of a script.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#shell-and-exec-form",
            "https://github.com/hadolint/hadolint/wiki/DL3025",
        ],
    },
    check: crate::source::source_only,
};

/// The Dockerfile check.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "DKF008",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins) in df.instructions() {
            if let Kind::Cmd(Command::Shell(s)) | Kind::Entrypoint(Command::Shell(s)) = &ins.kind {
                hits.push(
                    Hit::in_dockerfile(df, ins.pos, format!("{} in shell form", ins.keyword))
                        .evidence(json!({"command": facts::shorten(s, 100)})),
                );
            }
        }
        hits
    });
}
