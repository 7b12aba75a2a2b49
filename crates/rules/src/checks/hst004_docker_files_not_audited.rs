//! HST004 docker-files-not-audited: the files and directories CIS 1.1.4–1.1.18 name (containerd's
//! run directory, the Docker root, `/etc/docker`, the units, the sockets, daemon.json, the
//! environment files, containerd's configuration and binaries, the shims, runc) have no audit
//! rule, so changes to them leave no trace.
//!
//! Each file that exists on the host is a target; one that is absent is not applicable. A watch
//! on the path, on the file a symlink there resolves to, or a recursive one on a directory above
//! it counts. CIS 1.1.9 is read as the `docker.socket` unit, as docker-bench-security does (some
//! renderings of the benchmark title it "docker.sock").
//!
//! CIS ids: v1.8.0 numbering confirmed for 1.1.5, 1.1.10 and 1.1.11 (Tenable's v1.8.0 audit); the
//! other section 1 ids are v1.7.0's, which match v1.6.0, and are assumed unchanged in v1.8.0.

use dockaudit_snapshot::host::{roles, FileFact};
use dockaudit_snapshot::Fact;

use crate::host::{docker_files_skip, fact, file_target, host_facts};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST004",
        name: "docker-files-not-audited",
        title: "Docker's files and directories are not audited",
        rationale: "The units, sockets, configuration, data directory and runtime binaries decide what the root-privileged daemon runs; without audit rules, changing them (to add a TCP listener, swap runc, or loosen the socket) leaves no record.",
        remediation: "Install auditd and add a watch for each file reported, e.g. `-w /etc/docker -k docker`, `-w /var/lib/docker -k docker`, `-w /usr/bin/runc -k docker`, to /etc/audit/rules.d/docker.rules, then load them with `augenrules --load`.",
        category: Category::Host,
        severity: Severity::Low,
        cis: &[
            "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.9", "1.1.10", "1.1.11", "1.1.12",
            "1.1.13", "1.1.14", "1.1.15", "1.1.16", "1.1.17", "1.1.18",
        ],
        cis_v1_6: &[],
        references: &[
            "https://man7.org/linux/man-pages/man8/auditctl.8.html",
            "https://docs.docker.com/engine/security/",
            "https://cwe.mitre.org/data/definitions/778.html",
        ],
    },
    check,
};

/// Which CIS control asks for a watch on each role.
const CONTROLS: &[(&str, &str)] = &[
    (roles::RUN_CONTAINERD, "1.1.4"),
    (roles::DOCKER_ROOT, "1.1.5"),
    (roles::ETC_DOCKER, "1.1.6"),
    (roles::DOCKER_SERVICE, "1.1.7"),
    (roles::CONTAINERD_SOCK, "1.1.8"),
    (roles::DOCKER_SOCKET_UNIT, "1.1.9"),
    (roles::ETC_DEFAULT_DOCKER, "1.1.10"),
    (roles::DAEMON_JSON, "1.1.11"),
    (roles::CONTAINERD_CONFIG, "1.1.12"),
    (roles::ETC_SYSCONFIG_DOCKER, "1.1.13"),
    (roles::CONTAINERD, "1.1.14"),
    (roles::CONTAINERD_SHIM, "1.1.15"),
    (roles::CONTAINERD_SHIM_RUNC_V1, "1.1.16"),
    (roles::CONTAINERD_SHIM_RUNC_V2, "1.1.17"),
    (roles::RUNC, "1.1.18"),
];

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    if let Some(why) = docker_files_skip(snapshot) {
        checks.skip(why);
        return;
    }
    let (facts, audit) = match host_facts(snapshot)
        .and_then(|h| fact(&h.audit, "the audit rules").map(|a| (h, a)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let files: Vec<(&FileFact, &str)> = CONTROLS
        .iter()
        .flat_map(|(role, cis)| facts.files_with_role(role).map(move |f| (f, *cis)))
        .collect();
    checks.each(
        files.iter(),
        |(f, _)| file_target(&f.path),
        |(f, cis)| {
            let stat = match &f.stat {
                Fact::Missing(why) => {
                    return Verdict::Skip(format!("whether {} exists is unknown: {why}", f.path))
                }
                Fact::Value(None) => return Verdict::NotApplicable,
                Fact::Value(Some(stat)) => stat,
            };
            let watched = audit.watch_for(&f.path).or_else(|| {
                stat.link_target
                    .as_deref()
                    .and_then(|real| audit.watch_for(real))
            });
            match watched {
                Some(_) => Verdict::Pass,
                None => Verdict::fail(format!(
                    "no audit rule watches {} (CIS {cis}; {})",
                    f.path, audit.source
                ))
                .with_evidence(json!({
                    "path": f.path,
                    "resolved": stat.link_target,
                    "cis": cis,
                    "audit_source": audit.source,
                    "audit_rules": audit.lines.len(),
                })),
            }
        },
    );
}
