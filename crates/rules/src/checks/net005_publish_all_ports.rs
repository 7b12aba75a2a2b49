//! NET005 publish-all-ports: Container publishes every exposed port (-P).
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET005",
        name: "publish-all-ports",
        title: "Container publishes every exposed port (-P)",
        rationale: "",
        remediation: "",
        category: Category::Network,
        severity: Severity::Low,
        cis: &["5.9"],
        cis_v1_6: &["5.8"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
