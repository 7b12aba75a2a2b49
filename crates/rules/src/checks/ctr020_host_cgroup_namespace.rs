//! CTR020 host-cgroup-namespace: the container shares the host's cgroup namespace
//! (`HostConfig.CgroupnsMode: host`, `--cgroupns host`).
//!
//! The engine writes its default into every container it creates (API 1.41 and later): `host` on a
//! cgroup v1 host, `private` on cgroup v2 unless daemon.json says `"default-cgroupns-mode": "host"`.
//! So on a cgroup v1 host every container without `--cgroupns private` fails; the message says
//! when that is the engine's default. An engine that does not report the mode (API before 1.41,
//! Podman's compatibility API) leaves the container unjudged, with the reason.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR020",
        name: "host-cgroup-namespace",
        title: "Container shares the host's cgroup namespace",
        rationale: "In the host's cgroup namespace a container sees the host's cgroup hierarchy in /proc/self/cgroup and /proc/*/cgroup (the paths name the host's services and the other containers' ids), and a process that gains mount rights there mounts the host's whole hierarchy rather than its own subtree, the starting point of cgroup escapes such as the release_agent one (CVE-2022-0492).",
        remediation: "Run it with `--cgroupns private` (compose: `cgroup: private`), or make that every container's default in daemon.json: `\"default-cgroupns-mode\": \"private\"` (the default on cgroup v2 hosts).",
        category: Category::Containers,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#cgroupns",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://man7.org/linux/man-pages/man7/cgroup_namespaces.7.html",
            "https://cwe.mitre.org/data/definitions/653.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let cgroup_v1 = input
        .snapshot
        .info
        .as_ref()
        .is_some_and(|i| i.cgroup_version == "1");
    checks.each_container(input, |c| {
        let mode = &c.inspect.host_config.cgroupns_mode;
        match mode.as_str() {
            "" => Verdict::Skip(
                "the engine did not report the cgroup namespace mode (HostConfig.CgroupnsMode: API 1.41 or later, not Podman)".into(),
            ),
            "host" => {
                let why = if cgroup_v1 {
                    ": the engine's default on a cgroup v1 host, unless --cgroupns private or daemon.json default-cgroupns-mode says otherwise"
                } else {
                    ""
                };
                Verdict::fail(format!(
                    "shares the host's cgroup namespace (CgroupnsMode host){why}"
                ))
                    .with_evidence(json!({
                        "HostConfig.CgroupnsMode": mode,
                        "CgroupVersion": input.snapshot.info.as_ref().map(|i| i.cgroup_version.as_str()),
                        "State.Status": c.status(),
                    }))
            }
            _ => Verdict::Pass,
        }
    });
}

/// The Compose check: `cgroup: host`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR020",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match s.get("cgroup").and_then(|n| n.as_str()) {
            Some("host") => crate::source::one(
                s.key_at("cgroup"),
                "cgroup: host shares the host's cgroup namespace",
            ),
            _ => Some(Vec::new()),
        }
    });
}
