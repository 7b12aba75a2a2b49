//! dockaudit: audits a container host end to end and tells its user exactly what to fix.
//!
//! This binary wires the crates together: it parses the command line, collects a Snapshot (or
//! loads one), runs the rules, renders the Report, and maps the outcome to an exit code:
//! 0 nothing at or above `--fail-on`, 1 findings at or above it, 2 the audit could not be done.
#![forbid(unsafe_code)]

mod cli;
mod config;
mod db_cmd;
mod image_cmd;
mod plugin;
mod shell;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches};
use dockaudit_collect::{CollectOptions, EndpointEnv};
use dockaudit_report::emit::{
    write_html, write_json, write_junit, write_markdown, write_sarif, write_terminal,
    TerminalOptions,
};
use dockaudit_report::{Report, RuleInfo, Severity};
use dockaudit_rules::{find_rule, AuditOptions, Rule, RuleSelection, TargetFilter, RULES};
use dockaudit_snapshot::Snapshot;

use crate::cli::{
    AuditArgs, Cli, CollectArgs, ColorWhen, Command, EngineArgs, ExplainArgs, FailOn, Format,
    ReportFormat, RulesArgs,
};

/// Exit code when findings reach `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Exit code when the tool could not do its job.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let (args, as_plugin) = match plugin::invocation(std::env::args_os().collect()) {
        plugin::Invocation::Metadata => {
            println!("{}", plugin::metadata());
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
        Err(e) => {
            let mut stderr = anstream::stderr();
            let _ = writeln!(stderr, "dockaudit: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Audit(args) => audit(args),
        Command::Baseline(args) => baseline(args),
        Command::Collect(args) => collect(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
        Command::Db(args) => db_cmd::run(args),
        Command::Image(args) => image_cmd::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Connects to the engine and collects a snapshot; with a `scan` plan, also looks inside the images
/// the (selected) containers use. `progress`: a spinner on stderr while collecting (terminals only;
/// the caller decides, never in JSON mode).
fn collect_live(
    engine: &EngineArgs,
    labels: Vec<String>,
    scan: Option<image_cmd::ScanPlan>,
    progress: bool,
) -> Result<Snapshot> {
    let endpoint =
        dockaudit_collect::resolve_endpoint(engine.host.as_deref(), &EndpointEnv::from_process())?;
    let options = CollectOptions {
        logs: !engine.no_logs,
        disk_usage: !engine.no_sizes,
        concurrency: engine.concurrency(),
        labels,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        host_root: engine.host_root.clone(),
        ..CollectOptions::default()
    };
    let rt = runtime()?;
    rt.block_on(async {
        let client =
            dockaudit_collect::connect(endpoint, Duration::from_secs(engine.timeout_secs()))
                .await?;
        let spinner = if progress {
            let spinner = indicatif::ProgressBar::new_spinner();
            spinner.set_message(format!("collecting from {}", client.endpoint.url()));
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        } else {
            indicatif::ProgressBar::hidden()
        };
        let mut snapshot = dockaudit_collect::collect(&client, &options).await;
        spinner.finish_and_clear();
        if let Some(plan) = &scan {
            image_cmd::scan_for_audit(&client, &mut snapshot, plan).await;
        }
        Ok(snapshot)
    })
}

fn audit(args: AuditArgs) -> Result<ExitCode> {
    let (args, policy) = config::apply(args)?;
    let report = audit_report(&args, policy)?;

    write_reports(&report, &args)?;

    Ok(exit_for(&report, args.fail_on.unwrap_or(FailOn::High)))
}

/// `dockaudit baseline`: audits as `audit` does and writes an ignore entry for every finding.
fn baseline(args: config::BaselineArgs) -> Result<ExitCode> {
    // The baseline is TOML whatever formats the configuration asks of `audit`.
    let given = args.audit.format.clone();
    let (mut args, policy) = config::apply(args.audit)?;
    if given.is_empty() {
        args.format
            .retain(|f| f.format == ReportFormat::Terminal && f.file.is_none());
    }
    let report = audit_report(&args, policy)?;
    config::write_baseline(&report, &args)?;
    Ok(ExitCode::SUCCESS)
}

/// Collects (or loads) the snapshot and runs the rules; the configuration is already merged in.
fn audit_report(args: &AuditArgs, policy: config::Policy) -> Result<Report> {
    // Validate everything the user typed before touching the engine.
    let selection = RuleSelection::new(&args.select, &args.ignore, RULES)?;
    let mut filter = TargetFilter::new(
        &args.targets.containers,
        &args.targets.exclude_containers,
        &args.targets.labels,
        &args.targets.exclude_labels,
    )?;
    filter.vulnerabilities = args.vulns.filter();
    let snapshot = match &args.snapshot {
        Some(path) => Snapshot::load(path)?,
        None => {
            let progress = image_cmd::show_progress(
                if args.format.iter().any(|s| s.format == ReportFormat::Json) {
                    Format::Json
                } else {
                    Format::Terminal
                },
            );
            let scan = (!args.no_image_scan).then(|| image_cmd::ScanPlan {
                filter: Some(filter.clone()),
                progress,
                timeout: args.engine.timeout_secs(),
            });
            collect_live(&args.engine, Vec::new(), scan, progress)?
        }
    };
    let options = AuditOptions {
        selection,
        filter,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        suppressions: policy.suppressions,
        severity_overrides: policy.severity,
    };
    Ok(dockaudit_rules::audit(&snapshot, RULES, &options))
}

/// Writes the report in every `--format` asked for: to its `=FILE`, to `--output`, or to stdout.
fn write_reports(report: &Report, args: &AuditArgs) -> Result<()> {
    let unnamed = args.format.iter().filter(|s| s.file.is_none()).count();
    if unnamed > 1 {
        anyhow::bail!(
            "only one --format can go to {}; give the others a file (--format sarif=audit.sarif)",
            if args.output.is_some() {
                "--output"
            } else {
                "stdout"
            }
        );
    }
    if unnamed == 0 && args.output.is_some() {
        anyhow::bail!("--output names no format: every --format already has its own file");
    }
    let catalogue = catalogue();
    for spec in &args.format {
        let mut buf = Vec::new();
        match spec.format {
            ReportFormat::Json => write_json(report, &mut buf),
            ReportFormat::Sarif => write_sarif(report, &catalogue, &mut buf),
            ReportFormat::Junit => write_junit(report, &catalogue, &mut buf),
            ReportFormat::Markdown => write_markdown(report, &mut buf),
            ReportFormat::Html => write_html(report, &catalogue, &mut buf),
            ReportFormat::Terminal => {
                let opts = TerminalOptions {
                    verbose: args.verbose,
                    quiet: args.quiet,
                    max_targets_per_rule: if args.verbose { usize::MAX } else { 8 },
                    ..TerminalOptions::default()
                };
                write_terminal(report, &mut buf, opts)
            }
        }
        .context("cannot render the report")?;
        match spec.file.as_ref().or(args.output.as_ref()) {
            Some(path) => {
                // Colour in a file only when asked for outright.
                if spec.format == ReportFormat::Terminal && args.color() != ColorWhen::Always {
                    buf = anstream::adapter::strip_bytes(&buf).into_vec();
                }
                std::fs::write(path, &buf)
                    .with_context(|| format!("cannot write the report to {}", path.display()))?;
            }
            None if spec.format == ReportFormat::Terminal => {
                let mut out =
                    anstream::AutoStream::new(std::io::stdout(), color_choice(args.color()));
                out.write_all(&buf).context("cannot write the report")?;
                out.flush().context("cannot write the report")?;
            }
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&buf).context("cannot write the report")?;
                out.flush().context("cannot write the report")?;
            }
        }
    }
    Ok(())
}

/// The rule catalogue as the emitters take it (SARIF's `tool.driver.rules`, JUnit case names).
fn catalogue() -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|r| {
            let m = &r.meta;
            RuleInfo {
                id: m.id.to_string(),
                name: m.name.to_string(),
                title: m.title.to_string(),
                rationale: m.rationale.to_string(),
                remediation: m.remediation.to_string(),
                category: m.category,
                severity: m.severity,
                cis: m.cis.iter().map(|c| c.to_string()).collect(),
                references: m.references.iter().map(|c| c.to_string()).collect(),
            }
        })
        .collect()
}

