//! `dockaudit collect`: everything an audit reads, saved as a snapshot to audit later, anywhere.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::CollectArgs;
use crate::commands::image as image_cmd;
use crate::config;
use crate::live::collect_live;

/// Runs `dockaudit collect`.
pub fn run(mut args: CollectArgs) -> Result<ExitCode> {
    // The same file as `audit` reads, checked whole: a typo stops here too.
    let config = config::find_and_load(args.config.as_deref())?;
    config::apply_engine(&mut args.engine, config.engine, true);
    args.no_image_scan |= config.no_image_scan;
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let scan = (!args.no_image_scan).then(|| image_cmd::ScanPlan {
        filter: None,
        progress,
        timeout: args.engine.timeout_secs(),
    });
    let snapshot = collect_live(&args.engine, args.labels, scan, progress)?;
    // Serialised as text so that DEL, C1 and bidirectional controls are escaped too.
    let json = serde_json::to_string_pretty(&snapshot).context("cannot serialise the snapshot")?;
    let json = dockaudit_report::emit::escape_raw_controls(&json)
        .into_owned()
        .into_bytes();
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
    let fatal = snapshot.fatal_gaps();
    if !fatal.is_empty() {
        // The snapshot is written (it records the failure, and audits of it skip what it lacks),
        // but a collection without its containers or images is not a success.
        for why in &fatal {
            eprintln!("dockaudit: error: {why}");
        }
        return Ok(ExitCode::from(crate::EXIT_ERROR));
    }
    Ok(ExitCode::SUCCESS)
}
