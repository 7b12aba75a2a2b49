//! DMN010 default-cgroup-parent-changed: the daemon places containers under a cgroup parent of
//! its own choosing (`--cgroup-parent`, daemon.json `cgroup-parent`) instead of the default.
//!
//! CIS asks to confirm the default is in use unless a change is deliberate (a manual control), so
//! a changed parent is reported at Info, for review.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN010",
        name: "default-cgroup-parent-changed",
        title: "Daemon uses a non-default cgroup parent for containers",
        rationale: "The default cgroup parent (`docker`, or `system.slice` with the systemd driver) is where host-wide limits and accounting for containers are set; a different parent moves every container under other limits, which should be a reviewed decision.",
        remediation: "Remove --cgroup-parent from the dockerd command line and \"cgroup-parent\" from daemon.json unless the placement is intended and the parent cgroup has the limits you expect; restart the daemon.",
        category: Category::Daemon,
        severity: Severity::Info,
        cis: &["2.11"],
        cis_v1_6: &["2.10"],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#default-cgroup-parent",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("cgroup-parent") {
        Effective::Set(s) if s.as_str().is_some_and(|v| !v.trim().is_empty()) => {
            let parent = s.as_str().unwrap_or_default();
            checks
                .fail(target, format!("containers are placed under the cgroup parent {parent} ({}): confirm it is intended", s.source()))
                .evidence(json!({"cgroup-parent": parent, "source": s.source()}));
        }
        Effective::Set(_) | Effective::Default => checks.pass(target),
        Effective::Unknown(why) => checks.skip(why),
    }
}
