//! Inline suppressions written in the source: `# dockaudit-ignore CTR001: reason` (several ids
//! separated by commas). On a line of its own it applies to the next line that is not a comment or
//! blank; at the end of a line, to that line. A reason is required, as in `[[ignore]]` entries.

use crate::Pos;

/// The marker that starts an inline suppression.
pub const MARKER: &str = "dockaudit-ignore";

/// One inline suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    /// Rule ids or names, as written.
    pub rules: Vec<String>,
    /// Why the risk is accepted (may be empty: the caller reports that as an error).
    pub reason: String,
    /// Where the comment is.
    pub at: Pos,
    /// The line whose findings it accepts.
    pub applies_to: usize,
}

/// Finds the inline suppressions of a file whose comments start with `#` (Dockerfile, YAML).
pub fn scan(text: &str) -> Vec<InlineIgnore> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(hash) = find_comment(line) else {
            continue;
        };
        let comment = line[hash + 1..].trim_start();
        let Some(rest) = comment.strip_prefix(MARKER) else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let (ids, reason) = rest.split_once(':').unwrap_or((rest, ""));
        let rules: Vec<String> = ids
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let own_line = line[..hash].trim().is_empty();
        let applies_to = if own_line {
            lines[i + 1..]
                .iter()
                .position(|l| {
                    let t = l.trim();
                    !t.is_empty() && !t.starts_with('#')
                })
                .map_or(i + 1, |p| i + 2 + p)
        } else {
            i + 1
        };
        out.push(InlineIgnore {
            rules,
            reason: reason.trim().to_string(),
            at: Pos {
                line: i + 1,
                column: line[..hash].chars().count() + 1,
            },
            applies_to,
        });
    }
    out
}

/// The byte index of the `#` that starts a comment on `line`: at its start, or after whitespace
/// outside quotes (a `#` inside a value such as `image: a#b` or `"x # y"` is not a comment).
fn find_comment(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev_space => return Some(i),
            None => {}
        }
        prev_space = c.is_whitespace();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_line_and_trailing() {
        let text = "FROM x\n# dockaudit-ignore DKF004, IMG001: build user needs it\n\n# other\nRUN sudo x\nUSER root # dockaudit-ignore IMG001: legacy\nRUN echo '# dockaudit-ignore X: no'\n";
        let found = scan(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].rules, vec!["DKF004", "IMG001"]);
        assert_eq!(found[0].reason, "build user needs it");
        assert_eq!(found[0].at.line, 2);
        assert_eq!(found[0].applies_to, 5);
        assert_eq!(found[1].applies_to, 6);
        assert_eq!(found[1].at.column, 11);
    }

    #[test]
    fn missing_reason_is_kept_empty() {
        let found = scan("# dockaudit-ignore CTR001\nprivileged: true\n");
        assert_eq!(found[0].reason, "");
        assert_eq!(found[0].rules, vec!["CTR001"]);
    }
}
