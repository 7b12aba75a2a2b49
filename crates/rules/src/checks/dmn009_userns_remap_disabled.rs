//! DMN009 userns-remap-disabled: the daemon does not remap container users into a user namespace,
//! so root in a container is root (uid 0) on the host.
//!
//! Read from `/info` (`name=userns` or `name=rootless` in the security options), so remote
//! engines are judged too; without `/info`, the `userns-remap` setting decides.
//! Rootful Podman skips: it has no daemon-wide remapping, and its `/info` does not report the
//! per-container `userns` default of containers.conf (CTR010 judges each container).

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN009",
        name: "userns-remap-disabled",
        title: "User namespace remapping is not enabled",
        rationale: "Without user namespace remapping, uid 0 in a container is uid 0 on the host: a process that escapes the container, or writes through a bind mount, does so as root. With remapping it is an unprivileged subordinate uid on the host.",
        remediation: "Set \"userns-remap\": \"default\" in /etc/docker/daemon.json (dockerd creates the dockremap user and its /etc/subuid and /etc/subgid ranges) and restart the daemon; images and volumes are then kept per remapped root. Containers that truly need host ids opt out with --userns=host. Rootless mode gives the same protection.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &["2.10"],
        cis_v1_6: &["2.9"],
        references: &[
            "https://docs.docker.com/engine/security/userns-remap/",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    let configured = snapshot.daemon_setting("userns-remap");
    // Podman has no daemon-wide remapping to report: user namespaces are chosen per container
    // (--userns, or `userns` in containers.conf), which its /info does not show; CTR010 judges
    // each container. Rootless Podman still passes below.
    if facts::is_podman(snapshot) && !snapshot.engine.rootless {
        checks.skip("the engine is Podman, which has no userns-remap: user namespaces are set per container (--userns, or userns in containers.conf), which its /info does not report");
        return;
    }
    if let Some(info) = &snapshot.info {
        if info.has_security_option("userns") || info.has_security_option("rootless") {
            checks.pass(target);
        } else {
            let source = match &configured {
                Effective::Set(s) => Some(s.source()),
                _ => None,
            };
            checks
                .fail(target, "containers run without user namespace remapping: root in a container is root on the host")
                .evidence(json!({"SecurityOptions": info.security_options, "userns-remap": source}));
        }
        return;
    }
    match configured {
        Effective::Set(s) if s.as_str().is_some_and(|v| !v.is_empty()) => checks.pass(target),
        Effective::Set(_) | Effective::Default => {
            checks.fail(
                target,
                "userns-remap is not set: root in a container is root on the host",
            );
        }
        Effective::Unknown(why) => checks.skip(format!(
            "engine info (docker info) was not collected and {why}"
        )),
    }
}
