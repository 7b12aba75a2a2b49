//! CTR010 host-user-namespace: the container opts out of the daemon's user-namespace remapping with
//! `--userns host`, so root in it is root on the host again.
//!
//! Every explicit `--userns host` fails, whether or not the daemon remaps today: under a remapping
//! daemon (`name=userns` in docker info) it undoes the remapping now (rule severity); under a daemon
//! that does not remap it changes nothing yet, but silently defeats remapping the day it is enabled
//! (Low). Containers without it pass: whether the daemon remaps at all is a daemon-level question,
//! and skipping here would hide explicit opt-outs.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR010",
        name: "host-user-namespace",
        title: "Container opts out of user-namespace remapping",
        rationale: "User-namespace remapping maps root in a container to an unprivileged host user; `--userns host` switches that off for one container, so an escape from it lands as real root. It is flagged even where the daemon does not remap yet, because it defeats remapping as soon as it is turned on.",
        remediation: "Remove `--userns host` (compose: drop `userns_mode: host`) and keep the daemon's remapping on (daemon.json: `\"userns-remap\": \"default\"`); give the container the host access it needs through narrower means.",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.31"],
        cis_v1_6: &["5.30"],
        references: &[
            "https://docs.docker.com/engine/security/userns-remap/",
            "https://docs.docker.com/engine/security/userns-remap/#disable-namespace-remapping-for-a-container",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let remaps = input
        .snapshot
        .info
        .as_ref()
        .map(|i| i.has_security_option("userns"));
    checks.each_container(input, |c| {
        let mode = &c.inspect.host_config.userns_mode;
        if !facts::is_host_mode(mode) {
            return Verdict::Pass;
        }
        let evidence = json!({
            "HostConfig.UsernsMode": mode,
            "daemon_userns_remap": remaps,
            "State.Status": c.status(),
        });
        match remaps {
            Some(true) => Verdict::fail(
                "opts out of the daemon's user-namespace remapping (--userns host): root in it is host root",
            )
            .with_evidence(evidence),
            Some(false) => Verdict::fail(
                "sets --userns host; the daemon does not remap user namespaces yet, but this defeats remapping once enabled",
            )
            .with_evidence(evidence)
            .with_severity(Severity::Low),
            None => Verdict::fail(
                "sets --userns host (whether the daemon remaps user namespaces is unknown: no engine info)",
            )
            .with_evidence(evidence),
        }
    });
}

/// The Compose check: `userns_mode: host`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR010",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        match s.get("userns_mode").and_then(|n| n.as_str()) {
            Some("host") => crate::source::one(
                s.key_at("userns_mode"),
                "userns_mode: host shares the host's user namespace",
            ),
            _ => Some(Vec::new()),
        }
    });
}
