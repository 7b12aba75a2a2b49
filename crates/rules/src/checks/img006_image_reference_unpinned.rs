//! IMG006 image-reference-unpinned: Container runs an image by :latest or by no tag.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG006",
        name: "image-reference-unpinned",
        title: "Container runs an image by :latest or by no tag",
        rationale: "",
        remediation: "",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
