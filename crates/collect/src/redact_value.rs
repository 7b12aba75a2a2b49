//! Applies the Snapshot's secret masking to raw engine answers before they are typed, so that every
//! copy of a value (`Config.Env`, the image's `ContainerConfig.Env`, history lines, labels, log
//! options) is masked, including fields dockaudit does not model.

use dockaudit_snapshot::redact::{self, Masked};
use dockaudit_snapshot::Redaction;
use serde_json::Value;

use crate::gather::redaction;

/// Masks secrets anywhere in `value` (an inspect or history answer of object `kind`/`id`) and
/// returns where it did.
pub fn redact_value(value: &mut Value, kind: &str, id: &str) -> Vec<Redaction> {
    let mut found = Vec::new();
    // A history answer is a list of layers; its `Comment`s are history like its `CreatedBy`s.
    let is_history = value.is_array();
    walk(value, "", &mut |path, key, program, v| {
        for m in redact_field(key, program, v) {
            let field = if key == "CreatedBy" || (is_history && key == "Comment") {
                "history".to_string()
            } else {
                path.to_string()
            };
            found.push(redaction(kind, id, &field, m));
        }
    });
    found
}

/// Masks secrets in the lines of one text (log lines), following a private key across lines.
pub fn redact_lines(lines: &mut [String]) -> Vec<Masked> {
    redact::redact_lines(lines)
}

/// Visits every field under `value` with its dotted path, its key, and the program its arguments
/// belong to (the object's `Path` or `Entrypoint`, for `Args` and `Cmd`).
/// What [`walk`] calls for each field: its path, key, program, and value.
type Visitor<'a> = dyn FnMut(&str, &str, &[String], &mut Value) + 'a;

fn walk(value: &mut Value, path: &str, visit: &mut Visitor<'_>) {
    match value {
        Value::Object(map) => {
            let program: Vec<String> = ["Path", "Entrypoint"]
                .iter()
                .filter_map(|k| map.get(*k))
                .flat_map(|v| match v {
                    Value::String(s) => vec![s.clone()],
                    other => strings_of(other).unwrap_or_default(),
                })
                .collect();
            for (key, child) in map.iter_mut() {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                visit(&child_path, key, &program, child);
                walk(child, &child_path, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, path, visit);
            }
        }
        _ => {}
    }
}

fn strings_of(value: &Value) -> Option<Vec<String>> {
    value.as_array().map(|items| {
        items
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_string())
            .collect()
    })
}

/// Masks free text in place.
fn redact_string(s: &mut String) -> Vec<Masked> {
    let (text, found) = redact::redact_text(s);
    if !found.is_empty() {
        *s = text;
    }
    found
}