/// The exit code for a report: [`EXIT_FINDINGS`] when a finding is at or above `fail_on`.
fn exit_for(report: &dockaudit_report::Report, fail_on: FailOn) -> ExitCode {
    let threshold = match fail_on {
        FailOn::Never => None,
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
    };
    match threshold {
        Some(t) if report.has_findings_at_or_above(t) => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}

fn color_choice(when: ColorWhen) -> anstream::ColorChoice {
    match when {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => {
            let force = std::env::var("FORCE_COLOR")
                .ok()
                .is_some_and(|v| !v.is_empty() && v != "0");
            if force {
                anstream::ColorChoice::Always
            } else {
                // anstream's auto honours NO_COLOR, CLICOLOR and whether stdout is a terminal.
                anstream::ColorChoice::Auto
            }
        }
    }
}

fn collect(args: CollectArgs) -> Result<ExitCode> {
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let scan = (!args.no_image_scan).then(|| image_cmd::ScanPlan {
        filter: None,
        progress,
        timeout: args.engine.timeout_secs(),
    });
    let snapshot = collect_live(&args.engine, args.labels, scan, progress)?;
    let json = serde_json::to_vec_pretty(&snapshot).context("cannot serialise the snapshot")?;
    if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&json)?;
        out.write_all(b"\n")?;
    } else {
        std::fs::write(&args.output, &json)
            .with_context(|| format!("cannot write snapshot {}", args.output.display()))?;
        eprintln!(
            "dockaudit: wrote {} ({} containers, {} images, {} networks, {} volumes, {} gaps)",
            args.output.display(),
            snapshot.containers.len(),
            snapshot.images.len(),
            snapshot.networks.len(),
            snapshot.volumes.len(),
            snapshot.gaps.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn rules(args: RulesArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let metas: Vec<_> = RULES.iter().map(|r| r.meta).collect();
            serde_json::to_writer_pretty(&mut out, &metas)?;
            writeln!(out)?;
        }
        Format::Terminal => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::NOTHING);
            table.set_header(["ID", "NAME", "SEVERITY", "CATEGORY", "CIS 1.8.0", "TITLE"]);
            for r in RULES {
                let m = &r.meta;
                table.add_row([
                    m.id.to_string(),
                    m.name.to_string(),
                    m.severity.to_string(),
                    m.category.to_string(),
                    m.cis.join(", "),
                    m.title.to_string(),
                ]);
            }
            writeln!(out, "{table}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let rule: &Rule = find_rule(&args.rule)
        .or_else(|| RULES.iter().find(|r| r.meta.name == args.rule))
        .with_context(|| format!("no rule `{}`; `dockaudit rules` lists them all", args.rule))?;
    let m = &rule.meta;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} {}: {}", m.id, m.name, m.title)?;
    writeln!(out, "severity: {}   category: {}", m.severity, m.category)?;
    if !m.cis.is_empty() {
        write!(out, "CIS Docker Benchmark v1.8.0: {}", m.cis.join(", "))?;
        if !m.cis_v1_6.is_empty() {
            write!(out, " (v1.6.0: {})", m.cis_v1_6.join(", "))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "\nWhy it matters:\n  {}", m.rationale)?;
    writeln!(out, "\nHow to fix:\n  {}", m.remediation)?;
    if !m.references.is_empty() {
        writeln!(out, "\nReferences:")?;
        for r in m.references {
            writeln!(out, "  {r}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
