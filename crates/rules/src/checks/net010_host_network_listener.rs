//! NET010 host-network-listener: a container on the host network listens on every interface.
//! On the host network there is no port publishing and no NAT: whatever the container binds is
//! bound on the host itself, reachable on all its addresses unless the host firewall stops it.
//!
//! Judged from the container's own listening sockets (the host's socket table narrowed to the
//! sockets its processes hold, read from `/proc` as root). A container that is not running, or
//! whose sockets could not be read, is skipped with the reason (its exposed ports are named).

use dockaudit_snapshot::Fact;

use crate::host::host_facts;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET010",
        name: "host-network-listener",
        title: "Host-network container listens on every host interface",
        rationale: "A container on the host network binds directly on the host: a service listening on 0.0.0.0 or :: is exposed on every network the host is on, with no -p mapping to restrict and no Docker rule to filter it.",
        remediation: "Run the container on a bridge network and publish only what is needed (`-p 127.0.0.1:8080:8080`), or configure the service to listen on a specific address (e.g. 127.0.0.1) and filter the port in the host firewall.",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &["5.10"],
        cis_v1_6: &["5.9"],
        references: &[
            "https://docs.docker.com/engine/network/drivers/host/",
            "https://cwe.mitre.org/data/definitions/1327.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let host = host_facts(input.snapshot);
    checks.each_container(input, |c| {
        if !facts::is_host_mode(&c.inspect.host_config.network_mode) {
            return Verdict::NotApplicable;
        }
        let exposed: Vec<&str> = c
            .inspect
            .config
            .exposed_ports
            .keys()
            .map(String::as_str)
            .collect();
        let state = &c.inspect.state;
        if !state.running || state.paused || state.restarting {
            return if exposed.is_empty() {
                Verdict::NotApplicable
            } else {
                Verdict::Skip(format!(
                    "{}: it will listen on the host's own interfaces ({}) when it runs, on which addresses cannot be told",
                    c.status(),
                    exposed.join(", ")
                ))
            };
        }
        let host = match &host {
            Ok(h) => h,
            Err(why) => return Verdict::Skip(why.clone()),
        };
        let listeners = match host.host_network_listeners.get(&c.inspect.id) {
            Some(Fact::Value(l)) => l,
            Some(Fact::Missing(why)) => {
                return Verdict::Skip(format!("its listening sockets could not be read: {why}"))
            }
            None => {
                return Verdict::Skip(
                    "its listening sockets were not collected (it started after host collection?)"
                        .into(),
                )
            }
        };
        let open: Vec<String> = listeners
            .iter()
            .filter(|l| l.on_all_interfaces())
            .map(|l| l.display())
            .collect();
        if open.is_empty() {
            Verdict::Pass
        } else {
            Verdict::fail(format!(
                "listens on every host interface from the host network: {}",
                open.join(", ")
            ))
            .with_evidence(json!({
                "listening": listeners.iter().map(|l| l.display()).collect::<Vec<_>>(),
                "on_all_interfaces": open,
                "HostConfig.NetworkMode": "host",
            }))
        }
    });
}
