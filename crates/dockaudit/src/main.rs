//! dockaudit: audits a container host end to end and tells its user exactly what to fix.
//!
//! This binary wires the crates together: it parses the command line, collects a Snapshot (or
//! loads one), runs the rules, renders the Report, and maps the outcome to an exit code:
//! 0 nothing at or above `--fail-on`, 1 findings at or above it, 2 the audit could not be done.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod config;
mod live;
mod output;
mod plugin;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};

/// Exit code when findings reach `--fail-on`.
pub(crate) const EXIT_FINDINGS: u8 = 1;
/// Exit code when the tool could not do its job.
pub(crate) const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let (args, as_plugin) = match plugin::invocation(std::env::args_os().collect()) {
        plugin::Invocation::Metadata => {
            let _ = writeln!(std::io::stdout(), "{}", plugin::metadata());
            return ExitCode::SUCCESS;
        }
        plugin::Invocation::Run { args, plugin } => (args, plugin),
    };
    // Run by docker, usage lines read `docker audit …`, the command the user typed.
    let bin_name = if as_plugin {
        "docker audit"
    } else {
        "dockaudit"
    };
    let parsed = Cli::command()
        .bin_name(bin_name)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are successes; anything else is a usage error (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // `dockaudit rules | head`: the reader has what it wanted; stop quietly, as other CLIs do.
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut stderr = anstream::stderr();
            let _ = writeln!(stderr, "dockaudit: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Audit(args) => commands::audit::run(args),
        Command::Baseline(args) => commands::baseline::run(args),
        Command::Collect(args) => commands::collect::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Rules(args) => commands::rules::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Db(args) => commands::db::run(args),
        Command::Image(args) => commands::image::run(args),
        Command::Watch(args) => commands::watch::run(args),
        Command::Lint(args) => commands::lint::run(args),
        Command::Sbom(args) => commands::sbom::run(args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man(args) => commands::man::run(args),
        Command::Prune(args) => commands::prune::run(args),
    }
}
