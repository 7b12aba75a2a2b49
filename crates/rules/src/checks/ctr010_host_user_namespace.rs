//! CTR010 host-user-namespace: Container opts out of user-namespace remapping.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR010",
        name: "host-user-namespace",
        title: "Container opts out of user-namespace remapping",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.31"],
        cis_v1_6: &["5.30"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
