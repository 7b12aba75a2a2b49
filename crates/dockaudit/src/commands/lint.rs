//! `dockaudit lint [PATH…]`: judge Dockerfiles and Compose files before they run, with the same
//! rule ids as the running containers, every finding at its file, line and column. Never talks to
//! the engine: it reads only the files it finds under the paths given.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use dockaudit_rules::{lint, AuditOptions, RuleSelection, SourceInput, RULES};
use dockaudit_snapshot::Gap;
use dockaudit_source::compose::{self, ComposeProject};
use dockaudit_source::{discover, dockerfile, read_bounded, Dockerfile, InlineIgnore};

use crate::cli::{parse_format_spec, ColorWhen, FailOn, FormatSpec, ReportFormat, RuleArgs};
use crate::commands::audit::{write_reports_to, Outputs};
use crate::output::exit_for;
use crate::EXIT_ERROR;

/// `dockaudit lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories: directories are searched for compose.yaml / compose.yml /
    /// docker-compose.y*ml (with their override file) and Dockerfile / Containerfile / *.Dockerfile;
    /// a file is linted as what its name says (a .yaml/.yml as a Compose file, else a Dockerfile).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Report format: terminal, json, sarif, junit, markdown or html; FORMAT=FILE writes it to FILE
    /// [default: dockaudit.toml's `format`, else terminal].
    #[arg(short, long, value_name = "FORMAT[=FILE]", value_parser = parse_format_spec)]
    pub format: Vec<FormatSpec>,
    /// Write the report (the --format given without =FILE) to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: dockaudit.toml's, else high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: ./dockaudit.toml, then ~/.config/dockaudit/dockaudit.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// When to use colour [default: auto].
    #[arg(long, value_enum)]
    pub color: Option<ColorWhen>,
    /// List every finding of every rule.
    #[arg(short, long)]
    pub verbose: bool,
    /// Terminal format: print only the summary lines.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// What was read: the parsed files, and what could not be read (as gaps).
#[derive(Debug, Default)]
pub struct Sources {
    /// Parsed Dockerfiles.
    pub dockerfiles: Vec<Dockerfile>,
    /// Loaded Compose projects.
    pub compose: Vec<ComposeProject>,
    /// Files that could not be read or parsed, and unresolved references: `(what, why)`.
    pub errors: Vec<Gap>,
}

/// Reads every file `discover` finds under `paths`; `env` is what Compose interpolation sees
/// over each project's `.env`.
pub fn read_sources(paths: &[PathBuf], env: &BTreeMap<String, String>) -> Sources {
    let found = discover(paths);
    let mut out = Sources::default();
    for (path, why) in found.unreadable {
        out.errors.push(Gap {
            what: path.display().to_string(),
            why,
        });
    }
    for path in &found.dockerfiles {
        let name = path.display().to_string();
        match read_bounded(path).and_then(|text| dockerfile::parse(&name, &text)) {
            Ok(df) => out.dockerfiles.push(df),
            Err(e) => out.errors.push(Gap {
                what: e.path.clone(),
                why: e.to_string(),
            }),
        }
    }
    for files in &found.compose {
        match compose::load(files, env) {
            Ok(project) => {
                for problem in &project.problems {
                    out.errors.push(Gap {
                        what: project.main_file().to_string(),
                        why: problem.clone(),
                    });
                }
                out.compose.push(project);
            }
            Err(e) => out.errors.push(Gap {
                what: e.path.clone(),
                why: e.to_string(),
            }),
        }
    }
    out
}

/// The inline `# dockaudit-ignore` comments of every file read, with their file.
pub fn inline_ignores(sources: &Sources) -> Vec<(String, InlineIgnore)> {
    let mut out: Vec<(String, InlineIgnore)> = Vec::new();
    for df in &sources.dockerfiles {
        out.extend(df.ignores.iter().map(|i| (df.path.clone(), i.clone())));
    }
    for p in &sources.compose {
        out.extend(p.ignores.iter().cloned());
    }
    out
}

/// Runs `dockaudit lint`.
pub fn run(mut args: LintArgs) -> Result<ExitCode> {
    let config = crate::config::find_and_load(args.config.as_deref())?;
    if args.format.is_empty() {
        args.format = config.formats.clone();
    }
    if args.format.is_empty() {
        args.format.push(FormatSpec {
            format: ReportFormat::Terminal,
            file: None,
        });
    }
    if args.rules.select.is_empty() {
        args.rules.select = config.select.clone();
    }
    if args.rules.ignore.is_empty() {
        args.rules.ignore = config.ignore.clone();
    }
    let fail_on = match (args.fail_on, &config.fail_on) {
        (Some(f), _) => f,
        (None, Some(v)) => FailOn::from_str(v, true).map_err(anyhow::Error::msg)?,
        (None, None) => FailOn::High,
    };
    let color = args.color.or(config.color).unwrap_or(ColorWhen::Auto);
    let selection = RuleSelection::new(&args.rules.select, &args.rules.ignore, RULES)?;

    let env: BTreeMap<String, String> = std::env::vars().collect();
    let mut sources = read_sources(&args.paths, &env);
    let mut suppressions = config.policy.suppressions;
    for (path, ignore) in inline_ignores(&sources) {
        if let Err(e) = suppressions.add_inline(&path, &ignore, RULES) {
            sources.errors.push(Gap {
                what: format!("{path}:{}", ignore.at.line),
                why: format!("dockaudit-ignore comment: {e}"),
            });
        }
    }
    let failed = !sources.errors.is_empty();
    for g in &sources.errors {
        let _ = writeln!(
            anstream::stderr(),
            "dockaudit: error: {}: {}",
            g.what,
            g.why
        );
    }
    let options = AuditOptions {
        selection,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        suppressions,
        severity_overrides: config.policy.severity,
        ..AuditOptions::default()
    };
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let input = SourceInput {
        dockerfiles: &sources.dockerfiles,
        compose: &sources.compose,
    };
    let mut report = lint(
        &input,
        RULES,
        &options,
        &now,
        std::mem::take(&mut sources.errors),
    );
    report.engine.endpoint = args
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    write_reports_to(
        &report,
        &Outputs {
            format: &args.format,
            output: args.output.as_ref(),
            color,
            verbose: args.verbose,
            quiet: args.quiet,
        },
    )?;
    if failed {
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(exit_for(&report, fail_on))
}
