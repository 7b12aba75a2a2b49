//! HST008 registry-cert-permissions: files under `/etc/docker/certs.d/<registry>/` must be owned
//! by root:root with at most mode 444 (CIS 3.7, 3.8). A client key (`*.key`) must be 400 at most:
//! CIS's 444 would let every user read a private key, so dockaudit asks for less.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{check_files, Expect, Owner};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST008",
        name: "registry-cert-permissions",
        title: "Registry certificates are not root-owned and read-only",
        rationale: "The daemon trusts the CA certificates under certs.d to verify registries and presents the client keys there; whoever can replace a CA can serve forged images, and whoever can read a client key can impersonate this host to the registry.",
        remediation: "Run `chown root:root /etc/docker/certs.d/*/*`, `chmod 444` the certificates (`*.crt`, `*.cert`) and `chmod 400` the keys (`*.key`).",
        category: Category::Host,
        severity: Severity::Low,
        cis: &["3.7", "3.8"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/certificates/",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn is_key(f: &dockaudit_snapshot::host::FileFact) -> bool {
    f.path.ends_with(".key")
}

fn check(input: &AuditInput, checks: &mut Checks) {
    check_files(
        input,
        checks,
        &[roles::REGISTRY_CERT],
        |f| Expect {
            owner: Owner::RootRoot,
            allowed: if is_key(f) { 0o400 } else { 0o444 },
            cis: ("3.7", "3.8"),
        },
        is_key,
        Severity::Medium,
    );
}
