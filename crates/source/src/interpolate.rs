//! Variable substitution: Dockerfile `ARG`/`ENV` references in `FROM` and other instructions, and
//! the Compose Specification's interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`).

/// How a `$` is written literally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Compose: `$$` is a literal `$`.
    Compose,
    /// Dockerfile: the escape character before `$` (`\$`) is a literal `$`.
    Dockerfile(char),
}

/// Substitutes every variable in `s` with `lookup`; an unset variable is empty (as both Docker
/// and Compose do, Compose with a warning). `Err` carries the message of a `${VAR:?message}`
/// whose variable is unset (or empty, with `:`), or of a malformed reference.
pub fn expand(
    s: &str,
    dialect: Dialect,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Dialect::Dockerfile(esc) = dialect {
            if c == esc && matches!(chars.peek(), Some((_, '$'))) {
                chars.next();
                out.push('$');
                continue;
            }
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some((_, '$')) if dialect == Dialect::Compose => {
                chars.next();
                out.push('$');
            }
            Some((_, '{')) => {
                chars.next();
                // Find the matching brace (defaults may hold nested references).
                let start = i + 2;
                let mut depth = 1;
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    match d {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| format!("unclosed `${{` in `{s}`"))?;
                out.push_str(&braced(&s[start..end], dialect, lookup)?);
            }
            Some((_, n)) if n == '_' || n.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(&(_, n)) = chars.peek() {
                    if n == '_' || n.is_ascii_alphanumeric() {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push_str(&lookup(&name).unwrap_or_default());
            }
            _ => out.push('$'),
        }
    }
    Ok(out)
}

fn braced(
    inner: &str,
    dialect: Dialect,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let name_end = inner
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_end);
    if name.is_empty() {
        return Err(format!("invalid variable reference `${{{inner}}}`"));
    }
    let value = lookup(name);
    let (colon, op, arg) = if let Some(r) = rest.strip_prefix(':') {
        (true, r.chars().next(), r.get(1..).unwrap_or(""))
    } else {
        (false, rest.chars().next(), rest.get(1..).unwrap_or(""))
    };
    // With `:` an empty value counts as unset.
    let set = match &value {
        Some(v) => !(colon && v.is_empty()),
        None => false,
    };
    match op {
        None => Ok(value.unwrap_or_default()),
        Some('-') if set => Ok(value.unwrap_or_default()),
        Some('-') => expand(arg, dialect, lookup),
        Some('+') if set => expand(arg, dialect, lookup),
        Some('+') => Ok(String::new()),
        Some('?') if set => Ok(value.unwrap_or_default()),
        Some('?') => Err(if arg.is_empty() {
            format!("required variable {name} is missing a value")
        } else {
            format!("required variable {name} is missing a value: {arg}")
        }),
        Some(_) => Err(format!("invalid variable reference `${{{inner}}}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TAG" => Some("1.2".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn compose_forms() {
        let e = |s| expand(s, Dialect::Compose, &env);
        assert_eq!(e("nginx:${TAG}").unwrap(), "nginx:1.2");
        assert_eq!(e("nginx:$TAG").unwrap(), "nginx:1.2");
        assert_eq!(e("${NOPE:-latest}").unwrap(), "latest");
        assert_eq!(e("${EMPTY:-d}").unwrap(), "d");
        assert_eq!(e("${EMPTY-d}").unwrap(), "");
        assert_eq!(e("${TAG:+x}").unwrap(), "x");
        assert_eq!(e("${NOPE:-${TAG}}").unwrap(), "1.2");
        assert_eq!(e("$$HOME").unwrap(), "$HOME");
        assert!(e("${NOPE:?set it}").unwrap_err().contains("set it"));
        assert!(e("${TAG").is_err());
    }

    #[test]
    fn dockerfile_escape() {
        let e = |s| expand(s, Dialect::Dockerfile('\\'), &env);
        assert_eq!(e(r"a\$TAG $TAG").unwrap(), "a$TAG 1.2");
    }
}
