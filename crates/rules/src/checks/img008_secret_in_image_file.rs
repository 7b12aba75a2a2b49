//! IMG008 secret-in-image-file: a file in the image holds a credential: a provider's token format
//! (AWS, GitHub, GitLab, Slack, Stripe, Google, npm, PyPI, Docker Hub, private keys, JWTs), a
//! password in a URL, or a long random value assigned to a secret-sounding key
//! (`aws_secret_access_key = …`), with AWS's documented example keys allowed.
//!
//! Found when the layers were read; only where (file and line), what kind and a masked form
//! (`AK****EY`) are in the snapshot. Files the distribution ships (`/usr/share`, `/usr/lib`,
//! certificates, package metadata) and third-party code (`node_modules`, `site-packages`,
//! `vendor`) are not scanned; a file deleted by a later layer is not reported here (it is still
//! in the lower layer's blob: rebuilding is the fix either way).

use crate::image_contents::{abs, each_scanned_image, list};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG008",
        name: "secret-in-image-file",
        title: "A file in the image holds a secret",
        rationale: "Everyone who can pull the image can read its files, in every registry and on every host it reaches; a credential in a layer cannot be removed by a later layer, only by rebuilding and rotating it.",
        remediation: "Rotate the exposed credential, delete the file from the build (add it to .dockerignore; in a multi-stage build keep it out of the final stage), pass build-time secrets with `RUN --mount=type=secret,id=NAME` (`docker build --secret id=NAME,src=FILE`) and runtime ones as files (`docker secret`, compose `secrets:`, /run/secrets/NAME); rebuild, and remove the old image from every registry and host.",
        category: Category::Images,
        severity: Severity::Critical,
        cis: &["4.10"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/secrets/",
            "https://docs.docker.com/build/concepts/context/#dockerignore-files",
            "https://cwe.mitre.org/data/definitions/798.html",
            "https://cwe.mitre.org/data/definitions/538.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        if c.secrets.is_empty() {
            return Verdict::Pass;
        }
        let found: Vec<String> = c
            .secrets
            .iter()
            .map(|s| format!("{} in {}:{} ({})", s.key, abs(&s.path), s.line, s.masked))
            .collect();
        let mut files: Vec<&str> = c.secrets.iter().map(|s| s.path.as_str()).collect();
        files.dedup();
        Verdict::fail(format!(
            "{} secret{} in {} file{}: {}",
            found.len(),
            if found.len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            list(&found, 5)
        ))
        .with_evidence(json!({ "secrets": c.secrets }))
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{ImageContents, SecretInFile};

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn secrets_are_listed_masked() {
        let secret = |path: &str, line| SecretInFile {
            path: path.into(),
            line,
            key: "AWS access key id".into(),
            reason: "value has the format of a AWS access key id".into(),
            masked: "AK****EY".into(),
        };
        let c = ImageContents {
            secrets: vec![secret("app/settings.ini", 2), secret("app/settings.ini", 9)],
            ..ImageContents::default()
        };
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "2 secrets in 1 file: AWS access key id in /app/settings.ini:2 (AK****EY), AWS access key id in /app/settings.ini:9 (AK****EY)"
        );
        let checks = run(&RULE, ImageContents::default(), "2026-01-01");
        assert_eq!(checks.passed().len(), 1);
    }
}
