//! `dockaudit merge`: several hosts' snapshots (or earlier fleet files) combined into one fleet
//! file, which `dockaudit audit --snapshot` audits host by host into one fleet report.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use dockaudit_snapshot::fleet::{self, FleetFile, FLEET_SCHEMA_VERSION};

use crate::cli::MergeArgs;

/// Runs `dockaudit merge`.
pub fn run(args: MergeArgs) -> Result<ExitCode> {
    // Every input must read: a fleet file silently missing a host would pass for the whole fleet.
    let mut hosts = Vec::new();
    for path in &args.snapshots {
        hosts.extend(fleet::load_members(path)?);
    }
    fleet::unique_labels(&mut hosts);
    let file = FleetFile {
        fleet_version: FLEET_SCHEMA_VERSION,
        hosts,
    };
    // Serialised as text so that DEL, C1 and bidirectional controls are escaped too.
    let json = serde_json::to_string_pretty(&file).context("cannot serialise the fleet file")?;
    let json = dockaudit_report::emit::escape_raw_controls(&json)
        .into_owned()
        .into_bytes();
    match &args.output {
        None => {
            let mut out = std::io::stdout().lock();
            crate::output::write_stdout(&mut out, &[json.as_slice(), b"\n"].concat())?;
        }
        Some(path) => {
            std::fs::write(path, &json)
                .with_context(|| format!("cannot write fleet file {}", path.display()))?;
            let labels: Vec<&str> = file.hosts.iter().map(|h| h.host.as_str()).collect();
            let _ = writeln!(
                std::io::stderr(),
                "dockaudit: wrote {} ({} host{}: {})",
                path.display(),
                labels.len(),
                if labels.len() == 1 { "" } else { "s" },
                labels.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
