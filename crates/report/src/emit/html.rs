//! HTML: one self-contained page for a person to read and hand on. Styles and the small filter
//! script are inline and a Content-Security-Policy forbids every fetch, so the file opens the same
//! offline, from a mail attachment or a CI artifact.
//!
//! The page has a summary (score, counts, a severity chart drawn as inline SVG, a score per
//! category), the rules to fix first, the findings grouped by target with what to do, filters by
//! severity, category and text (kept in the URL's `#fragment`, so a filtered view can be linked),
//! then the accepted risks, the skipped rules and the gaps. It is rendered with minijinja from
//! `html/report.html`, with HTML auto-escaping on: text from the audit (container names, labels,
//! messages) cannot inject markup.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use minijinja::{Environment, Value};
use serde::Serialize;

use super::groups::{fix_first, open_findings};
use crate::{Category, Finding, Report, RuleInfo, Severity};

/// The page template (HTML with inline CSS and script).
const TEMPLATE: &str = include_str!("html/report.html");

/// Writes the report as one self-contained HTML page. `catalogue` gives each rule's rationale and
/// references (shown under "why"); rules missing from it are shown without.
pub fn write_html(report: &Report, catalogue: &[RuleInfo], out: &mut dyn Write) -> io::Result<()> {
    let report = &*super::printable::printable(report);
    let mut env = Environment::new();
    env.add_filter("code", code_spans);
    env.add_template("report.html", TEMPLATE)
        .map_err(io::Error::other)?;
    let page = env
        .get_template("report.html")
        .and_then(|t| t.render(Value::from_serialize(Page::of(report, catalogue))))
        .map_err(io::Error::other)?;
    out.write_all(page.as_bytes())
}

/// Everything the template shows, worked out here so the template only lays it out.
#[derive(Serialize)]
struct Page<'a> {
    report: &'a Report,
    score: Option<u8>,
    score_class: &'static str,
    severities: Vec<SeverityBar>,
    categories: Vec<CategoryScore>,
    fix_first: Vec<FixFirst<'a>>,
    targets: Vec<TargetGroup<'a>>,
    open_count: usize,
    suppressed: Vec<&'a Finding>,
    /// Categories that have open findings, for the category filter.
    filter_categories: Vec<&'static str>,
    rules: BTreeMap<&'a str, RuleText<'a>>,
}

/// One bar of the severity chart.
#[derive(Serialize)]
struct SeverityBar {
    name: &'static str,
    count: usize,
    /// Bar length in chart units (0–100), proportional to the largest count.
    width: u32,
}

/// One row of the score-by-category table.
#[derive(Serialize)]
struct CategoryScore {
    name: &'static str,
    heading: &'static str,
    score: u8,
    class: &'static str,
}

/// One entry of "fix these first".
#[derive(Serialize)]
struct FixFirst<'a> {
    rule: &'a str,
    name: &'a str,
    title: &'a str,
    severity: Severity,
    remediation: &'a str,
    targets: Vec<std::borrow::Cow<'a, str>>,
}

/// The open findings of one target, worst first.
#[derive(Serialize)]
struct TargetGroup<'a> {
    /// The host, in a fleet report: the same container on two hosts is two targets.
    host: Option<&'a str>,
    kind: &'a str,
    name: &'a str,
    id: &'a str,
    /// What to show of the id beside the name: Docker's 12-character short id, a path whole, nothing
    /// when it is the name.
    shown_id: &'a str,
    worst: Severity,
    findings: Vec<&'a Finding>,
}

/// A rule's explanation, from the catalogue.
#[derive(Serialize)]
struct RuleText<'a> {
    rationale: &'a str,
    references: &'a [String],
}

