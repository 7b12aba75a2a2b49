//! `dockaudit image REF`: what is inside one image (OS and its end of life, packages, findings of
//! the image rules), read from the engine (`GET /images/{name}/get`, streamed) or from an archive
//! (`--archive PATH`: a `docker save` archive, an OCI layout tar or directory); and the image scan
//! that `audit` and `collect` run over the images their containers use.
//!
//! Results are cached by image id in the user's cache directory (`$XDG_CACHE_HOME/dockaudit`, else
//! `~/.cache/dockaudit`), so an unchanged image costs a file read the second time. A progress bar
//! goes to stderr only when stderr is a terminal and the output is not JSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use dockaudit_collect::{ImageCache, ImageScanOptions, ScanLimits, ScanProgress};
use dockaudit_report::emit::{write_terminal, TerminalOptions};
use dockaudit_report::{Category, Report};
use dockaudit_rules::{AuditInput, AuditOptions, Rule, TargetFilter, VulnerabilityFilter, RULES};
use dockaudit_snapshot::contents::{EolStatus, ImageContents, VulnerabilityMatch};
use dockaudit_snapshot::{EngineMeta, Fact, Image, Snapshot, SNAPSHOT_SCHEMA_VERSION};
use serde_json::{json, Value};

use crate::cli::{ColorWhen, FailOn, Format};

/// `--ignore-unfixed` and `--severity`, for `audit` and `image`: which known vulnerabilities the
/// VLN rules report (the snapshot keeps them all).
#[derive(Debug, Clone, Default, Args)]
pub struct VulnArgs {
    /// Report only vulnerabilities with a fix to install (drop affected-unfixed, will-not-fix and
    /// deferred ones).
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Report only vulnerabilities at these effective severities (the distribution's rating, else
    /// NVD's CVSS; known-exploited at least high; comma-separated: critical, high, medium, low,
    /// negligible, unknown).
    #[arg(long = "severity", value_name = "LIST", value_delimiter = ',', value_parser = parse_vuln_severity)]
    pub severities: Vec<String>,
}

/// Parses one `--severity` value (also `[vulnerabilities] severity` in dockaudit.toml).
pub fn parse_vuln_severity(s: &str) -> Result<String, String> {
    s.parse::<dockaudit_vulndb::Severity>()
        .map(|v| v.as_str().to_owned())
}

impl VulnArgs {
    /// The rules' filter.
    pub fn filter(&self) -> VulnerabilityFilter {
        VulnerabilityFilter {
            ignore_unfixed: self.ignore_unfixed,
            severities: (!self.severities.is_empty()).then(|| self.severities.clone()),
        }
    }
}

/// The vulnerability database to match against: `DOCKAUDIT_DB`, else the default path.
pub fn vulndb_path() -> Option<PathBuf> {
    crate::commands::db::db_path(std::env::var_os("DOCKAUDIT_DB").map(PathBuf::from)).ok()
}

/// Version of `dockaudit image --format json`'s document.
const IMAGE_REPORT_VERSION: u32 = 1;

/// `dockaudit image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image: name[:tag], name@digest or id. With --archive, which image of the archive (an
    /// archive holding one image is read whatever this says).
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Read the image from a `docker save` archive (plain or compressed), an OCI layout tar, or a
    /// directory holding either, instead of the engine.
    #[arg(long, value_name = "PATH")]
    pub archive: Option<PathBuf>,
    /// Output format: the report (terminal, json), or a bill of materials of the image's OS
    /// packages (cyclonedx: CycloneDX 1.6 JSON; spdx-json: SPDX 2.3 JSON).
    #[arg(short, long, value_enum, default_value_t = ImageFormat::Terminal)]
    pub format: ImageFormat,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Engine endpoint (as for `audit`) [default: dockaudit.toml's `[engine] host`, else as `audit`
    /// finds it].
    #[arg(short = 'H', long, value_name = "URL", conflicts_with = "archive")]
    pub host: Option<String>,
    /// A Docker context to reach the engine through (as for `audit`).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["archive", "host"])]
    pub context: Option<String>,
    /// Seconds any one engine request may take (and the image stream may not move); 0: no limit
    /// [default: dockaudit.toml's `[engine] timeout`, else 30].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Neither use nor update the image scan cache.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub vulns: VulnArgs,
}

/// `dockaudit image --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImageFormat {
    /// For people at a terminal.
    Terminal,
    /// The versioned JSON contract.
    Json,
    /// CycloneDX 1.6 JSON: the image as the root component, its OS packages with package URLs.
    Cyclonedx,
    /// SPDX 2.3 JSON: the image as the described package, which contains its OS packages.
    #[value(name = "spdx-json")]
    SpdxJson,
}

