//! Compose projects: their files read with positions, interpolated and merged as the Compose
//! Specification says, into one model whose every value still knows the file and line it came from.
//!
//! - **Files**: the main file and its override (`compose.override.yaml` beside `compose.yaml`,
//!   `docker-compose.override.yml` beside `docker-compose.yml`), or the files given, merged in order.
//! - **Interpolation** (`${VAR}`, `${VAR:-default}`, `$$`…) of every value, before merging, from the
//!   process environment over the project's `.env` file, as Compose does.
//! - **Merge**: mappings merge key by key (the later file wins); `command`, `entrypoint` and
//!   `healthcheck.test` are replaced; `environment`, `labels`, `annotations`, `sysctls`,
//!   `extra_hosts` and `build.args` merge as mappings whichever form (list or map) each file uses;
//!   `volumes` (and `secrets`, `configs`) merge by their target; other sequences are appended
//!   without duplicates.
//! - **`extends`** (`extends: base` or `{service, file}`), recursively, the extending service
//!   merged over its base; cycles are an error.
//! - **Profiles**: every service is kept whatever its `profiles`, so that a lint judges them all
//!   (a privileged debug service behind a profile is still in the file); each service says which
//!   profiles it needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockaudit_snapshot::redact;

use crate::interpolate::{expand, Dialect};
pub use crate::yaml::At;
use crate::yaml::{self, Node, Value};
use crate::{ignore, InlineIgnore, SourceError};

/// A Compose project: its files merged.
#[derive(Debug, Clone)]
pub struct ComposeProject {
    /// The files, in merge order (the first is the main file).
    pub files: Vec<String>,
    /// The project directory (the main file's directory).
    pub working_dir: PathBuf,
    /// The services, in the main file's order.
    pub services: Vec<Service>,
    /// `# dockaudit-ignore` comments, per file.
    pub ignores: Vec<(String, InlineIgnore)>,
    /// What could not be resolved (an `extends` of a missing service, a `${VAR:?}` left unset):
    /// `FILE:LINE: what`.
    pub problems: Vec<String>,
}

impl ComposeProject {
    /// The main file.
    pub fn main_file(&self) -> &str {
        self.files.first().map_or("", String::as_str)
    }

    /// The service with this name.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// One service, merged.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its name.
    pub name: String,
    /// Where its name is written (in the first file that defines it).
    pub at: At,
    /// Its definition, merged; secret values in `environment`, `labels` and `build.args` masked.
    pub def: Node,
    /// The profiles it needs (`profiles:`); empty: always started.
    pub profiles: Vec<String>,
    /// The secret values that were masked: key, where, why, masked form.
    pub secrets: Vec<MaskedValue>,
}

/// A secret value found (and masked) in a service definition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MaskedValue {
    /// `environment`, `labels` or `build.args`.
    pub field: &'static str,
    /// The variable or label name.
    pub key: String,
    /// Why it was judged secret.
    pub reason: String,
    /// The masked form.
    pub masked: String,
    /// Where the value is written.
    pub at: At,
}

impl Service {
    /// The value of a top-level key of the service.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.def.get(key)
    }

    /// Where a key of the service is written, else the service's name.
    pub fn key_at(&self, key: &str) -> &At {
        self.def.key_at(key).unwrap_or(&self.at)
    }

    /// A `KEY=VALUE` list or a mapping (environment, labels…) as pairs with where each is written.
    pub fn pairs(&self, keys: &[&str]) -> Vec<(String, Option<String>, At)> {
        self.def.path(keys).map(pairs_of).unwrap_or_default()
    }

    /// The items of a sequence (`cap_add`, `devices`, `security_opt`…) as text with positions.
    pub fn list(&self, key: &str) -> Vec<(&str, &At)> {
        self.get(key)
            .map(|n| {
                n.as_seq()
                    .iter()
                    .filter_map(|i| i.as_str().map(|s| (s, &i.at)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Pairs of a `KEY=VALUE` list or a mapping; a list item without `=` has no value.
fn pairs_of(node: &Node) -> Vec<(String, Option<String>, At)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, at, v)| (k.clone(), v.as_str().map(str::to_string), at.clone()))
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let s = i.as_str()?;
                Some(match s.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string()), i.at.clone()),
                    None => (s.to_string(), None, i.at.clone()),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The mapping form of a pairs list, keeping positions: used to merge list and map forms.
fn to_map(node: &Node) -> Node {
    if let Value::Seq(_) = node.value {
        let entries = pairs_of(node)
            .into_iter()
            .map(|(k, v, at)| {
                let value = match v {
                    Some(v) => Value::Scalar(v),
                    None => Value::Null,
                };
                (k, at.clone(), Node { value, at })
            })
            .collect();
        Node {
            value: Value::Map(entries),
            at: node.at.clone(),
        }
    } else {
        node.clone()
    }
}

/// Reads a `.env` file's `KEY=VALUE` lines (`export`, comments and quotes as Compose reads them).
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if let Some(q) = v.strip_prefix('"').and_then(|r| r.rsplit_once('"')) {
            q.0.replace("\\n", "\n").replace("\\\"", "\"")
        } else if let Some(q) = v.strip_prefix('\'').and_then(|r| r.rsplit_once('\'')) {
            q.0.to_string()
        } else {
            // An unquoted value ends at ` #`.
            v.split(" #").next().unwrap_or("").trim().to_string()
        };
        out.insert(k.trim().to_string(), v);
    }
    out
}

