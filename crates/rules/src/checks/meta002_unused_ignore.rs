//! META002 unused-ignore: an `[[ignore]]` entry that accepted no finding. What it accepted is fixed
//! or gone, so the entry only hides a future regression: delete it, and the ignore list shrinks as
//! problems are fixed.
//!
//! An entry is judged only when its rule ran: a deselected or skipped rule, or a target filter that
//! may have left its target out, make it a skip with the reason (skip is not pass, nor a failure).
//! Expired entries are META001's.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "META002",
        name: "unused-ignore",
        title: "An ignore entry matched no finding",
        rationale: "An ignore that matches nothing accepts a risk that is no longer there. Left in place it silently accepts the same problem if it comes back, and the list of accepted risks stops telling the truth.",
        remediation: "Delete the ignore entry: what it accepted is fixed or gone.",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &["https://cwe.mitre.org/data/definitions/1164.html"],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    for outcome in input.ignores.iter().filter(|o| !o.expired) {
        if outcome.used {
            checks.pass(outcome.target());
        } else if !outcome.rule_ran {
            checks.skip_target(
                outcome.target(),
                format!(
                    "{} did not run in this audit (not selected, or skipped), so whether the entry still matches is unknown",
                    outcome.rule_id
                ),
            );
        } else if outcome.narrowed {
            checks.skip_target(
                outcome.target(),
                "a target filter narrowed this audit: the entry may be about a target that was not judged",
            );
        } else {
            outcome.fail(
                checks,
                format!(
                    "the ignore of {} on `{}` matched no finding",
                    outcome.rule_id,
                    outcome.target_glob()
                ),
            );
        }
    }
}
