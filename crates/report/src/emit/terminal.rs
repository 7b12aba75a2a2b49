//! The terminal view for people: findings grouped by category, then by rule, each with the targets it
//! hit and one line of what to do; then the accepted risks (suppressed findings, dimmed, with the
//! ignore's reason), counts, skips, gaps, and a short "fix these first" list.
//!
//! Colour is written as ANSI styles unconditionally; the binary's output stream (anstream) strips
//! them when colour is off (`--color never`, `NO_COLOR`, not a terminal).

use std::io::{self, Write};

use anstyle::{AnsiColor, Effects, Style};

use super::groups::{fix_first, group_by_rule, open_findings};
use crate::{Category, Finding, Report, Severity};

/// How much the terminal view shows.
#[derive(Debug, Clone, Copy)]
pub struct TerminalOptions {
    /// Targets listed per rule before the rest are summarised as "and N more".
    pub max_targets_per_rule: usize,
    /// Entries in the "fix these first" list.
    pub fix_first: usize,
    /// Show per-target skips too, not only whole-rule skips.
    pub verbose: bool,
    /// Only the summary and score lines (`audit --quiet`).
    pub quiet: bool,
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions {
            max_targets_per_rule: 8,
            fix_first: 5,
            verbose: false,
            quiet: false,
        }
    }
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => Style::new()
            .fg_color(Some(AnsiColor::BrightWhite.into()))
            .bg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        Severity::High => Style::new()
            .fg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::BrightBlack.into())),
    }
}

const BOLD: Style = Style::new().effects(Effects::BOLD);
const DIM: Style = Style::new().effects(Effects::DIMMED);
const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));

fn badge(severity: Severity) -> String {
    let style = severity_style(severity);
    format!(
        "{style}{:<8}{style:#}",
        severity.as_str().to_ascii_uppercase()
    )
}

/// "docker 28.5.2 (API 1.51) at unix:///…", leaving out what is not known (an archive has no
/// version; an engine whose `/version` failed has only its API version).
fn engine_label(engine: &crate::Engine) -> String {
    let mut label = engine.kind.clone();
    if !engine.version.is_empty() {
        label.push(' ');
        label.push_str(&engine.version);
    }
    if !engine.api_version.is_empty() {
        label.push_str(&format!(" (API {})", engine.api_version));
    }
    if !engine.endpoint.is_empty() {
        label.push_str(&format!(" at {}", engine.endpoint));
    }
    label
}

/// Writes the report for a person at a terminal.
pub fn write_terminal(
    report: &Report,
    out: &mut dyn Write,
    opts: TerminalOptions,
) -> io::Result<()> {
    let report = &*super::printable::printable(report);
    if opts.quiet {
        return write_summary_lines(report, out);
    }
    if report.is_fleet() {
        write_fleet_header(report, out)?;
    } else {
        writeln!(
            out,
            "{BOLD}dockaudit {}{BOLD:#} {DIM}·{DIM:#} {} {DIM}·{DIM:#} collected {}",
            report.tool.version,
            engine_label(&report.engine),
            report.collected_at
        )?;
    }

    for category in Category::ALL {
        let in_category: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.category == category && f.suppressed.is_none())
            .collect();
        if in_category.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}{}{BOLD:#} {DIM}({} finding{}){DIM:#}",
            category.heading(),
            in_category.len(),
            plural(in_category.len())
        )?;
        for group in group_by_rule(&in_category) {
            let worst = group
                .findings
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(group.first.severity);
            let cis = if group.first.cis.is_empty() {
                String::new()
            } else {
                format!(" {DIM}[CIS {}]{DIM:#}", group.first.cis.join(", "))
            };
            writeln!(
                out,
                "  {} {BOLD}{}{BOLD:#} {} {DIM}·{DIM:#} {}{cis}",
                badge(worst),
                group.first.rule,
                group.first.name,
                group.first.title
            )?;
            for f in group.findings.iter().take(opts.max_targets_per_rule) {
                writeln!(
                    out,
                    "           {}{} {}{}: {}",
                    on_host(&f.host),
                    f.target.kind,
                    f.target.name,
                    place(f),
                    f.message
                )?;
            }
            if group.findings.len() > opts.max_targets_per_rule {
                writeln!(
                    out,
                    "           {DIM}… and {} more (--format json lists every one){DIM:#}",
                    group.findings.len() - opts.max_targets_per_rule
                )?;
            }
            writeln!(
                out,
                "           {GREEN}fix:{GREEN:#} {}",
                group.first.remediation
            )?;
        }
    }

    write_suppressed(report, out)?;
    write_skips_and_gaps(report, out, opts)?;
    write_summary(report, out)?;
    write_fix_first(report, out, opts)
}

