//! LOG004 suspicious-log-lines: Container log shows signs of compromise or failure.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG004",
        name: "suspicious-log-lines",
        title: "Container log shows signs of compromise or failure",
        rationale: "",
        remediation: "",
        category: Category::Logging,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
