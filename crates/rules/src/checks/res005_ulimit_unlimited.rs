//! RES005 ulimit-unlimited: the container overrides a ulimit (`--ulimit`) to unlimited (soft or hard
//! limit -1), or raises `nofile` above 1048576, lifting the guard the daemon's defaults give.

use crate::prelude::*;
use dockaudit_snapshot::Ulimit;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RES005",
        name: "ulimit-unlimited",
        title: "Container raises a ulimit to unlimited",
        rationale: "ulimits cap what one process may consume (open files, processes, core dump size, locked memory); an unlimited one lets a runaway or hostile process exhaust the host's resources, and unlimited core dumps can write memory contents, secrets included, to disk.",
        remediation: "Remove the unlimited `--ulimit` override (compose: `ulimits:`) and set a finite value the workload needs (`--ulimit nofile=65536:65536`, compose: `ulimits: {nofile: {soft: 65536, hard: 65536}}`); set host-wide defaults in daemon.json (`\"default-ulimits\"`).",
        category: Category::Resources,
        severity: Severity::Low,
        cis: &["5.19"],
        cis_v1_6: &["5.18"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#ulimit",
            "https://docs.docker.com/reference/cli/dockerd/#default-ulimit-settings",
            "https://cwe.mitre.org/data/definitions/770.html",
        ],
    },
    check,
};

/// Highest `nofile` limit accepted (the kernel's default `fs.nr_open`).
const MAX_NOFILE: i64 = 1_048_576;

/// Why a ulimit is too generous, if it is.
fn too_generous(u: &Ulimit) -> Option<&'static str> {
    if u.soft == -1 || u.hard == -1 {
        Some("unlimited")
    } else if u.name == "nofile" && (u.soft > MAX_NOFILE || u.hard > MAX_NOFILE) {
        Some("above 1048576")
    } else {
        None
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let found: Vec<String> = c
            .inspect
            .host_config
            .ulimits
            .iter()
            .filter_map(|u| {
                too_generous(u).map(|why| format!("{}={}:{} ({why})", u.name, u.soft, u.hard))
            })
            .collect();
        if found.is_empty() {
            Verdict::Pass
        } else {
            Verdict::fail(format!("raises ulimits {}", found.join(", "))).with_evidence(json!({
                "HostConfig.Ulimits": c.inspect.host_config.ulimits,
                "State.Status": c.status(),
            }))
        }
    });
}
