//! RES003 pids-limit-missing: Container has no PIDs limit.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES003",
        name: "pids-limit-missing",
        title: "Container has no PIDs limit",
        rationale: "",
        remediation: "",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.29"],
        cis_v1_6: &["5.28"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
