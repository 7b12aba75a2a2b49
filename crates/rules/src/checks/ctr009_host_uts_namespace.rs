//! CTR009 host-uts-namespace: Container shares the host's UTS namespace.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR009",
        name: "host-uts-namespace",
        title: "Container shares the host's UTS namespace",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.21"],
        cis_v1_6: &["5.20"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