impl ImageFormat {
    /// The report format closest to it (for the progress bar: only the terminal gets one).
    pub fn as_report_format(self) -> Format {
        match self {
            Self::Terminal => Format::Terminal,
            _ => Format::Json,
        }
    }
}

/// What `image` and `sbom` share: how findings are judged and shown.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Exit 1 when a finding is at or above this severity [default: dockaudit.toml's `fail-on`, else
    /// high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: ./dockaudit.toml, then ~/.config/dockaudit/dockaudit.toml]: its
    /// rules, severities, ignores and `fail-on` apply to the image's findings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// The scan cache in the user's cache directory, if there is one.
pub fn user_cache() -> Option<ImageCache> {
    let xdg = std::env::var("XDG_CACHE_HOME").ok();
    let home = std::env::var("HOME").ok();
    ImageCache::default_dir(xdg.as_deref(), home.as_deref()).map(ImageCache::new)
}

/// Whether to draw a progress bar: stderr is a terminal and the output is not JSON.
pub fn show_progress(format: Format) -> bool {
    format != Format::Json && std::io::stderr().is_terminal()
}

/// Which images `audit` or `collect` scans, and how it shows progress.
#[derive(Debug, Clone)]
pub struct ScanPlan {
    /// Only the images of containers this filter keeps (`audit`); `None`: every container's.
    pub filter: Option<TargetFilter>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
    /// Seconds the image stream may stall.
    pub timeout: u64,
}

