//! CTR017 secret-in-environment: a credential passed with `-e`, `--label` or on the command line is
//! readable by anyone who can inspect the container, and by every process inside it.
//!
//! The values were masked when the snapshot was collected; this rule reads where that happened
//! (`snapshot.redactions`) and names the keys, never the values. A variable that the image's own
//! `ENV` already sets is called out, since IMG005 reports the image itself.

use std::collections::BTreeSet;

use dockaudit_snapshot::Redaction;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR017",
        name: "secret-in-environment",
        title: "Secrets in the container's environment or labels",
        rationale: "Environment variables, labels and command-line arguments are shown in plain text by `docker inspect` and `ps`, inherited by every child process and often copied into logs and crash reports; a credential there leaks to anyone with API or host access.",
        remediation: "Stop passing secrets with -e/--env, --label or command-line flags: mount them as files (`docker secret`/compose `secrets:` read from /run/secrets/NAME, or a read-only -v bind of a secrets file) and point the application at the file (`DB_PASSWORD_FILE=/run/secrets/db_password`); remove ENV/LABEL secrets from the Dockerfile and use `RUN --mount=type=secret` for build-time ones; rotate every credential that was exposed.",
        category: Category::Containers,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/swarm/secrets/",
            "https://docs.docker.com/compose/how-tos/use-secrets/",
            "https://docs.docker.com/build/building/secrets/",
            "https://cwe.mitre.org/data/definitions/526.html",
            "https://cwe.mitre.org/data/definitions/798.html",
        ],
    },
    check,
};

/// Container fields whose masked values this rule reports, with how the message calls them.
/// Log lines and process command lines are LOG004's and CTR018's business.
const FIELDS: &[(&str, &str)] = &[
    ("Config.Env", "environment"),
    ("Config.Labels", "label"),
    ("Config.Cmd", "command"),
    ("Config.Entrypoint", "entrypoint"),
    ("Args", "command"),
];

fn check(input: &AuditInput, checks: &mut Checks) {
    let redactions = &input.snapshot.redactions;
    checks.each_container(input, |c| {
        let found: Vec<&Redaction> = redactions
            .iter()
            .filter(|r| {
                r.object_kind == "container"
                    && r.object_id == c.inspect.id
                    && FIELDS.iter().any(|(f, _)| *f == r.field)
            })
            .collect();
        if found.is_empty() {
            return Verdict::Pass;
        }
        let image_env = image_env_names(input, c);
        judge(&found, &image_env)
    });
}

/// Names of the variables the container's image sets with `ENV`.
fn image_env_names(input: &AuditInput, c: &Container) -> BTreeSet<String> {
    input
        .snapshot
        .image_by_id(&c.inspect.image)
        .map(|image| {
            image
                .inspect
                .config
                .env
                .iter()
                .filter_map(|e| e.split_once('=').map(|(name, _)| name.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the finding from the container's redactions (at least one).
fn judge(found: &[&Redaction], image_env: &BTreeSet<String>) -> Verdict {
    // Group keys by place, in FIELDS order, each key once per place.
    let mut parts: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut inherited = BTreeSet::new();
    for (field, place) in FIELDS {
        let mut keys: Vec<&str> = Vec::new();
        for r in found.iter().filter(|r| r.field == *field) {
            let key = if r.key.is_empty() {
                r.reason.as_str()
            } else {
                r.key.as_str()
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
            if *field == "Config.Env" && image_env.contains(&r.key) {
                inherited.insert(r.key.clone());
            }
        }
        if keys.is_empty() {
            continue;
        }
        // `Config.Cmd` and `Args` are both the command line: merge them.
        if let Some(existing) = parts.iter_mut().find(|part| part.0 == *place) {
            for k in keys {
                if !existing.1.contains(&k) {
                    existing.1.push(k);
                }
            }
        } else {
            parts.push((*place, keys));
        }
    }
    let described: Vec<String> = parts
        .iter()
        .map(|(place, keys)| match *place {
            "environment" => format!("secrets in environment: {}", keys.join(", ")),
            "label" => format!(
                "{} {}",
                if keys.len() == 1 { "label" } else { "labels" },
                keys.join(", ")
            ),
            other => format!("{other} argument {}", keys.join(", ")),
        })
        .collect();
    let mut message = described.join("; ");
    if !message.starts_with("secrets") {
        message = format!("secrets in {message}");
    }
    if !inherited.is_empty() {
        let names: Vec<&str> = inherited.iter().map(String::as_str).collect();
        message.push_str(&format!(
            " ({} also set by the image's ENV: see IMG005)",
            names.join(", ")
        ));
    }
    let evidence: Vec<_> = found
        .iter()
        .map(|r| json!({"field": r.field, "key": r.key, "reason": r.reason, "masked": r.masked}))
        .collect();
    let inherited: Vec<&String> = inherited.iter().collect();
    Verdict::fail(message)
        .with_evidence(json!({"secrets": evidence, "inherited_from_image_env": inherited}))
}

/// The Compose check: secret-looking values in `environment`, `labels` and `build.args` (masked
/// when the file was read).
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR017",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            s.secrets
                .iter()
                .map(|m| {
                    crate::source::Hit::at(
                        &m.at,
                        format!("{} {} holds a secret ({})", m.field, m.key, m.reason),
                    )
                    .evidence(json!({"field": m.field, "key": m.key, "masked": m.masked, "reason": m.reason}))
                })
                .collect(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(field: &str, key: &str, masked: &str) -> Redaction {
        Redaction {
            object_kind: "container".into(),
            object_id: "c1".into(),
            field: field.into(),
            key: key.into(),
            reason: "name suggests a credential".into(),
            masked: masked.into(),
        }
    }

    #[test]
    fn names_keys_by_place_and_never_values() {
        let a = red("Config.Env", "DB_PASSWORD", "hu****et");
        let b = red("Config.Env", "AWS_ACCESS_KEY_ID", "AK****LE");
        let l = red("Config.Labels", "com.example.api-token", "pl****56");
        let image_env = BTreeSet::from(["AWS_ACCESS_KEY_ID".to_string()]);
        let Verdict::Fail {
            message, evidence, ..
        } = judge(&[&a, &b, &l], &image_env)
        else {
            panic!("expected a failure");
        };
        assert_eq!(
            message,
            "secrets in environment: DB_PASSWORD, AWS_ACCESS_KEY_ID; label com.example.api-token \
             (AWS_ACCESS_KEY_ID also set by the image's ENV: see IMG005)"
        );
        assert_eq!(evidence["secrets"][0]["masked"], "hu****et");
    }

    #[test]
    fn command_line_keys_are_merged() {
        let a = red("Config.Cmd", "password", "****");
        let b = red("Args", "password", "****");
        let Verdict::Fail { message, .. } = judge(&[&a, &b], &BTreeSet::new()) else {
            panic!("expected a failure");
        };
        assert_eq!(message, "secrets in command argument password");
    }
}
