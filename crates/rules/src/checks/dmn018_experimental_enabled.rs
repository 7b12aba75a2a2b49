//! DMN018 experimental-enabled: the daemon runs with experimental features on.
//!
//! Read from `/info` (`ExperimentalBuild`), so remote engines are judged too.
//!
//! CIS ids: v1.6.0 2.18 is confirmed; v1.8.0 2.19 is inferred (v1.8.0 inserted 2.7, devicemapper,
//! and shifted the later controls by one), not read from the v1.8.0 document.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN018",
        name: "experimental-enabled",
        title: "Experimental daemon features are enabled",
        rationale: "Experimental features are not covered by Docker's stability and support guarantees and have had less security review; a production daemon should not expose them.",
        remediation: "Remove --experimental from the dockerd command line and \"experimental\": true from daemon.json, and restart the daemon.",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.19"],
        cis_v1_6: &["2.18"],
        references: &[
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("experimental") {
        Effective::Set(s) if s.as_bool() == Some(true) => {
            checks
                .fail(
                    target,
                    format!("experimental features are enabled ({})", s.source()),
                )
                .evidence(json!({"experimental": true, "source": s.source()}));
        }
        Effective::Set(_) | Effective::Default => checks.pass(target),
        Effective::Unknown(why) => checks.skip(why),
    }
}
