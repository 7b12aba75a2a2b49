//! HST010 docker-socket-permissions: the engine's unix socket must be owned by root:docker with
//! at most mode 660 (CIS 3.15, 3.16). `/var/run/docker.sock` is checked, and the socket dockaudit
//! reached the engine through when that is another.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST010",
        name: "docker-socket-permissions",
        title: "The Docker socket is not owned by root:docker with mode 660 or stricter",
        rationale: "Access to the engine socket is root on the host: a socket others may write lets every local user (and every process of a compromised service) start a privileged container.",
        remediation: "Run `chown root:docker /var/run/docker.sock` and `chmod 660 /var/run/docker.sock`; for a socket made by systemd set `SocketMode=0660`, `SocketUser=root`, `SocketGroup=docker` in docker.socket.",
        category: Category::Host,
        severity: Severity::High,
        cis: &["3.15", "3.16"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-socket-option",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    check_files(
        input,
        checks,
        &[roles::DOCKER_SOCK],
        |_| Expect {
            owner: Owner::RootDocker,
            allowed: 0o660,
            cis: ("3.15", "3.16"),
        },
        |_| false,
        Severity::Critical,
    );
}
