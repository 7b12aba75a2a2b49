//! NET007 published-ports-unfiltered: a container publishes a port on every interface while the
//! host firewall has no rule in Docker's `DOCKER-USER` chain (nor an nftables forward chain of
//! its own) to filter it. Docker forwards published ports in the nat table, ahead of the INPUT
//! rules ufw and firewalld manage, so a host firewall "deny" does not stop them: DOCKER-USER is
//! the place Docker reserves for such filters.
//!
//! Applies only while Docker manages the firewall: with `iptables` off in the daemon's
//! configuration, published ports are served by docker-proxy through the host's INPUT rules (NET009
//! reports that setup). When the configuration is unknown, Docker's own chains in the capture tell.
//! firewalld's nftables table does not count as a filter: Docker accepts its zone's traffic.
//! Skipped on Podman: its ports are forwarded by CNI or netavark rules, not Docker's chains.

use dockaudit_snapshot::daemon::Effective;
use dockaudit_snapshot::Fact;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET007",
        name: "published-ports-unfiltered",
        title: "Ports published on every interface with no DOCKER-USER filtering",
        rationale: "Docker opens published ports with its own NAT and FORWARD rules, which run before the INPUT rules that ufw or firewalld manage: a host firewall that denies a port does not protect a container publishing it. Only rules in the DOCKER-USER chain (or a forward-hook nftables chain) filter that traffic.",
        remediation: "Bind the ports to the addresses that need them (`-p 127.0.0.1:8080:80`), or filter in DOCKER-USER, e.g. `iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.0/24 -j DROP` (persist it with your firewall's tooling).",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#add-iptables-policies-before-dockers-rules",
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-on-a-router",
            "https://cwe.mitre.org/data/definitions/923.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    if facts::is_podman(snapshot) {
        checks.skip("the engine is Podman: its published ports are forwarded by its network backend's own rules (CNI or netavark), not Docker's, so DOCKER-USER is not where they are filtered");
        return;
    }
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
    if let Effective::Set(s) = snapshot.daemon_setting("iptables") {
        if s.as_bool() == Some(false) {
            // Docker does not manage the firewall: nothing bypasses the host's INPUT rules.
            return;
        }
    }
    let nft = firewall.nftables.value();
    let docker_iptables = firewall.dumps().any(|(_, r)| r.has_docker_chain());
    let docker_nft = nft.is_some_and(|n| n.tables.iter().any(|t| t.owner == "docker"));
    if !docker_iptables && !docker_nft {
        let why = firewall.iptables_missing().map_or_else(
            || "the captured firewall has no Docker chains: Docker does not manage it here (iptables off, or captured in another network namespace)".to_string(),
            |why| format!("the iptables rule sets could not be read: {why}"),
        );
        checks.skip(why);
        return;
    }
    let mut filters: Vec<String> = firewall
        .dumps()
        .flat_map(|(d, r)| {
            r.docker_user_filters()
                .into_iter()
                .map(move |rule| format!("{}: {rule}", d.tool))
        })
        .collect();
    if let Some(n) = nft {
        filters.extend(n.user_forward_filters().into_iter().map(|c| {
            format!(
                "nft: table {} {} chain {} (forward hook, policy {}, {} rules)",
                c.family,
                c.table,
                c.name,
                c.policy.as_deref().unwrap_or("accept"),
                c.rules
            )
        }));
    }
    checks.each_container(input, |c| {
        let open: Vec<String> = facts::published_ports(c)
            .iter()
            .filter(|p| p.binding.on_all_interfaces())
            .map(facts::Published::display)
            .collect();
        if open.is_empty() {
            Verdict::NotApplicable
        } else if filters.is_empty() {
            Verdict::fail(format!(
                "publishes {} on every interface and the firewall has no DOCKER-USER rule to filter it: host firewall rules do not apply",
                open.join(", ")
            ))
            .with_evidence(json!({
                "ports": open,
                "docker_user_rules": firewall
                    .dumps()
                    .map(|(d, r)| json!({"tool": d.tool, "rules": r.docker_user_rules}))
                    .collect::<Vec<_>>(),
            }))
        } else {
            Verdict::Pass
        }
    });
}
