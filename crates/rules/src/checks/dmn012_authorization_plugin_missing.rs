//! DMN012 authorization-plugin-missing: no authorization plugin checks Engine API requests, so
//! every client that can reach the API may do everything.
//!
//! Read from `/info` (`Plugins.Authorization`), so remote engines are judged too.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN012",
        name: "authorization-plugin-missing",
        title: "No authorization plugin controls Engine API requests",
        rationale: "Docker's own access control is all or nothing: anyone who can open the socket or reach the API may run privileged containers. An authorization plugin can allow or deny each request (no --privileged, no host mounts, read-only users), which matters wherever several people or tools share an engine.",
        remediation: "Install an authorization plugin (for example Open Policy Agent's opa-docker-authz), list it in daemon.json as \"authorization-plugins\": [\"NAME\"] (or --authorization-plugin=NAME), write its policy, and restart the daemon.",
        category: Category::Daemon,
        severity: Severity::Low,
        cis: &["2.13"],
        cis_v1_6: &["2.12"],
        references: &[
            "https://docs.docker.com/engine/extend/plugins_authorization/",
            "https://cwe.mitre.org/data/definitions/862.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("authorization-plugins") {
        Effective::Set(s) if !s.as_strings().is_empty() => checks.pass(target),
        Effective::Set(_) | Effective::Default => {
            checks
                .fail(
                    target,
                    "no authorization plugin is configured: every API client may do everything",
                )
                .evidence(json!({"authorization-plugins": []}));
        }
        Effective::Unknown(why) => checks.skip(why),
    }
}
