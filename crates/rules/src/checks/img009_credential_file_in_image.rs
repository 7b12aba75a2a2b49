//! IMG009 credential-file-in-image: the image ships a file that is a credential by its nature: an
//! SSH private key (`id_rsa`, `id_ed25519`…), AWS credentials (`.aws/credentials` with a secret
//! key), Docker registry logins (`.docker/config.json` with `auths`, not a credential helper), npm or
//! PyPI tokens (`.npmrc`, `.pypirc`), git, netrc and PostgreSQL password files, `.env` files with
//! secret-named variables, or a keystore (`.p12`, `.pfx`, `.jks`).
//!
//! The name picks the candidates, the content confirms them (an `id_rsa` without a private key, or a
//! `config.json` with only `credsStore`, is not reported); templates (`.env.example`) are not
//! candidates. Values are never stored, only what kind of file it is and what it names.

use crate::image_contents::{abs, each_scanned_image, list};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG009",
        name: "credential-file-in-image",
        title: "The image ships credential files (SSH keys, cloud or registry logins, .env)",
        rationale: "A key or login file copied into an image (often by `COPY . .` or a build that ran `docker login`, `aws configure` or `npm login`) is readable by everyone who can pull the image, and stays in its layer even when a later step deletes it.",
        remediation: "Keep the files out of the build context (.dockerignore: `.env`, `.ssh/`, `.aws/`, `.docker/`, `.npmrc`), use `RUN --mount=type=secret` or `--mount=type=ssh` for what the build needs, mount runtime credentials as secrets (/run/secrets/NAME), rotate what was exposed, rebuild.",
        category: Category::Images,
        severity: Severity::High,
        cis: &["4.10"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/secrets/#ssh-mounts",
            "https://docs.docker.com/build/concepts/context/#dockerignore-files",
            "https://cwe.mitre.org/data/definitions/522.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        if c.credential_files.is_empty() {
            return Verdict::Pass;
        }
        let found: Vec<String> = c
            .credential_files
            .iter()
            .map(|f| format!("{} ({})", abs(&f.path), f.kind))
            .collect();
        Verdict::fail(format!(
            "credential files in the image: {}",
            list(&found, 6)
        ))
        .with_evidence(json!({ "files": c.credential_files }))
    });
}

/// The Dockerfile check: `COPY`/`ADD` of a file that is a credential by its name (`.env`, SSH
/// keys, `.npmrc`, `.pypirc`, `.netrc`, `.aws`, `.docker/config.json`, keystores, `*.pem`/`*.key`).
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG009",
    check: source,
};

/// Whether a COPY source names a credential file.
pub(crate) fn credential_source(source: &str) -> bool {
    let s = source.trim_end_matches('/');
    let name = s.rsplit('/').next().unwrap_or(s).to_ascii_lowercase();
    let templates = [".example", ".sample", ".template", ".dist", ".defaults"];
    if templates.iter().any(|t| name.ends_with(t)) {
        return false;
    }
    name == ".env"
        || name.starts_with(".env.")
        || [
            "id_rsa",
            "id_dsa",
            "id_ecdsa",
            "id_ed25519",
            ".npmrc",
            ".pypirc",
            ".netrc",
            ".pgpass",
            ".git-credentials",
            ".aws",
            ".ssh",
        ]
        .contains(&name.as_str())
        || s.ends_with(".docker/config.json")
        || [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"]
            .iter()
            .any(|e| name.ends_with(e))
}

fn source(input: &SourceInput, checks: &mut Checks) {
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins) in df.instructions() {
            let (Kind::Copy(t) | Kind::Add(t)) = &ins.kind else {
                continue;
            };
            // A copy from another stage moves files already inside the build.
            if t.from.is_some() {
                continue;
            }
            if let Some(src) = t.sources.iter().find(|s| credential_source(s)) {
                hits.push(
                    crate::source::Hit::in_dockerfile(
                        df,
                        ins.pos,
                        format!(
                            "{} copies the credential file {src} into the image",
                            ins.keyword
                        ),
                    )
                    .evidence(json!({"sources": t.sources})),
                );
            }
        }
        hits
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{CredentialFile, ImageContents};

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn credential_files_are_named_with_their_kind() {
        let c = ImageContents {
            credential_files: vec![CredentialFile {
                path: "root/.ssh/id_rsa".into(),
                kind: "SSH private key".into(),
                detail: "private key without a passphrase".into(),
            }],
            ..ImageContents::default()
        };
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "credential files in the image: /root/.ssh/id_rsa (SSH private key)"
        );
    }
}
