//! HST012 docker-env-file-permissions: `/etc/default/docker` and `/etc/sysconfig/docker` must be
//! owned by root:root with at most mode 644 (CIS 3.19–3.22); either is not applicable when absent.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST012",
        name: "docker-env-file-permissions",
        title: "Docker's environment files are not root-owned with mode 644 or stricter",
        rationale: "Init scripts and some units read DOCKER_OPTS and OPTIONS from these files into dockerd's command line: whoever can write them can add flags to the root-privileged daemon.",
        remediation: "Run `chown root:root FILE` and `chmod 644 FILE` for /etc/default/docker and /etc/sysconfig/docker.",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["3.19", "3.20", "3.21", "3.22"],
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
        &[roles::ETC_DEFAULT_DOCKER, roles::ETC_SYSCONFIG_DOCKER],
        |f| Expect {
            owner: Owner::RootRoot,
            allowed: 0o644,
            cis: if f.role == roles::ETC_DEFAULT_DOCKER {
                ("3.19", "3.20")
            } else {
                ("3.22", "3.21")
            },
        },
        |_| false,
        Severity::High,
    );
}
