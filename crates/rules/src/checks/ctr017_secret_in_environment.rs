//! CTR017 secret-in-environment: Secrets in the container's environment or labels.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR017",
        name: "secret-in-environment",
        title: "Secrets in the container's environment or labels",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
