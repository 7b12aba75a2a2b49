//! DMN020 swarm-autolock-disabled: this swarm manager does not lock its raft data at rest
//! (auto-lock off), so the swarm's secrets and TLS keys can be read from its disk.
//!
//! Checked only on an active swarm manager; elsewhere the rule is skipped with that reason. Read
//! from `/info` (`Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers`).
//!
//! CIS ids: v1.6.0 7.6 is confirmed; v1.8.0 7.5 is inferred (swarm mode moved from 7.1 to 5.1,
//! shifting section 7 by one), not read from the v1.8.0 document.

use serde_json::Value;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN020",
        name: "swarm-autolock-disabled",
        title: "Swarm manager auto-lock is disabled",
        rationale: "A manager keeps the raft log, with the swarm's secrets and the keys of its TLS certificates, encrypted with a key it stores on the same disk unless auto-lock is on; with auto-lock the key must be supplied at every daemon start, so a stolen disk or backup does not reveal them.",
        remediation: "Run `docker swarm update --autolock=true` on a manager and keep the unlock key it prints in a secret store; after a daemon restart unlock the manager with `docker swarm unlock`.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &["7.5"],
        cis_v1_6: &["7.6"],
        references: &[
            "https://docs.docker.com/engine/swarm/swarm_manager_locking/",
            "https://cwe.mitre.org/data/definitions/311.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let Some(info) = &snapshot.info else {
        checks.skip("engine info (docker info) was not collected: cannot tell whether this is a swarm manager");
        return;
    };
    let swarm = info.extra.get("Swarm");
    let state = swarm
        .and_then(|s| s.get("LocalNodeState"))
        .and_then(Value::as_str)
        .unwrap_or("inactive");
    let target = daemon_target(snapshot);
    match state {
        // A locked manager is one with auto-lock on, waiting for its key.
        "locked" => {
            checks.pass(target);
            return;
        }
        "active" => {}
        _ => {
            checks.skip(format!(
                "swarm mode is {state} on this engine: there is no swarm manager to check"
            ));
            return;
        }
    }
    if !swarm
        .and_then(|s| s.get("ControlAvailable"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        checks.skip("this node is a swarm worker: auto-lock applies to managers");
        return;
    }
    let autolock = swarm
        .and_then(|s| s.pointer("/Cluster/Spec/EncryptionConfig/AutoLockManagers"))
        .and_then(Value::as_bool);
    match autolock {
        Some(true) => checks.pass(target),
        Some(false) => {
            checks
                .fail(
                    target,
                    "this swarm manager keeps its raft data unlocked at rest (auto-lock is off)",
                )
                .evidence(json!({"Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers": false}));
        }
        None => checks.skip("docker info does not report the swarm's auto-lock setting"),
    }
}
