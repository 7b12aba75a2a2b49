//! IMG002 image-healthcheck-missing: Image defines no HEALTHCHECK.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG002",
        name: "image-healthcheck-missing",
        title: "Image defines no HEALTHCHECK",
        rationale: "",
        remediation: "",
        category: Category::Images,
        severity: Severity::Low,
        cis: &["4.6"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
