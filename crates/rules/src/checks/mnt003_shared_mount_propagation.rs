//! MNT003 shared-mount-propagation: Mount propagation set to shared.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MNT003",
        name: "shared-mount-propagation",
        title: "Mount propagation set to shared",
        rationale: "",
        remediation: "",
        category: Category::Mounts,
        severity: Severity::Medium,
        cis: &["5.20"],
        cis_v1_6: &["5.19"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
