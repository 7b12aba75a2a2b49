//! CTR002 container-runs-as-root: Container runs as root.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR002",
        name: "container-runs-as-root",
        title: "Container runs as root",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["4.1"],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
