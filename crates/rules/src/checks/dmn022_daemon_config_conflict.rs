//! DMN022 daemon-config-conflict: a daemon setting is given both as a dockerd flag and in
//! daemon.json (dockerd refuses to start that way, so the file was changed after the daemon
//! started and its next restart fails), or daemon.json says one thing and the running daemon
//! reports another (the file was changed and not applied).
//!
//! Needs the command line and daemon.json; a conflict found with only one of them readable is
//! still reported, but "no conflict" then cannot be claimed and the rule skips.

use dockaudit_snapshot::daemon::{ConflictKind, FileState};
use dockaudit_snapshot::Fact;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN022",
        name: "daemon-config-conflict",
        title: "Daemon settings conflict between the command line, daemon.json and the running daemon",
        rationale: "dockerd refuses to start when a setting is both a flag and a daemon.json key, so such a pair on a running daemon means its next restart will fail; a daemon.json value the running daemon does not have means the configuration on disk is not what is in force, and reviews of the file are reviewing something else.",
        remediation: "Keep each setting in one place: remove it from the dockerd command line (systemd drop-in `ExecStart=`, /etc/default/docker) or from daemon.json; then reload (`systemctl reload docker`) or restart the daemon so the file is what runs.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/troubleshoot/#configuration-conflicts",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let config = match snapshot.daemon_config() {
        Ok(c) => c,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let target = daemon_target(snapshot);
    for c in &config.conflicts {
        let severity = match c.kind {
            ConflictKind::FlagAndFile => Severity::Medium,
            ConflictKind::FileAndRunning => Severity::Low,
        };
        let origins: Vec<String> = c.origins.iter().map(|o| o.describe()).collect();
        checks
            .fail(target.clone(), c.message.clone())
            .evidence(json!({"setting": c.key, "conflict": c.kind, "origins": origins}))
            .severity(severity);
    }
    if !config.conflicts.is_empty() {
        return;
    }
    match (&config.process, &config.file) {
        (Fact::Value(_), Fact::Value(f)) if f.state == FileState::Malformed => {
            checks.skip(format!(
                "{} is not valid JSON: its settings, and so conflicts with them, are unknown",
                f.path
            ))
        }
        (Fact::Value(_), Fact::Value(_)) => checks.pass(target),
        (Fact::Missing(why), _) => checks.skip(format!(
            "the dockerd command line was not read ({why}): flag and daemon.json conflicts cannot be ruled out"
        )),
        (_, Fact::Missing(why)) => checks.skip(format!(
            "daemon.json was not read ({why}): conflicts with it cannot be ruled out"
        )),
    }
}