/// Scans the images the snapshot's (selected) containers use and attaches their contents.
pub async fn scan_for_audit(
    client: &dockaudit_collect::EngineClient,
    snapshot: &mut Snapshot,
    plan: &ScanPlan,
) {
    let ids: Vec<String> = match &plan.filter {
        Some(filter) => AuditInput::new(snapshot, filter)
            .images_in_use
            .iter()
            .map(|i| i.inspect.id.clone())
            .collect(),
        None => snapshot
            .containers
            .iter()
            .map(|c| c.inspect.image.clone())
            .collect(),
    };
    let options = ImageScanOptions {
        cache: user_cache(),
        stall_timeout: Duration::from_secs(plan.timeout),
        match_vulnerabilities: true,
        vulndb: vulndb_path(),
        ..ImageScanOptions::default()
    };
    let bar = if plan.progress {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} scanning images {pos}/{len} [{elapsed}] {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let on_progress = |event: ScanProgress| match event {
        ScanProgress::Started { total } => bar.set_length(total as u64),
        ScanProgress::Finished { image, cached } => {
            bar.set_message(if cached {
                format!("{image} (cached)")
            } else {
                image
            });
            bar.inc(1);
        }
    };
    dockaudit_collect::scan_images(client, snapshot, &ids, &options, &on_progress).await;
    bar.finish_and_clear();
}

/// Runs `dockaudit image`.
pub fn run(mut args: ImageArgs) -> Result<ExitCode> {
    // Read the configuration first: a mistake in it stops before any image is read.
    let config = crate::config::find_and_load(args.report.config.as_deref())?;
    // The engine the configuration names, as for `audit` (an archive reads no engine).
    if args.archive.is_none() && args.host.is_none() {
        args.host = config.engine.host.clone();
    }
    args.timeout = args.timeout.or(config.engine.timeout);
    let (snapshot, source) = match &args.archive {
        Some(path) => from_archive(&args, path)?,
        None => from_engine(&args)?,
    };
    if let Some(kind) = match args.format {
        ImageFormat::Cyclonedx => Some(false),
        ImageFormat::SpdxJson => Some(true),
        _ => None,
    } {
        return write_sbom(&args.reference, &snapshot, kind);
    }
    let format = args.format.as_report_format();
    render(
        false,
        &args.reference,
        format,
        &args.report,
        &args.vulns,
        config,
        &snapshot,
        &source,
    )
}

/// Writes the image's OS packages as a bill of materials (SPDX when `spdx`, else CycloneDX).
fn write_sbom(reference: &str, snapshot: &Snapshot, spdx: bool) -> Result<ExitCode> {
    let image = &snapshot.images[0];
    let contents = match &image.contents {
        Some(Fact::Value(c)) => c,
        Some(Fact::Missing(why)) => {
            anyhow::bail!(
                "cannot make a bill of materials of {reference}: its contents were not read: {why}"
            )
        }
        None => anyhow::bail!("cannot make a bill of materials of {reference}: it was not scanned"),
    };
    let subject = dockaudit_scan::sbom::SbomSubject {
        reference,
        image_id: &image.inspect.id,
        tool_version: env!("CARGO_PKG_VERSION"),
        timestamp: &snapshot.collected_at,
    };
    let doc = if spdx {
        dockaudit_scan::sbom::spdx(
            &subject,
            contents.os.as_ref(),
            &contents.packages,
            &contents.app_packages,
        )
    } else {
        dockaudit_scan::sbom::cyclonedx(
            &subject,
            contents.os.as_ref(),
            &contents.packages,
            &contents.app_packages,
        )
    };
    write_json_text(&doc).context("cannot write the bill of materials")?;
    Ok(ExitCode::SUCCESS)
}

/// Judges one image (the snapshot's first) with the image rules and prints the report; `image`
/// and `sbom` end here. `packages_only`: the image is known only by its packages (an SBOM), so
/// only the rules about packages run (vulnerabilities, the OS's end of life), not those about its
/// configuration.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render(
    packages_only: bool,
    reference: &str,
    format: Format,
    args: &ReportArgs,
    vulns: &VulnArgs,
    config: crate::config::Config,
    snapshot: &Snapshot,
    source: &Source,
) -> Result<ExitCode> {
    let selection = dockaudit_rules::RuleSelection::new(&config.select, &config.ignore, RULES)?;
    let fail_on = match (args.fail_on, &config.fail_on) {
        (Some(f), _) => f,
        (None, Some(v)) => FailOn::from_str(v, true).map_err(anyhow::Error::msg)?,
        (None, None) => FailOn::High,
    };
    let image = &snapshot.images[0];
    // The image rules, and the rules about the configuration's ignore entries (an entry about a
    // container rule is then a skip: that rule did not run here).
    let rules: Vec<Rule> = RULES
        .iter()
        .filter(|r| {
            r.judges_ignores()
                || r.meta.category == Category::Vulnerabilities
                || (r.meta.category == Category::Images
                    && (!packages_only || r.meta.id == "IMG007"))
        })
        .copied()
        .collect();
    let input = AuditInput {
        snapshot,
        containers: Vec::new(),
        images_in_use: vec![image],
        images: vec![image],
        volumes: Vec::new(),
        networks: Vec::new(),
        vulnerability_filter: vulns.filter(),
        ignores: Vec::new(),
    };
    let options = AuditOptions {
        selection,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        suppressions: config.policy.suppressions,
        severity_overrides: config.policy.severity,
        ..AuditOptions::default()
    };
    let report = dockaudit_rules::audit_input(&input, &rules, &options);
    match format {
        Format::Json => {
            let doc = json_document(&vulns.filter(), reference, source, snapshot, image, &report);
            write_json_text(&doc).context("cannot write the report")?;
        }
        Format::Terminal => {
            let mut out = anstream::AutoStream::new(
                std::io::stdout(),
                crate::output::color_choice(args.color),
            );
            write_header(&mut out, reference, source, snapshot, image)
                .context("cannot write the report")?;
            write_terminal(&report, &mut out, TerminalOptions::default())
                .context("cannot write the report")?;
            out.flush().context("cannot write the report")?;
        }
    }
    Ok(crate::output::exit_for(&report, fail_on))
}

