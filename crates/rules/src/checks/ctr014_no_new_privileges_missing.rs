//! CTR014 no-new-privileges-missing: Container processes can gain new privileges.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR014",
        name: "no-new-privileges-missing",
        title: "Container processes can gain new privileges",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.26"],
        cis_v1_6: &["5.25"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
