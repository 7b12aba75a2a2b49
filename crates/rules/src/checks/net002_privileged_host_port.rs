//! NET002 privileged-host-port: host ports below 1024 are where system services (ssh, mail, DNS)
//! live; a container taking one can impersonate them, and binding one needs privilege.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET002",
        name: "privileged-host-port",
        title: "Container publishes a privileged host port (below 1024)",
        rationale: "Ports below 1024 are reserved for privileged system services; a container publishing one can shadow or impersonate a host service (ssh on 22, mail, DNS) and tempts running it with extra privilege.",
        remediation: "Publish on a host port of 1024 or above and put a reverse proxy or load balancer on 80/443 if needed: `-p 8080:80` instead of `-p 80:80` (compose: `ports: [\"8080:80\"]`).",
        category: Category::Network,
        severity: Severity::Low,
        cis: &["5.8"],
        cis_v1_6: &["5.7"],
        references: &[
            "https://docs.docker.com/engine/network/#published-ports",
            "https://docs.docker.com/reference/cli/docker/container/run/#publish",
            "https://cwe.mitre.org/data/definitions/1327.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let low: Vec<String> = facts::published_ports(c)
            .iter()
            .filter(|p| p.host_port().is_some_and(|port| port < 1024))
            .map(facts::Published::display)
            .collect();
        if low.is_empty() {
            Verdict::Pass
        } else {
            Verdict::fail(format!(
                "publishes privileged host {}: {}",
                if low.len() == 1 { "port" } else { "ports" },
                low.join(", ")
            ))
            .with_evidence(json!({ "ports": low }))
        }
    });
}

/// The Compose check: a `ports:` entry publishing a host port below 1024.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "NET002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            crate::source::compose_ports(s)
                .into_iter()
                .filter_map(|p| {
                    let port = p.host_port().filter(|&h| h > 0 && h < 1024)?;
                    Some(crate::source::Hit::at(
                        p.at,
                        format!("publishes privileged host port {port}"),
                    ))
                })
                .collect(),
        )
    });
}
