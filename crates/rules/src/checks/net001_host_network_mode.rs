//! NET001 host-network-mode: Container shares the host's network namespace.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET001",
        name: "host-network-mode",
        title: "Container shares the host's network namespace",
        rationale: "",
        remediation: "",
        category: Category::Network,
        severity: Severity::High,
        cis: &["5.10"],
        cis_v1_6: &["5.9"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
