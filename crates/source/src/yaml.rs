//! A YAML tree whose every key and value keeps its file, line and column, read with serde-saphyr
//! (YAML 1.2, anchors, aliases and `<<` merge keys resolved, alias expansion budgeted).
//!
//! Every scalar is kept as text (`true`, `512m`, `0.5`); Compose gives them meaning per key.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::{Pos, SourceError};

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct At {
    /// The file.
    pub file: String,
    /// Line and column in it.
    pub pos: Pos,
}

/// A YAML node and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where (for a merged or aliased value, where it is defined).
    pub at: At,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// Any scalar, as text.
    Scalar(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order: key text, where the key is, the value.
    Map(Vec<(String, At, Node)>),
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, ..)| k == key).map(|(.., n)| n),
            _ => None,
        }
    }

    /// Where `key` is written in a mapping (the key itself, which is the line people edit).
    pub fn key_at(&self, key: &str) -> Option<&At> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, ..)| k == key).map(|(_, at, _)| at),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> &[(String, At, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Whether this is a YAML true (`true`, and YAML 1.1's `yes`/`on` Compose still accepts).
    pub fn is_true(&self) -> bool {
        self.as_str()
            .is_some_and(|s| matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y"))
    }

    fn set_file(&mut self, file: &str) {
        self.at.file = file.to_string();
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.set_file(file)),
            Value::Map(entries) => entries.iter_mut().for_each(|(_, at, n)| {
                at.file = file.to_string();
                n.set_file(file);
            }),
            _ => {}
        }
    }
}

/// The tree as serde-saphyr gives it, before positions are taken out of its `Spanned`s.
enum Tree {
    Null,
    Scalar(String),
    Seq(Vec<Spanned<Tree>>),
    Map(Vec<(Spanned<String>, Spanned<Tree>)>),
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Scalar(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Scalar(v))
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Tree>>()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Tree>>()?;
            entries.push((key, value));
        }
        Ok(Tree::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

fn pos(l: &serde_saphyr::Location) -> Pos {
    Pos {
        line: l.line() as usize,
        column: l.column() as usize,
    }
}

fn convert(t: Spanned<Tree>) -> Node {
    // `defined` is where a value is written, also for one reached through an alias or `<<`:
    // that is the line to change.
    let at = At {
        file: String::new(),
        pos: pos(&t.defined),
    };
    let value = match t.value {
        Tree::Null => Value::Null,
        Tree::Scalar(s) => Value::Scalar(s),
        Tree::Seq(items) => Value::Seq(items.into_iter().map(convert).collect()),
        Tree::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key_at = At {
                        file: String::new(),
                        pos: pos(&k.referenced),
                    };
                    (k.value, key_at, convert(v))
                })
                .collect(),
        ),
    };
    Node { value, at }
}

/// Parses one YAML document read from `path`.
pub fn parse(path: &str, text: &str) -> Result<Node, SourceError> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    let tree: Spanned<Tree> = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).filter(|&l| l > 0);
        let message = e.to_string();
        let message = message.lines().next().unwrap_or("").to_string();
        SourceError::new(path, line, format!("not valid YAML: {message}"))
    })?;
    let mut node = convert(tree);
    node.set_file(path);
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_values_and_merges() {
        let text = "x-common: &common\n  privileged: true\nservices:\n  web:\n    <<: *common\n    image: nginx:1.27\n    ports:\n      - \"80:80\"\n";
        let root = parse("compose.yaml", text).unwrap();
        let web = root.path(&["services", "web"]).unwrap();
        assert_eq!(web.key_at("image").unwrap().pos, Pos { line: 6, column: 5 });
        assert_eq!(web.get("image").unwrap().as_str(), Some("nginx:1.27"));
        let privileged = web.get("privileged").unwrap();
        assert!(privileged.is_true());
        // Merged from the anchor: where it is written.
        assert_eq!(privileged.at.pos.line, 2);
        assert_eq!(web.get("ports").unwrap().as_seq()[0].at.pos.line, 8);
        assert_eq!(privileged.at.file, "compose.yaml");
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = parse("c.yaml", "services:\n  web:\n    image: [a\n  x: }\n").unwrap_err();
        assert_eq!(err.path, "c.yaml");
        assert!(err.line.is_some(), "{err}");
    }
}
