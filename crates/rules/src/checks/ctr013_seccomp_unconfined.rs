//! CTR013 seccomp-unconfined: the container runs (or will run) without a seccomp filter:
//! `--security-opt seccomp=unconfined`, `--privileged` (the engine applies no filter to privileged
//! containers), a daemon whose default profile is `unconfined`, an engine without seccomp support,
//! or a custom profile (`--security-opt seccomp=profile.json`, which the engine stores as the
//! profile's JSON text) that leaves open the system calls Docker's default profile closes against
//! escapes ([`ESCAPE_SYSCALLS`]).
//!
//! A custom profile is the same concept as `unconfined`, not a rule of its own: what the user must
//! know and fix is that this container's system calls are not filtered where it matters (CIS 5.22),
//! however that came about. A profile whose default action allows (`SCMP_ACT_ALLOW`, `SCMP_ACT_LOG`)
//! and which denies none of those calls is as good as unconfined (rule severity); one that leaves
//! some of them open is Medium, naming them. A call counts as closed when the default action
//! denies it and no unconditional rule allows it, or when any rule denies it (conditions on
//! arguments or capabilities are given the benefit of the doubt), so Docker's own default profile,
//! passed as a file, passes.
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
        remediation: "Remove `--security-opt seccomp=unconfined` and `--privileged` (compose: `security_opt: [\"seccomp=unconfined\"]`, `privileged: true`); if a call is missing, run with a custom profile via `--security-opt seccomp=profile.json` made from Docker's default profile (moby's `profiles/seccomp/default.json`) plus only the calls the workload needs, never a default-allow profile. Keep the daemon's default profile (no `\"seccomp-profile\": \"unconfined\"` in daemon.json) on a kernel built with CONFIG_SECCOMP.",
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

/// System calls Docker's default profile denies to a container without extra capabilities, and which
/// container escapes and kernel exploits rely on: namespaces and mounts (`unshare`, `setns`, `mount`
/// and the new mount API), kernel keyrings, eBPF, kernel modules and kexec, `open_by_handle_at`
/// ("shocker"), `userfaultfd` and `perf_event_open`.
pub const ESCAPE_SYSCALLS: &[&str] = &[
    "add_key",
    "bpf",
    "delete_module",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "init_module",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "mount",
    "move_mount",
    "open_by_handle_at",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "request_key",
    "setns",
    "umount2",
    "unshare",
    "userfaultfd",
];

/// What a custom seccomp profile leaves open.
#[derive(Debug, PartialEq, Eq)]
struct ProfileGaps {
    /// The profile's `defaultAction`.
    default_action: String,
    /// How many rules the profile has.
    rules: usize,
    /// The [`ESCAPE_SYSCALLS`] it allows.
    open: Vec<&'static str>,
}

/// Whether a seccomp action lets the call through (`SCMP_ACT_LOG` allows and logs).
fn allows(action: &str) -> bool {
    matches!(action, "SCMP_ACT_ALLOW" | "SCMP_ACT_LOG")
}

