//! NET002 privileged-host-port: Container publishes a privileged host port (below 1024).
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET002",
        name: "privileged-host-port",
        title: "Container publishes a privileged host port (below 1024)",
        rationale: "",
        remediation: "",
        category: Category::Network,
        severity: Severity::Low,
        cis: &["5.8"],
        cis_v1_6: &["5.7"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
