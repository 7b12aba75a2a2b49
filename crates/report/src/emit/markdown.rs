//! Markdown, for pull-request comments and tickets: a summary table (counts and score), then the
//! findings grouped by severity and rule, each with its targets and what to do; low and info
//! findings, skips, accepted risks and gaps folded away in `<details>`. Text from the audit is
//! escaped, so a container name cannot inject markup.
//!
//! It stays postable on a large host: a rule lists at most [`MAX_TARGETS_PER_RULE`] targets, and
//! once the findings reach [`FINDINGS_BUDGET`] bytes the rest are counted, not listed (GitHub
//! refuses comments over 65,536 characters); the JSON, SARIF or HTML report has them all.

use std::io::{self, Write};

use crate::{Finding, Report, Severity};

/// Targets listed per rule; the rest are counted.
pub const MAX_TARGETS_PER_RULE: usize = 10;

/// Bytes of findings listed before the rest are only counted, leaving room under GitHub's comment
/// limit for the summary, skips, accepted risks and gaps.
pub const FINDINGS_BUDGET: usize = 45_000;

/// Writes the report as GitHub-flavoured Markdown.
pub fn write_markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let report = &*super::printable::printable(report);
    let s = &report.summary;
    writeln!(out, "## dockaudit report")?;
    writeln!(out)?;
    if report.is_fleet() {
        write_hosts(report, out)?;
    } else {
        writeln!(
            out,
            "{} {} (API {}) at `{}` · collected {} · dockaudit {}",
            esc(&report.engine.kind),
            esc(&report.engine.version),
            esc(&report.engine.api_version),
            report.engine.endpoint.replace('`', "'"),
            esc(&report.collected_at),
            esc(&report.tool.version)
        )?;
    }
    writeln!(out)?;
    let score = match report.score.overall {
        Some(n) => format!("**{n}/100**"),
        None => "n/a".to_string(),
    };
    writeln!(
        out,
        "| Score | Rules | Passed | Failed | Skipped | Critical | High | Medium | Low | Info |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|")?;
    write!(
        out,
        "| {score} | {} | {} | {} | {} |",
        s.rules, s.passed, s.failed, s.skipped
    )?;
    for sev in Severity::ALL {
        write!(out, " {} |", s.by_severity.get(sev))?;
    }
    writeln!(out)?;

    if !report.score.by_category.is_empty() {
        writeln!(out)?;
        let cells: Vec<String> = report
            .score
            .by_category
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        writeln!(out, "Score by category: {}", cells.join(" · "))?;
    }

    // Accepted risks are listed apart, after the skips; they count nowhere else.
    let open: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    if open.is_empty() {
        writeln!(out)?;
        writeln!(out, "No findings.")?;
    }
    let mut listed = 0usize;
    let mut unlisted = 0usize;
    for sev in Severity::ALL {
        let at: Vec<&Finding> = open.iter().filter(|f| f.severity == sev).copied().collect();
        if at.is_empty() {
            continue;
        }
        // Low and info findings are folded away: the pull request is about what to fix first.
        let folded = sev <= Severity::Low;
        writeln!(out)?;
        if folded {
            writeln!(
                out,
                "<details><summary>{} ({})</summary>",
                heading(sev),
                at.len()
            )?;
        } else {
            writeln!(out, "### {} ({})", heading(sev), at.len())?;
        }
        let mut i = 0;
        while i < at.len() {
            let first = at[i];
            let group: Vec<&Finding> = at[i..]
                .iter()
                .take_while(|f| f.rule == first.rule)
                .copied()
                .collect();
            i += group.len();
            let text = rule_group(first, &group);
            if listed + text.len() > FINDINGS_BUDGET {
                unlisted += group.len();
                continue;
            }
            listed += text.len();
            out.write_all(text.as_bytes())?;
        }
        if folded {
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
    }
    if unlisted > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "_{unlisted} more finding{} not listed here, to keep this postable: the JSON, SARIF or HTML report has every one._",
            if unlisted == 1 { "" } else { "s" }
        )?;
    }

    if !report.skipped.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>Skipped ({}): not evaluated, not a pass</summary>",
            report.skipped.len()
        )?;
        writeln!(out)?;
        for s in &report.skipped {
            let host = on_host(&s.host);
            match &s.target {
                Some(t) => writeln!(
                    out,
                    "- {host}{} on {} **{}**: {}",
                    s.rule,
                    esc(&t.kind),
                    esc(&t.name),
                    esc(&s.reason)
                )?,
                None => writeln!(out, "- {host}{}: {}", s.rule, esc(&s.reason))?,
            }
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>Suppressed ({}): accepted risks</summary>",
            suppressed.len()
        )?;
        writeln!(out)?;
        for f in suppressed {
            let reason = f.suppressed.as_ref().map_or("", |s| s.reason.as_str());
            writeln!(
                out,
                "- {}{} {} on {} **{}**: {}",
                on_host(&f.host),
                f.severity,
                f.rule,
                esc(&f.target.kind),
                esc(&f.target.name),
                esc(reason)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    if !report.gaps.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>Gaps ({}): facts that could not be collected</summary>",
            report.gaps.len()
        )?;
        writeln!(out)?;
        for g in &report.gaps {
            writeln!(
                out,
                "- {}{}: {}",
                on_host(&g.host),
                esc(&g.what),
                esc(&g.why)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

/// One rule's findings: the rule, its targets (at most [`MAX_TARGETS_PER_RULE`]) and the fix.
fn rule_group(first: &Finding, group: &[&Finding]) -> String {
    let mut text = String::from("\n");
    let cis = if first.cis.is_empty() {
        String::new()
    } else {
        format!(" (CIS {})", esc(&first.cis.join(", ")))
    };
    text.push_str(&format!(
        "**{}** `{}` {}{cis}\n",
        first.rule,
        first.name,
        esc(&first.title)
    ));
    for f in group.iter().take(MAX_TARGETS_PER_RULE) {
        let place = match &f.location {
            Some(l) => format!(" at `{}:{}`", l.path.replace('`', "'"), l.line),
            None => String::new(),
        };
        text.push_str(&format!(
            "- {}{} **{}**{place}: {}\n",
            on_host(&f.host),
            esc(&f.target.kind),
            esc(&f.target.name),
            esc(&f.message)
        ));
    }
    if group.len() > MAX_TARGETS_PER_RULE {
        text.push_str(&format!(
            "- … and {} more\n",
            group.len() - MAX_TARGETS_PER_RULE
        ));
    }
    text.push_str(&format!("- Fix: {}\n", esc(&first.remediation)));
    text
}

/// `` `host` `` and a space before a line about one host of a fleet report; nothing otherwise.
fn on_host(host: &Option<String>) -> String {
    match host {
        Some(h) => format!("`{}` ", h.replace('`', "'")),
        None => String::new(),
    }
}

/// A fleet report's first lines: a table of its hosts, each with its engine, counts and score, or
/// why it was not audited.
fn write_hosts(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Fleet of {} hosts · collected from {} · dockaudit {}",
        report.hosts.len(),
        esc(&report.collected_at),
        esc(&report.tool.version)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| Host | Engine | Score | Critical | High | Medium | Low | Info |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for h in &report.hosts {
        let host = h.host.replace('`', "'");
        match (&h.engine, &h.summary, &h.score) {
            (Some(e), Some(s), Some(score)) => {
                let score = score
                    .overall
                    .map_or_else(|| "n/a".to_string(), |n| format!("{n}/100"));
                write!(
                    out,
                    "| `{host}` | {} {} (API {}) | {score} |",
                    esc(&e.kind),
                    esc(&e.version),
                    esc(&e.api_version)
                )?;
                for sev in Severity::ALL {
                    write!(out, " {} |", s.by_severity.get(sev))?;
                }
                writeln!(out)?;
            }
            _ => writeln!(
                out,
                "| `{host}` | **not audited**: {} | n/a | | | | | |",
                esc(h.error.as_deref().unwrap_or("unreachable"))
            )?,
        }
    }
    Ok(())
}

fn heading(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// Escapes text for inline Markdown. Code spans the text already has (`docker run …`, as rule texts
/// and messages write commands) are kept, and only newlines in them change; outside them HTML is
/// neutralised and emphasis, link and table characters are backslash-escaped. With an unpaired
/// backtick, every backtick is escaped too. Newlines become spaces so a value cannot break the layout.
fn esc(s: &str) -> String {
    let ticks = s.matches('`').count();
    if ticks == 0 || ticks % 2 == 1 {
        return esc_plain(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.replace(['\n', '\r'], " ").replace('|', "\\|")
            } else {
                esc_plain(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn esc_plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_but_keeps_code_spans() {
        assert_eq!(esc("a <b> *c* [d]"), "a &lt;b&gt; \\*c\\* \\[d\\]");
        assert_eq!(
            esc("run `docker run --cap-drop=ALL a_b` now_"),
            "run `docker run --cap-drop=ALL a_b` now\\_"
        );
        assert_eq!(esc("odd ` tick"), "odd \\` tick");
        assert_eq!(esc("two\nlines"), "two lines");
    }
}
