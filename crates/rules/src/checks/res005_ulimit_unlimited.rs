//! RES005 ulimit-unlimited: Container raises a ulimit to unlimited.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES005",
        name: "ulimit-unlimited",
        title: "Container raises a ulimit to unlimited",
        rationale: "",
        remediation: "",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.19"],
        cis_v1_6: &["5.18"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
