//! `dockaudit audit`: collect (or load) a snapshot, judge it, write the reports, exit by `--fail-on`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use dockaudit_collect::vulns;
use dockaudit_report::emit::{
    write_html, write_json, write_junit, write_markdown, write_sarif, write_terminal,
    TerminalOptions,
};
use dockaudit_report::{Gap, Report};
use dockaudit_rules::{AuditInput, AuditOptions, RuleSelection, TargetFilter, RULES};
use dockaudit_snapshot::contents::ImageContents;
use dockaudit_snapshot::{Fact, Snapshot};

use crate::cli::{AuditArgs, ColorWhen, FailOn, Format, ReportFormat};
use crate::commands::image as image_cmd;
use crate::config;
use crate::live::collect_live;
use crate::output::{catalogue, color_choice, exit_for, write_stdout};
use crate::EXIT_ERROR;

/// Runs `dockaudit audit`.
pub fn run(args: AuditArgs) -> Result<ExitCode> {
    let (args, policy) = config::apply(args)?;
    let Audited {
        report,
        unmatched,
        fatal,
    } = audit_report(&args, policy)?;

    write_reports(&report, &args)?;

    if !fatal.is_empty() {
        // On stderr whatever the format and --quiet: the report says the same, but it may be a file
        // nobody reads, and an audit without its containers or images must not look like a pass.
        for why in &fatal {
            let _ = writeln!(anstream::stderr(), "dockaudit: error: {why}");
        }
        return Ok(ExitCode::from(EXIT_ERROR));
    }

    if let Some(why) = unmatched {
        // Said on stderr whatever the format: the report (with the same gap) may be going to a file.
        let _ = writeln!(
            anstream::stderr(),
            "dockaudit: error: {why}: nothing was audited"
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(exit_for(&report, args.fail_on.unwrap_or(FailOn::High)))
}

/// An audit's report, and whether the target filter matched nothing.
pub struct Audited {
    /// The report; when the filter matched nothing, it says so as a gap.
    pub report: Report,
    /// What matched nothing (`--container web-*`), when the filter named targets none of which exist.
    pub unmatched: Option<String>,
    /// The engine's container or image list could not be read ([`Snapshot::fatal_gaps`]): the
    /// audit cannot vouch for the host and exits 2.
    pub fatal: Vec<String>,
}

/// Collects (or loads) the snapshot and runs the rules; the configuration is already merged in.
pub fn audit_report(args: &AuditArgs, policy: config::Policy) -> Result<Audited> {
    // Validate everything the user typed before touching the engine.
    let selection = RuleSelection::new(&args.rules.select, &args.rules.ignore, RULES)?;
    let mut filter = TargetFilter::new(
        &args.targets.containers,
        &args.targets.exclude_containers,
        &args.targets.labels,
        &args.targets.exclude_labels,
    )?;
    filter.vulnerabilities = args.vulns.filter();
    let snapshot = match &args.snapshot {
        Some(path) => {
            let mut snapshot = Snapshot::load(path)?;
            match_where_collection_could_not(&mut snapshot);
            snapshot
        }
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
    // The Compose files that created the containers, when readable here: their lines locate the
    // findings, and their `# dockaudit-ignore` comments accept them.
    let projects = compose_projects(&snapshot, args.engine.host_root.as_deref());
    let mut suppressions = policy.suppressions;
    for (_, project) in &projects {
        for (file, ignore) in &project.ignores {
            // A malformed comment is `lint`'s to report; the audit goes on without it.
            let _ = suppressions.add_inline(file, ignore, RULES);
        }
    }
    let options = AuditOptions {
        selection,
        filter,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        suppressions,
        severity_overrides: policy.severity,
    };
    // The narrowed input once, for the rules and for whether the filter matched anything.
    let input = AuditInput::new(&snapshot, &options.filter);
    let mut report = dockaudit_rules::engine::audit_input_located(&input, RULES, &options, |f| {
        dockaudit_rules::source::link_to_compose(f, &snapshot, &projects, RULES)
    });
    let unmatched = options.filter.matched_nothing(&input);
    if let Some(why) = &unmatched {
        report.gaps.push(Gap {
            what: "targets".into(),
            why: why.clone(),
        });
    }
    Ok(Audited {
        report,
        unmatched,
        fatal: snapshot.fatal_gaps(),
    })
}

/// The Compose projects that created containers (their labels name the project's files), when the
/// files are readable here: on a local engine (a unix socket) or under `--host-root`. A file that
/// cannot be read or parsed is left out silently: the audit is about the containers, the line (and
/// the inline ignores) a help.
fn compose_projects(
    snapshot: &Snapshot,
    host_root: Option<&std::path::Path>,
) -> Vec<(Vec<std::path::PathBuf>, dockaudit_source::ComposeProject)> {
    let local = snapshot.engine.endpoint.starts_with("unix://");
    if !local && host_root.is_none() {
        return Vec::new();
    }
    let mut wanted: Vec<Vec<std::path::PathBuf>> = snapshot
        .containers
        .iter()
        .filter_map(|c| dockaudit_rules::source::compose_origin(c).map(|(files, _)| files))
        .collect();
    wanted.sort();
    wanted.dedup();
    let env = std::collections::BTreeMap::new();
    wanted
        .into_iter()
        .filter_map(|files| {
            let on_host: Vec<std::path::PathBuf> = files
                .iter()
                .map(|f| match host_root {
                    Some(root) => root.join(f.strip_prefix("/").unwrap_or(f)),
                    None => f.clone(),
                })
                .collect();
            let project = dockaudit_source::compose::load(&on_host, &env).ok()?;
            Some((files, project))
        })
        .collect()
}

/// A snapshot collected where there was no vulnerability database keeps its images' packages: match
/// them against this host's database, when it has one, rather than tell the user to install one
/// they already have.
fn match_where_collection_could_not(snapshot: &mut Snapshot) {
    let lacking = |c: &ImageContents| matches!(&c.vulnerabilities, Some(Fact::Missing(why)) if why == vulns::NO_DATABASE);
    let mut contents: Vec<&mut ImageContents> = snapshot
        .images
        .iter_mut()
        .filter_map(|i| match &mut i.contents {
            Some(Fact::Value(c)) if lacking(c) => Some(c),
            _ => None,
        })
        .collect();
    if contents.is_empty() {
        return;
    }
    let matcher = vulns::VulnMatcher::open(image_cmd::vulndb_path().as_deref());
    if matcher.version().is_none() {
        return;
    }
    for c in &mut contents {
        matcher.apply(c);
    }
}

/// Writes the report in every `--format` asked for: to its `=FILE`, to `--output`, or to stdout.
pub fn write_reports(report: &Report, args: &AuditArgs) -> Result<()> {
    write_reports_to(
        report,
        &Outputs {
            format: &args.format,
            output: args.output.as_ref(),
            color: args.color(),
            verbose: args.verbose,
            quiet: args.quiet,
        },
    )
}

/// Where and how a report is written (`audit`'s and `lint`'s output flags).
pub struct Outputs<'a> {
    /// `--format` specs.
    pub format: &'a [crate::cli::FormatSpec],
    /// `--output`.
    pub output: Option<&'a std::path::PathBuf>,
    /// `--color`.
    pub color: ColorWhen,
    /// `--verbose`.
    pub verbose: bool,
    /// `--quiet`.
    pub quiet: bool,
}

/// Writes the report in every format of `args`: to its `=FILE`, to `--output`, or to stdout.
pub fn write_reports_to(report: &Report, args: &Outputs) -> Result<()> {
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
    for spec in args.format {
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
        match spec.file.as_ref().or(args.output) {
            Some(path) => {
                // Colour in a file only when asked for outright.
                if spec.format == ReportFormat::Terminal && args.color != ColorWhen::Always {
                    buf = anstream::adapter::strip_bytes(&buf).into_vec();
                }
                std::fs::write(path, &buf)
                    .with_context(|| format!("cannot write the report to {}", path.display()))?;
            }
            None if spec.format == ReportFormat::Terminal => {
                let mut out =
                    anstream::AutoStream::new(std::io::stdout(), color_choice(args.color));
                write_stdout(&mut out, &buf).context("cannot write the report")?;
            }
            None => {
                write_stdout(&mut std::io::stdout().lock(), &buf)
                    .context("cannot write the report")?;
            }
        }
    }
    Ok(())
}
