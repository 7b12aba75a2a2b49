//! CTR003 apparmor-unconfined: Container runs without an AppArmor profile.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR003",
        name: "apparmor-unconfined",
        title: "Container runs without an AppArmor profile",
        rationale: "",
        remediation: "",
        category: Category::Protections,
        severity: Severity::High,
        cis: &["5.2"],
        cis_v1_6: &["5.1"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
