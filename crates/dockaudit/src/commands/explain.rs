//! `dockaudit explain ID|NAME`: why a rule matters and how to fix what it finds.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use dockaudit_rules::{find_rule, Rule, RuleMeta, RULES};

use crate::cli::ExplainArgs;

/// Runs `dockaudit explain`.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    // The registry's rules, then what only `watch` reports (restart bursts).
    let m: &RuleMeta = find_rule(&args.rule)
        .or_else(|| RULES.iter().find(|r| r.meta.name == args.rule))
        .map(|r: &Rule| &r.meta)
        .or_else(|| {
            crate::commands::watch::WATCH_FINDINGS
                .iter()
                .find(|m| m.id.eq_ignore_ascii_case(&args.rule) || m.name == args.rule)
        })
        .with_context(|| format!("no rule `{}`; `dockaudit rules` lists them all", args.rule))?;
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
