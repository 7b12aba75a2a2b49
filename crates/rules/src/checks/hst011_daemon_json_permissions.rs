//! HST011 daemon-json-permissions: the daemon's `daemon.json` (the default, or the
//! `--config-file` the running daemon was given) must be owned by root:root with at most mode 644
//! (CIS 3.17, 3.18).
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST011",
        name: "daemon-json-permissions",
        title: "daemon.json is not root-owned with mode 644 or stricter",
        rationale: "daemon.json configures the root-privileged daemon: whoever can write it can open a TCP listener without TLS, turn off user namespaces or set a runtime of their choosing at the next restart or reload.",
        remediation: "Run `chown root:root /etc/docker/daemon.json` and `chmod 644 /etc/docker/daemon.json` (or 600).",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["3.17", "3.18"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    check_files(
        input,
        checks,
        &[roles::DAEMON_JSON],
        |_| Expect {
            owner: Owner::RootRoot,
            allowed: 0o644,
            cis: ("3.17", "3.18"),
        },
        |_| false,
        Severity::High,
    );
}
