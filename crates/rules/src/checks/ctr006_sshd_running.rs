//! CTR006 sshd-running: sshd runs inside the container.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR006",
        name: "sshd-running",
        title: "sshd runs inside the container",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.7"],
        cis_v1_6: &["5.6"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
