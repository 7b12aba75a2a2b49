//! HST003 docker-daemon-not-audited: no audit rule watches the `dockerd` binary, so a replaced or
//! tampered daemon leaves no trace in the audit log (CIS 1.1.3).
//!
//! The binary is the running daemon's (`/proc/PID/exe`, when the daemon configuration found the
//! process) and any other `dockerd` in the usual bin directories. Rules are those loaded in the kernel
//! (`auditctl -l`) when dockaudit could run it on the host, else the configured ones under
//! `/etc/audit`; a host without auditd has none. A watch on the path or on the file a symlink
//! there resolves to counts.
//!
//! CIS ids: v1.8.0 numbering confirmed for 1.1.5, 1.1.10 and 1.1.11 (Tenable's v1.8.0 audit); the
//! other section 1 ids are v1.7.0's, which match v1.6.0, and are assumed unchanged in v1.8.0.

use dockaudit_snapshot::host::roles;
use dockaudit_snapshot::Fact;

use crate::host::{docker_files_skip, fact, file_target, host_facts};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST003",
        name: "docker-daemon-not-audited",
        title: "The Docker daemon binary is not audited",
        rationale: "dockerd runs as root and controls every container; without an audit rule on its binary, replacing or modifying it (a persistence technique) leaves no record to investigate.",
        remediation: "Install auditd and watch the daemon binary: add `-w /usr/bin/dockerd -k docker` (the path `command -v dockerd` prints) to /etc/audit/rules.d/docker.rules, then load it with `augenrules --load`.",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["1.1.3"],
        cis_v1_6: &[],
        references: &[
            "https://man7.org/linux/man-pages/man8/auditctl.8.html",
            "https://docs.docker.com/engine/security/",
            "https://cwe.mitre.org/data/definitions/778.html",
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
    let (facts, audit) = match host_facts(snapshot)
        .and_then(|h| fact(&h.audit, "the audit rules").map(|a| (h, a)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    // (path, resolved path) of every dockerd known to exist, the running one first.
    let binaries: Vec<(String, Option<String>)> = facts
        .files_with_role(roles::DOCKERD)
        .filter_map(|f| match &f.stat {
            Fact::Value(Some(s)) => Some((f.path.clone(), s.link_target.clone())),
            _ => None,
        })
        .collect();
    if binaries.is_empty() {
        checks.skip("dockerd was found neither where the running daemon's process says nor in the usual bin directories");
        return;
    }
    for (path, resolved) in binaries {
        let watch = audit
            .watch_for(&path)
            .or_else(|| resolved.as_deref().and_then(|r| audit.watch_for(r)));
        match watch {
            Some(_) => checks.pass(file_target(&path)),
            None => {
                checks
                    .fail(
                        file_target(&path),
                        format!("no audit rule watches {path} ({})", audit.source),
                    )
                    .evidence(json!({
                        "path": path,
                        "resolved": resolved,
                        "audit_source": audit.source,
                        "audit_rules": audit.lines.len(),
                    }));
            }
        }
    }
}
