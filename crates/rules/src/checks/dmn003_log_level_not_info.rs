//! DMN003 log-level-not-info: the daemon logs at a level other than `info`: `debug` (or debug
//! mode) writes request details, including what clients send, into the daemon log; `warn` and
//! quieter drop the events an investigation needs.
//!
//! Debug mode is read from `/info` (`Debug`), so remote engines are judged on it; the level
//! itself comes from the command line and daemon.json.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN003",
        name: "log-level-not-info",
        title: "Daemon log level is not info",
        rationale: "At info the daemon records the events needed to reconstruct what happened (container starts, API errors, pulls); debug also logs request bodies and internals that can leak sensitive data and flood the log, and warn, error or fatal drop the events an investigation needs.",
        remediation: "Remove --debug/-D and --log-level from the dockerd command line and \"debug\"/\"log-level\" from daemon.json, or set \"log-level\": \"info\", then reload the daemon (`systemctl reload docker`).",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.3"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/logs/",
            "https://docs.docker.com/reference/cli/dockerd/",
            "https://cwe.mitre.org/data/definitions/778.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    if let Effective::Set(debug) = snapshot.daemon_setting("debug") {
        if debug.as_bool() == Some(true) {
            checks
                .fail(
                    target,
                    format!("the daemon runs in debug mode: {}", debug.source()),
                )
                .evidence(json!({"debug": true, "source": debug.source()}));
            return;
        }
    }
    match snapshot.daemon_setting("log-level") {
        Effective::Set(level) => {
            let value = level.as_str().unwrap_or_default().to_ascii_lowercase();
            if value == "info" || value.is_empty() {
                checks.pass(target);
            } else {
                let why = if matches!(value.as_str(), "debug" | "trace") {
                    "too verbose: request details end up in the daemon log"
                } else {
                    "too quiet: events an investigation needs are not logged"
                };
                checks
                    .fail(
                        target,
                        format!("the daemon logs at `{value}`, {why} ({})", level.source()),
                    )
                    .evidence(json!({"log-level": value, "source": level.source()}));
            }
        }
        Effective::Default => checks.pass(target),
        Effective::Unknown(why) => checks.skip(why),
    }
}
