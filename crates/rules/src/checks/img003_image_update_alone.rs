//! IMG003 image-update-alone: Image runs a package index update on its own.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG003",
        name: "image-update-alone",
        title: "Image runs a package index update on its own",
        rationale: "",
        remediation: "",
        category: Category::Images,
        severity: Severity::Low,
        cis: &["4.7"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
