//! CTR015 healthcheck-missing: Container has no health check.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR015",
        name: "healthcheck-missing",
        title: "Container has no health check",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Low,
        cis: &["5.27"],
        cis_v1_6: &["5.26"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
