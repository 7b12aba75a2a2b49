//! CTR008 host-ipc-namespace: Container shares the host's IPC namespace.
//!
//! STUB generated from the rule table: the check and the texts are still to be written.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR008",
        name: "host-ipc-namespace",
        title: "Container shares the host's IPC namespace",
        rationale: "",
        remediation: "",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.17"],
        cis_v1_6: &["5.16"],
        references: &[],
    },
    check,
};

fn check(_input: &AuditInput, checks: &mut Checks) {
    checks.skip("not implemented yet");
}
