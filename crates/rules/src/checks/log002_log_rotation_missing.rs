//! LOG002 log-rotation-missing: Container logs grow without rotation.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG002",
        name: "log-rotation-missing",
        title: "Container logs grow without rotation",
        rationale: "",
        remediation: "",
        category: Category::Logging,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
