//! DMN014 no-new-privileges-default-off: the daemon does not apply `no-new-privileges` to every
//! container, so setuid and file-capability binaries inside containers can still raise their
//! privileges unless each run asks for the option.
//!
//! Docker 24 and later list `name=no-new-privileges` in `/info` when it is on, so for them
//! `/info` decides (remote engines included); for older engines the command line and daemon.json
//! do.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN014",
        name: "no-new-privileges-default-off",
        title: "Containers may gain new privileges by default",
        rationale: "no-new-privileges stops processes from gaining privileges through setuid or setgid binaries and file capabilities (sudo, su, ping with cap_net_raw); set daemon-wide, it protects every container, including those whose authors forgot --security-opt.",
        remediation: "Set \"no-new-privileges\": true in /etc/docker/daemon.json (or run dockerd with --no-new-privileges) and restart the daemon; a container that truly needs setuid binaries opts out with --security-opt no-new-privileges=false.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &["2.15"],
        cis_v1_6: &["2.14"],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#no-new-privileges",
            "https://www.kernel.org/doc/html/latest/userspace-api/no_new_privs.html",
            "https://cwe.mitre.org/data/definitions/269.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("no-new-privileges") {
        Effective::Set(s) if s.as_bool() == Some(true) => checks.pass(target),
        Effective::Set(s) => {
            checks
                .fail(
                    target,
                    format!(
                        "no-new-privileges is off for containers that do not ask for it ({})",
                        s.source()
                    ),
                )
                .evidence(json!({"no-new-privileges": false, "source": s.source()}));
        }
        Effective::Default => {
            checks
                .fail(target, "no-new-privileges is not set by any flag or daemon.json, so it is off for containers that do not ask for it")
                .evidence(json!({"no-new-privileges": "not set (dockerd default: false)"}));
        }
        Effective::Unknown(why) => checks.skip(why),
    }
}
