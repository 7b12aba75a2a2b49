//! The command line, declared with clap's derive API. Flags mirror the docker CLI's where one exists
//! (`--host`, `--label`), and every list flag takes repeats or comma-separated values.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Audits a container host end to end and tells you exactly what to fix.
#[derive(Debug, Parser)]
#[command(name = "dockaudit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a live engine (or a saved snapshot) and report what to fix.
    Audit(AuditArgs),
    /// Write an ignore entry (dockaudit.toml) for every current finding, each with a reason to fill in.
    Baseline(crate::config::BaselineArgs),
    /// Save everything an audit reads to a snapshot file, for an offline audit later.
    Collect(CollectArgs),
    /// Combine saved snapshots (several hosts) into one fleet file for `audit --snapshot`.
    Merge(MergeArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Explain one rule: why it matters and how to fix it.
    Explain(ExplainArgs),
    /// The vulnerability database: update, build offline, status.
    Db(crate::commands::db::DbArgs),
    /// Look inside one image: OS and end of life, packages, findings of the image rules.
    Image(crate::commands::image::ImageArgs),
    /// Audit, then follow the engine's events: publish new and resolved findings, serve /metrics.
    Watch(crate::commands::watch::WatchArgs),
    /// Lint Dockerfiles and Compose files (never the engine), with the audit's rule ids and file:line.
    Lint(crate::commands::lint::LintArgs),
    /// Scan a bill of materials made elsewhere (CycloneDX or SPDX JSON) for known vulnerabilities.
    Sbom(crate::commands::sbom::SbomArgs),
    /// Print a shell completion script (bash, zsh or fish) to stdout.
    Completions(crate::commands::completions::CompletionsArgs),
    /// Clean up orphaned resources safely: plan (changes nothing), apply a reviewed plan after a
    /// backup, restore a backup. The only commands that change the engine.
    Prune(crate::commands::prune::PruneArgs),
    /// Print a man page as roff (`dockaudit man audit | man -l -`), or write them all (--dir).
    Man(crate::commands::man::ManArgs),
}

/// How to reach the engine and how much to read from it.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// Engine endpoint: unix:///path/to.sock, tcp://HOST:PORT (TLS with DOCKER_TLS_VERIFY=1 and
    /// DOCKER_CERT_PATH). Default: DOCKER_HOST, then the Docker, rootless Docker and Podman sockets.
    /// `audit` takes it repeatedly (and with --context): the hosts are audited concurrently into
    /// one fleet report.
    #[arg(short = 'H', long, value_name = "URL")]
    pub host: Vec<String>,
    /// A Docker context (`docker context ls`) to reach the engine through, read from the Docker
    /// CLI's config directory ($DOCKER_CONFIG, else ~/.docker) with its TLS material. `audit`
    /// takes it repeatedly, and with --host.
    #[arg(long = "context", value_name = "NAME")]
    pub contexts: Vec<String>,
    /// Seconds any one engine request may take, its whole answer included; 0: no limit
    /// [default: 30].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Engine requests in flight at once [default: 16].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Do not read container logs (the suspicious-log-lines rule is then skipped).
    #[arg(long)]
    pub no_logs: bool,
    /// Collect no sizes: not the writable layers of stopped containers (LCY003) nor the contents of
    /// unused volumes (LCY004). Only those are ever read, measured on disk when the engine is local.
    #[arg(long)]
    pub no_sizes: bool,
    /// The engine host's root directory, for reading its daemon.json, /proc and other host files
    /// (default /: read only when the engine is local). Point it at a mounted host (/host from
    /// inside a container) to read a remote engine's host.
    #[arg(long, value_name = "DIR")]
    pub host_root: Option<PathBuf>,
}

impl EngineArgs {
    /// Seconds any one engine request may take; 0: no limit.
    pub fn timeout_secs(&self) -> u64 {
        self.timeout.unwrap_or(30)
    }

    /// Engine requests in flight at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency.unwrap_or(16).max(1)
    }
}

/// Which containers and objects are audited.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// Audit only containers whose name matches this glob (repeatable, comma-separated).
    #[arg(long = "container", value_name = "GLOB", value_delimiter = ',')]
    pub containers: Vec<String>,
    /// Skip containers whose name matches this glob.
    #[arg(long = "exclude-container", value_name = "GLOB", value_delimiter = ',')]
    pub exclude_containers: Vec<String>,
    /// Audit only objects (containers, volumes, networks, unused images) with this label.
    #[arg(long = "label", value_name = "KEY[=VALUE]")]
    pub labels: Vec<String>,
    /// Skip objects with this label.
    #[arg(long = "exclude-label", value_name = "KEY[=VALUE]")]
    pub exclude_labels: Vec<String>,
}