/// ` at PATH:LINE:COLUMN` for a finding with a place in a file (a Dockerfile, a Compose file,
/// daemon.json), else nothing.
fn place(f: &Finding) -> String {
    let Some(l) = &f.location else {
        return String::new();
    };
    let line = if l.column > 0 {
        format!("{}:{}", l.line, l.column)
    } else {
        l.line.to_string()
    };
    // A finding on the file itself: `file Dockerfile:3:1`, not the path twice.
    if f.target.kind == "file" && f.target.name == l.path {
        format!(":{line}")
    } else {
        format!(" at {}:{line}", l.path)
    }
}

/// Accepted risks: findings an ignore suppressed, dimmed and apart, each with the ignore's reason.
fn write_suppressed(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suppressed: Vec<(&Finding, &crate::Suppression)> = report
        .findings
        .iter()
        .filter_map(|f| f.suppressed.as_ref().map(|s| (f, s)))
        .collect();
    if suppressed.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{BOLD}Accepted risks (suppressed){BOLD:#} {DIM}({} finding{}: not counted in the summary or the exit code){DIM:#}",
        suppressed.len(),
        plural(suppressed.len())
    )?;
    for (f, s) in suppressed {
        writeln!(
            out,
            "  {DIM}{}{} {} {} on {} {}{}: {}{DIM:#}",
            on_host(&f.host),
            f.severity.as_str().to_ascii_uppercase(),
            f.rule,
            f.name,
            f.target.kind,
            f.target.name,
            place(f),
            f.message
        )?;
        writeln!(
            out,
            "  {DIM}    accepted ({}): {}{DIM:#}",
            s.source, s.reason
        )?;
    }
    Ok(())
}

fn write_skips_and_gaps(
    report: &Report,
    out: &mut dyn Write,
    opts: TerminalOptions,
) -> io::Result<()> {
    let rule_skips: Vec<_> = report
        .skipped
        .iter()
        .filter(|s| opts.verbose || s.target.is_none())
        .collect();
    if !rule_skips.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}Skipped{BOLD:#} {DIM}(not evaluated: not a pass){DIM:#}"
        )?;
        for s in rule_skips {
            let host = on_host(&s.host);
            match &s.target {
                Some(t) => writeln!(
                    out,
                    "  {host}{} on {} {}: {}",
                    s.rule, t.kind, t.name, s.reason
                )?,
                None => writeln!(out, "  {host}{}: {}", s.rule, s.reason)?,
            }
        }
    }
    let target_skips = report.skipped.iter().filter(|s| s.target.is_some()).count();
    if !opts.verbose && target_skips > 0 {
        writeln!(
            out,
            "  {DIM}{target_skips} check{} on single targets skipped (--verbose lists them){DIM:#}",
            plural(target_skips)
        )?;
    }
    if !report.gaps.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}Gaps{BOLD:#} {DIM}(facts that could not be collected){DIM:#}"
        )?;
        for g in &report.gaps {
            writeln!(out, "  {}{}: {}", on_host(&g.host), g.what, g.why)?;
        }
    }
    Ok(())
}

fn write_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    write_summary_lines(report, out)
}

/// The summary and score lines: all `--quiet` prints.
fn write_summary_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let active = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    let suppressed = if s.suppressed > 0 {
        format!(" {DIM}({} suppressed){DIM:#}", s.suppressed)
    } else {
        String::new()
    };
    let by_severity: Vec<String> = Severity::ALL
        .into_iter()
        .map(|sev| {
            let n = s.by_severity.get(sev);
            if n > 0 {
                let style = severity_style(sev);
                format!("{style}{n} {sev}{style:#}")
            } else {
                format!("{n} {sev}")
            }
        })
        .collect();
    writeln!(
        out,
        "{BOLD}Summary{BOLD:#}: {} rules, {} passed, {} failed, {} skipped {DIM}·{DIM:#} {} finding{}: {}{suppressed}",
        s.rules,
        s.passed,
        s.failed,
        s.skipped,
        active,
        plural(active),
        by_severity.join(", ")
    )?;
    write_score(report, out)?;
    write_host_lines(report, out)
}

