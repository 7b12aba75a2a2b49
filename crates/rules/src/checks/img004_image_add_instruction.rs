//! IMG004 image-add-instruction: Image uses ADD where COPY would do.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG004",
        name: "image-add-instruction",
        title: "Image uses ADD where COPY would do",
        rationale: "",
        remediation: "",
        category: Category::Images,
        severity: Severity::Low,
        cis: &["4.9"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
