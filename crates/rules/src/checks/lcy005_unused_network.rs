//! LCY005 unused-network: a user-defined network with no container on it (running or stopped) is
//! left over from a retired project; it keeps address ranges, bridges and firewall rules around.
//!
//! Stopped containers are not in a network's `Containers` map, so attachments are read from every
//! container in the snapshot: `NetworkSettings.Networks` (by name and `NetworkID`) and
//! `HostConfig.NetworkMode` naming the network. The engine's own networks (`bridge`, `host`, `none`,
//! swarm's `ingress` and `docker_gwbridge`) are not judged; swarm-scoped networks are skipped, since
//! containers on other nodes may use them.
//!
//! A snapshot collected with `--label` holds only some containers: what would be reported unused
//! is skipped with the reason ([`facts::unused_unknowable`]).

use dockaudit_snapshot::Network;

use crate::input::network_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY005",
        name: "unused-network",
        title: "User-defined network no container uses",
        rationale: "Unused networks keep bridges, address ranges and firewall rules on the host that nobody reviews, can collide with new networks' subnets, and make the network layout harder to audit.",
        remediation: "Remove it: `docker network rm NAME`, or `docker network prune` for every unused network (compose: `docker compose down` removes a project's networks).",
        category: Category::Lifecycle,
        severity: Severity::Info,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/network/prune/",
            "https://docs.docker.com/engine/network/",
            "https://cwe.mitre.org/data/definitions/1164.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let unknowable = facts::unused_unknowable(input.snapshot);
    let containers = input.all_containers();
    checks.each(input.networks.iter().copied(), network_target, |n| {
        if n.is_predefined() || is_swarm_system(n) {
            return Verdict::NotApplicable;
        }
        if !n.containers.is_empty() || containers.iter().any(|c| attached(c, n)) {
            return Verdict::Pass;
        }
        if n.scope == "swarm" {
            return Verdict::Skip(
                "swarm-scoped network: containers on other nodes may use it".into(),
            );
        }
        if let Some(reason) = &unknowable {
            return Verdict::Skip(reason.clone());
        }
        Verdict::fail(format!(
            "no container is attached to it (driver {})",
            n.driver
        ))
        .with_evidence(json!({
            "Driver": n.driver,
            "Scope": n.scope,
            "Created": n.created,
        }))
    });
}

/// Swarm's own networks, which the engine manages.
fn is_swarm_system(n: &Network) -> bool {
    n.name == "docker_gwbridge"
        || n.extra
            .get("Ingress")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
}

/// Whether a container (in any state) is attached to the network.
fn attached(c: &Container, n: &Network) -> bool {
    let names_it = |value: &str| {
        !value.is_empty() && (value == n.name || (value.len() >= 12 && n.id.starts_with(value)))
    };
    names_it(&c.inspect.host_config.network_mode)
        || c.inspect
            .network_settings
            .networks
            .iter()
            .any(|(name, endpoint)| {
                names_it(name) || (!endpoint.network_id.is_empty() && endpoint.network_id == n.id)
            })
}