/// Reads a profile's JSON text (Docker's format: `defaultAction`, `syscalls` with `names` or the
/// older `name`, `action`, optional `args`, `includes`, `excludes`) and finds the escape calls it
/// leaves open. `None` when the text is not such a profile.
fn profile_gaps(text: &str) -> Option<ProfileGaps> {
    let profile: serde_json::Value = serde_json::from_str(text).ok()?;
    let default_action = profile.get("defaultAction")?.as_str()?.to_string();
    let rules: &[serde_json::Value] = match profile.get("syscalls") {
        None | Some(serde_json::Value::Null) => &[],
        Some(rules) => rules.as_array()?,
    };
    let names_of = |rule: &serde_json::Value| -> Vec<String> {
        let mut names: Vec<String> = rule
            .get("names")
            .and_then(|n| n.as_array())
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(String::from))
            .collect();
        names.extend(rule.get("name").and_then(|n| n.as_str()).map(String::from));
        names
    };
    let is_set = |rule: &serde_json::Value, key: &str| {
        rule.get(key).is_some_and(|v| match v {
            serde_json::Value::Null => false,
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(o) => !o.is_empty(),
            _ => true,
        })
    };
    let open = ESCAPE_SYSCALLS
        .iter()
        .copied()
        .filter(|call| {
            let naming: Vec<&serde_json::Value> = rules
                .iter()
                .filter(|r| names_of(r).iter().any(|n| n == call))
                .collect();
            let action = |r: &serde_json::Value| {
                r.get("action")
                    .and_then(|a| a.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let denied = naming.iter().any(|r| !allows(&action(r)));
            if denied {
                return false;
            }
            allows(&default_action)
                || naming.iter().any(|r| {
                    allows(&action(r))
                        && !is_set(r, "args")
                        && !is_set(r, "includes")
                        && !is_set(r, "excludes")
                })
        })
        .collect();
    Some(ProfileGaps {
        default_action,
        rules: rules.len(),
        open,
    })
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
        // On an engine without seccomp a profile changes nothing: the engine's failure below.
        if let Some(text) = requested.filter(|v| v.trim_start().starts_with('{')) {
            if engine != EngineSeccomp::Unsupported {
                return judge_profile(text, evidence);
            }
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

/// The verdict on a container that brings its own profile (`text`).
fn judge_profile(text: &str, mut evidence: serde_json::Value) -> Verdict {
    let Some(gaps) = profile_gaps(text) else {
        return Verdict::Skip(
            "its custom seccomp profile could not be read (not a JSON profile with a defaultAction)"
                .into(),
        );
    };
    if gaps.open.is_empty() {
        return Verdict::Pass;
    }
    evidence["seccomp_profile"] = json!({
        "defaultAction": gaps.default_action,
        "rules": gaps.rules,
        "open_escape_syscalls": gaps.open,
    });
    if gaps.open.len() == ESCAPE_SYSCALLS.len() {
        Verdict::fail(format!(
            "runs with a custom seccomp profile that filters nothing that matters: default action {}, and none of the calls Docker's default profile closes against escapes (mount, unshare, keyctl, bpf…) is denied",
            gaps.default_action
        ))
        .with_evidence(evidence)
    } else {
        Verdict::fail(format!(
            "runs with a custom seccomp profile that allows {} of the calls Docker's default profile closes against escapes: {}",
            gaps.open.len(),
            facts::shorten(&gaps.open.join(", "), 120)
        ))
        .with_evidence(evidence)
        .with_severity(Severity::Medium)
    }
}

/// The Compose check: `security_opt: [seccomp:unconfined]`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR013",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            crate::source::security_opts(s)
                .into_iter()
                .filter(|(o, _)| o == "seccomp:unconfined")
                .map(|(_, at)| crate::source::Hit::at(at, "security_opt seccomp:unconfined"))
                .collect(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_profiles_are_judged_by_what_they_leave_open() {
        let all = ESCAPE_SYSCALLS.len();
        // Allow everything, deny one harmless call: as good as unconfined.
        let gaps = profile_gaps(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO"}]}"#,
        )
        .expect("a profile");
        assert_eq!((gaps.rules, gaps.open.len()), (1, all));
        // No rules at all, logging only.
        assert_eq!(
            profile_gaps(r#"{"defaultAction":"SCMP_ACT_LOG","syscalls":null}"#)
                .map(|g| g.open.len()),
            Some(all)
        );
        // A deny list that closes most but not all: the rest are named (the old `name` form too).
        let gaps = profile_gaps(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                {"names":["mount","umount2","unshare","setns","pivot_root","keyctl","add_key","request_key"],"action":"SCMP_ACT_ERRNO"},
                {"name":"bpf","action":"SCMP_ACT_KILL"}]}"#,
        )
        .expect("a profile");
        assert!(!gaps.open.contains(&"mount") && !gaps.open.contains(&"bpf"));
        assert!(gaps.open.contains(&"userfaultfd") && gaps.open.contains(&"init_module"));
        // An allow list, with the dangerous calls allowed only under a capability (Docker's way).
        let docker_like = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
            {"names":["read","write","ptrace"],"action":"SCMP_ACT_ALLOW"},
            {"names":["mount","unshare","setns"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#;
        assert_eq!(profile_gaps(docker_like).map(|g| g.open), Some(vec![]));
        // An allow list that opens `mount` for everyone.
        let gaps = profile_gaps(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ALLOW"}]}"#,
        )
        .expect("a profile");
        assert_eq!(gaps.open, vec!["mount"]);
        // Not a profile.
        assert_eq!(profile_gaps("{\"syscalls\":[]}"), None);
        assert_eq!(profile_gaps("{not json"), None);
        assert_eq!(
            profile_gaps(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}"#),
            None
        );
    }

    #[test]
    fn profile_verdicts() {
        let allow_all = r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#;
        match judge_profile(allow_all, json!({})) {
            Verdict::Fail {
                severity, evidence, ..
            } => {
                assert_eq!(severity, None);
                assert_eq!(
                    evidence["seccomp_profile"]["defaultAction"],
                    "SCMP_ACT_ALLOW"
                );
            }
            other => panic!("{other:?}"),
        }
        let partial = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#;
        assert!(matches!(
            judge_profile(partial, json!({})),
            Verdict::Fail {
                severity: Some(Severity::Medium),
                ..
            }
        ));
        let closed = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#;
        assert_eq!(judge_profile(closed, json!({})), Verdict::Pass);
        assert!(matches!(
            judge_profile("{oops", json!({})),
            Verdict::Skip(_)
        ));
    }

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
