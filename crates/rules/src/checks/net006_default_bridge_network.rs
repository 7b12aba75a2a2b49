//! NET006 default-bridge-network: Container uses the default docker0 bridge.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET006",
        name: "default-bridge-network",
        title: "Container uses the default docker0 bridge",
        rationale: "",
        remediation: "",
        category: Category::Network,
        severity: Severity::Low,
        cis: &["5.30"],
        cis_v1_6: &["5.29"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
