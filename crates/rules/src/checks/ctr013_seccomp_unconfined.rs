//! CTR013 seccomp-unconfined: the container runs (or will run) without a seccomp filter:
//! `--security-opt seccomp=unconfined`, `--privileged` (the engine applies no filter to privileged
//! containers), a daemon whose default profile is `unconfined`, or an engine without seccomp support.
//!
//! An engine without seccomp support (no `name=seccomp` in docker info) runs every container
//! unfiltered. That is a real weakness of each container, so the rule does not skip: it fails every
//! container that would otherwise be filtered, at Medium, saying the engine is the cause. When the
//! engine info is missing, only what the container asks for can be judged; the others are skipped.

use crate::prelude::*;
use dockaudit_snapshot::EngineInfo;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR013",
        name: "seccomp-unconfined",
        title: "Container runs without seccomp filtering",
        rationale: "Docker's default seccomp profile blocks about 50 rarely needed system calls (keyctl, unshare, mount, kernel module and clock calls) that kernel exploits and container escapes rely on; without it the whole kernel syscall surface is exposed.",
        remediation: "Remove `--security-opt seccomp=unconfined` and `--privileged` (compose: `security_opt: [\"seccomp=unconfined\"]`, `privileged: true`); if a call is missing, run with a custom profile via `--security-opt seccomp=profile.json`. Keep the daemon's default profile (no `\"seccomp-profile\": \"unconfined\"` in daemon.json) on a kernel built with CONFIG_SECCOMP.",
        category: Category::Protections,
        severity: Severity::High,
        cis: &["5.22"],
        cis_v1_6: &["5.21"],
        references: &[
            "https://docs.docker.com/engine/security/seccomp/",
            "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
            "https://cwe.mitre.org/data/definitions/693.html",
        ],
    },
    check,
};

/// What the engine applies to a container that asks for nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EngineSeccomp {
    /// No engine info: unknown.
    Unknown,
    /// The engine (kernel) has no seccomp support.
    Unsupported,
    /// The daemon's default profile is `unconfined` (daemon.json `seccomp-profile`).
    DefaultUnconfined,
    /// A filtering default profile.
    Filtering,
}

fn engine_seccomp(info: Option<&EngineInfo>) -> EngineSeccomp {
    let Some(info) = info else {
        return EngineSeccomp::Unknown;
    };
    if !info.has_security_option("seccomp") {
        return EngineSeccomp::Unsupported;
    }
    let unconfined = info.security_options.iter().any(|opt| {
        let parts: Vec<&str> = opt.split(',').collect();
        parts.contains(&"name=seccomp") && parts.contains(&"profile=unconfined")
    });
    if unconfined {
        EngineSeccomp::DefaultUnconfined
    } else {
        EngineSeccomp::Filtering
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let engine = engine_seccomp(input.snapshot.info.as_ref());
    checks.each_container(input, |c| {
        let hc = &c.inspect.host_config;
        let requested = hc.security_opt("seccomp");
        // A custom profile is stored as its whole JSON text: show only that one is set.
        let shown = match requested {
            Some(v @ ("unconfined" | "builtin" | "default")) => json!(v),
            Some(_) => json!("(custom profile)"),
            None => serde_json::Value::Null,
        };
        let evidence = json!({
            "HostConfig.SecurityOpt.seccomp": shown,
            "HostConfig.Privileged": hc.privileged,
            "State.Status": c.status(),
        });
        if hc.privileged {
            return Verdict::fail("runs with --privileged, which runs it without seccomp filtering")
                .with_evidence(evidence);
        }
        if requested == Some("unconfined") {
            return Verdict::fail("runs with --security-opt seccomp=unconfined")
                .with_evidence(evidence);
        }
        match engine {
            EngineSeccomp::Unsupported => Verdict::fail(
                "runs without seccomp filtering: the engine has no seccomp support (no name=seccomp in docker info)",
            )
            .with_evidence(evidence)
            .with_severity(Severity::Medium),
            // A custom profile the container brings overrides the daemon's default.
            EngineSeccomp::DefaultUnconfined if requested.is_none() => Verdict::fail(
                "runs without seccomp filtering: the daemon's default seccomp profile is unconfined",
            )
            .with_evidence(evidence),
            EngineSeccomp::Unknown if requested.is_none() => Verdict::Skip(
                "engine info (docker info) was not collected: cannot tell whether the engine applies a seccomp profile".into(),
            ),
            _ => Verdict::Pass,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(opts: &[&str]) -> EngineInfo {
        EngineInfo {
            security_options: opts.iter().map(|s| s.to_string()).collect(),
            ..EngineInfo::default()
        }
    }

    #[test]
    fn engine_profiles_are_read() {
        assert!(engine_seccomp(None) == EngineSeccomp::Unknown);
        assert!(engine_seccomp(Some(&info(&["name=apparmor"]))) == EngineSeccomp::Unsupported);
        assert!(
            engine_seccomp(Some(&info(&["name=seccomp,profile=default"])))
                == EngineSeccomp::Filtering
        );
        assert!(
            engine_seccomp(Some(&info(&["name=seccomp,profile=unconfined"])))
                == EngineSeccomp::DefaultUnconfined
        );
    }
}
