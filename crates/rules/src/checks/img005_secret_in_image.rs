//! IMG005 secret-in-image: a credential baked into an image's `ENV`, `LABEL` or build history ships
//! with every copy of the image, to every registry and host it is pushed or pulled to.
//!
//! The values were masked when the snapshot was collected; this rule reads where that happened
//! (`snapshot.redactions` for the image) and names the keys and layers, never the values.

use dockaudit_snapshot::{Fact, Redaction};

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG005",
        name: "secret-in-image",
        title: "Secrets in the image's ENV or build history",
        rationale: "Anyone who can pull the image can read its ENV, labels and `docker history`, and every container started from it inherits ENV values; a secret there cannot be revoked by deleting a later layer, only by rotating it.",
        remediation: "Rotate the exposed credential, remove it from the Dockerfile (no ENV/ARG/LABEL secrets), pass build-time secrets with `RUN --mount=type=secret,id=NAME` (`docker build --secret id=NAME,src=FILE`; compose `build: {secrets: [NAME]}`), provide runtime secrets as files (`docker secret`, compose `secrets:`, /run/secrets/NAME), rebuild and remove the old image from every registry and host.",
        category: Category::Images,
        severity: Severity::Critical,
        cis: &["4.10"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/secrets/",
            "https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/",
            "https://cwe.mitre.org/data/definitions/538.html",
            "https://cwe.mitre.org/data/definitions/798.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let redactions = &input.snapshot.redactions;
    checks.each_image_in_use(input, |image| {
        let found: Vec<&Redaction> = redactions
            .iter()
            .filter(|r| r.object_kind == "image" && r.object_id == image.inspect.id)
            .collect();
        judge(image, &found)
    });
}

/// How a redaction's field is named in the message.
fn place(field: &str) -> &str {
    match field {
        "Config.Env" => "ENV",
        "Config.Labels" => "LABEL",
        "history" => "history",
        other => other,
    }
}

/// The history layer (1 = oldest, as `docker history` counts from the bottom) whose instruction
/// holds this masked value, if the history was collected.
fn layer_of(image: &Image, r: &Redaction) -> Option<usize> {
    let Some(Fact::Value(history)) = &image.history else {
        return None;
    };
    let pos = history.iter().position(|h| {
        h.created_by.contains(&r.masked) && (r.key.is_empty() || h.created_by.contains(&r.key))
    })?;
    Some(history.len() - pos)
}

/// Builds the verdict from the image's redactions.
fn judge(image: &Image, found: &[&Redaction]) -> Verdict {
    if found.is_empty() {
        return Verdict::Pass;
    }
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    let mut evidence = Vec::new();
    for r in found {
        let key = if r.key.is_empty() { &r.reason } else { &r.key };
        let layer = if r.field == "history" {
            layer_of(image, r)
        } else {
            None
        };
        let where_ = match layer {
            Some(n) => format!("history layer {n}"),
            None => place(&r.field).to_string(),
        };
        match parts.iter_mut().find(|(w, _)| *w == where_) {
            Some((_, keys)) if keys.contains(key) => {}
            Some((_, keys)) => keys.push(key.clone()),
            None => parts.push((where_, vec![key.clone()])),
        }
        evidence.push(json!({
            "field": r.field, "key": r.key, "reason": r.reason, "masked": r.masked, "layer": layer,
        }));
    }
    // ENV first: it is what every container inherits.
    parts.sort_by_key(|(w, _)| match w.as_str() {
        "ENV" => 0,
        "LABEL" => 1,
        _ => 2,
    });
    let listed: Vec<String> = parts
        .iter()
        .map(|(w, keys)| format!("{} in {w}", keys.join(", ")))
        .collect();
    let in_env = found.iter().any(|r| r.field == "Config.Env");
    let message = if in_env {
        format!(
            "secrets baked into the image: {} (every container inherits the ENV)",
            listed.join("; ")
        )
    } else {
        format!("secrets baked into the image: {}", listed.join("; "))
    };
    let verdict = Verdict::fail(message).with_evidence(json!({ "secrets": evidence }));
    if in_env {
        verdict
    } else {
        verdict.with_severity(Severity::High)
    }
}

/// The Dockerfile check: a secret-looking value in `ENV`, `ARG` (a default) or `LABEL`; the value
/// was masked when the file was read.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG005",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        let mut found: Vec<_> = df.global_args.iter().map(|v| ("ARG", v)).collect();
        for (_, ins) in df.instructions() {
            if let Kind::Env(vars) | Kind::Arg(vars) | Kind::Label(vars) = &ins.kind {
                found.extend(vars.iter().map(|v| (ins.keyword, v)));
            }
        }
        for (keyword, v) in found.into_iter().filter(|(_, v)| v.secret.is_some()) {
            let pos = v.pos;
            hits.push(
                crate::source::Hit::in_dockerfile(
                    df,
                    pos,
                    format!(
                        "{keyword} {} holds a secret ({}): it is stored in the image",
                        v.key,
                        v.secret.as_deref().unwrap_or("")
                    ),
                )
                .evidence(json!({"key": v.key, "masked": v.value, "reason": v.secret})),
            );
        }
        hits
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::HistoryEntry;

    use super::*;

    fn red(field: &str, key: &str, masked: &str) -> Redaction {
        Redaction {
            object_kind: "image".into(),
            object_id: "sha256:1".into(),
            field: field.into(),
            key: key.into(),
            reason: "name suggests a credential".into(),
            masked: masked.into(),
        }
    }

    fn image() -> Image {
        let entry = |created_by: &str| HistoryEntry {
            created_by: created_by.into(),
            ..HistoryEntry::default()
        };
        Image {
            history: Some(Fact::Value(vec![
                entry("RUN /bin/sh -c apt-get update # buildkit"),
                entry("ENV API_SECRET=pl****87 # buildkit"),
                entry(""),
            ])),
            ..Image::default()
        }
    }

    #[test]
    fn env_secrets_are_critical_and_name_the_layer() {
        let env = red("Config.Env", "API_SECRET", "pl****87");
        let hist = red("history", "API_SECRET", "pl****87");
        let Verdict::Fail {
            message, severity, ..
        } = judge(&image(), &[&hist, &env])
        else {
            panic!("expected a failure");
        };
        assert_eq!(
            message,
            "secrets baked into the image: API_SECRET in ENV; API_SECRET in history layer 2 (every container inherits the ENV)"
        );
        assert_eq!(severity, None);
    }

    #[test]
    fn history_only_secrets_are_high() {
        let hist = red("history", "TOKEN", "ab****cd");
        let Verdict::Fail {
            message, severity, ..
        } = judge(&image(), &[&hist])
        else {
            panic!("expected a failure");
        };
        assert_eq!(message, "secrets baked into the image: TOKEN in history");
        assert_eq!(severity, Some(Severity::High));
    }
}
