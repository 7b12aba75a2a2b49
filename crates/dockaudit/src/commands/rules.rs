//! `dockaudit rules`: every rule with its id, name, severity, category and CIS ids.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use dockaudit_rules::RULES;

use crate::cli::{Format, RulesArgs};

/// Runs `dockaudit rules`.
pub fn run(args: RulesArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let metas: Vec<_> = RULES.iter().map(|r| r.meta).collect();
            serde_json::to_writer_pretty(&mut out, &metas)?;
            writeln!(out)?;
        }
        Format::Terminal => {
            let width = output_width();
            for line in rules_table(width).lines() {
                writeln!(out, "{}", line.trim_end())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The width to fit: the terminal's when stdout is one, else `COLUMNS` when set; `None` (no limit)
/// for a pipe, so `grep` sees whole lines.
fn output_width() -> Option<u16> {
    if std::io::stdout().is_terminal() {
        // comfy-table asks the terminal (crossterm) when stdout is one.
        if let Some(w) = comfy_table::Table::new().width() {
            return Some(w);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
}

/// Below this width the table keeps the columns a user acts on (id and name for `--ignore` and
/// `explain`, severity, title) and leaves category and CIS ids to `explain` and `--format json`.
const WIDE_ENOUGH_FOR_EVERY_COLUMN: u16 = 120;

/// CIS ids shown per rule; the rest are counted (`explain` lists them all).
const CIS_IDS_SHOWN: usize = 2;

/// The rule table, fitted to `width` when there is one: only titles wrap, ids and names stay whole.
fn rules_table(width: Option<u16>) -> comfy_table::Table {
    use comfy_table::{ColumnConstraint, ContentArrangement};
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    let every_column = width.is_none_or(|w| w >= WIDE_ENOUGH_FOR_EVERY_COLUMN);
    if every_column {
        table.set_header(["ID", "NAME", "SEVERITY", "CATEGORY", "CIS 1.8.0", "TITLE"]);
    } else {
        table.set_header(["ID", "NAME", "SEVERITY", "TITLE"]);
    }
    for r in RULES {
        let m = &r.meta;
        let mut row = vec![m.id.to_string(), m.name.to_string(), m.severity.to_string()];
        if every_column {
            let mut cis = m.cis[..m.cis.len().min(CIS_IDS_SHOWN)].join(", ");
            if m.cis.len() > CIS_IDS_SHOWN {
                cis.push_str(&format!(" +{}", m.cis.len() - CIS_IDS_SHOWN));
            }
            row.push(m.category.to_string());
            row.push(cis);
        }
        row.push(m.title.to_string());
        table.add_row(row);
    }
    if let Some(w) = width {
        table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(w);
        let last = table.column_count() - 1;
        for (i, column) in table.column_iter_mut().enumerate() {
            if i != last {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_table_fits_its_width_with_whole_ids_and_names() {
        let table = rules_table(Some(100)).to_string();
        let lines: Vec<&str> = table.lines().map(str::trim_end).collect();
        assert!(lines.len() > RULES.len(), "one line per rule at least");
        for line in &lines {
            assert!(
                line.chars().count() <= 100,
                "{} columns: {line}",
                line.chars().count()
            );
        }
        // Every rule is still listed with its whole name on its first line; titles wrap.
        for r in RULES {
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(r.meta.id) && l.contains(r.meta.name)),
                "{} {} not whole",
                r.meta.id,
                r.meta.name
            );
        }
    }

    #[test]
    fn without_a_width_every_rule_is_one_line_with_its_cis_ids_counted() {
        let table = rules_table(None).to_string();
        for r in RULES {
            let line = table
                .lines()
                .find(|l| l.trim_start().starts_with(r.meta.id))
                .expect("the rule's line");
            assert!(line.contains(r.meta.title), "{line}");
            if let Some(first) = r.meta.cis.first() {
                assert!(line.contains(first), "{line}");
            }
            if r.meta.cis.len() > CIS_IDS_SHOWN {
                let more = format!("+{}", r.meta.cis.len() - CIS_IDS_SHOWN);
                assert!(line.contains(&more), "{line}");
            }
        }
    }
}