/// `[host] ` before a line about one host of a fleet report; nothing in a single-host report.
fn on_host(host: &Option<String>) -> String {
    match host {
        Some(h) => format!("{BOLD}[{h}]{BOLD:#} "),
        None => String::new(),
    }
}

/// The first lines of a fleet report: the fleet, then each host's engine or why it was not audited.
fn write_fleet_header(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{BOLD}dockaudit {}{BOLD:#} {DIM}·{DIM:#} fleet of {} host{} {DIM}·{DIM:#} collected from {}",
        report.tool.version,
        report.hosts.len(),
        plural(report.hosts.len()),
        report.collected_at
    )?;
    for h in &report.hosts {
        match (&h.engine, &h.error) {
            (Some(engine), _) => writeln!(out, "  [{}] {}", h.host, engine_label(engine))?,
            (None, why) => writeln!(
                out,
                "  [{}] {}NOT AUDITED{:#}: {}",
                h.host,
                severity_style(Severity::High),
                severity_style(Severity::High),
                why.as_deref().unwrap_or("unreachable")
            )?,
        }
    }
    Ok(())
}

/// Per host of a fleet report: its findings by severity and its score (after the fleet's own).
fn write_host_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for h in &report.hosts {
        let (Some(s), Some(score)) = (&h.summary, &h.score) else {
            writeln!(out, "  [{}] not audited", h.host)?;
            continue;
        };
        let by_severity: Vec<String> = Severity::ALL
            .into_iter()
            .map(|sev| format!("{} {sev}", s.by_severity.get(sev)))
            .collect();
        let score = score
            .overall
            .map_or_else(|| "none".to_string(), |n| format!("{n}/100"));
        writeln!(
            out,
            "  [{}] {} {DIM}·{DIM:#} score {score}",
            h.host,
            by_severity.join(", ")
        )?;
    }
    Ok(())
}

fn write_score(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let score = &report.score;
    let Some(overall) = score.overall else {
        return writeln!(
            out,
            "{BOLD}Score{BOLD:#}: none {DIM}(no applicable checks){DIM:#}"
        );
    };
    let by_category: Vec<String> = score
        .by_category
        .iter()
        .map(|(category, n)| format!("{category} {n}"))
        .collect();
    writeln!(
        out,
        "{BOLD}Score{BOLD:#}: {}{overall}/100{:#} {DIM}(checks passed, weighted by severity){DIM:#} {DIM}·{DIM:#} {}",
        score_style(overall),
        score_style(overall),
        by_category.join(", ")
    )
}

fn score_style(score: u8) -> Style {
    let color = match score {
        90..=100 => AnsiColor::Green,
        70..=89 => AnsiColor::Yellow,
        _ => AnsiColor::Red,
    };
    Style::new()
        .fg_color(Some(color.into()))
        .effects(Effects::BOLD)
}

fn write_fix_first(report: &Report, out: &mut dyn Write, opts: TerminalOptions) -> io::Result<()> {
    let open = open_findings(report);
    let groups = fix_first(&open);
    if groups.is_empty() {
        if open.is_empty() {
            writeln!(out, "{GREEN}Nothing to fix.{GREEN:#}")?;
        }
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{BOLD}Fix these first{BOLD:#}")?;
    for (i, g) in groups.iter().take(opts.fix_first).enumerate() {
        let names = g.target_names();
        let shown = names
            .iter()
            .take(3)
            .map(|n| n.as_ref())
            .collect::<Vec<_>>()
            .join(", ");
        let more = if names.len() > 3 {
            format!(" +{}", names.len() - 3)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {}. {} {} {BOLD}{}{BOLD:#} ({shown}{more}): {}",
            i + 1,
            badge(g.worst()),
            g.first.rule,
            g.first.name,
            g.first.remediation
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