/// Where the image was read from, for the report.
pub(crate) struct Source {
    /// `engine`, `archive` or `sbom`.
    pub kind: &'static str,
    /// The endpoint or path.
    pub detail: String,
    /// Whether the scan came from the cache.
    pub cached: bool,
}

fn from_archive(args: &ImageArgs, path: &std::path::Path) -> Result<(Snapshot, Source)> {
    let scan =
        dockaudit_collect::scan_archive_path(path, Some(&args.reference), &ScanLimits::default())
            .map_err(anyhow::Error::msg)?;
    let mut scan = scan;
    dockaudit_collect::vulns::VulnMatcher::open(vulndb_path().as_deref()).apply(&mut scan.contents);
    let (image, redactions) = dockaudit_collect::image_from_scan(scan, &args.reference);
    let snapshot = Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at: dockaudit_collect::now_rfc3339(),
        engine: EngineMeta {
            kind: "archive".into(),
            endpoint: format!("file://{}", path.display()),
            ..EngineMeta::default()
        },
        images: vec![image],
        redactions,
        ..Snapshot::default()
    };
    let source = Source {
        kind: "archive",
        detail: path.display().to_string(),
        cached: false,
    };
    Ok((snapshot, source))
}

fn from_engine(args: &ImageArgs) -> Result<(Snapshot, Source)> {
    let endpoint = crate::live::one_endpoint(crate::live::targets_of(
        args.host.as_slice(),
        args.context.as_slice(),
    )?)?;
    let timeout = Duration::from_secs(args.timeout.unwrap_or(30));
    // One image, one stream: the runtime's own thread carries the connection and hands the bytes
    // in batches to the reader's thread; worker threads would only add a wake-up of another
    // thread per chunk the engine sends.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let client = dockaudit_collect::connect(endpoint, timeout).await?;
        let (engine, described) = dockaudit_collect::describe_engine(&client).await;
        let (mut image, redactions) = dockaudit_collect::inspect_image(&client, &args.reference)
            .await
            .map_err(anyhow::Error::msg)?;
        let options = ImageScanOptions {
            cache: if args.no_cache { None } else { user_cache() },
            stall_timeout: timeout,
            match_vulnerabilities: true,
            vulndb: vulndb_path(),
            ..ImageScanOptions::default()
        };
        let bar = if show_progress(args.format.as_report_format()) {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message(format!("reading {}", args.reference));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        let scanned = dockaudit_collect::scan_image(&client, &image.inspect.id, &options).await;
        bar.finish_and_clear();
        let mut gaps = Vec::new();
        if let Err(why) = described {
            gaps.push(dockaudit_snapshot::Gap {
                what: "engine version".into(),
                why,
            });
        }
        if let Fact::Missing(why) = &scanned.contents {
            gaps.push(dockaudit_snapshot::Gap {
                what: format!("contents of image {}", args.reference),
                why: why.clone(),
            });
        }
        image.contents = Some(scanned.contents);
        let snapshot = Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at: dockaudit_collect::now_rfc3339(),
            engine,
            images: vec![image],
            redactions,
            gaps,
            ..Snapshot::default()
        };
        let source = Source {
            kind: "engine",
            detail: client.endpoint.url(),
            cached: scanned.cached,
        };
        Ok((snapshot, source))
    })
}

/// The OS with its end-of-life status on the collection day.
fn os_json(contents: &ImageContents, today: &str) -> Value {
    let Some(os) = &contents.os else {
        return Value::Null;
    };
    let eol = contents.eol.as_ref().map(|e| {
        let (status, days) = match e.status_on(today) {
            Some(EolStatus::EndOfLife(_, d)) => ("end_of_life", Some(d)),
            Some(EolStatus::EndingSoon(_, d)) => ("ending_soon", Some(d)),
            Some(EolStatus::Supported(_)) => ("supported", None),
            None => ("unknown", None),
        };
        json!({
            "release": format!("{} {}", e.distro, e.release),
            "date": e.eol, "extended_date": e.extended_eol, "status": status,
            "days": days, "source": e.source, "table_as_of": e.table_as_of,
        })
    });
    json!({
        "id": os.id, "version_id": os.version_id, "codename": os.codename,
        "pretty_name": os.pretty_name, "source": os.source, "eol": eol,
    })
}

