//! META001 expired-ignore: an `[[ignore]]` entry whose `expires` date is before the day the facts were
//! collected. It no longer suppresses anything (its findings are reported again); this finding says
//! why they came back, and points at the entry.
//!
//! The day is the snapshot's `collected_at`, never the clock, so an old snapshot audited later
//! judges the same. An unreadable `collected_at` expires every dated entry: skip is not pass.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "META001",
        name: "expired-ignore",
        title: "An ignore entry has expired",
        rationale: "An accepted risk is accepted until a date so that someone looks at it again. Once the date has passed the entry stops hiding its findings; left in place, it documents a decision nobody has renewed.",
        remediation: "Fix the findings it covered and delete the entry, or review the accepted risk and set a new `expires` date with an up-to-date reason.",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &["https://cwe.mitre.org/data/definitions/1164.html"],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    for outcome in &input.ignores {
        if !outcome.expired {
            checks.pass(outcome.target());
            continue;
        }
        outcome.fail(
            checks,
            format!(
                "the ignore of {} on `{}` expired on {} (facts collected {}); its findings are reported again",
                outcome.rule_id,
                outcome.target_glob(),
                outcome.entry.expires.as_deref().unwrap_or_default(),
                input.snapshot.collected_at
            ),
        );
    }
}
