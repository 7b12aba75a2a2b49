//! DMN016 userland-proxy-enabled: published ports are also served by `docker-proxy` processes in
//! user space (`userland-proxy`, on by default), an extra network-facing process per port.
//!
//! Read from the command line and daemon.json; `/info` does not report it.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN016",
        name: "userland-proxy-enabled",
        title: "Userland proxy is enabled",
        rationale: "With the userland proxy on, a docker-proxy process listens for every published port and relays traffic in user space; kernel NAT (hairpin) does the same job, so the proxy only adds attack surface and hides client addresses.",
        remediation: "Set \"userland-proxy\": false in /etc/docker/daemon.json (or --userland-proxy=false) and restart the daemon, after checking that nothing relies on reaching published ports through 127.0.0.1 on old kernels.",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.17"],
        cis_v1_6: &["2.16"],
        references: &[
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-and-iptables",
            "https://docs.docker.com/reference/cli/dockerd/",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("userland-proxy") {
        Effective::Set(s) if s.as_bool() == Some(false) => checks.pass(target),
        Effective::Set(s) => {
            checks
                .fail(target, format!("the userland proxy is on ({})", s.source()))
                .evidence(json!({"userland-proxy": true, "source": s.source()}));
        }
        Effective::Default => {
            checks
                .fail(target, "userland-proxy is not set by any flag or daemon.json, so dockerd's default applies: a docker-proxy process serves every published port")
                .evidence(json!({"userland-proxy": "not set (dockerd default: true)"}));
        }
        Effective::Unknown(why) => checks.skip(why),
    }
}
