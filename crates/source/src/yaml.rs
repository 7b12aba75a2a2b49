//! A YAML tree whose every key and value keeps its file, line and column, built from the events of
//! granit-parser (the YAML 1.2 parser under serde-saphyr, which itself needs Rust 1.88), with
//! anchors, aliases and `<<` merge keys resolved and alias expansion bounded ([`MAX_NODES`]).
//!
//! Every scalar is kept as text (`true`, `512m`, `0.5`); Compose gives them meaning per key.

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
}

/// Most nodes one document may expand to (aliases included): a bound against alias bombs.
pub const MAX_NODES: usize = 1_000_000;

/// Builds the tree from the parser's events, resolving aliases (a copy of the anchored node, which
/// keeps where it is defined) and `<<` merge keys (keys written in the mapping win, then the merged
/// mappings in order).
struct Builder<'a> {
    events: granit_parser::Parser<'a, granit_parser::StrInput<'a>>,
    anchors: std::collections::HashMap<usize, Node>,
    nodes: usize,
    file: &'a str,
}

type Ev<'a> = (granit_parser::Event<'a>, granit_parser::Span);

impl<'a> Builder<'a> {
    fn error(&self, line: Option<usize>, message: String) -> SourceError {
        SourceError::new(self.file, line, format!("not valid YAML: {message}"))
    }

    /// The next event that is not a comment.
    fn next(&mut self) -> Result<Ev<'a>, SourceError> {
        loop {
            match self.events.next() {
                None => return Err(self.error(None, "unexpected end of input".into())),
                Some(Err(e)) => {
                    let line = e.marker().line();
                    return Err(self.error(Some(line), e.info()));
                }
                Some(Ok((granit_parser::Event::Comment(..), _))) => {}
                Some(Ok(ev)) => return Ok(ev),
            }
        }
    }

    fn at(&self, span: &granit_parser::Span) -> At {
        At {
            file: self.file.to_string(),
            pos: Pos {
                line: span.start.line(),
                column: span.start.col() + 1,
            },
        }
    }

    fn count(&mut self, n: usize, line: usize) -> Result<(), SourceError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(self.error(
                Some(line),
                format!("more than {MAX_NODES} nodes (aliases expanding without bound?)"),
            ));
        }
        Ok(())
    }

    fn node(&mut self, (event, span): Ev<'a>) -> Result<Node, SourceError> {
        use granit_parser::Event as E;
        let at = self.at(&span);
        let line = at.pos.line;
        self.count(1, line)?;
        let (value, anchor) = match event {
            E::Scalar(text, style, anchor, _) => {
                let null = style == granit_parser::ScalarStyle::Plain
                    && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                let value = if null {
                    Value::Null
                } else {
                    Value::Scalar(text.into_owned())
                };
                (value, anchor)
            }
            E::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let ev = self.next()?;
                    if matches!(ev.0, E::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev)?);
                }
                (Value::Seq(items), anchor)
            }
            E::MappingStart(_, anchor, _) => {
                let mut entries: Vec<(String, At, Node)> = Vec::new();
                let mut merged: Vec<Node> = Vec::new();
                loop {
                    let ev = self.next()?;
                    if matches!(ev.0, E::MappingEnd) {
                        break;
                    }
                    let merge_key = matches!(
                        &ev.0,
                        E::Scalar(t, granit_parser::ScalarStyle::Plain, ..) if t == "<<"
                    );
                    let key = self.node(ev)?;
                    let value_ev = self.next()?;
                    let value = self.node(value_ev)?;
                    if merge_key {
                        merged.push(value);
                        continue;
                    }
                    let name = match &key.value {
                        Value::Scalar(s) => s.clone(),
                        Value::Null => String::new(),
                        _ => {
                            return Err(self.error(
                                Some(key.at.pos.line),
                                "a mapping key is not a scalar".into(),
                            ))
                        }
                    };
                    entries.push((name, key.at, value));
                }
                for m in merged {
                    let sources: Vec<Node> = match m.value {
                        Value::Seq(items) => items,
                        _ => vec![m],
                    };
                    for source in sources {
                        for (k, kat, v) in source.as_map() {
                            if !entries.iter().any(|(e, ..)| e == k) {
                                entries.push((k.clone(), kat.clone(), v.clone()));
                            }
                        }
                    }
                }
                (Value::Map(entries), anchor)
            }
            E::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| self.error(Some(line), "an alias names no anchor".into()))?;
                self.count(size(&node), line)?;
                return Ok(node);
            }
            other => {
                return Err(self.error(Some(line), format!("unexpected {other:?}")));
            }
        };
        let node = Node { value, at };
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

/// How many nodes a tree holds.
fn size(n: &Node) -> usize {
    1 + match &n.value {
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|(_, _, v)| 1 + size(v)).sum(),
        _ => 0,
    }
}

/// Parses the first YAML document read from `path` (an empty file is a null document).
pub fn parse(path: &str, text: &str) -> Result<Node, SourceError> {
    use granit_parser::Event as E;
    let mut b = Builder {
        events: granit_parser::Parser::new_from_str(text),
        anchors: std::collections::HashMap::new(),
        nodes: 0,
        file: path,
    };
    let null = Node {
        value: Value::Null,
        at: At {
            file: path.to_string(),
            pos: Pos { line: 1, column: 1 },
        },
    };
    loop {
        let ev = b.next()?;
        match ev.0 {
            E::StreamStart => {}
            E::StreamEnd => return Ok(null),
            E::DocumentStart(..) => {
                let first = b.next()?;
                if matches!(first.0, E::DocumentEnd) {
                    return Ok(null);
                }
                let node = b.node(first)?;
                // The rest of the stream must still be YAML (a later error is an error).
                loop {
                    match b.events.next() {
                        None => return Ok(node),
                        Some(Err(e)) => {
                            let line = e.marker().line();
                            return Err(b.error(Some(line), e.info()));
                        }
                        Some(Ok(_)) => {}
                    }
                }
            }
            other => return Err(b.error(None, format!("unexpected {other:?}"))),
        }
    }
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
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let err = parse("bomb.yaml", &text).unwrap_err();
        assert!(err.message.contains("nodes"), "{err}");
    }

    #[test]
    fn scalars_keep_their_text_and_nulls_are_null() {
        let root = parse("c.yaml", "a: 1.0\nb: 0755\nc: ~\nd:\ne: 'null'\nf: yes\n").unwrap();
        assert_eq!(root.get("a").unwrap().as_str(), Some("1.0"));
        assert_eq!(root.get("b").unwrap().as_str(), Some("0755"));
        assert_eq!(root.get("c").unwrap().value, Value::Null);
        assert_eq!(root.get("d").unwrap().value, Value::Null);
        assert_eq!(root.get("e").unwrap().as_str(), Some("null"));
        assert!(root.get("f").unwrap().is_true());
        assert_eq!(parse("e.yaml", "").unwrap().value, Value::Null);
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = parse("c.yaml", "services:\n  web:\n    image: [a\n  x: }\n").unwrap_err();
        assert_eq!(err.path, "c.yaml");
        assert!(err.line.is_some(), "{err}");
    }
}
