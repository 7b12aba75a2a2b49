//! HST007 docker-config-dir-permissions: `/etc/docker` must be owned by root:root with at most
//! mode 755 (CIS 3.5, 3.6); modes are judged by bits, so 700 passes.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST007",
        name: "docker-config-dir-permissions",
        title: "/etc/docker is not root-owned with mode 755 or stricter",
        rationale: "/etc/docker holds daemon.json, TLS keys and registry certificates; whoever can write the directory can replace any of them and reconfigure the root-privileged daemon.",
        remediation: "Run `chown root:root /etc/docker` and `chmod 755 /etc/docker` (or 700).",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["3.5", "3.6"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    check_files(
        input,
        checks,
        &[roles::ETC_DOCKER],
        |_| Expect {
            owner: Owner::RootRoot,
            allowed: 0o755,
            cis: ("3.5", "3.6"),
        },
        |_| false,
        Severity::High,
    );
}
