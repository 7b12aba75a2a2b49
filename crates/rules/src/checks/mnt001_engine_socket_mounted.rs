//! MNT001 engine-socket-mounted: a container with the Docker socket can start a privileged container
//! that mounts the host's root: it controls the host. The same holds for every engine's API socket
//! (containerd, CRI-O, Podman, the CRI shims) and for a directory that holds one (`/run/containerd`,
//! `/var/run`), mounted directly or through a local volume created as a bind of it
//! ([`facts::is_engine_socket`], [`facts::mount_host_path`]).

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MNT001",
        name: "engine-socket-mounted",
        title: "Container engine socket mounted into a container",
        rationale: "Whoever can talk to an engine's socket (Docker's, containerd's, CRI-O's, Podman's) can create a privileged container that mounts the host filesystem; mounting it, or a directory holding it, gives the container full control of the host, read-only or not.",
        remediation: "Remove the -v /var/run/docker.sock mount (or /run/containerd/containerd.sock, /run/crio/crio.sock, /run/podman/podman.sock, or the directory holding it; compose: the `volumes:` entry); if the container must query the engine, put a filtering proxy in front of it that allows only the GET endpoints it needs.",
        category: Category::Mounts,
        severity: Severity::Critical,
        cis: &["5.32"],
        cis_v1_6: &["5.31"],
        references: &[
            "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
            "https://cwe.mitre.org/data/definitions/269.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let sockets: Vec<_> = c
            .inspect
            .mounts
            .iter()
            .filter_map(|m| {
                let host = facts::mount_host_path(m, input.snapshot)?;
                facts::is_engine_socket(host).then(|| {
                    json!({"source": host, "destination": m.destination, "rw": m.rw, "type": m.kind})
                })
            })
            .collect();
        if sockets.is_empty() {
            Verdict::Pass
        } else {
            let first = &sockets[0];
            Verdict::fail(format!(
                "mounts the engine socket {} at {}",
                first["source"].as_str().unwrap_or_default(),
                first["destination"].as_str().unwrap_or_default()
            ))
            .with_evidence(json!({ "mounts": sockets }))
        }
    });
}

/// The Compose check: a `volumes:` entry mounting the engine's socket (or its directory).
pub const SOURCE: SourceCheck = SourceCheck {
    id: "MNT001",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |p, s| {
        Some(
            crate::source::compose_mounts(p, s)
                .into_iter()
                .filter(|m| m.kind == "bind" && facts::is_engine_socket(&m.source))
                .map(|m| {
                    crate::source::Hit::at(
                        m.at,
                        format!("mounts the engine socket {} at {}", m.source, m.target),
                    )
                    .evidence(
                        json!({"source": m.source, "target": m.target, "read_only": m.read_only}),
                    )
                })
                .collect(),
        )
    });
}
