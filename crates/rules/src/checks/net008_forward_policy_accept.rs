//! NET008 forward-policy-accept: the host routes packets (`net.ipv4.ip_forward = 1`, which Docker
//! turns on) while no firewall back-end drops forwarded traffic by default: the `FORWARD` chain's
//! policy is ACCEPT in every iptables back-end and no nftables forward chain drops. Anything on
//! a network the host is attached to can then route through it, to containers' addresses
//! directly and to other networks.
//!
//! Netfilter runs every back-end's forward hook, and a packet must pass all of them: one DROP
//! policy (legacy, nft, or a native nftables chain) is enough.

use dockaudit_snapshot::Fact;

use crate::host::host_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET008",
        name: "forward-policy-accept",
        title: "Forwarded traffic is accepted by default (FORWARD policy ACCEPT)",
        rationale: "With IP forwarding on and an ACCEPT policy, the host is an open router: hosts on an attached network can reach containers' addresses directly, bypassing published-port rules, and traffic between networks the host joins is not filtered.",
        remediation: "Set the FORWARD policy to DROP (`iptables -P FORWARD DROP`, persisted by your firewall tooling; Docker sets it itself when it enables forwarding), and allow only the forwarding you need.",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-on-a-router",
            "https://cwe.mitre.org/data/definitions/923.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let firewall = match &snapshot.firewall {
        Some(Fact::Value(f)) => f,
        Some(Fact::Missing(why)) => {
            checks.skip(format!("the firewall was not captured: {why}"));
            return;
        }
        None => {
            checks.skip("the firewall was not captured (this snapshot has none)");
            return;
        }
    };
    let target = host_target(snapshot, snapshot.host.as_ref().and_then(Fact::value));
    if firewall.ip_forward == Fact::Value(false) {
        // Not routing at all: the policy never applies.
        checks.pass(target);
        return;
    }
    let policies: Vec<(String, String)> = firewall
        .dumps()
        .filter(|(d, _)| d.family == "ipv4")
        .filter_map(|(d, r)| Some((d.tool.clone(), r.forward_policy()?.to_string())))
        .collect();
    let nft_drops: Vec<String> = firewall
        .nftables
        .value()
        .map(|n| {
            n.chains
                .iter()
                .filter(|c| c.hook.as_deref() == Some("forward"))
                .filter(|c| matches!(c.family.as_str(), "ip" | "inet"))
                .filter(|c| n.owner_of(c) != "iptables-nft")
                .filter(|c| c.policy.as_deref() == Some("drop"))
                .map(|c| format!("nft {} {} {}", c.family, c.table, c.name))
                .collect()
        })
        .unwrap_or_default();
    if policies.iter().any(|(_, p)| p == "DROP") || !nft_drops.is_empty() {
        checks.pass(target);
        return;
    }
    if let Some(why) = firewall.iptables_missing() {
        checks.skip(format!("the iptables rule sets could not be read: {why}"));
        return;
    }
    let shown = if policies.is_empty() {
        "no back-end has a filter FORWARD chain".to_string()
    } else {
        policies
            .iter()
            .map(|(tool, p)| format!("{tool}: {p}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let forwarding = match &firewall.ip_forward {
        Fact::Value(true) => "net.ipv4.ip_forward is 1",
        _ => "IP forwarding could not be read",
    };
    checks
        .fail(
            target,
            format!("forwarded traffic is accepted by default ({shown}) and {forwarding}"),
        )
        .evidence(json!({
            "forward_policies": policies
                .iter()
                .map(|(tool, p)| json!({"tool": tool, "policy": p}))
                .collect::<Vec<_>>(),
            "ip_forward": firewall.ip_forward.value(),
        }));
}
