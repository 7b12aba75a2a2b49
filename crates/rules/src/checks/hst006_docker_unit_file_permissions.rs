//! HST006 docker-unit-file-permissions: the `docker.service` and `docker.socket` units (and
//! `docker.service.d` drop-ins) must be owned by root:root with at most mode 644 (CIS 3.1–3.4).
//! Every unit directory where a unit exists is checked; modes are judged by bits.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST006",
        name: "docker-unit-file-permissions",
        title: "Docker's systemd units are not root-owned with mode 644 or stricter",
        rationale: "The units say how dockerd starts: whoever can write docker.service or a drop-in can add `-H tcp://0.0.0.0:2375` or run any command as root at the next restart.",
        remediation: "Find the units with `systemctl show -p FragmentPath,DropInPaths docker.service docker.socket`, then `chown root:root FILE` and `chmod 644 FILE` (or stricter) for each.",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["3.1", "3.2", "3.3", "3.4"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/proxy/#systemd-unit-file",
            "https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    check_files(
        input,
        checks,
        &[
            roles::DOCKER_SERVICE,
            roles::DOCKER_SERVICE_DROPIN,
            roles::DOCKER_SOCKET_UNIT,
        ],
        |f| Expect {
            owner: Owner::RootRoot,
            allowed: 0o644,
            cis: if f.role == roles::DOCKER_SOCKET_UNIT {
                ("3.3", "3.4")
            } else {
                ("3.1", "3.2")
            },
        },
        |_| false,
        Severity::High,
    );
}
