//! DMN011 base-device-size-changed: the devicemapper base device size (`dm.basesize` in
//! `--storage-opt` or daemon.json `storage-opts`) is changed from its default.
//!
//! The option means something only to the devicemapper driver (which refuses to start with any
//! other); a `dm.basesize` in daemon.json on a daemon using another driver was added after the
//! daemon started, and is reported too, since the next restart would apply (or choke on) it.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN011",
        name: "base-device-size-changed",
        title: "Devicemapper base device size is changed",
        rationale: "dm.basesize raises the size every container's root filesystem may grow to; a larger base device lets one container fill the thin pool the others share, and the setting cannot be lowered again without reinitialising the storage.",
        remediation: "Remove dm.basesize from --storage-opt and from \"storage-opts\" in daemon.json unless containers really need bigger root filesystems (give them volumes instead), and restart the daemon.",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.12"],
        cis_v1_6: &["2.11"],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#storage-driver-options",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("storage-opts") {
        Effective::Set(s) => {
            let basesize: Vec<String> = s
                .as_strings()
                .into_iter()
                .filter(|o| o.trim_start().starts_with("dm.basesize"))
                .collect();
            if basesize.is_empty() {
                checks.pass(target);
            } else {
                checks
                    .fail(
                        target,
                        format!(
                            "the devicemapper base device size is changed: {} ({})",
                            basesize.join(", "),
                            s.source()
                        ),
                    )
                    .evidence(json!({"storage-opts": s.value, "source": s.source()}));
            }
        }
        Effective::Default => checks.pass(target),
        Effective::Unknown(why) => {
            // Only devicemapper reads the option: with another driver in use it cannot be set.
            match snapshot.daemon_setting("storage-driver") {
                Effective::Set(d) if d.as_str().is_some_and(|v| v != "devicemapper") => {
                    checks.pass(target)
                }
                _ => checks.skip(why),
            }
        }
    }
}
