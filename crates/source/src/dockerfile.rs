//! Dockerfiles read into stages and instructions that keep their line and column.
//!
//! Parsing is the `parse-dockerfile` crate's (BuildKit's syntax: parser directives including
//! `escape`, line continuations, heredocs, JSON and shell forms, multi-stage builds); this module
//! turns its byte spans into [`Pos`], splits `ENV`/`ARG`/`LABEL` into pairs, joins continued
//! shell commands, resolves `ARG` references in `FROM`, and masks secret values.

use std::collections::BTreeMap;

use dockaudit_snapshot::redact;
use parse_dockerfile as pd;
use serde::Serialize;

use crate::interpolate::{expand, Dialect};
use crate::text::{join_continuations, key_values, split_words, LineIndex};
use crate::{ignore, InlineIgnore, Pos, SourceError};

/// A parsed Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct Dockerfile {
    /// The file, as given (relative paths stay relative, for reports).
    pub path: String,
    /// The escape character (`\`, or `` ` `` with `# escape=``).
    pub escape: char,
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<Var>,
    /// The build stages, in order.
    pub stages: Vec<Stage>,
    /// `# dockaudit-ignore` comments.
    #[serde(skip)]
    pub ignores: Vec<InlineIgnore>,
}

/// One build stage: a `FROM` and what follows it up to the next.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// 0-based position.
    pub index: usize,
    /// The `AS` name.
    pub name: Option<String>,
    /// Its `FROM`.
    pub from: From,
    /// Its instructions after `FROM`.
    pub instructions: Vec<Instruction>,
}

/// A `FROM`.
#[derive(Debug, Clone, Serialize)]
pub struct From {
    /// Where the `FROM` keyword is.
    pub pos: Pos,
    /// The image as written (`ubuntu:${VERSION}`).
    pub image: String,
    /// The image with global `ARG` defaults substituted (`ubuntu:22.04`).
    pub resolved: String,
    /// Whether the image names an earlier stage of this file.
    pub is_stage: bool,
}

/// One instruction.
#[derive(Debug, Clone, Serialize)]
pub struct Instruction {
    /// The keyword, upper case (`RUN`).
    pub keyword: &'static str,
    /// Where the keyword is.
    pub pos: Pos,
    /// What it says.
    pub kind: Kind,
}

/// A `KEY=VALUE` of an `ENV`, `ARG` or `LABEL`, its value masked when secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Var {
    /// The name.
    pub key: String,
    /// The value (masked when secret); `None` for an `ARG` without default.
    pub value: Option<String>,
    /// Why the value was judged secret (and masked), if it was.
    pub secret: Option<String>,
    /// Where its instruction is.
    pub pos: Pos,
}

/// A command in exec (JSON) or shell form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Command {
    /// `["prog", "arg"]`.
    Exec(Vec<String>),
    /// `prog arg`, continuations joined, comment lines removed.
    Shell(String),
}

/// A `COPY` or `ADD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// Source paths or URLs (heredoc sources are not listed).
    pub sources: Vec<String>,
    /// The destination.
    pub dest: String,
    /// `--from=STAGE|IMAGE`.
    pub from: Option<String>,
    /// `--checksum=` given (ADD).
    pub checksum: bool,
}

/// What an instruction says (the parts the rules read; the rest is [`Kind::Other`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// `RUN`: the command and its heredoc bodies (a `RUN <<EOF` script is in `heredocs`).
    Run {
        /// The command.
        command: Command,
        /// Heredoc bodies.
        heredocs: Vec<String>,
        /// `--mount=…` and other flags, `name=value`.
        flags: Vec<String>,
    },
    /// `CMD`.
    Cmd(Command),
    /// `ENTRYPOINT`.
    Entrypoint(Command),
    /// `ENV`.
    Env(Vec<Var>),
    /// `ARG`.
    Arg(Vec<Var>),
    /// `LABEL`.
    Label(Vec<Var>),
    /// `COPY`.
    Copy(Transfer),
    /// `ADD`.
    Add(Transfer),
    /// `EXPOSE` ports as written (`80/tcp`).
    Expose(Vec<String>),
    /// `USER` as written and resolved (stage ARG/ENV values substituted).
    User {
        /// As written.
        raw: String,
        /// With variables substituted; `None` when one has no known value.
        resolved: Option<String>,
    },
    /// `WORKDIR` as written and resolved.
    Workdir {
        /// As written.
        raw: String,
        /// With variables substituted; `None` when one has no known value.
        resolved: Option<String>,
    },
    /// `HEALTHCHECK`; `none` for `HEALTHCHECK NONE`.
    Healthcheck {
        /// `HEALTHCHECK NONE`.
        none: bool,
    },
    /// `SHELL`.
    Shell(Vec<String>),
    /// Anything else (`STOPSIGNAL`, `VOLUME`, `ONBUILD`, `MAINTAINER`).
    Other,
}

