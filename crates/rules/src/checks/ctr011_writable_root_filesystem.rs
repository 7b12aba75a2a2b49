//! CTR011 writable-root-filesystem: Container's root filesystem is writable.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR011",
        name: "writable-root-filesystem",
        title: "Container's root filesystem is writable",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Low,
        cis: &["5.13"],
        cis_v1_6: &["5.12"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
