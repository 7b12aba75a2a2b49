//! DMN001 daemon-runs-as-root: the Docker daemon runs as root instead of in rootless mode, so a
//! flaw in the daemon or the runtime that lets a container out hands over the host.
//!
//! Judged from `/info` alone (`name=rootless` in the security options), so remote engines are
//! judged too. CIS calls this one "if possible": it is reported at Low.

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN001",
        name: "daemon-runs-as-root",
        title: "Docker daemon runs as root, not in rootless mode",
        rationale: "A rootful daemon and every container runtime it starts run as root on the host; in rootless mode they run as an unprivileged user inside a user namespace, so an escape from a container or a daemon vulnerability yields that user's rights, not root.",
        remediation: "Where the workloads allow it, run Docker rootless (`dockerd-rootless-setuptool.sh install` as the user that will own the engine, then point clients at unix://$XDG_RUNTIME_DIR/docker.sock); otherwise at least enable user namespace remapping (\"userns-remap\": \"default\" in daemon.json).",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.1"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/rootless/",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let Some(info) = &snapshot.info else {
        checks.skip("engine info (docker info) was not collected: cannot tell whether the daemon runs rootless");
        return;
    };
    let target = daemon_target(snapshot);
    if info.has_security_option("rootless") || snapshot.engine.rootless {
        checks.pass(target);
    } else {
        checks
            .fail(
                target,
                "the daemon runs as root: docker info lists no rootless security option",
            )
            .evidence(json!({"SecurityOptions": info.security_options}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockaudit_snapshot::{EngineInfo, Snapshot};

    fn run(options: &[&str]) -> Checks {
        let snapshot = Snapshot {
            info: Some(EngineInfo {
                security_options: options.iter().map(|s| s.to_string()).collect(),
                ..EngineInfo::default()
            }),
            ..Snapshot::default()
        };
        let input = AuditInput::new(&snapshot, &crate::TargetFilter::default());
        let mut checks = Checks::default();
        check(&input, &mut checks);
        checks
    }

    #[test]
    fn rootless_passes_and_rootful_fails() {
        // No recording host here can run a rootless engine, so the passing case is written out.
        let rootless = run(&[
            "name=seccomp,profile=builtin",
            "name=rootless",
            "name=cgroupns",
        ]);
        assert_eq!(rootless.passed().len(), 1);
        let rootful = run(&["name=seccomp,profile=builtin"]);
        assert_eq!(rootful.failures().len(), 1);
    }
}
