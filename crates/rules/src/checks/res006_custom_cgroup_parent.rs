//! RES006 custom-cgroup-parent: Container runs under a custom cgroup parent.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES006",
        name: "custom-cgroup-parent",
        title: "Container runs under a custom cgroup parent",
        rationale: "",
        remediation: "",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.25"],
        cis_v1_6: &["5.24"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
