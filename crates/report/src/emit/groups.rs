//! Groupings of findings that several emitters share: by rule, and the "fix these first" order.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::{Finding, Report, Severity};

/// Findings of one rule, in report order.
pub(crate) struct RuleGroup<'a> {
    /// The first finding (rule id, name, title and remediation are the same on all of them).
    pub first: &'a Finding,
    /// Every finding of the rule, `first` included.
    pub findings: Vec<&'a Finding>,
}

impl<'a> RuleGroup<'a> {
    /// The worst severity among the group's findings (a rule may raise it for a worse case).
    pub fn worst(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(self.first.severity)
    }

    /// Target names, in order, without repeats next to each other; in a fleet report each with its
    /// host (`[web1] nginx`).
    pub fn target_names(&self) -> Vec<Cow<'a, str>> {
        let mut names: Vec<Cow<'a, str>> = self
            .findings
            .iter()
            .map(|f| match &f.host {
                Some(h) => Cow::Owned(format!("[{h}] {}", f.target.name)),
                None => Cow::Borrowed(f.target.name.as_str()),
            })
            .collect();
        names.dedup();
        names
    }
}

/// Groups findings by rule, keeping the order in which rules first appear.
pub(crate) fn group_by_rule<'a>(findings: &[&'a Finding]) -> Vec<RuleGroup<'a>> {
    let mut groups: Vec<RuleGroup<'a>> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        match index.get(f.rule.as_str()) {
            Some(&i) => groups[i].findings.push(f),
            None => {
                index.insert(&f.rule, groups.len());
                groups.push(RuleGroup {
                    first: f,
                    findings: vec![f],
                });
            }
        }
    }
    groups
}

/// The findings that are not suppressed, in report order.
pub(crate) fn open_findings(report: &Report) -> Vec<&Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect()
}

/// The rules to fix first: open findings of medium or worse, grouped by rule, the worst rules first
/// and, within a severity, the rule hitting the most targets.
pub(crate) fn fix_first<'a>(open: &[&'a Finding]) -> Vec<RuleGroup<'a>> {
    let mut groups = group_by_rule(open);
    groups.retain(|g| g.first.severity >= Severity::Medium);
    groups.sort_by(|a, b| {
        b.worst()
            .cmp(&a.worst())
            .then(b.findings.len().cmp(&a.findings.len()))
            .then(a.first.rule.cmp(&b.first.rule))
    });
    groups
}
