//! Text helpers shared by the parsers: byte offsets to line and column, and the word splitting
//! Dockerfile `ENV`, `ARG` and `LABEL` arguments use.

use crate::Pos;

/// Where each line of a text starts, to turn byte offsets into [`Pos`].
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line and column (in characters) of byte `offset` of `text`.
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Pos { line, column }
    }
}

/// Splits Dockerfile arguments into words the way BuildKit's `ENV`/`LABEL`/`ARG` do: whitespace
/// separates words, single and double quotes group (and are removed), `escape` escapes the next
/// character (outside single quotes). Line continuations were already removed by the parser.
pub fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('\'') => word.push(c),
            Some(_) if c == escape => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == escape => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// `KEY=VALUE` pairs of an `ENV` or `LABEL` (also the legacy `ENV KEY VALUE` form, one pair).
pub fn key_values(s: &str, escape: char) -> Vec<(String, String)> {
    let words = split_words(s, escape);
    if words.first().is_some_and(|w| !w.contains('=')) {
        // Legacy form: the first word is the key, the rest (as written) the value.
        let key = words[0].clone();
        let rest = s
            .trim_start()
            .get(s.trim_start().find(char::is_whitespace).unwrap_or(s.len())..);
        let value = rest.map(|r| r.trim().to_string()).unwrap_or_default();
        return vec![(key, value)];
    }
    words
        .into_iter()
        .filter_map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// The shell text of a RUN/CMD/ENTRYPOINT in shell form with line continuations (`escape` before a
/// line end) and the comment lines inside it removed: the command as the shell receives it.
pub fn join_continuations(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut lines = raw.split('\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !first && line.trim_start().starts_with('#') {
            continue;
        }
        first = false;
        let trimmed = line.trim_end();
        if let Some(body) = trimmed.strip_suffix(escape) {
            out.push_str(body);
        } else {
            out.push_str(line);
            if lines.peek().is_some() {
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\nçd\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, 0), Pos { line: 1, column: 1 });
        assert_eq!(idx.pos(text, 3), Pos { line: 2, column: 1 });
        assert_eq!(idx.pos(text, 5), Pos { line: 2, column: 2 });
        assert_eq!(idx.pos(text, 8), Pos { line: 4, column: 1 });
    }

    #[test]
    fn words_follow_quotes_and_escapes() {
        assert_eq!(
            split_words(r#"A="x y" B='$z' C=a\ b"#, '\\'),
            vec!["A=x y", "B=$z", "C=a b"]
        );
        assert_eq!(split_words("A=a`` B=c", '`'), vec!["A=a`", "B=c"]);
        assert_eq!(
            key_values("PATH /usr/bin:/bin  x", '\\'),
            vec![("PATH".into(), "/usr/bin:/bin  x".into())]
        );
    }

    #[test]
    fn continuations_and_comments_are_removed() {
        let raw = "apt-get update && \\\n    # a comment\n    apt-get install -y x";
        assert_eq!(
            join_continuations(raw, '\\'),
            "apt-get update &&     apt-get install -y x"
        );
    }
}
