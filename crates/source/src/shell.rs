//! Just enough of the POSIX shell grammar to judge `RUN` commands: a script split into pipelines
//! (`&&`, `||`, `;`, `&`, new lines) of simple commands (`|`), each a list of words with quotes
//! removed. Not an interpreter: no expansion, no subshell structure (`(`, `{` are words).

/// One simple command's words.
pub type SimpleCommand = Vec<String>;

/// Commands joined by `|`.
pub type Pipeline = Vec<SimpleCommand>;

/// Splits `script` into pipelines; the pipelines of its command substitutions (`$(…)`, backquotes)
/// follow those of the script itself (a substitution stays one word where it is written).
pub fn pipelines(script: &str) -> Vec<Pipeline> {
    let mut substitutions = Vec::new();
    let mut out = split(script, &mut substitutions);
    // Bounded: a substitution is shorter than the text it is in.
    while let Some(inner) = substitutions.pop() {
        out.extend(split(&inner, &mut substitutions));
    }
    out
}

/// The text of a command substitution starting after its `$(` (or backquote), up to its closing
/// `)` (or backquote), consumed from `chars`.
fn substitution(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, backquote: bool) -> String {
    let mut inner = String::new();
    let mut depth = 1;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\\' => {
                inner.push(c);
                if let Some(n) = chars.next() {
                    inner.push(n);
                }
                continue;
            }
            None if backquote && c == '`' => return inner,
            None if backquote => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => {
                depth -= 1;
                if depth == 0 {
                    return inner;
                }
            }
            None => {}
        }
        inner.push(c);
    }
    inner
}

fn split(script: &str, substitutions: &mut Vec<String>) -> Vec<Pipeline> {
    let mut out: Vec<Pipeline> = Vec::new();
    let mut pipeline: Pipeline = Vec::new();
    let mut command: SimpleCommand = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    macro_rules! end_word {
        () => {
            if std::mem::take(&mut in_word) {
                command.push(std::mem::take(&mut word));
            }
        };
    }
    macro_rules! end_command {
        () => {
            end_word!();
            if !command.is_empty() {
                pipeline.push(std::mem::take(&mut command));
            }
        };
    }
    macro_rules! end_pipeline {
        () => {
            end_command!();
            if !pipeline.is_empty() {
                out.push(std::mem::take(&mut pipeline));
            }
        };
    }
    while let Some(c) = chars.next() {
        // A command substitution, quoted or not: one piece of the word, its commands kept apart.
        if quote != Some('\'') && (c == '`' || (c == '$' && chars.peek() == Some(&'('))) {
            let backquote = c == '`';
            if !backquote {
                chars.next();
            }
            let inner = substitution(&mut chars, backquote);
            word.push_str(if backquote { "`…`" } else { "$(…)" });
            in_word = true;
            substitutions.push(inner);
            continue;
        }
        // A command substitution, quoted or not: one piece of the word, its commands kept apart.
        if quote != Some('\'') && (c == '`' || (c == '$' && chars.peek() == Some(&'('))) {
            let backquote = c == '`';
            if !backquote {
                chars.next();
            }
            let inner = substitution(&mut chars, backquote);
            word.push_str(if backquote { "`…`" } else { "$(…)" });
            in_word = true;
            substitutions.push(inner);
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '\\' => {
                    if let Some(n) = chars.next() {
                        if n != '\n' {
                            word.push(n);
                            in_word = true;
                        }
                    }
                }
                '#' if !in_word => {
                    // A comment runs to the end of the line.
                    for n in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                    end_pipeline!();
                }
                '|' => {
                    if chars.peek() == Some(&'|') {
                        chars.next();
                        end_pipeline!();
                    } else {
                        end_command!();
                    }
                }
                '&' => {
                    if chars.peek() == Some(&'&') {
                        chars.next();
                    }
                    end_pipeline!();
                }
                ';' | '\n' => {
                    end_pipeline!();
                }
                c if c.is_whitespace() => end_word!(),
                c => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    end_pipeline!();
    out
}

/// The program a simple command runs, past `VAR=value` assignments and wrappers that run another
/// command (`sudo`, `env`, `nice`, `time`, `exec`, `xargs`), as a file name (`/usr/bin/apt-get` →
/// `apt-get`), with the index of its word.
pub fn program(command: &[String]) -> Option<(usize, &str)> {
    let mut i = 0;
    while i < command.len() {
        let w = command[i].as_str();
        let base = w.rsplit('/').next().unwrap_or(w);
        let is_assignment = w.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        });
        if is_assignment || w.starts_with('-') && i > 0 {
            i += 1;
            continue;
        }
        if [
            "sudo", "env", "nice", "time", "exec", "xargs", "nohup", "command",
        ]
        .contains(&base)
            && i + 1 < command.len()
        {
            i += 1;
            continue;
        }
        return Some((i, base));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pipelines_and_commands() {
        let p = pipelines("set -e; curl -fsSL 'https://x | y' | sh && apt-get install -y a \\\n b || true # c | d\necho \"a;b\"");
        assert_eq!(p.len(), 5);
        assert_eq!(p[1].len(), 2);
        assert_eq!(p[1][0], vec!["curl", "-fsSL", "https://x | y"]);
        assert_eq!(p[1][1], vec!["sh"]);
        assert_eq!(p[2][0], vec!["apt-get", "install", "-y", "a", "b"]);
        assert_eq!(p[4][0], vec!["echo", "a;b"]);
    }

    #[test]
    fn substitutions_are_split_too() {
        let p = pipelines("dst=\"$(echo \"$src\" | tr -d 3)\"; x=`a | b`; ln -s a \"$dst\"");
        assert_eq!(p[0][0], vec!["dst=$(…)"]);
        assert_eq!(p[2][0], vec!["ln", "-s", "a", "$dst"]);
        assert!(p
            .iter()
            .any(|pl| pl.len() == 2 && pl[0] == vec!["echo", "$src"]));
        assert!(p.iter().any(|pl| pl.len() == 2 && pl[0] == vec!["a"]));
    }

    #[test]
    fn programs_past_wrappers() {
        let cmd: Vec<String> = [
            "DEBIAN_FRONTEND=noninteractive",
            "sudo",
            "-E",
            "/usr/bin/apt-get",
            "install",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(program(&cmd), Some((3, "apt-get")));
    }
}
