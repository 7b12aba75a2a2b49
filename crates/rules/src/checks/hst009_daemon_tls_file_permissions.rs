//! HST009 daemon-tls-file-permissions: the daemon's TLS CA certificate and server certificate must
//! be owned by root:root with at most mode 444, its key with at most 400 (CIS 3.9–3.14). The files
//! are the ones the daemon's configuration names (`tlscacert`, `tlscert`, `tlskey`; dockerd's
//! defaults under `~/.docker` when TLS is on without them); without that configuration the rule
//! skips.
//!
//! CIS ids: section 3 as numbered in v1.6.0 (docker-bench-security's checks); neither the v1.7.0
//! nor the v1.8.0 text was available to confirm that section 3 kept its numbering.

use dockaudit_snapshot::host::roles;

use crate::host::{
    docker_files_skip, docker_gid, file_target, host_facts, judge_file, Expect, Owner,
};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST009",
        name: "daemon-tls-file-permissions",
        title: "The daemon's TLS certificates and key are not root-owned and read-only",
        rationale: "These files authenticate the daemon's TCP API: whoever can read the server key can impersonate the daemon, and whoever can replace the CA certificate decides which clients may drive it, which is root on the host.",
        remediation: "Run `chown root:root` on the files named by --tlscacert, --tlscert and --tlskey (daemon.json `tlscacert`, `tlscert`, `tlskey`), `chmod 444` the two certificates and `chmod 400` the key.",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/protect-access/#use-tls-https-to-protect-the-docker-daemon-socket",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    if let Some(why) = docker_files_skip(snapshot) {
        checks.skip(why);
        return;
    }
    let facts = match host_facts(snapshot) {
        Ok(f) => f,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let files = match &facts.tls_files {
        dockaudit_snapshot::Fact::Value(files) => files,
        dockaudit_snapshot::Fact::Missing(why) => {
            checks.skip(why.clone());
            return;
        }
    };
    let gid = docker_gid(facts);
    checks.each(
        files.iter(),
        |f| file_target(&f.path),
        |f| {
            let (allowed, cis) = match f.role.as_str() {
                roles::TLS_KEY => (0o400, ("3.13", "3.14")),
                roles::TLS_CERT => (0o444, ("3.11", "3.12")),
                _ => (0o444, ("3.9", "3.10")),
            };
            let expect = Expect {
                owner: Owner::RootRoot,
                allowed,
                cis,
            };
            judge_file(f, expect, gid, f.role == roles::TLS_KEY, Severity::High)
        },
    );
}
