//! CTR022 unknown-container-runtime: the container runs under an OCI runtime dockaudit does not
//! know (`HostConfig.Runtime`, resolved through the daemon's `Runtimes` in docker info to the
//! binary's path or containerd shim type). The runtime is what builds the container's namespaces,
//! capabilities, seccomp and AppArmor confinement, so an unknown one is something to review.
//!
//! Known and passed: the standard runtimes (runc, crun, youki, containerd's runc shims, and the
//! NVIDIA wrapper around runc) and the sandboxing ones, which isolate better than runc: gVisor
//! (`runsc`), Kata Containers, Sysbox, libkrun. A runtime is known by its name, its path's file
//! name or its shim type, since daemon.json may give a known binary any name. Podman reports every
//! container's runtime as `oci`, which says nothing: skipped there.

use crate::prelude::*;
use dockaudit_snapshot::EngineInfo;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR022",
        name: "unknown-container-runtime",
        title: "Container runs under an unknown OCI runtime",
        rationale: "The OCI runtime (runc by default) is what creates a container's namespaces and applies its capabilities, seccomp filter and AppArmor/SELinux profile; a custom runtime registered in daemon.json may apply less of that, or run as a wrapper with hooks of its own, and nothing in the container's configuration shows it.",
        remediation: "Check what the runtime (`docker info --format '{{json .Runtimes}}'`) is and that it applies the engine's confinement; run the container with runc (drop `--runtime`, compose: `runtime:`) or a sandboxing runtime such as gVisor (`--runtime runsc`), Kata Containers or Sysbox; remove runtimes nobody uses from daemon.json's `runtimes`.",
        category: Category::Protections,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/alternative-runtimes/",
            "https://docs.docker.com/reference/cli/docker/container/run/#runtime",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

/// Runtimes that confine a container the way runc does (names, binaries and shim types).
const STANDARD: &[&str] = &[
    "runc",
    "crun",
    "youki",
    "io.containerd.runc.v1",
    "io.containerd.runc.v2",
    "io.containerd.runtime.v1.linux",
    "containerd-shim-runc-v2",
    "nvidia",
    "nvidia-container-runtime",
];

/// Runtimes that put a sandbox (a user-space kernel or a virtual machine) around the container.
const SANDBOXING: &[&str] = &[
    "runsc",
    "io.containerd.runsc.v1",
    "containerd-shim-runsc-v1",
    "kata",
    "kata-runtime",
    "kata-qemu",
    "kata-fc",
    "kata-clh",
    "io.containerd.kata.v2",
    "containerd-shim-kata-v2",
    "sysbox-runc",
    "krun",
];

/// What the daemon says runtime `name` is: its path and shim type, when docker info lists it.
fn runtime_facts<'a>(
    info: Option<&'a EngineInfo>,
    name: &str,
) -> (Option<&'a str>, Option<&'a str>) {
    let entry = info
        .and_then(|i| i.extra.get("Runtimes"))
        .and_then(|r| r.get(name));
    let field = |key: &str| entry.and_then(|e| e.get(key)).and_then(|v| v.as_str());
    (field("path"), field("runtimeType"))
}

/// Whether `list` knows the runtime by its name, its binary's file name or its shim type.
fn known_in(list: &[&str], name: &str, path: Option<&str>, shim: Option<&str>) -> bool {
    let binary = path.map(|p| p.rsplit('/').next().unwrap_or(p));
    [Some(name), binary, shim]
        .into_iter()
        .flatten()
        .any(|n| list.contains(&n))
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let info = input.snapshot.info.as_ref();
    let podman = facts::is_podman(input.snapshot);
    checks.each_container(input, |c| {
        let name = c.inspect.host_config.extra.get("Runtime").and_then(|r| r.as_str());
        let name = match name {
            None | Some("") => {
                return Verdict::Skip("the engine did not report the container's runtime".into())
            }
            Some("oci") if podman => {
                return Verdict::Skip(
                    "Podman reports every container's runtime as `oci`, which does not name it"
                        .into(),
                )
            }
            Some(name) => name,
        };
        let (path, shim) = runtime_facts(info, name);
        if known_in(STANDARD, name, path, shim) || known_in(SANDBOXING, name, path, shim) {
            return Verdict::Pass;
        }
        let what = match (path, shim) {
            (Some(p), _) => format!(" ({p})"),
            (None, Some(s)) => format!(" (shim {s})"),
            (None, None) if info.is_none() => " (its path is unknown: no engine info)".into(),
            (None, None) => " (not in the daemon's runtimes any more)".into(),
        };
        Verdict::fail(format!(
            "runs under the runtime `{name}`{what}, which is neither runc nor a known sandboxing runtime: review the isolation it applies"
        ))
        .with_evidence(json!({
            "HostConfig.Runtime": name,
            "runtime_path": path,
            "runtime_type": shim,
            "State.Status": c.status(),
        }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_are_known_by_name_binary_or_shim() {
        assert!(known_in(STANDARD, "runc", None, None));
        assert!(known_in(
            SANDBOXING,
            "gvisor",
            Some("/usr/local/bin/runsc"),
            None
        ));
        assert!(known_in(
            SANDBOXING,
            "secure",
            None,
            Some("io.containerd.kata.v2")
        ));
        assert!(!known_in(
            STANDARD,
            "vendor",
            Some("/opt/vendor/runtime"),
            None
        ));
        assert!(!known_in(
            SANDBOXING,
            "vendor",
            Some("/opt/vendor/runtime"),
            None
        ));
    }

    #[test]
    fn runtime_facts_come_from_docker_info() {
        let mut info = EngineInfo::default();
        info.extra.insert(
            "Runtimes".into(),
            json!({"gvisor": {"path": "/usr/bin/runsc"}, "kata": {"runtimeType": "io.containerd.kata.v2"}}),
        );
        assert_eq!(
            runtime_facts(Some(&info), "gvisor"),
            (Some("/usr/bin/runsc"), None)
        );
        assert_eq!(
            runtime_facts(Some(&info), "kata"),
            (None, Some("io.containerd.kata.v2"))
        );
        assert_eq!(runtime_facts(Some(&info), "runc"), (None, None));
        assert_eq!(runtime_facts(None, "runc"), (None, None));
    }
}
