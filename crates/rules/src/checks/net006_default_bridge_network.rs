//! NET006 default-bridge-network: every container started without `--network` shares the default
//! `bridge` (docker0), where all of them can reach each other and there is no name resolution.
//!
//! Containers on the host network, on no network, or sharing another container's network
//! (`container:…`) are not judged: NET001 covers the first, the others have no bridge of their own.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET006",
        name: "default-bridge-network",
        title: "Container uses the default docker0 bridge",
        rationale: "All containers on the default bridge can talk to each other on every port, so one compromised container can attack every other unrelated one; user-defined networks isolate groups of containers and add name-based discovery.",
        remediation: "Create a network per application and attach its containers to it: `docker network create APPNET` then `docker run --network APPNET …` (compose does this by default; do not set `network_mode: bridge`); consider disabling inter-container traffic on the default bridge (daemon.json: `\"icc\": false`).",
        category: Category::Network,
        severity: Severity::Low,
        cis: &["5.30"],
        cis_v1_6: &["5.29"],
        references: &[
            "https://docs.docker.com/engine/network/drivers/bridge/#differences-between-user-defined-bridges-and-the-default-bridge",
            "https://docs.docker.com/engine/network/",
            "https://cwe.mitre.org/data/definitions/923.html",
        ],
    },
    check,
};

/// Names of the engines' default networks (Docker's `bridge`, Podman's `podman`).
const DEFAULT_NETWORKS: &[&str] = &["bridge", "podman"];

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mode = c.inspect.host_config.network_mode.as_str();
        if matches!(mode, "host" | "none") || mode.starts_with("container:") {
            return Verdict::NotApplicable;
        }
        let attached: Vec<&str> = c
            .inspect
            .network_settings
            .networks
            .keys()
            .map(String::as_str)
            .filter(|n| DEFAULT_NETWORKS.contains(n))
            .collect();
        if matches!(mode, "default" | "bridge") || !attached.is_empty() {
            let network = attached.first().copied().unwrap_or("bridge");
            Verdict::fail(format!(
                "attached to the default `{network}` network, shared with every container started without --network"
            ))
            .with_evidence(json!({
                "HostConfig.NetworkMode": mode,
                "NetworkSettings.Networks": c.inspect.network_settings.networks.keys().collect::<Vec<_>>(),
            }))
        } else {
            Verdict::Pass
        }
    });
}
