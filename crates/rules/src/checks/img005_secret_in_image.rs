//! IMG005 secret-in-image: Secrets in the image's ENV or build history.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG005",
        name: "secret-in-image",
        title: "Secrets in the image's ENV or build history",
        rationale: "",
        remediation: "",
        category: Category::Images,
        severity: Severity::Critical,
        cis: &["4.10"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
