//! IMG001 image-runs-as-root: Image has no non-root USER.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG001",
        name: "image-runs-as-root",
        title: "Image has no non-root USER",
        rationale: "",
        remediation: "",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &["4.1"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
