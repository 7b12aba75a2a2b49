//! CTR014 no-new-privileges-missing: processes in the container can gain privileges through setuid
//! and setgid binaries or file capabilities, because neither the container
//! (`--security-opt no-new-privileges`) nor the daemon (`"no-new-privileges": true`) sets the flag.
//!
//! An explicit `no-new-privileges=false` on the container overrides the daemon default and fails.
//! When the daemon default is unknown (no engine info), a container that does not set the flag
//! itself is skipped.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR014",
        name: "no-new-privileges-missing",
        title: "Container processes can gain new privileges",
        rationale: "Without no-new-privileges a process in the container can raise its privileges by executing a setuid/setgid binary or one with file capabilities, turning a foothold as an unprivileged user into root in the container.",
        remediation: "Run with `docker run --security-opt no-new-privileges` (compose: `security_opt: [\"no-new-privileges:true\"]`), or make it the default for every container (daemon.json: `\"no-new-privileges\": true`).",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.26"],
        cis_v1_6: &["5.25"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://www.kernel.org/doc/html/latest/userspace-api/no_new_privs.html",
            "https://cwe.mitre.org/data/definitions/269.html",
        ],
    },
    check,
};

/// Go's `strconv.ParseBool`, which the engine uses for the flag's value.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    // Podman writes containers.conf's no_new_privileges into each container's SecurityOpt, so
    // the container's own setting is the whole answer there.
    let podman = facts::is_podman(input.snapshot);
    let daemon_default = if podman {
        Some(false)
    } else {
        input.snapshot.daemon_no_new_privileges()
    };
    checks.each_container(input, |c| {
        // `security_opt` reads a bare `no-new-privileges` as `true`.
        let set = c.inspect.host_config.security_opt("no-new-privileges");
        let evidence = json!({
            "HostConfig.SecurityOpt.no-new-privileges": set,
            "daemon_no_new_privileges": daemon_default,
            "State.Status": c.status(),
        });
        match (set.map(parse_bool), daemon_default) {
            (Some(Some(true)), _) => Verdict::Pass,
            (Some(Some(false)), Some(true)) => Verdict::fail(
                "turns off the daemon's no-new-privileges default (no-new-privileges=false)",
            )
            .with_evidence(evidence),
            (Some(Some(false)), _) => {
                Verdict::fail("sets no-new-privileges=false").with_evidence(evidence)
            }
            (Some(None), _) => Verdict::fail(format!(
                "no-new-privileges has an unrecognised value {:?}",
                set.unwrap_or_default()
            ))
            .with_evidence(evidence),
            (None, Some(true)) => Verdict::Pass,
            (None, Some(false)) if podman => Verdict::fail(
                "no-new-privileges is not set (no --security-opt no-new-privileges, no no_new_privileges in containers.conf)",
            )
            .with_evidence(evidence),
            (None, Some(false)) => Verdict::fail(
                "no-new-privileges is not set (no --security-opt no-new-privileges, no daemon default)",
            )
            .with_evidence(evidence),
            (None, None) => Verdict::Skip(
                "does not set no-new-privileges, and the daemon default is unknown (engine info was not collected)".into(),
            ),
        }
    });
}

/// The Compose check: no `security_opt: [no-new-privileges:true]`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR014",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        let set = crate::source::security_opts(s)
            .iter()
            .any(|(o, _)| o == "no-new-privileges" || o == "no-new-privileges:true");
        if set {
            Some(Vec::new())
        } else {
            crate::source::one(
                s.def.key_at("security_opt").unwrap_or(&s.at),
                "no security_opt no-new-privileges:true",
            )
        }
    });
}

#[cfg(test)]
mod tests {
    use super::parse_bool;

    #[test]
    fn go_bools() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}