/// The vulnerabilities `--ignore-unfixed` and `--severity` keep, or why there are none.
fn vulnerabilities<'c>(
    contents: Option<&'c ImageContents>,
    filter: &VulnerabilityFilter,
) -> (Option<Vec<&'c VulnerabilityMatch>>, Option<String>) {
    match contents.map(|c| &c.vulnerabilities) {
        Some(Some(Fact::Value(v))) => (Some(v.iter().filter(|v| filter.keeps(v)).collect()), None),
        Some(Some(Fact::Missing(why))) => (None, Some(why.clone())),
        Some(None) => (
            None,
            Some("not matched against a vulnerability database".to_owned()),
        ),
        None => (None, Some("the image's contents were not read".to_owned())),
    }
}

fn json_document(
    filter: &VulnerabilityFilter,
    reference: &str,
    source: &Source,
    snapshot: &Snapshot,
    image: &Image,
    report: &Report,
) -> Value {
    let (contents, missing) = match &image.contents {
        Some(Fact::Value(c)) => (Some(c), None),
        Some(Fact::Missing(why)) => (None, Some(why.clone())),
        None => (None, Some("not scanned".to_owned())),
    };
    let (vulns, vulns_skipped) = vulnerabilities(contents, filter);
    let (app_vulns, app_vulns_skipped) = match contents.map(|c| &c.app_vulnerabilities) {
        Some(Some(Fact::Value(v))) => (
            v.iter().filter(|v| filter.keeps(v)).collect::<Vec<_>>(),
            None,
        ),
        Some(Some(Fact::Missing(why))) => (Vec::new(), Some(why.clone())),
        _ => (
            Vec::new(),
            Some("not matched against a vulnerability database".to_owned()),
        ),
    };
    json!({
        "schema_version": IMAGE_REPORT_VERSION,
        "tool": report.tool,
        "image": {
            "reference": reference, "id": image.inspect.id, "tags": image.inspect.repo_tags,
            "source": source.kind, "from": source.detail, "cached": source.cached,
        },
        "collected_at": snapshot.collected_at,
        "os": contents.map(|c| os_json(c, &snapshot.collected_at)).unwrap_or(Value::Null),
        "os_problem": contents.and_then(|c| c.os_problem.clone()),
        "packages": contents.map(|c| json!(c.packages)).unwrap_or(json!([])),
        "package_databases": contents.map(|c| json!(c.package_databases)).unwrap_or(json!([])),
        "app_packages": contents.map(|c| json!(c.app_packages)).unwrap_or(json!([])),
        "vulnerabilities": vulns.map(|v| json!(v)).unwrap_or(json!([])),
        "vulnerabilities_skipped": vulns_skipped,
        "vulnerabilities_unjudged": contents.map(|c| json!(c.vulnerabilities_unjudged)).unwrap_or(json!([])),
        "app_vulnerabilities": app_vulns,
        "app_vulnerabilities_skipped": app_vulns_skipped,
        "vulnerability_db": contents.and_then(|c| c.vulnerability_db.clone()),
        "findings": report.findings,
        "summary": report.summary,
        "skipped": report.skipped,
        "problems": contents.map(|c| json!(c.problems)).unwrap_or(json!([])),
        "contents_missing": missing,
        "stats": contents.map(|c| json!(c.stats)),
    })
}

