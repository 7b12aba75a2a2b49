//! DMN015 live-restore-disabled: containers stop whenever the daemon stops (upgrade, crash,
//! restart), because live restore is off.
//!
//! Read from `/info` (`LiveRestoreEnabled`), so remote engines are judged too. Live restore does
//! not work with swarm mode, so a swarm node passes (CIS marks the control not applicable there).

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN015",
        name: "live-restore-disabled",
        title: "Live restore is disabled",
        rationale: "Without live restore every daemon restart, including one to apply a security update, stops all containers; that pushes operators to postpone engine updates. With it, containers keep running while the daemon is down.",
        remediation: "Set \"live-restore\": true in /etc/docker/daemon.json and reload the daemon (`systemctl reload docker`, or SIGHUP to dockerd); not for swarm nodes, where it is not supported.",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.16"],
        cis_v1_6: &["2.15"],
        references: &[
            "https://docs.docker.com/engine/daemon/live-restore/",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    let swarm_state = snapshot
        .info
        .as_ref()
        .and_then(|i| i.extra.get("Swarm"))
        .and_then(|s| s.get("LocalNodeState"))
        .and_then(|s| s.as_str())
        .unwrap_or("inactive");
    if swarm_state != "inactive" && !swarm_state.is_empty() {
        checks.pass(target);
        return;
    }
    match snapshot.daemon_setting("live-restore") {
        Effective::Set(s) if s.as_bool() == Some(true) => checks.pass(target),
        Effective::Set(s) => {
            checks
                .fail(
                    target,
                    format!(
                        "live restore is off: containers stop whenever the daemon does ({})",
                        s.source()
                    ),
                )
                .evidence(json!({"live-restore": false, "source": s.source()}));
        }
        Effective::Default => {
            checks
                .fail(target, "live restore is not set by any flag or daemon.json, so it is off: containers stop whenever the daemon does")
                .evidence(json!({"live-restore": "not set (dockerd default: false)"}));
        }
        Effective::Unknown(why) => checks.skip(why),
    }
}
