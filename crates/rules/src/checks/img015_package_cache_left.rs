//! IMG015 package-cache-left: a package manager's cache or index files were left in the image
//! (`/var/cache/apt`, `/var/lib/apt/lists`, `/var/cache/apk`, dnf/yum/zypper caches, pip, npm and
//! yarn caches); lock files and partial downloads do not count.

use crate::image_contents::{abs, bytes, each_scanned_image, list};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG015",
        name: "package-cache-left",
        title: "Package manager caches left in the image",
        rationale: "Downloaded packages and index files make every copy of the image larger and slower to pull and scan, and stale package indexes in an image invite an `install` without an `update` that pulls outdated versions.",
        remediation: "Clean up in the same RUN that installs: `apt-get update && apt-get install -y --no-install-recommends PKG && rm -rf /var/lib/apt/lists/*`; `apk add --no-cache PKG`; `dnf install -y PKG && dnf clean all`; `pip install --no-cache-dir`; `npm ci && npm cache clean --force`; or use `RUN --mount=type=cache,target=/var/cache/apt`.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#apt-get",
            "https://docs.docker.com/build/cache/optimize/#use-cache-mounts",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        if c.package_caches.is_empty() {
            return Verdict::Pass;
        }
        let shown: Vec<String> = c
            .package_caches
            .iter()
            .map(|p| {
                format!(
                    "{} ({}, {} file{}, {})",
                    abs(&p.path),
                    p.manager,
                    p.files,
                    if p.files == 1 { "" } else { "s" },
                    bytes(p.bytes)
                )
            })
            .collect();
        Verdict::fail(format!(
            "package caches left in the image: {}",
            list(&shown, 5)
        ))
        .with_evidence(json!({ "caches": c.package_caches }))
    });
}

/// The Dockerfile check, in the stages that end up in the image (the final one and those it is
/// built `FROM`): `apt-get install` without removing `/var/lib/apt/lists` in the same `RUN`
/// (hadolint DL3009), `pip install` without `--no-cache-dir` (DL3042; not when `PIP_NO_CACHE_DIR`
/// is set), `apk add` without `--no-cache` (DL3019). A `RUN --mount=type=cache` keeps the cache out
/// of the image and passes.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG015",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    use crate::source::runs_subcommand;
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        // The stages whose layers are in the final image.
        let mut kept = Vec::new();
        let mut stage = df.final_stage();
        while let Some(s) = stage {
            if kept.contains(&s.index) {
                break;
            }
            kept.push(s.index);
            stage = s
                .from
                .is_stage
                .then(|| {
                    df.stages.iter().find(|b| {
                        b.index < s.index
                            && b.name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(&s.from.resolved))
                    })
                })
                .flatten();
        }
        let mut hits = Vec::new();
        for (stage, ins, pipelines) in crate::source::runs(df) {
            if !kept.contains(&stage.index) {
                continue;
            }
            let Kind::Run { flags, .. } = &ins.kind else {
                continue;
            };
            if flags
                .iter()
                .any(|f| f.starts_with("mount=") && f.contains("type=cache"))
            {
                continue;
            }
            let cmds: Vec<&Vec<String>> = pipelines.iter().flatten().collect();
            let removes = |dir: &str| {
                cmds.iter().any(|c| {
                    c.first().is_some_and(|p| p == "rm") && c.iter().any(|w| w.starts_with(dir))
                })
            };
            let pip_env = stage.instructions.iter().take_while(|i| i.pos < ins.pos).any(|i| {
                matches!(&i.kind, Kind::Env(v) | Kind::Arg(v) if v.iter().any(|v| v.key == "PIP_NO_CACHE_DIR"))
            });
            let mut left = Vec::new();
            if cmds
                .iter()
                .any(|c| runs_subcommand(c, &["apt-get"], &["install"]))
                && !removes("/var/lib/apt/lists")
            {
                left.push("apt lists (/var/lib/apt/lists)");
            }
            if !pip_env
                && cmds.iter().any(|c| {
                    let python_m_pip = dockaudit_source::shell::program(c).is_some_and(|(i, p)| {
                        p.starts_with("python")
                            && c[i + 1..]
                                .windows(3)
                                .any(|w| w[0] == "-m" && w[1] == "pip" && w[2] == "install")
                    });
                    (python_m_pip || runs_subcommand(c, &["pip", "pip3", "pip2"], &["install"]))
                        && !c.iter().any(|w| w == "--no-cache-dir")
                })
            {
                left.push("pip cache (pip install without --no-cache-dir)");
            }
            if cmds.iter().any(|c| {
                runs_subcommand(c, &["apk"], &["add"]) && !c.iter().any(|w| w == "--no-cache")
            }) && !removes("/var/cache/apk")
            {
                left.push("apk cache (apk add without --no-cache)");
            }
            if !left.is_empty() {
                hits.push(
                    crate::source::Hit::in_dockerfile(
                        df,
                        ins.pos,
                        format!("leaves {} in the image", left.join(", ")),
                    )
                    .evidence(json!({"caches": left})),
                );
            }
        }
        hits
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{ImageContents, PackageCache};

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn caches_are_listed_with_sizes() {
        let c = ImageContents {
            package_caches: vec![PackageCache {
                path: "var/lib/apt/lists".into(),
                manager: "apt".into(),
                files: 12,
                bytes: 34_500_000,
            }],
            ..ImageContents::default()
        };
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "package caches left in the image: /var/lib/apt/lists (apt, 12 files, 34.5 MB)"
        );
    }
}