fn write_header(
    out: &mut impl Write,
    reference: &str,
    source: &Source,
    snapshot: &Snapshot,
    image: &Image,
) -> std::io::Result<()> {
    let id = dockaudit_snapshot::engine::short_image_id(&image.inspect.id);
    writeln!(
        out,
        "Image {reference} ({id}), read from the {} {}{}",
        source.kind,
        source.detail,
        if source.cached {
            " (cached result)"
        } else {
            ""
        }
    )?;
    let contents = match &image.contents {
        Some(Fact::Value(c)) => c,
        Some(Fact::Missing(why)) => return writeln!(out, "  contents: not read: {why}\n"),
        None => return writeln!(out, "  contents: not read\n"),
    };
    match (&contents.os, &contents.eol) {
        (Some(os), Some(eol)) => {
            let status = match eol.status_on(&snapshot.collected_at) {
                Some(EolStatus::EndOfLife(d, _)) => format!("END OF LIFE since {d}"),
                Some(EolStatus::EndingSoon(d, days)) => {
                    format!("end of life on {d}, in {days} days")
                }
                Some(EolStatus::Supported(Some(d))) => format!("supported until {d}"),
                Some(EolStatus::Supported(None)) => "supported".into(),
                None => "end of life unknown".into(),
            };
            let extended = eol
                .extended_eol
                .as_deref()
                .map(|d| format!(", paid extended support until {d}"))
                .unwrap_or_default();
            writeln!(out, "  OS: {} ({status}{extended})", os.display())?;
        }
        (Some(os), None) => writeln!(out, "  OS: {} (not in the end-of-life table)", os.display())?,
        (None, _) => writeln!(
            out,
            "  OS: unknown ({})",
            match contents.os_problem.as_deref() {
                Some(p) if !p.starts_with("no release file") => p,
                _ => "no release file",
            }
        )?,
    }
    let dbs = if contents.package_databases.is_empty() {
        "no package database".to_owned()
    } else {
        contents
            .package_databases
            .iter()
            .map(|d| format!("/{d}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "  packages: {} ({dbs})", contents.packages.len())?;
    if !contents.app_packages.is_empty() {
        let mut by_ecosystem: std::collections::BTreeMap<&str, usize> = Default::default();
        for p in &contents.app_packages {
            *by_ecosystem.entry(p.ecosystem.as_str()).or_default() += 1;
        }
        let counts: Vec<String> = by_ecosystem
            .iter()
            .map(|(e, n)| format!("{e} {n}"))
            .collect();
        writeln!(
            out,
            "  application packages: {} ({})",
            contents.app_packages.len(),
            counts.join(", ")
        )?;
    }
    match &contents.vulnerabilities {
        Some(Fact::Value(v)) => writeln!(
            out,
            "  vulnerabilities: {} known (all statuses and severities; findings below follow --ignore-unfixed and --severity)",
            v.len()
        )?,
        Some(Fact::Missing(why)) => writeln!(out, "  vulnerabilities: skipped: {why}")?,
        None => writeln!(out, "  vulnerabilities: not matched")?,
    }
    for group in &contents.vulnerabilities_unjudged {
        let shown: Vec<&str> = group.packages.iter().take(10).map(String::as_str).collect();
        let more = group.packages.len().saturating_sub(10);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        writeln!(
            out,
            "  vulnerabilities: {} package{} NOT judged ({}): {}{more}",
            group.packages.len(),
            if group.packages.len() == 1 { "" } else { "s" },
            group.reason,
            shown.join(", ")
        )?;
    }
    if !contents.app_packages.is_empty() {
        match &contents.app_vulnerabilities {
            Some(Fact::Value(v)) => writeln!(
                out,
                "  application vulnerabilities: {} known (OSV; findings below follow --ignore-unfixed and --severity)",
                v.len()
            )?,
            Some(Fact::Missing(why)) => {
                writeln!(out, "  application vulnerabilities: skipped: {why}")?
            }
            None => writeln!(out, "  application vulnerabilities: not matched")?,
        }
    }
    for p in contents.problems.iter().take(10) {
        writeln!(out, "  problem: {p}")?;
    }
    writeln!(out)
}

/// Writes `value` as pretty JSON and a newline to standard output, with the characters that could
/// act on a terminal (DEL, C1, bidirectional controls) escaped as the report's JSON has them.
fn write_json_text(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    out.write_all(dockaudit_report::emit::escape_raw_controls(&text).as_bytes())?;
    writeln!(out)?;
    Ok(())
}
