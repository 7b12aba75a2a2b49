//! NET003 port-on-all-interfaces: Port published on every host interface.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET003",
        name: "port-on-all-interfaces",
        title: "Port published on every host interface",
        rationale: "",
        remediation: "",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &["5.14"],
        cis_v1_6: &["5.13"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
