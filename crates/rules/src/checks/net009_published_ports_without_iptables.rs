//! NET009 published-ports-without-iptables: a container publishes ports on addresses other hosts
//! can reach (not loopback) while the daemon runs with iptables management off
//! (`--iptables=false`, daemon.json `"iptables": false`). Docker then adds no NAT or filter rules
//! for the port: it is served by docker-proxy on the host's addresses (or not at all when the
//! userland proxy is off too), and isolation between networks and masquerading are left to rules
//! written by hand, which drift from the containers that run.
//!
//! Needs the daemon's configuration (DMN004 reports the setting itself); skips without it.

use dockaudit_snapshot::daemon::Effective;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET009",
        name: "published-ports-without-iptables",
        title: "Ports are published while Docker may not manage iptables",
        rationale: "With iptables management off, published ports bypass Docker's NAT and filtering: they depend on docker-proxy and on hand-written rules for isolation and masquerading, which do not follow containers as they come and go.",
        remediation: "Turn iptables management back on (remove --iptables=false and daemon.json `\"iptables\": false`, restart the daemon) and filter in DOCKER-USER; or stop publishing ports from this engine.",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &["2.4"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#prevent-docker-from-manipulating-iptables",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

/// `127.0.0.0/8` or `::1`.
fn is_loopback(ip: &str) -> bool {
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    ip.starts_with("127.") || ip == "::1" || ip == "localhost"
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let off = match input.snapshot.daemon_setting("iptables") {
        Effective::Set(s) if s.as_bool() == Some(false) => Some(s.source()),
        Effective::Set(_) | Effective::Default => None,
        Effective::Unknown(why) => {
            checks.skip(why);
            return;
        }
    };
    checks.each_container(input, |c| {
        // A port published on loopback stays on the host whatever the firewall does.
        let ports: Vec<String> = facts::published_ports(c)
            .iter()
            .filter(|p| !is_loopback(&p.binding.host_ip))
            .map(facts::Published::display)
            .collect();
        match (&off, ports.is_empty()) {
            (_, true) => Verdict::NotApplicable,
            (None, false) => Verdict::Pass,
            (Some(source), false) => Verdict::fail(format!(
                "publishes {} while Docker does not manage iptables ({source})",
                ports.join(", ")
            ))
            .with_evidence(json!({"ports": ports, "iptables": false, "source": source})),
        }
    });
}
