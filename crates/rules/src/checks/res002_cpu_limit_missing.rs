//! RES002 cpu-limit-missing: Container has no CPU limit.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES002",
        name: "cpu-limit-missing",
        title: "Container has no CPU limit",
        rationale: "",
        remediation: "",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.12"],
        cis_v1_6: &["5.11"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
