//! CTR007 host-pid-namespace: Container shares the host's PID namespace.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR007",
        name: "host-pid-namespace",
        title: "Container shares the host's PID namespace",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.16"],
        cis_v1_6: &["5.15"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
