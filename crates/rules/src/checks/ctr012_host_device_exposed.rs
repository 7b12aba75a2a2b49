//! CTR012 host-device-exposed: Host devices are passed into the container.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR012",
        name: "host-device-exposed",
        title: "Host devices are passed into the container",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.18"],
        cis_v1_6: &["5.17"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
