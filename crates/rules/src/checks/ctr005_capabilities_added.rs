//! CTR005 capabilities-added: Container adds capabilities beyond Docker's defaults.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR005",
        name: "capabilities-added",
        title: "Container adds capabilities beyond Docker's defaults",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.4"],
        cis_v1_6: &["5.3"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