impl Kind {
    /// The shell script a `RUN`, `CMD` or `ENTRYPOINT` runs: the shell form's text and any heredoc
    /// bodies, or the exec form's words joined (for `["sh", "-c", "…"]`).
    pub fn script(&self) -> Option<String> {
        let (command, heredocs): (&Command, &[String]) = match self {
            Kind::Run {
                command, heredocs, ..
            } => (command, heredocs),
            Kind::Cmd(c) | Kind::Entrypoint(c) => (c, &[]),
            _ => return None,
        };
        let mut s = match command {
            Command::Shell(s) => s.clone(),
            Command::Exec(words) => words.join(" "),
        };
        // `RUN <<EOF` (or `RUN bash <<EOF`) runs the heredoc as the script; in `RUN cat <<EOF > f`
        // it is only data.
        let first = s.split_whitespace().next().unwrap_or("");
        let runs_heredoc = first.is_empty()
            || first.starts_with("<<")
            || ["sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash"].contains(&first);
        if runs_heredoc {
            for h in heredocs {
                s.push('\n');
                s.push_str(h);
            }
        }
        Some(s)
    }
}

impl Dockerfile {
    /// The last stage: what `docker build` produces without `--target`.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// Every instruction of every stage, with its stage.
    pub fn instructions(&self) -> impl Iterator<Item = (&Stage, &Instruction)> {
        self.stages
            .iter()
            .flat_map(|s| s.instructions.iter().map(move |i| (s, i)))
    }
}

/// Parses `text`, read from `path`.
pub fn parse(path: &str, text: &str) -> Result<Dockerfile, SourceError> {
    let original = text;
    let escape_guess = if text.lines().take_while(|l| l.starts_with('#')).any(|l| {
        l.trim_start_matches('#')
            .trim()
            .to_ascii_lowercase()
            .replace(' ', "")
            == "escape=`"
    }) {
        '`'
    } else {
        '\\'
    };
    let (text, later_heredocs) = blank_later_heredocs(text, escape_guess);
    let text = text.as_str();
    let doc = pd::parse(text).map_err(|e| {
        SourceError::new(path, Some(e.line()), format!("not a valid Dockerfile: {e}"))
    })?;
    let escape = doc
        .parser_directives
        .escape
        .as_ref()
        .map_or('\\', |d| d.value.value);
    let lines = LineIndex::new(text);
    let pos = |offset: usize| lines.pos(text, offset);

    let global_args: Vec<Var> = doc
        .global_args()
        .flat_map(|a| {
            let at = pos(a.arg.span.start);
            arg_vars(&a.arguments.value, escape)
                .into_iter()
                .map(move |v| Var { pos: at, ..v })
        })
        .collect();
    let global: BTreeMap<String, String> = global_args
        .iter()
        .filter_map(|v| v.value.clone().map(|val| (v.key.clone(), val)))
        .collect();

    let mut stages: Vec<Stage> = Vec::new();
    for (index, stage) in doc.stages().enumerate() {
        let image = stage.from.image.value.to_string();
        let resolved = expand(&image, Dialect::Dockerfile(escape), &|k| {
            global.get(k).cloned()
        })
        .unwrap_or_else(|_| image.clone());
        let is_stage = stages.iter().any(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&resolved))
        });
        // Variables known inside the stage: global ARGs it re-declares, its own ARG defaults and ENV.
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        let mut instructions = Vec::new();
        for ins in stage.instructions {
            let (keyword, start, mut kind) = convert(ins, escape, &global, &mut vars);
            let at = pos(start);
            if let Kind::Env(vars) | Kind::Arg(vars) | Kind::Label(vars) = &mut kind {
                vars.iter_mut().for_each(|v| v.pos = at);
            }
            if let Kind::Run { heredocs, .. } = &mut kind {
                if let Some(bodies) = later_heredocs.get(&at.line) {
                    heredocs.extend(bodies.iter().cloned());
                }
            }
            instructions.push(Instruction {
                keyword,
                pos: pos(start),
                kind,
            });
        }
        stages.push(Stage {
            index,
            name: stage.from.as_.as_ref().map(|(_, n)| n.value.to_string()),
            from: From {
                pos: pos(stage.from.from.span.start),
                image,
                resolved,
                is_stage,
            },
            instructions,
        });
    }
    Ok(Dockerfile {
        path: path.to_string(),
        escape,
        global_args,
        stages,
        ignores: ignore::scan(original),
    })
}

