//! DMN002 icc-enabled: containers on the default bridge may talk to each other on every port
//! (`icc` is on, dockerd's default).
//!
//! The default bridge network's `com.docker.network.bridge.enable_icc` option is what the running
//! daemon applied, so it decides when the network was collected (remote engines included); else the
//! `icc` setting from the command line and daemon.json does. With no default bridge (`"bridge":
//! "none"`) there is nothing to restrict.

use dockaudit_snapshot::daemon::Effective;
use dockaudit_snapshot::Network;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN002",
        name: "icc-enabled",
        title: "Inter-container communication is allowed on the default bridge",
        rationale: "With icc on, every container on the default bridge can reach every port of every other one, so one compromised container can attack or sniff all the others; with it off, only links and published ports connect them.",
        remediation: "Set \"icc\": false in /etc/docker/daemon.json (or run dockerd with --icc=false) and restart the daemon; put containers that must talk to each other on a user-defined network (`docker network create app`, compose `networks:`).",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &["2.2"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/network/drivers/bridge/#differences-between-user-defined-bridges-and-the-default-bridge",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://cwe.mitre.org/data/definitions/923.html",
        ],
    },
    check,
};

const ICC_OPTION: &str = "com.docker.network.bridge.enable_icc";

fn is_default_bridge(n: &Network) -> bool {
    n.options
        .get("com.docker.network.bridge.default_bridge")
        .is_some_and(|v| v == "true")
        || (n.name == "bridge" && n.driver == "bridge")
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    let setting = snapshot.daemon_setting("icc");
    let configured = match &setting {
        Effective::Set(s) => json!({"icc": s.value, "source": s.source()}),
        Effective::Default => json!({"icc": "not set (dockerd default: true)"}),
        Effective::Unknown(_) => serde_json::Value::Null,
    };
    if let Some(bridge) = snapshot.networks.iter().find(|n| is_default_bridge(n)) {
        let evidence = json!({
            "network": bridge.name,
            ICC_OPTION: bridge.options.get(ICC_OPTION),
            "configured": configured,
        });
        match bridge.options.get(ICC_OPTION).map(String::as_str) {
            Some("false") => checks.pass(target),
            // The engine omits the option only where it keeps the default, which is on.
            _ => {
                checks
                    .fail(
                        target,
                        format!(
                            "containers on the default bridge network `{}` can reach each other on every port ({ICC_OPTION} is not false)",
                            bridge.name
                        ),
                    )
                    .evidence(evidence);
            }
        }
        return;
    }
    if let Effective::Set(bridge) = snapshot.daemon_setting("bridge") {
        if bridge.as_str() == Some("none") {
            checks.pass(target);
            return;
        }
    }
    match setting {
        Effective::Set(s) if s.as_bool() == Some(false) => checks.pass(target),
        Effective::Set(s) => {
            checks
                .fail(target, format!("icc is on: {}", s.source()))
                .evidence(configured);
        }
        Effective::Default => {
            checks
                .fail(
                    target,
                    "icc is not set by any flag or daemon.json, so dockerd's default applies: containers on the default bridge can reach each other on every port",
                )
                .evidence(configured);
        }
        Effective::Unknown(why) => checks.skip(format!(
            "the default bridge network was not collected and {why}"
        )),
    }
}
