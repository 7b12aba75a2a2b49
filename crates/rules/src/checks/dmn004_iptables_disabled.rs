//! DMN004 iptables-disabled: dockerd may not change iptables (`--iptables=false`), so published
//! ports, container isolation and masquerading are left to hand-written firewall rules.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN004",
        name: "iptables-disabled",
        title: "Docker is not allowed to manage iptables",
        rationale: "Docker keeps its firewall rules (isolation between networks, published ports, NAT) in step with the containers it runs; with iptables management off, those rules are missing or maintained by hand and drift from what runs, which opens or breaks container traffic unnoticed.",
        remediation: "Remove --iptables=false from the dockerd command line and \"iptables\": false from daemon.json, restart the daemon, and filter container traffic in the DOCKER-USER chain instead of disabling Docker's rules.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &["2.4"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("iptables") {
        Effective::Set(s) if s.as_bool() == Some(false) => {
            checks
                .fail(
                    target,
                    format!("iptables management is off: {}", s.source()),
                )
                .evidence(json!({"iptables": false, "source": s.source()}));
        }
        Effective::Set(_) | Effective::Default => checks.pass(target),
        Effective::Unknown(why) => checks.skip(why),
    }
}
