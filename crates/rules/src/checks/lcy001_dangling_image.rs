//! LCY001 dangling-image: Dangling (untagged) image.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY001",
        name: "dangling-image",
        title: "Dangling (untagged) image",
        rationale: "",
        remediation: "",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &["6.1"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
