//! CTR018 suspicious-process: Suspicious process running in the container.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR018",
        name: "suspicious-process",
        title: "Suspicious process running in the container",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::Critical,
        cis: &[],
        cis_v1_6: &[],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
