//! DMN017 daemon-seccomp-unconfined: the daemon-wide seccomp profile is `unconfined`
//! (`--seccomp-profile=unconfined`, daemon.json `seccomp-profile`), or the engine has no seccomp
//! support at all: every container that does not bring its own profile runs without syscall
//! filtering.
//!
//! CIS 2.18 asks for a daemon-wide custom profile "if appropriate" (a manual control); what can be
//! judged without site policy is that a filtering profile, Docker's built-in one or a custom one,
//! is in force. Read from `/info` (`name=seccomp,profile=…`), so remote engines are judged too.
//!
//! CIS ids: v1.6.0 2.17 is confirmed; v1.8.0 2.18 is inferred (v1.8.0 inserted 2.7, devicemapper,
//! and shifted the later controls by one), not read from the v1.8.0 document.

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN017",
        name: "daemon-seccomp-unconfined",
        title: "Daemon-wide seccomp profile is unconfined",
        rationale: "The daemon's default seccomp profile blocks about 50 rarely needed system calls that kernel exploits and container escapes rely on; set to unconfined (or without seccomp support) every container is exposed to the whole syscall surface unless it brings its own profile.",
        remediation: "Remove \"seccomp-profile\": \"unconfined\" from daemon.json (and --seccomp-profile=unconfined from the command line) to use Docker's built-in profile, or point it at a reviewed custom profile (\"seccomp-profile\": \"/etc/docker/seccomp.json\"); on a kernel without CONFIG_SECCOMP, move to one that has it.",
        category: Category::Daemon,
        severity: Severity::High,
        cis: &["2.18"],
        cis_v1_6: &["2.17"],
        references: &[
            "https://docs.docker.com/engine/security/seccomp/",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://cwe.mitre.org/data/definitions/693.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("seccomp-profile") {
        Effective::Set(s) if s.as_str() == Some("unconfined") => {
            checks
                .fail(target, format!("the daemon-wide seccomp profile is unconfined: containers run without syscall filtering unless they bring a profile ({})", s.source()))
                .evidence(json!({"seccomp-profile": "unconfined", "source": s.source()}));
        }
        Effective::Set(_) => checks.pass(target),
        // docker info was read and lists no seccomp at all: the engine cannot filter.
        Effective::Default | Effective::Unknown(_)
            if snapshot
                .info
                .as_ref()
                .is_some_and(|i| !i.has_security_option("seccomp")) =>
        {
            let options = snapshot
                .info
                .as_ref()
                .map(|i| i.security_options.clone())
                .unwrap_or_default();
            checks
                .fail(target, "the engine applies no seccomp filtering: docker info lists no seccomp support (kernel or build without seccomp)")
                .evidence(json!({"SecurityOptions": options}))
                .severity(Severity::Medium);
        }
        Effective::Default => checks.pass(target),
        Effective::Unknown(why) => checks.skip(why),
    }
}
