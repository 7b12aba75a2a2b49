//! `dockaudit completions SHELL`: generated from the clap definition, so it never drifts from the
//! real command line.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, ValueEnum};

use crate::cli::Cli;

/// Shells `dockaudit completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash (source it, or put it in /usr/share/bash-completion/completions/dockaudit).
    Bash,
    /// Zsh (put it as `_dockaudit` in a directory of `$fpath`).
    Zsh,
    /// Fish (put it in ~/.config/fish/completions/dockaudit.fish).
    Fish,
}

/// `dockaudit completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "dockaudit", &mut buf);
    write_stdout(&buf)
}

pub(crate) fn write_stdout(buf: &[u8]) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(buf).context("cannot write to stdout")?;
    out.flush().context("cannot write to stdout")?;
    Ok(ExitCode::SUCCESS)
}
