//! NET004 sensitive-port-exposed: Sensitive service port published to every interface.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET004",
        name: "sensitive-port-exposed",
        title: "Sensitive service port published to every interface",
        rationale: "",
        remediation: "",
        category: Category::Network,
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
