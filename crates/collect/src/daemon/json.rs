//! daemon.json with positions: `serde_json` decides validity and values, and a small scanner over
//! the (valid) text finds the line and column of every object key, so that a finding can point
//! at the line to edit. Keys are checked the way dockerd checks them, so that what dockerd would
//! refuse at its next start is reported now.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::flags;

/// Where one object key is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyPos {
    /// The key and the keys of the objects around it, outermost first (`["proxies", "http-proxy"]`).
    pub path: Vec<String>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters) of the key's opening quote.
    pub column: usize,
}

/// What a scanner frame is inside.
enum Frame {
    Object {
        expect_key: bool,
        key: Option<String>,
    },
    Array,
}

/// Every object key of a JSON text with its position, in text order. Meant for text that
/// `serde_json` accepted; on anything else it returns what it found before getting lost.
pub(crate) fn key_positions(text: &str) -> Vec<KeyPos> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let (mut line, mut column) = (1usize, 0usize);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                line += 1;
                column = 0;
            }
            '{' => stack.push(Frame::Object {
                expect_key: true,
                key: None,
            }),
            '[' => stack.push(Frame::Array),
            '}' | ']' => {
                stack.pop();
            }
            ',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            '"' => {
                let (key_line, key_column) = (line, column);
                let mut end = start + 1;
                let mut escaped = false;
                for (i, sc) in chars.by_ref() {
                    column += 1;
                    end = i + sc.len_utf8();
                    if sc == '\n' {
                        // Not valid JSON; keep counting so later positions stay right.
                        line += 1;
                        column = 0;
                    }
                    if escaped {
                        escaped = false;
                    } else if sc == '\\' {
                        escaped = true;
                    } else if sc == '"' {
                        break;
                    }
                }
                let is_key = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: true,
                        ..
                    })
                );
                if is_key {
                    let raw = &text[start..end.min(text.len())];
                    let key: String = serde_json::from_str(raw)
                        .unwrap_or_else(|_| raw.trim_matches('"').to_string());
                    let mut path: Vec<String> = stack
                        .iter()
                        .filter_map(|f| match f {
                            Frame::Object { key, .. } => key.clone(),
                            Frame::Array => None,
                        })
                        .collect();
                    // The innermost frame's previous key is not part of this key's path.
                    if let Some(Frame::Object { key: Some(_), .. }) = stack.last() {
                        path.pop();
                    }
                    path.push(key.clone());
                    out.push(KeyPos {
                        path,
                        line: key_line,
                        column: key_column,
                    });
                    if let Some(Frame::Object {
                        expect_key,
                        key: current,
                    }) = stack.last_mut()
                    {
                        *expect_key = false;
                        *current = Some(key);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The line and column of the key at `path`: its last occurrence, which is the one that counts.
pub(crate) fn position_of(positions: &[KeyPos], path: &[&str]) -> Option<(usize, usize)> {
    positions
        .iter()
        .rev()
        .find(|p| p.path.iter().map(String::as_str).eq(path.iter().copied()))
        .map(|p| (p.line, p.column))
}

/// One setting of daemon.json as dockerd sees it: top-level keys, and the keys inside objects that
/// dockerd flattens (`"proxies": {"http-proxy": …}` sets `http-proxy`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileKey {
    /// The setting's name as dockerd matches it against its flags.
    pub key: String,
    /// Where it is in the JSON (`["proxies", "http-proxy"]`).
    pub path: Vec<String>,
    /// Its value.
    pub value: Value,
    /// 1-based line and column of the key.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Keys whose object values dockerd keeps whole instead of flattening them into settings.
const FLAT_OPTIONS: &[&str] = &[
    "cluster-store-opts",
    "default-network-opts",
    "log-opts",
    "runtimes",
    "default-ulimits",
    "features",
    "builder",
];

/// The settings of a parsed daemon.json object, flattened the way dockerd flattens them.
pub(crate) fn file_keys(object: &Map<String, Value>, positions: &[KeyPos]) -> Vec<FileKey> {
    let mut out = Vec::new();
    for (key, value) in object {
        match value {
            Value::Object(children) if !FLAT_OPTIONS.contains(&key.as_str()) => {
                for (child, child_value) in children {
                    let (line, column) =
                        position_of(positions, &[key.as_str(), child.as_str()]).unwrap_or((1, 1));
                    out.push(FileKey {
                        key: child.clone(),
                        path: vec![key.clone(), child.clone()],
                        value: child_value.clone(),
                        line,
                        column,
                    });
                }
            }
            _ => {
                let (line, column) = position_of(positions, &[key.as_str()]).unwrap_or((1, 1));
                out.push(FileKey {
                    key: key.clone(),
                    path: vec![key.clone()],
                    value: value.clone(),
                    line,
                    column,
                });
            }
        }
    }
    out.sort_by_key(|k| (k.line, k.column));
    out
}

/// Keys that appear more than once in the same object, with every position after the first.
pub(crate) fn duplicates(positions: &[KeyPos]) -> Vec<&KeyPos> {
    let mut seen: BTreeMap<&[String], usize> = BTreeMap::new();
    let mut out = Vec::new();
    for p in positions {
        let count = seen.entry(p.path.as_slice()).or_insert(0);
        *count += 1;
        if *count > 1 {
            out.push(p);
        }
    }
    out
}

/// Whether dockerd accepts `key` in daemon.json (it matches a flag's long name, a named option, or
/// one of the keys dockerd lets through unchecked).
pub(crate) fn is_known_key(key: &str) -> bool {
    flags::by_key(key).is_some() || flags::by_long(key).is_some() || EXTRA_KEYS.contains(&key)
}

/// The daemon.json name to use instead, when `key` is the name of a flag whose daemon.json name
/// differs (`insecure-registry` for `insecure-registries`): dockerd accepts such a key, because
/// it matches a flag, and then ignores it, because no setting has that name.
pub(crate) fn ignored_key(key: &str) -> Option<&'static str> {
    flags::by_long(key)
        .filter(|f| f.is_named() && f.key != key)
        .map(|f| f.key)
}

/// Keys dockerd accepts that are not the name of a listed flag: options skipped by its check,
/// hidden or removed flags still honoured, and names that differ between versions (20.10 to 28).
const EXTRA_KEYS: &[&str] = &[
    "features",
    "builder",
    "deprecated-key-path",
    "allow-nondistributable-artifacts",
    "proxies",
    "containerd-plugin-namespace",
    "host-gateway-ips",
    "swarm-raft-heartbeat-tick",
    "swarm-raft-election-tick",
    "network-diagnostic-port",
    "graph",
    "disable-legacy-registry",
    "cluster-store",
    "cluster-advertise",
    "cluster-store-opts",
    "firewall-backend",
    "bridge-accept-fwmark",
    "restart",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_with_their_lines() {
        let text = "{\n  \"icc\": false,\n  \"log-opts\": {\"max-size\": \"10m\"},\n  \"hosts\": [\"unix:///x\", \"tcp://{a}:1\"],\n  \"proxies\": {\n    \"http-proxy\": \"http://p:3128\"\n  }\n}\n";
        let pos = key_positions(text);
        let paths: Vec<(String, usize, usize)> = pos
            .iter()
            .map(|p| (p.path.join("."), p.line, p.column))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("icc".into(), 2, 3),
                ("log-opts".into(), 3, 3),
                ("log-opts.max-size".into(), 3, 16),
                ("hosts".into(), 4, 3),
                ("proxies".into(), 5, 3),
                ("proxies.http-proxy".into(), 6, 5),
            ]
        );
        let value: Value = serde_json::from_str(text).expect("valid");
        let keys = file_keys(value.as_object().expect("object"), &pos);
        let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        // `proxies` is flattened, `log-opts` is not.
        assert_eq!(names, ["icc", "log-opts", "hosts", "http-proxy"]);
        assert_eq!((keys[3].line, keys[3].column), (6, 5));
    }

    #[test]
    fn escaped_quotes_and_unicode_do_not_confuse_the_scanner() {
        let text = "{\"a\\\"b\": \"x\\\"{\", \"é\": 1,\n\"c\": {\"d\": [1, {\"e\": 2}]}}";
        let pos = key_positions(text);
        let paths: Vec<String> = pos.iter().map(|p| p.path.join(".")).collect();
        assert_eq!(paths, ["a\"b", "é", "c", "c.d", "c.d.e"]);
        assert_eq!((pos[1].line, pos[1].column), (1, 18));
        assert_eq!(pos[2].line, 2);
    }

    #[test]
    fn repeated_keys_are_found() {
        let text = "{\"icc\": true,\n \"icc\": false}";
        let pos = key_positions(text);
        let dups = duplicates(&pos);
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].line, 2);
        assert_eq!(position_of(&pos, &["icc"]), Some((2, 2)));
    }

    #[test]
    fn known_keys_follow_dockerd() {
        for key in [
            "icc",
            "hosts",
            "insecure-registries",
            "default-ulimits",
            "log-opts",
            "storage-opts",
            "authorization-plugins",
            "tlsverify",
            "live-restore",
            "userns-remap",
            "features",
            "data-root",
            "http-proxy",
            "seccomp-profile",
            "no-new-privileges",
        ] {
            assert!(is_known_key(key), "{key}");
        }
        for key in [
            "log-level-typo",
            "insecure-registry-list",
            "iccc",
            "Hosts",
            "D",
        ] {
            assert!(!is_known_key(key), "{key}");
        }
        assert_eq!(
            ignored_key("insecure-registry"),
            Some("insecure-registries")
        );
        assert_eq!(ignored_key("host"), Some("hosts"));
        assert_eq!(ignored_key("hosts"), None);
        assert_eq!(ignored_key("icc"), None);
    }

    #[test]
    fn every_prefix_and_byte_mangling_of_a_real_file_is_survived() {
        let text = "{\n  \"hosts\": [\"unix:///x\", \"tcp://0.0.0.0:2375\"],\n  \"log-opts\": {\"max-size\": \"10m\"},\n  \"proxies\": {\"http-proxy\": \"http://u:p@h:1\"},\n  \"é\\\"q\": true\n}\n";
        let bytes = text.as_bytes();
        for end in 0..=bytes.len() {
            let cut = String::from_utf8_lossy(&bytes[..end]);
            let pos = key_positions(&cut);
            let _ = duplicates(&pos);
            if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&cut) {
                let _ = file_keys(&o, &pos);
            }
        }
        for (i, b) in bytes.iter().enumerate() {
            for replacement in [b'"', b'{', b'}', b'[', b']', b'\\', b',', b':', b'\n'] {
                if *b == replacement {
                    continue;
                }
                let mut mangled = bytes.to_vec();
                mangled[i] = replacement;
                let _ = key_positions(&String::from_utf8_lossy(&mangled));
            }
        }
    }

    #[test]
    fn truncated_text_does_not_panic() {
        for text in ["{\"a", "{\"a\": [", "\"", "{\"a\":\"\\", "}}]]", "{\n\"x\n"] {
            let _ = key_positions(text);
        }
    }
}
