//! `dockaudit audit`: collect (or load) a snapshot, judge it, write the reports, exit by `--fail-on`.
//!
//! A fleet (several `--host`/`--context`, several `--snapshot`, or a fleet file from `dockaudit
//! merge`) is several snapshots, each judged on its own exactly as a single host is, then merged
//! into one report whose findings carry their host ([`dockaudit_report::fleet`]). A host that
//! cannot be reached (or whose snapshot cannot be read) is a gap naming it; the others are audited
//! and reported all the same, and the exit code is then 2: the audit cannot vouch for that host.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use dockaudit_collect::vulns;
use dockaudit_report::emit::{
    write_html, write_json, write_junit, write_markdown, write_sarif, write_terminal,
    TerminalOptions,
};
use dockaudit_report::fleet::HostOutcome;
use dockaudit_report::{Gap, Report};
use dockaudit_rules::{AuditInput, AuditOptions, RuleSelection, TargetFilter, RULES};
use dockaudit_snapshot::contents::ImageContents;
use dockaudit_snapshot::fleet::{FleetMember, SnapshotFile};
use dockaudit_snapshot::{Fact, Snapshot};

use crate::cli::{AuditArgs, ColorWhen, FailOn, Format, ReportFormat};
use crate::commands::image as image_cmd;
use crate::config;
use crate::live::{collect_fleet, collect_live, host_targets, HostTarget};
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
    let options = audit_options(args, policy)?;
    let host_root = args.engine.host_root.as_deref();
    let progress = image_cmd::show_progress(
        if args.format.iter().any(|s| s.format == ReportFormat::Json) {
            Format::Json
        } else {
            Format::Terminal
        },
    );
    let fleet = match args.snapshot.as_slice() {
        [] => {
            let targets = host_targets(&args.engine)?;
            if targets.len() == 1 {
                let scan = (!args.no_image_scan).then(|| image_cmd::ScanPlan {
                    filter: Some(options.filter.clone()),
                    progress,
                    timeout: args.engine.timeout_secs(),
                });
                let snapshot = collect_live(&args.engine, Vec::new(), scan, progress)?;
                return Ok(judge(&snapshot, &options, host_root));
            }
            live_fleet(args, &options, &targets, progress)?
        }
        [one] => match dockaudit_snapshot::fleet::load(one)? {
            SnapshotFile::One(mut snapshot) => {
                match_where_collection_could_not(&mut snapshot);
                return Ok(judge(&snapshot, &options, host_root));
            }
            // A fleet file, even of one host, is a fleet report: its findings name their host.
            SnapshotFile::Fleet(members) => members
                .into_iter()
                .map(|m| (m.host, Ok(m.snapshot)))
                .collect(),
        },
        many => snapshot_fleet(many),
    };
    Ok(judge_fleet(fleet, &options, host_root))
}

/// The rules, targets, ignores and severities the arguments (configuration merged in) select;
/// an error names what the user typed that cannot be used.
pub fn audit_options(args: &AuditArgs, policy: config::Policy) -> Result<AuditOptions> {
    let selection = RuleSelection::new(&args.rules.select, &args.rules.ignore, RULES)?;
    let mut filter = TargetFilter::new(
        &args.targets.containers,
        &args.targets.exclude_containers,
        &args.targets.labels,
        &args.targets.exclude_labels,
    )?;
    filter.vulnerabilities = args.vulns.filter();
    Ok(AuditOptions {
        selection,
        filter,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        suppressions: policy.suppressions,
        severity_overrides: policy.severity,
    })
}

/// One host's snapshot, or why there is none.
type Member = (String, std::result::Result<Snapshot, String>);

/// Collects every host of a live fleet at once.
fn live_fleet(
    args: &AuditArgs,
    options: &AuditOptions,
    targets: &[HostTarget],
    progress: bool,
) -> Result<Vec<Member>> {
    // No progress bars for the image scans: several at once would garble each other.
    let scan = (!args.no_image_scan).then(|| image_cmd::ScanPlan {
        filter: Some(options.filter.clone()),
        progress: false,
        timeout: args.engine.timeout_secs(),
    });
    let snapshots = collect_fleet(&args.engine, targets, scan, progress)?;
    Ok(targets
        .iter()
        .map(|t| t.label.clone())
        .zip(snapshots)
        .collect())
}

/// Reads every snapshot (or fleet) file: one that cannot be read is a host not audited, named by
/// its path; the others are audited.
fn snapshot_fleet(paths: &[std::path::PathBuf]) -> Vec<Member> {
    let mut members: Vec<FleetMember> = Vec::new();
    let mut unreadable: Vec<Member> = Vec::new();
    for path in paths {
        match dockaudit_snapshot::fleet::load_members(path) {
            Ok(read) => members.extend(read),
            Err(e) => unreadable.push((path.display().to_string(), Err(e.to_string()))),
        }
    }
    dockaudit_snapshot::fleet::unique_labels(&mut members);
    members
        .into_iter()
        .map(|m| (m.host, Ok(m.snapshot)))
        .chain(unreadable)
        .collect()
}

