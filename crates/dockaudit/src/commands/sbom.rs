//! `dockaudit sbom FILE`: scans a bill of materials made elsewhere (CycloneDX or SPDX JSON, as syft
//! or trivy write them) with the same vulnerability database, rules and report formats as
//! `dockaudit image`. The OS comes from the document (a CycloneDX operating-system component, else
//! the purls' `distro` qualifier); OS packages (deb, apk, rpm purls) are matched against the
//! distributions' feeds, application packages (pypi, npm, golang, maven, gem, cargo, composer,
//! nuget purls) against OSV's records, as `image` matches them.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use dockaudit_snapshot::contents::ImageContents;
use dockaudit_snapshot::engine::ImageInspect;
use dockaudit_snapshot::{EngineMeta, Fact, Image, Snapshot, SNAPSHOT_SCHEMA_VERSION};

use crate::cli::Format;
use crate::commands::image::{render, vulndb_path, ReportArgs, Source, VulnArgs};

/// The largest SBOM read: 256 MiB (syft's CycloneDX of a large image is a few MB).
const MAX_SBOM_BYTES: u64 = 256 << 20;

/// `dockaudit sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The bill of materials: CycloneDX (1.4 to 1.6) or SPDX 2.x, JSON; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub vulns: VulnArgs,
}

/// Runs `dockaudit sbom`.
pub fn run(args: SbomArgs) -> Result<ExitCode> {
    let config = crate::config::find_and_load(args.report.config.as_deref())?;
    let name = args.file.display().to_string();
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&args.file).with_context(|| format!("cannot read {name}"))?)
    };
    reader
        .take(MAX_SBOM_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() as u64 > MAX_SBOM_BYTES {
        anyhow::bail!("{name}: larger than {} MiB", MAX_SBOM_BYTES >> 20);
    }
    let inventory = dockaudit_scan::sbom::read(&bytes, &name)?;
    let mut problems = Vec::new();
    if inventory.other_packages > 0 {
        problems.push(format!(
            "{} components that are neither OS packages (deb, apk, rpm) nor application packages (pypi, npm, golang, maven, gem, cargo, composer, nuget) were not matched",
            inventory.other_packages
        ));
    }
    // The OS's end of life, as a scan would record it.
    let eol = inventory.os.as_ref().and_then(|os| {
        dockaudit_scan::eol::facts(&dockaudit_scan::os::OsInfo {
            id: os.id.clone(),
            version_id: os.version_id.clone(),
            codename: os.codename.clone(),
            pretty_name: os.pretty_name.clone(),
            name: None,
            id_like: Vec::new(),
            source: os.source.clone(),
        })
    });
    let mut contents = ImageContents {
        eol,
        scanner: format!("dockaudit-sbom ({})", inventory.format),
        os_problem: inventory
            .os
            .is_none()
            .then(|| "the bill of materials names no operating system".to_owned()),
        os: inventory.os,
        packages: inventory.packages,
        app_packages: inventory.app_packages,
        package_databases: vec![name.trim_start_matches('/').to_owned()],
        problems,
        ..ImageContents::default()
    };
    dockaudit_collect::vulns::VulnMatcher::open(vulndb_path().as_deref()).apply(&mut contents);
    let image = Image {
        inspect: ImageInspect {
            id: format!("sbom:{name}"),
            repo_tags: vec![name.clone()],
            ..ImageInspect::default()
        },
        history: None,
        contents: Some(Fact::Value(contents)),
    };
    let snapshot = Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_at: dockaudit_collect::now_rfc3339(),
        engine: EngineMeta {
            kind: "sbom".into(),
            endpoint: format!("file://{name}"),
            ..EngineMeta::default()
        },
        images: vec![image],
        ..Snapshot::default()
    };
    let source = Source {
        kind: "sbom",
        detail: name.clone(),
        cached: false,
    };
    render(
        true,
        &name,
        args.format,
        &args.report,
        &args.vulns,
        config,
        &snapshot,
        &source,
    )
}