impl<'a> Page<'a> {
    fn of(report: &'a Report, catalogue: &'a [RuleInfo]) -> Page<'a> {
        let open = open_findings(report);
        let most = Severity::ALL
            .iter()
            .map(|s| report.summary.by_severity.get(*s))
            .max()
            .unwrap_or(0);
        let severities = Severity::ALL
            .iter()
            .map(|&s| {
                let count = report.summary.by_severity.get(s);
                SeverityBar {
                    name: s.as_str(),
                    count,
                    width: if most == 0 {
                        0
                    } else {
                        (count * 100).div_ceil(most) as u32
                    },
                }
            })
            .collect();
        let categories = report
            .score
            .by_category
            .iter()
            .map(|(c, n)| CategoryScore {
                name: c.as_str(),
                heading: c.heading(),
                score: *n,
                class: score_class(*n),
            })
            .collect();
        let fix_first = fix_first(&open)
            .into_iter()
            .take(5)
            .map(|g| FixFirst {
                rule: &g.first.rule,
                name: &g.first.name,
                title: &g.first.title,
                severity: g.worst(),
                remediation: &g.first.remediation,
                targets: g.target_names(),
            })
            .collect();
        let filter_categories: BTreeSet<Category> = open.iter().map(|f| f.category).collect();
        let rules = catalogue
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    RuleText {
                        rationale: &r.rationale,
                        references: &r.references,
                    },
                )
            })
            .collect();
        Page {
            report,
            score: report.score.overall,
            score_class: report.score.overall.map_or("none", score_class),
            severities,
            categories,
            fix_first,
            targets: group_by_target(&open),
            open_count: open.len(),
            suppressed: report
                .findings
                .iter()
                .filter(|f| f.suppressed.is_some())
                .collect(),
            filter_categories: filter_categories.into_iter().map(|c| c.as_str()).collect(),
            rules,
        }
    }
}

/// Open findings grouped by target (kind and id), the targets with the worst findings first, then
/// the most findings, then by name; findings within a target worst first (the report's order).
fn group_by_target<'a>(open: &[&'a Finding]) -> Vec<TargetGroup<'a>> {
    let mut index: HashMap<(Option<&str>, &str, &str), usize> = HashMap::new();
    let mut groups: Vec<TargetGroup<'a>> = Vec::new();
    for f in open {
        let key = (
            f.host.as_deref(),
            f.target.kind.as_str(),
            f.target.id.as_str(),
        );
        let at = *index.entry(key).or_insert_with(|| {
            groups.push(TargetGroup {
                host: f.host.as_deref(),
                kind: &f.target.kind,
                name: &f.target.name,
                id: &f.target.id,
                shown_id: shown_id(&f.target.kind, &f.target.name, &f.target.id),
                worst: f.severity,
                findings: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.worst = group.worst.max(f.severity);
        group.findings.push(f);
    }
    for g in &mut groups {
        g.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    }
    groups.sort_by(|a, b| {
        b.worst
            .cmp(&a.worst)
            .then(b.findings.len().cmp(&a.findings.len()))
            .then(a.name.cmp(b.name))
            .then(a.id.cmp(b.id))
            .then(a.host.cmp(&b.host))
    });
    groups
}

fn shown_id<'a>(kind: &str, name: &str, id: &'a str) -> &'a str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    if id == name {
        ""
    } else if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && kind != "file" {
        &hex[..12]
    } else {
        id
    }
}

fn score_class(score: u8) -> &'static str {
    match score {
        90..=100 => "good",
        70..=89 => "fair",
        _ => "poor",
    }
}

/// Escapes text for HTML and turns the `code spans` that rule texts use for commands into `<code>`.
/// With an unpaired backtick the text is only escaped.
fn code_spans(text: &str) -> Value {
    let escaped = escape_html(text);
    let ticks = escaped.matches('`').count();
    if ticks == 0 || ticks % 2 == 1 {
        return Value::from_safe_string(escaped);
    }
    let mut html = String::with_capacity(escaped.len() + ticks * 6);
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            html.push_str("<code>");
            html.push_str(part);
            html.push_str("</code>");
        } else {
            html.push_str(part);
        }
    }
    Value::from_safe_string(html)
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::code_spans;

    #[test]
    fn code_spans_are_escaped_then_marked_up() {
        assert_eq!(
            code_spans("run `docker run --cap-drop=ALL <img>` & go").to_string(),
            "run <code>docker run --cap-drop=ALL &lt;img&gt;</code> &amp; go"
        );
        assert_eq!(code_spans("odd ` <b>").to_string(), "odd ` &lt;b&gt;");
    }
}
