//! DMN019 swarm-mode-enabled: the engine is a swarm node. CIS asks to keep swarm mode off where it
//! is not needed, because it opens cluster ports and adds a control plane; whether it is needed is
//! the operator's call, so the finding is Low.
//!
//! Read from `/info` (`Swarm.LocalNodeState`), so remote engines are judged too. CIS v1.6.0 has
//! this control as 7.1; v1.7.0 moved it to 5.1.

use serde_json::Value;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN019",
        name: "swarm-mode-enabled",
        title: "Swarm mode is enabled",
        rationale: "A swarm node listens on the cluster management port (2377 on managers), the gossip port 7946 and the overlay port 4789, and accepts work from the swarm's managers; on a host that does not need orchestration this is attack surface for nothing.",
        remediation: "If the host does not need swarm, leave it: `docker swarm leave` (managers: `docker swarm leave --force` after moving the services elsewhere).",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["5.1"],
        cis_v1_6: &["7.1"],
        references: &[
            "https://docs.docker.com/engine/swarm/",
            "https://docs.docker.com/reference/cli/docker/swarm/leave/",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let Some(info) = &snapshot.info else {
        checks.skip(
            "engine info (docker info) was not collected: cannot tell whether swarm mode is on",
        );
        return;
    };
    let target = daemon_target(snapshot);
    let swarm = info.extra.get("Swarm");
    let state = swarm
        .and_then(|s| s.get("LocalNodeState"))
        .and_then(Value::as_str)
        .unwrap_or("inactive");
    if state == "inactive" || state.is_empty() {
        checks.pass(target);
        return;
    }
    let manager = swarm
        .and_then(|s| s.get("ControlAvailable"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    checks
        .fail(
            target,
            format!(
                "swarm mode is {state}: this node is a swarm {}",
                if manager { "manager" } else { "worker" }
            ),
        )
        .evidence(json!({
            "Swarm.LocalNodeState": state,
            "Swarm.ControlAvailable": manager,
            "Swarm.NodeAddr": swarm.and_then(|s| s.get("NodeAddr")),
        }));
}
