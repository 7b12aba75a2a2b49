//! MNT002 sensitive-host-path-mounted: Sensitive host directory mounted into a container.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MNT002",
        name: "sensitive-host-path-mounted",
        title: "Sensitive host directory mounted into a container",
        rationale: "",
        remediation: "",
        category: Category::Mounts,
        severity: Severity::High,
        cis: &["5.6"],
        cis_v1_6: &["5.5"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
