//! RES001 memory-limit-missing: Container has no memory limit.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES001",
        name: "memory-limit-missing",
        title: "Container has no memory limit",
        rationale: "",
        remediation: "",
        category: Category::Resources,
        severity: Severity::Medium,
        cis: &["5.11"],
        cis_v1_6: &["5.10"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
