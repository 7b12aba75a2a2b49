//! `dockaudit baseline`: an ignore entry for every current finding, for adopting the tool on an
//! existing fleet.

use std::process::ExitCode;

use anyhow::Result;

use crate::commands::audit::{audit_report, Audited};
use crate::config;

/// `dockaudit baseline`: audits as `audit` does and writes an ignore entry for every finding.
pub fn run(args: config::BaselineArgs) -> Result<ExitCode> {
    let (mut args, policy) = config::apply(args.into_audit())?;
    // The baseline is TOML whatever formats the configuration asks of `audit`.
    args.format.clear();
    let Audited { report, unmatched } = audit_report(&args, policy)?;
    if let Some(why) = unmatched {
        anyhow::bail!("{why}: no baseline written");
    }
    config::write_baseline(&report, &args)?;
    Ok(ExitCode::SUCCESS)
}
