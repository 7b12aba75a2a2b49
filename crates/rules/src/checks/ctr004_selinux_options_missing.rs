//! CTR004 selinux-options-missing: Container has no SELinux label options.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR004",
        name: "selinux-options-missing",
        title: "Container has no SELinux label options",
        rationale: "",
        remediation: "",
        category: Category::Protections,
        severity: Severity::Medium,
        cis: &["5.3"],
        cis_v1_6: &["5.2"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
