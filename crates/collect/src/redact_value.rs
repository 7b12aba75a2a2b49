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
    walk(value, "", &mut |path, key, v| {
        for m in redact_field(key, v) {
            let field = if key == "CreatedBy" {
                "history".to_string()
            } else {
                path.to_string()
            };
            found.push(redaction(kind, id, &field, m));
        }
    });
    found
}

/// Masks secrets in free-text lines (log lines, process command lines).
pub fn redact_lines(lines: &mut [String]) -> Vec<Masked> {
    let mut found = Vec::new();
    for line in lines.iter_mut() {
        let (text, masked) = redact::redact_text(line);
        if !masked.is_empty() {
            *line = text;
            found.extend(masked);
        }
    }
    found
}

fn walk(value: &mut Value, path: &str, visit: &mut dyn FnMut(&str, &str, &mut Value)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                visit(&child_path, key, child);
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

fn strings_of(value: &mut Value) -> Option<Vec<String>> {
    value.as_array().map(|items| {
        items
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_string())
            .collect()
    })
}

/// Masks one field by what it is: an environment, a map of labels or options, an argument list,
/// or an instruction line.
fn redact_field(key: &str, value: &mut Value) -> Vec<Masked> {
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
        "Cmd" | "Entrypoint" | "Args" | "Test" => match value {
            Value::String(s) => {
                let (text, found) = redact::redact_text(s);
                *s = text;
                found
            }
            _ => {
                let Some(mut args) = strings_of(value) else {
                    return Vec::new();
                };
                let found = redact::redact_args(&mut args);
                if !found.is_empty() {
                    *value = Value::from(args);
                }
                found
            }
        },
        "CreatedBy" => match value {
            Value::String(s) => {
                let (text, found) = redact::redact_text(s);
                *s = text;
                found
            }
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
}
