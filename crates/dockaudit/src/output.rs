//! What every reporting command shares: the rule catalogue for the emitters, the exit code of a
//! report, and the colour choice.

use std::process::ExitCode;

use dockaudit_report::{RuleInfo, Severity};
use dockaudit_rules::RULES;

use crate::cli::{ColorWhen, FailOn};
use crate::EXIT_FINDINGS;

/// The rule catalogue as the emitters take it (SARIF's `tool.driver.rules`, JUnit case names).
pub fn catalogue() -> Vec<RuleInfo> {
    RULES.iter().map(|r| rule_info(&r.meta)).collect()
}

/// One rule's metadata as the emitters take it.
pub fn rule_info(m: &dockaudit_rules::RuleMeta) -> RuleInfo {
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
}

/// The exit code for a report: [`EXIT_FINDINGS`](crate::EXIT_FINDINGS) when a finding is at or above `fail_on`.
pub fn exit_for(report: &dockaudit_report::Report, fail_on: FailOn) -> ExitCode {
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

/// anstream's colour choice for `--color`, honouring `FORCE_COLOR`.
pub fn color_choice(when: ColorWhen) -> anstream::ColorChoice {
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

/// Whether `e` comes from writing to a pipe whose reader has gone (`dockaudit rules | head`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            // serde_json keeps the io::Error inside; its `source` does not return it.
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes `bytes` to stdout; a reader that has gone (`| head`) is not an error: it has what it
/// wanted, and the caller's exit code (findings, say) still stands.
pub fn write_stdout(out: &mut impl std::io::Write, bytes: &[u8]) -> std::io::Result<()> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
