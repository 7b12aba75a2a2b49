//! CTR008 host-ipc-namespace: the container shares the host's IPC namespace (`--ipc host`), so it can
//! read and write the host's shared memory segments, semaphores and message queues.
//!
//! Podman 4 reports IpcMode `shareable` for `--ipc host` as for a private namespace: there, `shareable`
//! is a per-container skip.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR008",
        name: "host-ipc-namespace",
        title: "Container shares the host's IPC namespace",
        rationale: "In the host's IPC namespace a container can attach to the shared memory, semaphores and message queues of host processes, reading or corrupting their data.",
        remediation: "Remove `--ipc host` (compose: drop `ipc: host`); to share memory with one other container use `--ipc container:NAME` with that container started `--ipc shareable`.",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.17"],
        cis_v1_6: &["5.16"],
        references: &[
            "https://docs.docker.com/engine/containers/run/#ipc-settings---ipc",
            "https://cwe.mitre.org/data/definitions/653.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let podman = facts::is_podman(input.snapshot);
    checks.each_container(input, |c| {
        let mode = &c.inspect.host_config.ipc_mode;
        // Podman 4 reports `shareable` for a container sharing the host's IPC namespace as
        // much as for one with its own (verified against /proc/PID/ns/ipc): no evidence.
        if podman && mode == "shareable" {
            Verdict::Skip("the engine is Podman, which reports IpcMode `shareable` whether or not the container shares the host's IPC namespace".into())
        } else if facts::is_host_mode(mode) {
            Verdict::fail("shares the host's IPC namespace (--ipc host)")
                .with_evidence(json!({"HostConfig.IpcMode": mode, "State.Status": c.status()}))
        } else {
            Verdict::Pass
        }
    });
}

/// The Compose check: `ipc: host`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR008",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match s.get("ipc").and_then(|n| n.as_str()) {
            Some("host") => {
                crate::source::one(s.key_at("ipc"), "ipc: host shares the host's IPC namespace")
            }
            _ => Some(Vec::new()),
        }
    });
}
