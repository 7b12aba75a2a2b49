//! DMN013 remote-logging-missing: containers log with a driver that keeps logs on this host only
//! (`json-file`, `local`) or not at all (`none`), so they are lost with the host and can be
//! altered by whoever takes it over.
//!
//! Read from `/info` (`LoggingDriver`, the daemon's default for new containers), so remote
//! engines are judged too. `journald` and `syslog` count as central: the host's log service is
//! where forwarding to a log server is usually set up.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN013",
        name: "remote-logging-missing",
        title: "Container logs are not sent to a central log service",
        rationale: "Logs kept only in files on the container host disappear with it and can be edited by an attacker who controls it; shipping them to a central service keeps the record an investigation needs.",
        remediation: "Set a shipping log driver as the default in daemon.json, e.g. \"log-driver\": \"syslog\" with \"log-opts\": {\"syslog-address\": \"tcp://logs.example:514\"} (or journald with the host forwarding its journal, fluentd, gelf, splunk, awslogs), and restart the daemon; existing containers keep their driver until recreated.",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.14"],
        cis_v1_6: &["2.13"],
        references: &[
            "https://docs.docker.com/engine/logging/configure/",
            "https://cwe.mitre.org/data/definitions/778.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    let (driver, source) = match snapshot.daemon_setting("log-driver") {
        Effective::Set(s) => (s.as_str().unwrap_or_default().to_string(), s.source()),
        Effective::Default => ("json-file".to_string(), "dockerd default".to_string()),
        Effective::Unknown(why) => {
            checks.skip(why);
            return;
        }
    };
    if matches!(driver.as_str(), "json-file" | "local" | "none" | "") {
        let what = if driver == "none" {
            "containers log nothing by default (log driver none)".to_string()
        } else {
            format!("containers log with the {driver} driver by default, which keeps logs on this host only")
        };
        checks
            .fail(target, format!("{what} ({source})"))
            .evidence(json!({"log-driver": driver, "source": source}));
    } else {
        checks.pass(target);
    }
}
