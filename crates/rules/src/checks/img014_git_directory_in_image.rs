//! IMG014 git-directory-in-image: the image holds a `.git` directory (usually from `COPY . .`),
//! with the repository's whole history, remotes, and often credentials in its config.

use crate::image_contents::{abs, each_scanned_image, list};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG014",
        name: "git-directory-in-image",
        title: "Image contains a .git directory",
        rationale: "A .git directory ships the repository's full history to everyone who can pull the image: deleted secrets and source included, plus remote URLs that may carry tokens; and it makes the image larger for nothing.",
        remediation: "Add `.git` to .dockerignore (or copy only what the build needs), rebuild; in a multi-stage build copy only the built artefacts into the final stage.",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/concepts/context/#dockerignore-files",
            "https://cwe.mitre.org/data/definitions/527.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        if c.git_dirs.is_empty() {
            return Verdict::Pass;
        }
        let dirs: Vec<String> = c.git_dirs.iter().map(|d| abs(d)).collect();
        Verdict::fail(format!(".git directories in the image: {}", list(&dirs, 5)))
            .with_evidence(json!({ "git_dirs": dirs }))
    });
}

/// The Dockerfile check: `COPY`/`ADD` of a `.git` directory by name.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG014",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins) in df.instructions() {
            let (Kind::Copy(t) | Kind::Add(t)) = &ins.kind else {
                continue;
            };
            let git = t.sources.iter().find(|s| {
                let s = s.trim_end_matches('/');
                s == ".git" || s.ends_with("/.git")
            });
            if let Some(src) = git {
                hits.push(crate::source::Hit::in_dockerfile(
                    df,
                    ins.pos,
                    format!("{} copies {src} into the image", ins.keyword),
                ));
            }
        }
        hits
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::ImageContents;

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn git_directories_fail() {
        let c = ImageContents {
            git_dirs: vec!["app/.git".into()],
            ..ImageContents::default()
        };
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            ".git directories in the image: /app/.git"
        );
    }
}