/// Judges one snapshot: its report, whether the filter matched nothing (also a gap of the
/// report), and its fatal gaps. `audit` and each full or partial audit of `watch` share it.
/// `host_root`: where the engine host's files are (`--host-root`), for its Compose files.
pub fn judge(
    snapshot: &Snapshot,
    options: &AuditOptions,
    host_root: Option<&std::path::Path>,
) -> Audited {
    // The narrowed input once, for the rules and for whether the filter matched anything.
    // The Compose files that created the containers, when readable here: their lines locate the
    // findings, and their `# dockaudit-ignore` comments accept them.
    let projects = compose_projects(snapshot, host_root);
    let with_inline;
    let options = if projects.iter().any(|(_, p)| !p.ignores.is_empty()) {
        let mut more = options.clone();
        for (_, project) in &projects {
            for (file, ignore) in &project.ignores {
                // A malformed comment is `lint`'s to report; the audit goes on without it.
                let _ = more.suppressions.add_inline(file, ignore, RULES);
            }
        }
        with_inline = more;
        &with_inline
    } else {
        options
    };
    let input = AuditInput::new(snapshot, &options.filter);
    let mut report = dockaudit_rules::engine::audit_input_located(&input, RULES, options, |f| {
        dockaudit_rules::source::link_to_compose(f, snapshot, &projects, RULES)
    });
    let unmatched = options.filter.matched_nothing(&input);
    if let Some(why) = &unmatched {
        report.gaps.push(Gap {
            what: "targets".into(),
            why: why.clone(),
            host: None,
        });
    }
    Audited {
        report,
        unmatched,
        fatal: snapshot.fatal_gaps(),
    }
}

/// Judges every host of a fleet on its own and merges the reports. The filter matched nothing
/// only when it matched nothing on every host audited; every host's fatal gaps, and every host
/// not audited, are fatal, each named by its host.
fn judge_fleet(
    members: Vec<Member>,
    options: &AuditOptions,
    host_root: Option<&std::path::Path>,
) -> Audited {
    let mut outcomes = Vec::new();
    let mut fatal = Vec::new();
    let mut unmatched: Vec<String> = Vec::new();
    let mut audited = 0usize;
    for (host, snapshot) in members {
        match snapshot {
            Ok(mut snapshot) => {
                match_where_collection_could_not(&mut snapshot);
                let one = judge(&snapshot, options, host_root);
                audited += 1;
                unmatched.extend(one.unmatched);
                fatal.extend(one.fatal.into_iter().map(|why| format!("[{host}] {why}")));
                outcomes.push((host, HostOutcome::Audited(Box::new(one.report))));
            }
            Err(why) => {
                fatal.push(format!("[{host}] not audited: {why}"));
                outcomes.push((host, HostOutcome::Unreachable(why)));
            }
        }
    }
    accept_ignores_used_anywhere(&mut outcomes);
    let unmatched = (audited > 0 && unmatched.len() == audited)
        .then(|| unmatched.swap_remove(0))
        .map(|why| format!("on every host: {why}"));
    Audited {
        report: dockaudit_report::fleet::merge(outcomes),
        unmatched,
        fatal,
    }
}

/// The rule that reports an `[[ignore]]` entry that accepted nothing.
const UNUSED_IGNORE: &str = "META002";

/// One configuration's ignores serve the whole fleet: an entry that accepted a finding on one host
/// is in use, so its "unused" findings on the other hosts are dropped (and their counts with them).
/// An entry unused on every host where it was judged stays reported on each.
fn accept_ignores_used_anywhere(outcomes: &mut [(String, HostOutcome)]) {
    use dockaudit_report::{BySeverity, RuleStatus, Score, Target};
    use std::collections::BTreeSet;
    let mut reports: Vec<&mut Report> = outcomes
        .iter_mut()
        .filter_map(|(_, o)| match o {
            HostOutcome::Audited(r) => Some(r.as_mut()),
            HostOutcome::Unreachable(_) => None,
        })
        .collect();
    // Per host: whether the rule judged the entries there, and the entries it did not find in use.
    let judged: Vec<(bool, BTreeSet<Target>)> = reports
        .iter()
        .map(|r| {
            let ran = r
                .results
                .iter()
                .any(|x| x.rule == UNUSED_IGNORE && x.status != RuleStatus::Skipped);
            let not_used = r
                .findings
                .iter()
                .filter(|f| f.rule == UNUSED_IGNORE)
                .map(|f| f.target.clone())
                .chain(
                    r.skipped
                        .iter()
                        .filter(|s| s.rule == UNUSED_IGNORE)
                        .filter_map(|s| s.target.clone()),
                )
                .collect();
            (ran, not_used)
        })
        .collect();
    let used_somewhere = |t: &Target| judged.iter().any(|(ran, not)| *ran && !not.contains(t));
    for report in &mut reports {
        let before = report.findings.len();
        report
            .findings
            .retain(|f| f.rule != UNUSED_IGNORE || !used_somewhere(&f.target));
        let dropped = before - report.findings.len();
        if dropped == 0 {
            continue;
        }
        if let Some(r) = report.results.iter_mut().find(|r| r.rule == UNUSED_IGNORE) {
            r.failed = r.failed.saturating_sub(dropped);
            if r.failed == 0 && r.status == RuleStatus::Failed {
                r.status = RuleStatus::Passed;
                report.summary.failed -= 1;
                report.summary.passed += 1;
            }
        }
        let mut by_severity = BySeverity::default();
        for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
            by_severity.add(f.severity);
        }
        report.summary.by_severity = by_severity;
        report.score = Score::from_results(&report.results);
    }
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
