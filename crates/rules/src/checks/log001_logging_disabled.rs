//! LOG001 logging-disabled: Container logging is disabled.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG001",
        name: "logging-disabled",
        title: "Container logging is disabled",
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
