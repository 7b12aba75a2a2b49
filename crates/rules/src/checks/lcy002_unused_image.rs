//! LCY002 unused-image: Image no container uses.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY002",
        name: "unused-image",
        title: "Image no container uses",
        rationale: "",
        remediation: "",
        category: Category::Lifecycle,
        severity: Severity::Info,
        cis: &["6.1"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
