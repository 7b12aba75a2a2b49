//! LCY003 stopped-container: Exited or never-started container.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY003",
        name: "stopped-container",
        title: "Exited or never-started container",
        rationale: "",
        remediation: "",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &["6.2"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