/// Masks one field by what it is: an environment, a map of labels or options, an argument list
/// (of `program`, for `Args` and `Cmd`), or free text (an instruction, a comment, a program path).
fn redact_field(key: &str, program: &[String], value: &mut Value) -> Vec<Masked> {
    match key {
        "Env" => {
            let Some(mut env) = strings_of(value) else {
                return Vec::new();
            };
            let found = redact::redact_env(&mut env);
            if !found.is_empty() {
                *value = Value::from(env);
            }
            found
        }
        "Cmd" | "Entrypoint" | "Args" | "Test" | "OnBuild" | "Shell" => match value {
            Value::String(s) => redact_string(s),
            _ => {
                let Some(mut args) = strings_of(value) else {
                    return Vec::new();
                };
                let program = if matches!(key, "Cmd" | "Args") {
                    program
                } else {
                    &[]
                };
                let found = redact::redact_command(program, &mut args);
                if !found.is_empty() {
                    *value = Value::from(args);
                }
                found
            }
        },
        "CreatedBy" | "Comment" | "Author" | "Path" => match value {
            Value::String(s) => redact_string(s),
            _ => Vec::new(),
        },
        "Labels" | "Options" | "DriverOpts" | "Config" => {
            let Value::Object(map) = value else {
                return Vec::new();
            };
            let mut found = Vec::new();
            for (name, v) in map.iter_mut() {
                if let Value::String(s) = v {
                    found.extend(redact::redact_named(name, s));
                }
            }
            found
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_every_copy_and_records_where() {
        let mut v = json!({
            "Config": {"Env": ["DB_PASSWORD=hunter2-planted-db-secret", "PATH=/bin"],
                       "Labels": {"api-token": "planted-label-token-123456", "tier": "web"}},
            "ContainerConfig": {"Env": ["DB_PASSWORD=hunter2-planted-db-secret"],
                                "Cmd": ["/bin/sh", "-c", "#(nop) ENV DB_PASSWORD=hunter2-planted-db-secret"]},
            "HostConfig": {"LogConfig": {"Type": "splunk", "Config": {"splunk-token": "abcdefabcdef0123"}}}
        });
        let found = redact_value(&mut v, "container", "abc");
        let text = v.to_string();
        assert!(!text.contains("hunter2-planted"), "{text}");
        assert!(!text.contains("planted-label-token"), "{text}");
        assert!(!text.contains("abcdefabcdef0123"), "{text}");
        assert!(text.contains("PATH=/bin") && text.contains("\"tier\":\"web\""));
        let fields: Vec<&str> = found.iter().map(|r| r.field.as_str()).collect();
        assert!(fields.contains(&"Config.Env"));
        assert!(fields.contains(&"Config.Labels"));
        assert!(fields.contains(&"ContainerConfig.Env"));
        assert!(fields.contains(&"ContainerConfig.Cmd"));
        assert!(fields.contains(&"HostConfig.LogConfig.Config"));
    }

    #[test]
    fn masks_every_command_comment_and_program_field() {
        let mut container = json!({
            "Path": "/usr/bin/mysql",
            "Args": ["-uroot", "-pplanted-path-args-1"],
            "Config": {
                "Entrypoint": ["mysqldump"],
                "Cmd": ["-pplanted-entrypoint-cmd-2", "app"],
                "OnBuild": ["RUN curl -H 'Authorization: Bearer planted-onbuild-3' x"],
                "Healthcheck": {"Test": ["CMD-SHELL", "redis-cli -a planted-health-4 ping"]},
                "Labels": {"traefik.http.middlewares.a.basicauth.users": "u:$apr1$planted5$abcdefghijklmnopqrstuv",
                           "io.example.note": "{\"password\":\"planted-json-label-6\"}"}
            }
        });
        let found = redact_value(&mut container, "container", "c1");
        let text = container.to_string();
        for planted in [
            "planted-path-args-1",
            "planted-entrypoint-cmd-2",
            "planted-onbuild-3",
            "planted-health-4",
            "planted5",
            "planted-json-label-6",
        ] {
            assert!(!text.contains(planted), "{planted} in {text}");
        }
        let fields: Vec<&str> = found.iter().map(|r| r.field.as_str()).collect();
        for field in [
            "Args",
            "Config.Cmd",
            "Config.OnBuild",
            "Config.Healthcheck.Test",
            "Config.Labels",
        ] {
            assert!(fields.contains(&field), "{field} not in {fields:?}");
        }
        assert!(
            found.iter().any(|r| r.key == "io.example.note"),
            "{found:?}"
        );

        let mut image = json!({"Comment": "deploy --password=planted-comment-7", "Author": "ops token=planted-author-8"});
        let found = redact_value(&mut image, "image", "i1");
        let text = image.to_string();
        assert!(
            !text.contains("planted-comment-7") && !text.contains("planted-author-8"),
            "{text}"
        );
        assert_eq!(found.len(), 2);
        let mut history = json!([{"CreatedBy": "/bin/sh -c mysql -pplanted-history-9", "Comment": "--password=planted-history-10"}]);
        let found = redact_value(&mut history, "image", "i1");
        let text = history.to_string();
        assert!(
            !text.contains("planted-history-9") && !text.contains("planted-history-10"),
            "{text}"
        );
        assert!(found.iter().all(|r| r.field == "history"), "{found:?}");
    }
}