/// Interpolates every scalar value (not keys) of `node`; problems are collected, the value left as
/// written.
fn interpolate(node: &mut Node, vars: &BTreeMap<String, String>, problems: &mut Vec<String>) {
    match &mut node.value {
        Value::Scalar(s) if s.contains('$') => {
            match expand(s, Dialect::Compose, &|k| vars.get(k).cloned()) {
                Ok(v) => *s = v,
                Err(e) => problems.push(format!("{}:{}: {e}", node.at.file, node.at.pos.line)),
            }
        }
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|n| interpolate(n, vars, problems)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, _, n)| interpolate(n, vars, problems)),
        _ => {}
    }
}

/// Keys whose sequences replace (not extend) the earlier file's.
const REPLACED: &[&str] = &[
    "command",
    "entrypoint",
    "test",
    "dns",
    "dns_search",
    "env_file",
];
/// Keys whose value merges as a mapping whether written as a list or a map.
const MAPPINGS: &[&str] = &[
    "environment",
    "labels",
    "annotations",
    "sysctls",
    "extra_hosts",
    "args",
];
/// Sequences whose items merge by their target.
const BY_TARGET: &[&str] = &["volumes", "secrets", "configs"];

/// The target of a `volumes`/`secrets`/`configs` item (short or long form).
fn target_of(item: &Node) -> Option<String> {
    match &item.value {
        Value::Scalar(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            Some(match parts.len() {
                1 => parts[0].to_string(),
                _ => parts[1].to_string(),
            })
        }
        Value::Map(_) => item
            .get("target")
            .or_else(|| item.get("source"))
            .and_then(Node::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// Merges `over` onto `base` (the Compose Specification's merge rules; see the module doc).
fn merge(base: &mut Node, over: &Node, key: &str) {
    if MAPPINGS.contains(&key) {
        let mut b = to_map(base);
        merge_maps(&mut b, &to_map(over));
        *base = b;
        return;
    }
    match (&mut base.value, &over.value) {
        (Value::Map(_), Value::Map(_)) => merge_maps(base, over),
        (Value::Seq(items), Value::Seq(more)) if !REPLACED.contains(&key) => {
            for m in more {
                if BY_TARGET.contains(&key) {
                    let t = target_of(m);
                    if let Some(existing) =
                        items.iter_mut().find(|i| t.is_some() && target_of(i) == t)
                    {
                        *existing = m.clone();
                        continue;
                    }
                }
                if !items.iter().any(|i| i.value == m.value) {
                    items.push(m.clone());
                }
            }
        }
        _ => *base = over.clone(),
    }
}

fn merge_maps(base: &mut Node, over: &Node) {
    let Value::Map(entries) = &mut base.value else {
        *base = over.clone();
        return;
    };
    for (k, at, v) in over.as_map() {
        match entries.iter_mut().find(|(bk, ..)| bk == k) {
            Some((_, key_at, existing)) => {
                merge(existing, v, k);
                // A replaced value was set by the later file: its key is the line that set it.
                if !matches!(existing.value, Value::Map(_)) {
                    *key_at = at.clone();
                }
            }
            None => entries.push((k.clone(), at.clone(), v.clone())),
        }
    }
}

/// The variables interpolation sees: `env` (the process environment) over the project's `.env`.
fn variables(dir: &Path, env: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut vars = match crate::read_bounded(&dir.join(".env")) {
        Ok(text) => parse_env_file(&text),
        Err(_) => BTreeMap::new(),
    };
    vars.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
    vars
}

/// Reads one Compose file, interpolated.
fn read_file(
    path: &Path,
    vars: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Result<(Node, Vec<InlineIgnore>), SourceError> {
    let name = path.display().to_string();
    let text = crate::read_bounded(path)?;
    let mut root = yaml::parse(&name, &text)?;
    if !matches!(root.value, Value::Map(_) | Value::Null) {
        return Err(SourceError::new(
            &name,
            Some(root.at.pos.line),
            "not a Compose file: the top level is not a mapping",
        ));
    }
    interpolate(&mut root, vars, problems);
    Ok((root, ignore::scan(&text)))
}

/// Loads a project from its files (merged in order), with `env` as the process environment.
pub fn load(
    files: &[PathBuf],
    env: &BTreeMap<String, String>,
) -> Result<ComposeProject, SourceError> {
    let main = files
        .first()
        .ok_or_else(|| SourceError::new("", None, "no Compose file given"))?;
    let working_dir = main.parent().map(Path::to_path_buf).unwrap_or_default();
    let vars = variables(&working_dir, env);
    let mut problems = Vec::new();
    let mut ignores = Vec::new();
    let mut merged: Option<Node> = None;
    for f in files {
        let (root, file_ignores) = read_file(f, &vars, &mut problems)?;
        let name = f.display().to_string();
        ignores.extend(file_ignores.into_iter().map(|i| (name.clone(), i)));
        match &mut merged {
            None => merged = Some(root),
            Some(m) => merge(m, &root, ""),
        }
    }
    let root = merged.unwrap_or_default_node();
    let mut services = Vec::new();
    for (name, at, _) in root.get("services").map(Node::as_map).unwrap_or_default() {
        let mut seen = Vec::new();
        let def = match resolve_extends(&root, name, &working_dir, &vars, &mut seen, &mut problems)
        {
            Ok(def) => def,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        services.push(service(name, at, def));
    }
    Ok(ComposeProject {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        working_dir,
        services,
        ignores,
        problems,
    })
}

trait OrEmpty {
    fn unwrap_or_default_node(self) -> Node;
}

impl OrEmpty for Option<Node> {
    fn unwrap_or_default_node(self) -> Node {
        self.unwrap_or(Node {
            value: Value::Null,
            at: At::default(),
        })
    }
}

/// A service's definition with its `extends` chain applied.
fn resolve_extends(
    root: &Node,
    name: &str,
    dir: &Path,
    vars: &BTreeMap<String, String>,
    seen: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Result<Node, String> {
    let def = root.path(&["services", name]).cloned().ok_or_else(|| {
        format!(
            "{}: extends names service `{name}`, which does not exist",
            root.at.file
        )
    })?;
    let key = format!("{}#{name}", root.at.file);
    if seen.contains(&key) {
        return Err(format!("{}: extends of `{name}` is circular", def.at.file));
    }
    seen.push(key);
    let Some(ext) = def.get("extends") else {
        return Ok(def);
    };
    let (base_name, base_file) = match &ext.value {
        Value::Scalar(s) => (s.clone(), None),
        _ => (
            ext.get("service")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
            ext.get("file").and_then(Node::as_str).map(str::to_string),
        ),
    };
    let mut base = match base_file {
        None => resolve_extends(root, &base_name, dir, vars, seen, problems)?,
        Some(file) => {
            // Relative to the file that says `extends` (for a main-file service: the project).
            let from = Path::new(&ext.at.file).parent().unwrap_or(dir);
            let path = from.join(&file);
            let (other, _) = read_file(&path, vars, problems)
                .map_err(|e| format!("{}:{}: extends: {e}", ext.at.file, ext.at.pos.line))?;
            resolve_extends(&other, &base_name, dir, vars, seen, problems)?
        }
    };
    let mut def = def;
    if let Value::Map(entries) = &mut def.value {
        entries.retain(|(k, ..)| k != "extends");
    }
    // The extending service keeps where its own name is written.
    let at = def.at.clone();
    merge(&mut base, &def, "");
    base.at = at;
    Ok(base)
}

/// Builds a service: profiles read, secret values of environment, labels and build args masked.
fn service(name: &str, at: &At, mut def: Node) -> Service {
    let mut secrets = Vec::new();
    for (field, path) in [
        ("environment", &["environment"][..]),
        ("labels", &["labels"][..]),
        ("build.args", &["build", "args"][..]),
    ] {
        let Some(node) = path_mut(&mut def, path) else {
            continue;
        };
        *node = to_map(node);
        if let Value::Map(entries) = &mut node.value {
            for (k, _, v) in entries.iter_mut() {
                if let Value::Scalar(s) = &mut v.value {
                    if let Some(m) = redact::redact_named(k, s).into_iter().next() {
                        secrets.push(MaskedValue {
                            field,
                            key: k.clone(),
                            reason: m.reason,
                            masked: s.clone(),
                            at: v.at.clone(),
                        });
                    }
                }
            }
        }
    }
    let profiles = def
        .get("profiles")
        .map(|p| {
            p.as_seq()
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Service {
        name: name.to_string(),
        at: at.clone(),
        def,
        profiles,
        secrets,
    }
}

fn path_mut<'a>(node: &'a mut Node, keys: &[&str]) -> Option<&'a mut Node> {
    let mut n = node;
    for k in keys {
        let Value::Map(entries) = &mut n.value else {
            return None;
        };
        n = entries
            .iter_mut()
            .find(|(ek, ..)| ek == k)
            .map(|(.., v)| v)?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dockaudit-source-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn overrides_env_interpolation_extends_and_masking() {
        let d = tmp("merge");
        let main = write(
            &d,
            "compose.yaml",
            "services:\n  base:\n    image: busybox:${TAG:-1.36}\n    environment:\n      - A=1\n    cap_add: [NET_ADMIN]\n  web:\n    extends: base\n    environment:\n      DB_PASSWORD: hunter2hunter2\n    volumes:\n      - ./a:/data\n",
        );
        let over = write(
            &d,
            "compose.override.yaml",
            "services:\n  web:\n    privileged: true\n    environment:\n      - A=2\n    volumes:\n      - ./b:/data\n    cap_add: [SYS_ADMIN]\n",
        );
        write(&d, ".env", "# comment\nTAG=1.37\n");
        let p = load(&[main, over.clone()], &BTreeMap::new()).unwrap();
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let web = p.service("web").unwrap();
        assert_eq!(web.get("image").unwrap().as_str(), Some("busybox:1.37"));
        let env = web.pairs(&["environment"]);
        let a = env.iter().find(|(k, ..)| k == "A").unwrap();
        assert_eq!(a.1.as_deref(), Some("2"));
        assert_eq!(a.2.file, over.display().to_string());
        let pw = env.iter().find(|(k, ..)| k == "DB_PASSWORD").unwrap();
        assert_ne!(pw.1.as_deref(), Some("hunter2hunter2"));
        assert_eq!(web.secrets.len(), 1);
        assert_eq!(web.secrets[0].at.pos.line, 10);
        let vols = web.list("volumes");
        assert_eq!(vols.len(), 1);
        assert_eq!(vols[0].0, "./b:/data");
        let caps: Vec<&str> = web.list("cap_add").iter().map(|c| c.0).collect();
        assert_eq!(caps, vec!["NET_ADMIN", "SYS_ADMIN"]);
        assert!(web.get("privileged").unwrap().is_true());
        assert_eq!(web.at.pos.line, 7);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn extends_cycle_and_required_variable_are_problems() {
        let d = tmp("cycle");
        let main = write(
            &d,
            "compose.yaml",
            "services:\n  a:\n    extends: b\n  b:\n    extends: a\n  c:\n    image: \"x:${NEED:?set NEED}\"\n",
        );
        let p = load(&[main], &BTreeMap::new()).unwrap();
        assert_eq!(p.services.len(), 1);
        assert_eq!(p.problems.len(), 3, "{:?}", p.problems);
        assert!(p.problems.iter().any(|e| e.contains("set NEED")));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
