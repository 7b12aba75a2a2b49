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
