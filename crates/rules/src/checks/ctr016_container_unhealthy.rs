//! CTR016 container-unhealthy: Container reports unhealthy.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR016",
        name: "container-unhealthy",
        title: "Container reports unhealthy",
        rationale: "",
        remediation: "",
        category: Category::Containers,
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
