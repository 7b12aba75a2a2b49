//! IMG003 image-update-alone: a `RUN apt-get update` (or `apk update`, `yum makecache`…) in a layer
//! of its own is cached by the builder and goes stale: later installs use an old package index.
//!
//! Judged from the image history (`docker history --no-trunc`), in both the classic builder's form
//! (`/bin/sh -c apt-get update`) and BuildKit's (`RUN /bin/sh -c apt-get update # buildkit`).

use std::sync::LazyLock;

use dockaudit_snapshot::redact::redact_text;
use regex::Regex;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG003",
        name: "image-update-alone",
        title: "Image runs a package index update on its own",
        rationale: "The build cache keeps a layer that only refreshes the package index, so later builds install from a stale index and miss security updates; the index files also bloat the image.",
        remediation: "Refresh the index and install in the same RUN, then clean up: `RUN apt-get update && apt-get install -y --no-install-recommends PKG && rm -rf /var/lib/apt/lists/*` (Alpine: `RUN apk add --no-cache PKG`); rebuild with `docker build --pull --no-cache` (compose: `docker compose build --pull --no-cache`) so base images and packages are current.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &["4.7"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#apt-get",
            "https://docs.docker.com/build/cache/",
            "https://cwe.mitre.org/data/definitions/1104.html",
        ],
    },
    check,
};

/// Longest instruction quoted in a message.
const MAX_INSTRUCTION_CHARS: usize = 100;

/// A package index refresh.
pub(crate) static UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:apt-get|apt|aptitude)\s+(?:-\S+\s+)*update\b|\bapk\s+(?:-\S+\s+)*update\b|\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*makecache\b|\bzypper\s+(?:-\S+\s+)*(?:refresh|ref)\b",
    )
    .expect("static pattern")
});

/// An install or upgrade that uses the refreshed index (within one shell command, not across `&&`).
pub(crate) static INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:apt-get|apt|aptitude)\s+(?:[^\s;&|]+\s+)*?(?:install|upgrade|dist-upgrade|full-upgrade|build-dep)\b|\bapk\s+(?:[^\s;&|]+\s+)*?(?:add|upgrade)\b|\b(?:yum|dnf|microdnf)\s+(?:[^\s;&|]+\s+)*?(?:install|upgrade|update|reinstall|groupinstall)\b|\bzypper\s+(?:[^\s;&|]+\s+)*?(?:install|in|update|up|dist-upgrade|dup|patch)\b",
    )
    .expect("static pattern")
});

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_image_in_use(input, |image| match facts::history_lines(image) {
        Ok(lines) => judge(lines.into_iter()),
        Err(why) => Verdict::Skip(why),
    });
}

/// Judges an image's history lines (newest first, as the engine lists them).
fn judge<'a>(created_by: impl Iterator<Item = &'a str>) -> Verdict {
    let mut found: Vec<String> = Vec::new();
    for line in created_by {
        let Some(command) = run_command(line) else {
            continue;
        };
        if UPDATE.is_match(&command) && !INSTALL.is_match(&command) {
            let shown = facts::shorten(
                &redact_text(&format!("RUN {command}")).0,
                MAX_INSTRUCTION_CHARS,
            );
            if !found.contains(&shown) {
                found.push(shown);
            }
        }
    }
    // Oldest first reads like the Dockerfile.
    found.reverse();
    match found.as_slice() {
        [] => Verdict::Pass,
        [one] => Verdict::fail(format!(
            "refreshes the package index without installing in the same layer: `{one}`"
        ))
        .with_evidence(json!({ "layers": found })),
        [first, rest @ ..] => Verdict::fail(format!(
            "refreshes the package index without installing in the same layer, {} times: `{first}` (+{} more)",
            found.len(),
            rest.len()
        ))
        .with_evidence(json!({ "layers": found })),
    }
}

/// The shell command of a `RUN` history line, in either builder's form, or `None` for other
/// instructions.
fn run_command(created_by: &str) -> Option<String> {
    let run = facts::history_instruction(created_by).filter(|h| h.instruction == "RUN")?;
    let mut s = run.args;
    // `|2 ARG1=a ARG2=b /bin/sh -c …`: build arguments in force for the command.
    if let Some(rest) = s.strip_prefix('|') {
        let (count, rest) = rest.split_once(' ')?;
        let count: usize = count.parse().ok()?;
        let mut rest = rest.trim_start();
        for _ in 0..count {
            rest = rest.split_once(' ').map_or("", |(_, r)| r).trim_start();
        }
        s = rest;
    }
    let s = [
        "/bin/sh -c ",
        "/bin/bash -c ",
        "/bin/ash -c ",
        "sh -c ",
        "bash -c ",
    ]
    .iter()
    .find_map(|shell| s.strip_prefix(shell))
    .unwrap_or(s);
    Some(s.trim().to_string())
}

/// The Dockerfile check: a `RUN` that refreshes the package index without installing in the same
/// `RUN` (the same patterns as the image history's).
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG003",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_dockerfile(checks, input, |df| {
        crate::source::runs(df)
            .filter_map(|(_, ins, _)| {
                let script = ins.kind.script()?;
                (UPDATE.is_match(&script) && !INSTALL.is_match(&script)).then(|| {
                    crate::source::Hit::in_dockerfile(
                        df,
                        ins.pos,
                        "refreshes the package index without installing in the same RUN",
                    )
                })
            })
            .collect()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(line: &str) -> bool {
        matches!(judge(std::iter::once(line)), Verdict::Fail { .. })
    }

    #[test]
    fn updates_alone_are_flagged_in_both_builder_forms() {
        for line in [
            "/bin/sh -c apt-get update || true",
            "RUN /bin/sh -c apt-get update || true # buildkit",
            "RUN |1 V=1 /bin/sh -c apt-get -qq update # buildkit",
            "|1 V=1 /bin/sh -c apt update",
            "/bin/sh -c apk update",
            "/bin/sh -c yum makecache",
            "/bin/sh -c dnf -y makecache",
            "/bin/sh -c zypper --non-interactive refresh",
            "/bin/sh -c apt-get update && pip install flask",
        ] {
            assert!(flagged(line), "{line}");
        }
    }

    #[test]
    fn update_with_install_and_other_instructions_pass() {
        for line in [
            "/bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
            "RUN /bin/sh -c apt-get update     && apt-get -y --no-install-recommends install curl # buildkit",
            "/bin/sh -c apk update && apk add curl",
            "/bin/sh -c apk add --no-cache --update curl",
            "/bin/sh -c apt-get update && apt-get -y upgrade",
            "/bin/sh -c yum makecache && yum -y install curl",
            "/bin/sh -c zypper ref && zypper in -y curl",
            "/bin/sh -c #(nop)  ENV APT_UPDATE=apt-get update",
            "ENV NOTE=apt-get update # buildkit",
            "",
            "/bin/sh -c echo apt-get-update-done",
        ] {
            assert!(!flagged(line), "{line}");
        }
    }

    #[test]
    fn message_quotes_the_instruction() {
        let Verdict::Fail { message, .. } = judge(
            [
                "/bin/sh -c #(nop)  CMD [\"sh\"]",
                "RUN /bin/sh -c apt-get update || true # buildkit",
            ]
            .into_iter(),
        ) else {
            panic!("expected a failure");
        };
        assert_eq!(
            message,
            "refreshes the package index without installing in the same layer: `RUN apt-get update || true`"
        );
    }
}
