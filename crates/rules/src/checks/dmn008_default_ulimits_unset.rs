//! DMN008 default-ulimits-unset: the daemon sets no default ulimits, so containers inherit the
//! daemon's own limits (on systemd hosts, `LimitNOFILE=infinity` and no process cap).
//!
//! CIS treats the right values as site policy (a manual control); the rule reports only that
//! none is set, at Info. Read from the command line (`--default-ulimit`) and daemon.json
//! (`default-ulimits`).

use dockaudit_snapshot::daemon::Effective;
use serde_json::Value;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN008",
        name: "default-ulimits-unset",
        title: "Daemon sets no default ulimits for containers",
        rationale: "Without default ulimits every container inherits the daemon's limits, often unlimited open files and processes, so one container can exhaust the host's file descriptors or process table unless each run sets its own --ulimit.",
        remediation: "Set defaults in daemon.json, e.g. \"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Soft\": 1024, \"Hard\": 65536}, \"nproc\": {\"Name\": \"nproc\", \"Soft\": 4096, \"Hard\": 8192}} (or --default-ulimit nofile=1024:65536), and restart the daemon; containers that need more ask with --ulimit.",
        category: Category::Daemon,
        severity: Severity::Info,
        cis: &["2.9"],
        cis_v1_6: &["2.8"],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#default-ulimit-settings",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("default-ulimits") {
        Effective::Set(s) if !is_empty(&s.value) => checks.pass(target),
        Effective::Set(s) => {
            checks
                .fail(target, format!("default-ulimits is empty ({})", s.source()))
                .evidence(json!({"default-ulimits": s.value, "source": s.source()}));
        }
        Effective::Default => {
            checks
                .fail(target, "no default ulimits are set (no --default-ulimit flag, no \"default-ulimits\" in daemon.json): containers inherit the daemon's limits")
                .evidence(json!({"default-ulimits": null}));
        }
        Effective::Unknown(why) => checks.skip(why),
    }
}
