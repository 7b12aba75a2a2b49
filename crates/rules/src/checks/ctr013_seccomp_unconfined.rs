//! CTR013 seccomp-unconfined: Container runs without seccomp filtering.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR013",
        name: "seccomp-unconfined",
        title: "Container runs without seccomp filtering",
        rationale: "",
        remediation: "",
        category: Category::Protections,
        severity: Severity::High,
        cis: &["5.22"],
        cis_v1_6: &["5.21"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
