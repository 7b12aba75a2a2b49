//! NET004 sensitive-port-exposed: remote-control and database ports (Docker API, etcd, kubelet, ssh,
//! Redis, MongoDB…) published on every interface are what scanners look for first.
//!
//! A binding counts when its container port or its host port is a known service port and it listens
//! on every interface (0.0.0.0, ::, or no address). A container on the host network listens on the
//! host directly, so its exposed ports count too.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET004",
        name: "sensitive-port-exposed",
        title: "Sensitive service port published to every interface",
        rationale: "Remote-administration, cluster-control and database ports are scanned continuously on the internet; an unauthenticated Docker API, etcd or kubelet port is a host takeover, and exposed databases and caches are a routine source of data theft and ransom.",
        remediation: "Do not publish the port, or bind it to loopback or a private address and reach it through an SSH tunnel, VPN or an authenticated proxy: `-p 127.0.0.1:6379:6379` (compose: `ports: [\"127.0.0.1:6379:6379\"]`, or use `expose:`/an internal network so only other containers reach it); never publish the Docker API (daemon.json: no `tcp://` host without `tlsverify`).",
        category: Category::Network,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/protect-access/",
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
            "https://cwe.mitre.org/data/definitions/306.html",
            "https://cwe.mitre.org/data/definitions/668.html",
        ],
    },
    check,
};

/// Sensitive ports: number, service, whether exposure is a host or cluster takeover.
const SERVICES: &[(u16, &str, bool)] = &[
    (22, "SSH", false),
    (23, "Telnet", false),
    (1433, "Microsoft SQL Server", false),
    (1521, "Oracle Database", false),
    (2181, "ZooKeeper", false),
    (2375, "Docker API, unencrypted", true),
    (2376, "Docker API, TLS", true),
    (2379, "etcd client API", true),
    (2380, "etcd peer API", false),
    (3306, "MySQL", false),
    (3389, "RDP", false),
    (4243, "Docker API, legacy port", true),
    (5432, "PostgreSQL", false),
    (5900, "VNC", false),
    (5984, "CouchDB", false),
    (6379, "Redis", false),
    (8086, "InfluxDB", false),
    (8500, "Consul", false),
    (9042, "Cassandra", false),
    (9200, "Elasticsearch", false),
    (9300, "Elasticsearch transport", false),
    (10250, "kubelet API", true),
    (11211, "Memcached", false),
    (15672, "RabbitMQ management", false),
    (27017, "MongoDB", false),
];

/// The service on a port, if it is a sensitive one.
pub(crate) fn service(port: u16) -> Option<(&'static str, bool)> {
    SERVICES
        .iter()
        .find(|(p, _, _)| *p == port)
        .map(|(_, name, critical)| (*name, *critical))
}

/// `6379/tcp` → 6379.
fn port_number(container_port: &str) -> Option<u16> {
    container_port.split('/').next()?.parse().ok()
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        // (shown as, service, critical)
        let mut exposed: Vec<(String, &str, bool)> = Vec::new();
        for p in facts::published_ports(c) {
            if !p.binding.on_all_interfaces() {
                continue;
            }
            let found = port_number(&p.container_port)
                .and_then(service)
                .or_else(|| p.host_port().and_then(service));
            if let Some((name, critical)) = found {
                exposed.push((p.display(), name, critical));
            }
        }
        if facts::is_host_mode(&c.inspect.host_config.network_mode) {
            for port in c.inspect.config.exposed_ports.keys() {
                if let Some((name, critical)) = port_number(port).and_then(service) {
                    exposed.push((format!("{port} on the host network"), name, critical));
                }
            }
        }
        if exposed.is_empty() {
            return Verdict::Pass;
        }
        let listed: Vec<String> = exposed
            .iter()
            .map(|(shown, name, _)| format!("{shown} ({name})"))
            .collect();
        let evidence: Vec<_> = exposed
            .iter()
            .map(|(shown, name, _)| json!({"port": shown, "service": name}))
            .collect();
        let verdict = Verdict::fail(format!(
            "exposes sensitive {} on every interface: {}",
            if exposed.len() == 1 { "port" } else { "ports" },
            listed.join(", ")
        ))
        .with_evidence(json!({ "ports": evidence }));
        if exposed.iter().any(|(_, _, critical)| *critical) {
            verdict.with_severity(Severity::Critical)
        } else {
            verdict
        }
    });
}

/// The Compose check: a database, admin or remote-access port published on every host interface.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "NET004",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            crate::source::compose_ports(s)
                .into_iter()
                .filter(|p| p.on_all_interfaces())
                .filter_map(|p| {
                    let (name, critical) = service(p.container_port()?)?;
                    let hit = crate::source::Hit::at(
                        p.at,
                        format!("publishes {name} ({}) on every host interface", p.target),
                    );
                    Some(if critical {
                        hit.severity(Severity::Critical)
                    } else {
                        hit
                    })
                })
                .collect(),
        )
    });
}
