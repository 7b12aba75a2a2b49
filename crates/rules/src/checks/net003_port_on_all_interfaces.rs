//! NET003 port-on-all-interfaces: `-p 8080:80` listens on every host address, IPv4 and IPv6,
//! including public ones; Docker's own iptables rules let it through the host firewall.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET003",
        name: "port-on-all-interfaces",
        title: "Port published on every host interface",
        rationale: "A port published without a host address listens on 0.0.0.0 and ::, so it is reachable from every network the host is on; Docker inserts its own firewall rules ahead of ufw/firewalld, so host firewall rules do not stop it.",
        remediation: "Bind published ports to the address that needs them: `-p 127.0.0.1:8080:80` (compose: `ports: [\"127.0.0.1:8080:80\"]`), or set a default bind address for the whole engine (daemon.json: `\"ip\": \"127.0.0.1\"`).",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &["5.14"],
        cis_v1_6: &["5.13"],
        references: &[
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#setting-the-default-bind-address-for-containers",
            "https://docs.docker.com/reference/cli/docker/container/run/#publish",
            "https://cwe.mitre.org/data/definitions/1327.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let open: Vec<String> = facts::published_ports(c)
            .iter()
            .filter(|p| p.binding.on_all_interfaces())
            .map(facts::Published::display)
            .collect();
        if open.is_empty() {
            Verdict::Pass
        } else {
            Verdict::fail(format!("publishes on every interface: {}", open.join(", ")))
                .with_evidence(json!({ "ports": open }))
        }
    });
}

/// The Compose check: a `ports:` entry without a host address (every interface).
pub const SOURCE: SourceCheck = SourceCheck {
    id: "NET003",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            crate::source::compose_ports(s)
                .into_iter()
                .filter(|p| p.on_all_interfaces())
                .map(|p| {
                    let host = p
                        .published
                        .clone()
                        .unwrap_or_else(|| "an ephemeral port".into());
                    crate::source::Hit::at(
                        p.at,
                        format!("publishes {host} → {} on every host interface", p.target),
                    )
                })
                .collect(),
        )
    });
}