/// The heredocs of `RUN` lines that do not start with one (`RUN cat <<EOF > /etc/x`), which the
/// parser does not read (it takes only `RUN <<EOF`): their bodies are blanked in the returned text
/// (lines kept, so positions do not move) and returned by the line of their `RUN`.
fn blank_later_heredocs(text: &str, escape: char) -> (String, BTreeMap<usize, Vec<String>>) {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut bodies: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let upper = line.trim_start().to_ascii_uppercase();
        if !upper.starts_with("RUN ") && !upper.starts_with("RUN\t") {
            out.push(line.to_string());
            i += 1;
            continue;
        }
        // The RUN's logical line (continuations followed).
        let run_line = i + 1;
        let mut logical = String::new();
        loop {
            let l = lines[i];
            out.push(l.to_string());
            logical.push_str(l);
            logical.push('\n');
            i += 1;
            if !l.trim_end().ends_with(escape) || i >= lines.len() {
                break;
            }
        }
        let args = logical.trim_start()[3..].trim_start();
        let args = args
            .split_whitespace()
            .skip_while(|w| w.starts_with("--"))
            .collect::<Vec<_>>()
            .join(" ");
        if args.starts_with("<<") || args.starts_with('[') {
            continue; // the parser's own case
        }
        for delim in heredoc_delimiters(&logical) {
            let (strip_tabs, delim) = delim;
            let mut body = String::new();
            while i < lines.len() {
                let l = lines[i];
                out.push(String::new());
                i += 1;
                let cmp = if strip_tabs {
                    l.trim_start_matches('\t')
                } else {
                    l
                };
                if cmp.trim_end_matches('\r') == delim {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            bodies.entry(run_line).or_default().push(body);
        }
    }
    (out.join("\n"), bodies)
}

/// The heredoc delimiters a shell line opens (`<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"`), in order;
/// not `<<<` (a here-string).
fn heredoc_delimiters(line: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'<' && b[i + 1] == b'<' && (i == 0 || b[i - 1] != b'<') && b[i + 2] != b'<' {
            let mut j = i + 2;
            let strip = b.get(j) == Some(&b'-');
            if strip {
                j += 1;
            }
            let quote = b.get(j).copied().filter(|c| *c == b'\'' || *c == b'"');
            if quote.is_some() {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
                j += 1;
            }
            if j > start {
                out.push((strip, line[start..j].to_string()));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn vars_of(pairs: Vec<(String, String)>) -> Vec<Var> {
    pairs
        .into_iter()
        .map(|(key, mut value)| {
            let secret = redact::redact_named(&key, &mut value)
                .into_iter()
                .next()
                .map(|m| m.reason);
            Var {
                key,
                value: Some(value),
                secret,
                pos: Pos::default(),
            }
        })
        .collect()
}

fn arg_vars(s: &str, escape: char) -> Vec<Var> {
    split_words(s, escape)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => {
                let mut v = v.to_string();
                let secret = redact::redact_named(k, &mut v)
                    .into_iter()
                    .next()
                    .map(|m| m.reason);
                Var {
                    key: k.to_string(),
                    value: Some(v),
                    secret,
                    pos: Pos::default(),
                }
            }
            None => Var {
                key: w,
                value: None,
                secret: None,
                pos: Pos::default(),
            },
        })
        .collect()
}

fn command(c: &pd::Command<'_>, escape: char) -> Command {
    match c {
        pd::Command::Exec(words) => {
            Command::Exec(words.value.iter().map(|w| w.value.to_string()).collect())
        }
        pd::Command::Shell(s) => Command::Shell(join_continuations(s.value, escape)),
        _ => Command::Exec(Vec::new()),
    }
}

fn transfer(
    options: &[pd::Flag<'_>],
    src: &[pd::Source<'_>],
    dest: &pd::UnescapedString<'_>,
) -> Transfer {
    let flag = |name: &str| {
        options.iter().find(|f| f.name.value == name).map(|f| {
            f.value
                .as_ref()
                .map(|v| v.value.to_string())
                .unwrap_or_default()
        })
    };
    Transfer {
        sources: src
            .iter()
            .filter_map(|s| match s {
                pd::Source::Path(p) => Some(p.value.to_string()),
                _ => None,
            })
            .collect(),
        dest: dest.value.to_string(),
        from: flag("from"),
        checksum: flag("checksum").is_some(),
    }
}

/// Substitutes the stage's known variables; `None` when a referenced one has no known value.
fn resolve(raw: &str, escape: char, vars: &BTreeMap<String, String>) -> Option<String> {
    let unknown = std::cell::Cell::new(false);
    let out = expand(raw, Dialect::Dockerfile(escape), &|k| {
        let v = vars.get(k).cloned();
        if v.is_none() {
            unknown.set(true);
        }
        v
    })
    .ok()?;
    (!unknown.get()).then_some(out)
}

fn convert(
    ins: &pd::Instruction<'_>,
    escape: char,
    global: &BTreeMap<String, String>,
    vars: &mut BTreeMap<String, String>,
) -> (&'static str, usize, Kind) {
    use pd::Instruction as I;
    match ins {
        I::Run(r) => (
            "RUN",
            r.run.span.start,
            Kind::Run {
                command: command(&r.arguments, escape),
                heredocs: r.here_docs.iter().map(|h| h.value.to_string()).collect(),
                flags: r
                    .options
                    .iter()
                    .map(|f| match &f.value {
                        Some(v) => format!("{}={}", f.name.value, v.value),
                        None => f.name.value.to_string(),
                    })
                    .collect(),
            },
        ),
        I::Cmd(c) => (
            "CMD",
            c.cmd.span.start,
            Kind::Cmd(command(&c.arguments, escape)),
        ),
        I::Entrypoint(c) => (
            "ENTRYPOINT",
            c.entrypoint.span.start,
            Kind::Entrypoint(command(&c.arguments, escape)),
        ),
        I::Env(e) => {
            let pairs = key_values(&e.arguments.value, escape);
            for (k, v) in &pairs {
                let v = resolve(v, escape, vars).unwrap_or_else(|| v.clone());
                vars.insert(k.clone(), v);
            }
            ("ENV", e.env.span.start, Kind::Env(vars_of(pairs)))
        }
        I::Arg(a) => {
            let args = arg_vars(&a.arguments.value, escape);
            for v in &args {
                // A re-declared global ARG takes the global default when it has none of its own.
                let value = v.value.clone().or_else(|| global.get(&v.key).cloned());
                if let Some(value) = value {
                    vars.insert(v.key.clone(), value);
                }
            }
            ("ARG", a.arg.span.start, Kind::Arg(args))
        }
        I::Label(l) => (
            "LABEL",
            l.label.span.start,
            Kind::Label(vars_of(key_values(&l.arguments.value, escape))),
        ),
        I::Copy(c) => (
            "COPY",
            c.copy.span.start,
            Kind::Copy(transfer(&c.options, &c.src, &c.dest)),
        ),
        I::Add(a) => (
            "ADD",
            a.add.span.start,
            Kind::Add(transfer(&a.options, &a.src, &a.dest)),
        ),
        I::Expose(e) => (
            "EXPOSE",
            e.expose.span.start,
            Kind::Expose(e.arguments.iter().map(|p| p.value.to_string()).collect()),
        ),
        I::User(u) => {
            let raw = u.arguments.value.trim().to_string();
            (
                "USER",
                u.user.span.start,
                Kind::User {
                    resolved: resolve(&raw, escape, vars),
                    raw,
                },
            )
        }
        I::Workdir(w) => {
            let raw = w.arguments.value.trim().to_string();
            (
                "WORKDIR",
                w.workdir.span.start,
                Kind::Workdir {
                    resolved: resolve(&raw, escape, vars),
                    raw,
                },
            )
        }
        I::Healthcheck(h) => (
            "HEALTHCHECK",
            h.healthcheck.span.start,
            Kind::Healthcheck {
                none: matches!(h.arguments, pd::HealthcheckArguments::None { .. }),
            },
        ),
        I::Shell(s) => (
            "SHELL",
            s.shell.span.start,
            Kind::Shell(s.arguments.iter().map(|a| a.value.to_string()).collect()),
        ),
        I::From(f) => ("FROM", f.from.span.start, Kind::Other),
        I::Maintainer(m) => ("MAINTAINER", m.maintainer.span.start, Kind::Other),
        I::Onbuild(o) => ("ONBUILD", o.onbuild.span.start, Kind::Other),
        I::Stopsignal(s) => ("STOPSIGNAL", s.stopsignal.span.start, Kind::Other),
        I::Volume(v) => ("VOLUME", v.volume.span.start, Kind::Other),
        // A keyword a newer parser knows: kept, at the stage's start, judged by no rule.
        _ => ("OTHER", 0, Kind::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_stage_with_args_heredoc_and_continuations() {
        let text = "ARG BASE=debian\nARG TAG=12\nFROM ${BASE}:${TAG} AS build\nRUN apt-get update && \\\n    apt-get install -y curl\nRUN <<EOF\nset -e\necho hi | tee x\nEOF\nENV API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 MODE=prod\nFROM build\nUSER ${NOPE}\nWORKDIR app\n";
        let df = parse("Dockerfile", text).unwrap();
        assert_eq!(df.stages.len(), 2);
        let s0 = &df.stages[0];
        assert_eq!(s0.from.resolved, "debian:12");
        assert_eq!(s0.from.pos, Pos { line: 3, column: 1 });
        assert_eq!(s0.name.as_deref(), Some("build"));
        assert_eq!(s0.instructions[0].pos.line, 4);
        assert_eq!(
            s0.instructions[0].kind.script().unwrap(),
            "apt-get update &&     apt-get install -y curl"
        );
        assert!(
            s0.instructions[1]
                .kind
                .script()
                .unwrap()
                .contains("echo hi | tee x"),
            "{:?}",
            s0.instructions[1]
        );
        assert_eq!(s0.instructions[2].pos.line, 10);
        let Kind::Env(vars) = &s0.instructions[2].kind else {
            panic!("not ENV")
        };
        assert!(vars[0].secret.is_some());
        assert!(!vars[0].value.as_ref().unwrap().contains("abcdefghijklmnop"));
        assert_eq!(vars[1].value.as_deref(), Some("prod"));
        assert!(df.stages[1].from.is_stage);
        assert!(matches!(
            &df.stages[1].instructions[0].kind,
            Kind::User { resolved: None, .. }
        ));
    }

    #[test]
    fn heredocs_later_in_the_line_are_read_as_data() {
        let text = "FROM x\nRUN cat <<EOF > /f && \\\n    cat <<-'END' > /g\nFROM y\n\tEND2\nEOF\n\tEND\nRUN bash <<EOF\nrm -rf /\nEOF\nUSER app\n";
        let df = parse("D", text).unwrap();
        let ins = &df.stages[0].instructions;
        assert_eq!(ins.len(), 3, "{ins:?}");
        let Kind::Run { heredocs, .. } = &ins[0].kind else {
            panic!()
        };
        assert_eq!(heredocs.len(), 2);
        assert_eq!(heredocs[0], "FROM y\n\tEND2\n");
        // Data, not the script:
        assert!(!ins[0].kind.script().unwrap().contains("FROM y"));
        assert!(ins[1].kind.script().unwrap().contains("rm -rf /"));
        assert_eq!(ins[2].pos.line, 11);
    }

    #[test]
    fn escape_directive() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    c:\\\nWORKDIR c:\\app\n";
        let df = parse("Dockerfile", text).unwrap();
        assert_eq!(df.escape, '`');
        let s = &df.stages[0];
        assert_eq!(s.instructions[0].kind.script().unwrap(), "dir     c:\\");
        assert_eq!(s.instructions[1].pos.line, 5);
    }

    #[test]
    fn malformed_is_an_error_with_the_line() {
        let err = parse("bad/Dockerfile", "FROM x\nRUN <<EOF\nno end\n").unwrap_err();
        assert_eq!(err.path, "bad/Dockerfile");
        assert!(err.line.is_some());
        assert!(parse("x", "NOTANINSTRUCTION y\n").is_err());
    }
}
