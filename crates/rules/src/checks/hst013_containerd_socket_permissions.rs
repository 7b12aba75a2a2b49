//! HST013 containerd-socket-permissions: containerd's socket must be owned by root:root with at
//! most mode 660 (CIS 3.23, 3.24). Both containerd's own socket and the one of a containerd that
//! dockerd runs itself (`/var/run/docker/containerd/containerd.sock`) are checked where they exist.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST013",
        name: "containerd-socket-permissions",
        title: "The containerd socket is not owned by root:root with mode 660 or stricter",
        rationale: "containerd's API runs containers below Docker, without Docker's checks: whoever can use its socket can start a privileged container and is root on the host.",
        remediation: "Run `chown root:root /run/containerd/containerd.sock` and `chmod 660 /run/containerd/containerd.sock`; set the socket's `uid`/`gid` in the `[grpc]` section of /etc/containerd/config.toml so it stays that way.",
        category: Category::Host,
        severity: Severity::High,
        cis: &["3.23", "3.24"],
        cis_v1_6: &[],
        references: &[
            "https://github.com/containerd/containerd/blob/main/docs/man/containerd-config.toml.5.md",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    check_files(
        input,
        checks,
        &[roles::CONTAINERD_SOCK],
        |_| Expect {
            owner: Owner::RootRoot,
            allowed: 0o660,
            cis: ("3.23", "3.24"),
        },
        |_| false,
        Severity::Critical,
    );
}
