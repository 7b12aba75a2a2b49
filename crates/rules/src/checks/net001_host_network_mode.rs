//! NET001 host-network-mode: `--network host` gives the container the host's interfaces, ports and
//! loopback services, with no network isolation at all.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET001",
        name: "host-network-mode",
        title: "Container shares the host's network namespace",
        rationale: "A container on the host network can bind any host port, reach services listening only on the host's loopback (including a local Docker API or metadata endpoints), sniff traffic with NET_RAW, and is exempt from the engine's port publishing and firewall rules.",
        remediation: "Remove --network host and publish only the ports needed on a chosen address (`--network APPNET -p 127.0.0.1:8080:8080`; compose: drop `network_mode: host`, use `networks:` and `ports: [\"127.0.0.1:8080:8080\"]`).",
        category: Category::Network,
        severity: Severity::High,
        cis: &["5.10"],
        cis_v1_6: &["5.9"],
        references: &[
            "https://docs.docker.com/engine/network/drivers/host/",
            "https://docs.docker.com/engine/network/#container-networks",
            "https://cwe.mitre.org/data/definitions/668.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mode = c.inspect.host_config.network_mode.as_str();
        if facts::is_host_mode(mode) {
            Verdict::fail(format!(
                "shares the host's network namespace (--network host, {})",
                c.status()
            ))
            .with_evidence(json!({"HostConfig.NetworkMode": mode, "State.Status": c.status()}))
        } else {
            Verdict::Pass
        }
    });
}

/// The Compose check: `network_mode: host`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "NET001",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match s.get("network_mode").and_then(|n| n.as_str()) {
            Some("host") => crate::source::one(
                s.key_at("network_mode"),
                "network_mode: host shares the host's network namespace",
            ),
            _ => Some(Vec::new()),
        }
    });
}
