//! RES004 restart-policy-unbounded: Restart policy retries forever or more than 5 times.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES004",
        name: "restart-policy-unbounded",
        title: "Restart policy retries forever or more than 5 times",
        rationale: "",
        remediation: "",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.15"],
        cis_v1_6: &["5.14"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
