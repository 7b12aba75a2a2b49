//! LCY005 unused-network: User-defined network no container uses.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY005",
        name: "unused-network",
        title: "User-defined network no container uses",
        rationale: "",
        remediation: "",
        category: Category::Lifecycle,
        severity: Severity::Info,
        cis: &[],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
