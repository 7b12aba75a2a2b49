//! DMN021 daemon-config-invalid: the daemon.json the running daemon reads is not valid JSON, has
//! a key dockerd does not know, uses a flag's name where daemon.json names the setting otherwise
//! (`insecure-registry` for `insecure-registries`: accepted and silently ignored), or repeats a
//! key (the last one silently wins).
//!
//! dockerd refuses to start with invalid JSON or an unknown key, so a running daemon with such a
//! file means the file was edited after it started and its next restart, a reboot or an update,
//! will fail; an ignored key means a setting the operator believes in is not applied. Each problem
//! is reported with the file's path and the line to fix.

use dockaudit_report::Target;
use dockaudit_snapshot::daemon::{FileState, ProblemKind};
use dockaudit_snapshot::Fact;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN021",
        name: "daemon-config-invalid",
        title: "daemon.json is invalid, or has keys dockerd rejects or ignores",
        rationale: "dockerd refuses to start when daemon.json is not valid JSON or has a key it does not know; a running daemon with such a file was configured before the edit, and its next restart (a reboot, an engine update) leaves the host without containers. Keys that dockerd accepts but ignores leave a setting unapplied while the file says otherwise.",
        remediation: "Fix the line the finding names (`dockerd --validate --config-file /etc/docker/daemon.json` checks the file without starting, Docker 23 and later), use the daemon.json names of settings (\"hosts\", \"insecure-registries\", \"default-ulimits\"…), keep each key once, then reload or restart the daemon.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://docs.docker.com/engine/daemon/troubleshoot/",
        ],
    },
    check,
};

fn file_target(path: &str) -> Target {
    Target {
        kind: "file".into(),
        id: path.to_string(),
        name: path.to_string(),
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let config = match input.snapshot.daemon_config() {
        Ok(c) => c,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let file = match &config.file {
        Fact::Value(f) => f,
        Fact::Missing(why) => {
            checks.skip(format!("daemon.json was not read: {why}"));
            return;
        }
    };
    if config.problems.is_empty() {
        // No file at all is valid too: dockerd runs on flags and defaults.
        checks.pass(file_target(&file.path));
        return;
    }
    for p in &config.problems {
        let severity = match p.kind {
            ProblemKind::Malformed | ProblemKind::UnknownKey => Severity::High,
            ProblemKind::IgnoredKey => Severity::Medium,
            ProblemKind::DuplicateKey => Severity::Low,
        };
        checks
            .fail(file_target(&p.path), p.message.clone())
            .evidence(json!({
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "problem": p.kind,
                "key": p.key,
                "file_state": match file.state {
                    FileState::Malformed => "malformed",
                    FileState::Read => "read",
                    FileState::Absent => "absent",
                },
            }))
            .severity(severity)
            .location(p.path.clone(), p.line.max(1), p.column.max(1));
    }
}