/// Which rules run (`audit` and `baseline`).
#[derive(Debug, Args, Clone, Default)]
pub struct RuleArgs {
    /// Run only these rules: id (CTR001), id prefix (CTR), name, category (mounts) or CIS id (cis:5.5).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (same forms as --select).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people at a terminal.
    Terminal,
    /// The versioned JSON contract.
    Json,
}

/// Formats of an audit report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people at a terminal.
    Terminal,
    /// The versioned JSON contract.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// Markdown, for pull-request comments and tickets.
    Markdown,
    /// One self-contained HTML page, for people (no network fetches).
    Html,
}

/// One `--format` value: a format and, for `FORMAT=FILE`, the file it is written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    /// The format.
    pub format: ReportFormat,
    /// Where it goes; `None`: stdout, or `--output`.
    pub file: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT=FILE` (the command line's `--format`, and `format` in dockaudit.toml).
pub fn parse_format_spec(value: &str) -> Result<FormatSpec, String> {
    let (name, file) = match value.split_once('=') {
        Some((_, "")) => return Err(format!("`{value}`: no file after `=`")),
        Some((name, file)) => (name, Some(PathBuf::from(file))),
        None => (value, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        format!("unknown format `{name}`: use terminal, json, sarif, junit, markdown or html")
    })?;
    Ok(FormatSpec { format, file })
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `--fail-on` values: a severity, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 on any critical finding.
    Critical,
    /// Exit 1 on high or critical findings.
    High,
    /// Exit 1 on medium or worse.
    Medium,
    /// Exit 1 on low or worse.
    Low,
    /// Exit 1 on any finding.
    Info,
    /// Exit 0 whatever is found.
    Never,
}

/// `dockaudit audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Audit this snapshot file (from `dockaudit collect`, or a fleet file from `dockaudit merge`)
    /// instead of a live engine; repeat it to audit several as one fleet.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host", "contexts"])]
    pub snapshot: Vec<PathBuf>,
    /// Report format: terminal, json, sarif, junit, markdown or html. FORMAT=FILE writes that format to
    /// FILE; repeat for several formats from one audit (`-f terminal -f sarif=audit.sarif`)
    /// [default: dockaudit.toml's `format`, else terminal].
    #[arg(short, long, value_name = "FORMAT[=FILE]", value_parser = parse_format_spec)]
    pub format: Vec<FormatSpec>,
    /// Write the report (the --format given without =FILE) to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: ./dockaudit.toml, then ~/.config/dockaudit/dockaudit.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// When to use colour (NO_COLOR and FORCE_COLOR are honoured with auto) [default: auto].
    #[arg(long, value_enum)]
    pub color: Option<ColorWhen>,
    /// List every target of every rule and the per-target skips.
    #[arg(short, long)]
    pub verbose: bool,
    /// Terminal format: print only the summary and score lines (the exit code says the rest).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Do not look inside the images the containers use (the image-contents rules are skipped).
    #[arg(long)]
    pub no_image_scan: bool,
    #[command(flatten)]
    pub vulns: crate::commands::image::VulnArgs,
}

impl AuditArgs {
    /// When to colour the terminal report.
    pub fn color(&self) -> ColorWhen {
        self.color.unwrap_or(ColorWhen::Auto)
    }
}

/// `dockaudit collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Where to write the snapshot (`-` for stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Collect only objects with this label (the engine filters; repeatable).
    #[arg(long = "label", value_name = "KEY[=VALUE]")]
    pub labels: Vec<String>,
    /// Do not look inside the images the containers use.
    #[arg(long)]
    pub no_image_scan: bool,
    /// Configuration file [default: ./dockaudit.toml, then ~/.config/dockaudit/dockaudit.toml]: its
    /// `[engine]` section and `no-image-scan` apply; rules, targets and ignores apply when the
    /// snapshot is audited. The whole file is checked.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `dockaudit merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Snapshot files (from `dockaudit collect`) or fleet files (from an earlier merge).
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
    /// Where to write the fleet file [default: stdout].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `dockaudit rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,
}

/// `dockaudit explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id (CTR001) or name (privileged-container).
    pub rule: String,
}
