//! What the host rules (HST, and the firewall rules of NET) derive the same way: the host facts or
//! why they are missing, the host and file targets, and the judgement of a file's owner and
//! permission bits against what CIS section 3 allows.
//!
//! Permissions are judged by bits, never as numbers: `mode & !allowed` must be empty. 0600 and 0400
//! pass where 0644 is allowed; 0700 fails there only for the owner-execute bit 0644 lacks (and the
//! message names that bit), not for being the larger number.

use dockaudit_report::{Severity, Target};
use dockaudit_snapshot::host::{FileFact, FileStat, HostFacts};
use dockaudit_snapshot::{Fact, Snapshot};
use serde_json::json;

use crate::rule::Verdict;

/// The host facts, or why the rules that need them skip.
pub fn host_facts(snapshot: &Snapshot) -> Result<&HostFacts, String> {
    match &snapshot.host {
        Some(Fact::Value(h)) => Ok(h),
        Some(Fact::Missing(why)) => Err(format!("host facts were not collected: {why}")),
        None => Err("host facts were not collected (this snapshot has none)".into()),
    }
}

/// A host fact, or the skip reason naming it.
pub fn fact<'a, T>(fact: &'a Fact<T>, what: &str) -> Result<&'a T, String> {
    match fact {
        Fact::Value(v) => Ok(v),
        Fact::Missing(why) => Err(format!("{what} could not be read: {why}")),
    }
}

/// Why the CIS file and audit checks do not apply to this engine, if they do not: they name the
/// files of a system (rootful) Docker daemon.
pub fn docker_files_skip(snapshot: &Snapshot) -> Option<String> {
    if snapshot.engine.kind == "podman" {
        return Some(
            "the engine is Podman: CIS names the files of the Docker daemon (dockerd, docker.sock, daemon.json), which Podman does not have".into(),
        );
    }
    if snapshot.engine.rootless {
        return Some(
            "the engine is rootless Docker: its socket, configuration and data belong to the user who runs it, not to the system files CIS names".into(),
        );
    }
    None
}

/// The report target for the engine's host.
pub fn host_target(snapshot: &Snapshot, facts: Option<&HostFacts>) -> Target {
    let name = snapshot
        .info
        .as_ref()
        .map(|i| i.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "host".to_string());
    Target {
        kind: "host".into(),
        id: facts.map(|f| f.root.clone()).unwrap_or_default(),
        name,
    }
}

/// The report target for a host file.
pub fn file_target(path: &str) -> Target {
    Target {
        kind: "file".into(),
        id: path.to_string(),
        name: path.to_string(),
    }
}

/// Who should own a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// `root:root`.
    RootRoot,
    /// `root:docker`.
    RootDocker,
}

impl Owner {
    fn shown(self) -> &'static str {
        match self {
            Owner::RootRoot => "root:root",
            Owner::RootDocker => "root:docker",
        }
    }

    fn matches(self, stat: &FileStat, docker_gid: Option<u32>) -> bool {
        stat.uid == 0
            && match self {
                Owner::RootRoot => stat.gid == 0,
                Owner::RootDocker => {
                    stat.group.as_deref() == Some("docker") || Some(stat.gid) == docker_gid
                }
            }
    }
}

/// The permission bits in words: `group write, others read`.
pub fn describe_bits(bits: u32) -> String {
    const NAMES: &[(u32, &str)] = &[
        (0o4000, "setuid"),
        (0o2000, "setgid"),
        (0o1000, "sticky"),
        (0o400, "owner read"),
        (0o200, "owner write"),
        (0o100, "owner execute"),
        (0o040, "group read"),
        (0o020, "group write"),
        (0o010, "group execute"),
        (0o004, "others read"),
        (0o002, "others write"),
        (0o001, "others execute"),
    ];
    NAMES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a file must be: its owner and the permission bits it may have at most.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// Owner and group.
    pub owner: Owner,
    /// Most permissive mode allowed (`0o644`).
    pub allowed: u32,
    /// CIS v1.8.0 ids of the ownership and the permission control, for messages.
    pub cis: (&'static str, &'static str),
}

/// Judges one file fact: absent is not applicable, unreadable skips, present is checked for owner
/// and excess permission bits. A file that group or others may write (or, for `secret` files,
/// read) is worse than the rule's default: `worse` is then the severity.
pub fn judge_file(
    file: &FileFact,
    expect: Expect,
    docker_gid: Option<u32>,
    secret: bool,
    worse: Severity,
) -> Verdict {
    let stat = match &file.stat {
        Fact::Missing(why) => return Verdict::Skip(why.clone()),
        Fact::Value(None) => return Verdict::NotApplicable,
        Fact::Value(Some(stat)) => stat,
    };
    let mut problems = Vec::new();
    if !expect.owner.matches(stat, docker_gid) {
        problems.push(format!(
            "is owned by {}, not {} (CIS {})",
            stat.owner(),
            expect.owner.shown(),
            expect.cis.0
        ));
    }
    let excess = stat.excess_bits(expect.allowed);
    if excess != 0 {
        problems.push(format!(
            "has mode {}, which allows {} beyond {:04o} (CIS {})",
            stat.mode_octal(),
            describe_bits(excess),
            expect.allowed,
            expect.cis.1
        ));
    }
    if problems.is_empty() {
        return Verdict::Pass;
    }
    let dangerous = excess & 0o022 != 0 || (secret && excess & 0o044 != 0);
    let verdict =
        Verdict::fail(format!("{} {}", file.path, problems.join(" and "))).with_evidence(json!({
            "path": file.path,
            "resolved": stat.link_target,
            "kind": stat.kind,
            "owner": stat.owner(),
            "uid": stat.uid,
            "gid": stat.gid,
            "mode": stat.mode_octal(),
            "expected_owner": expect.owner.shown(),
            "allowed_mode": format!("{:04o}", expect.allowed),
            "excess_bits": format!("{excess:04o}"),
        }));
    if dangerous {
        verdict.with_severity(worse)
    } else {
        verdict
    }
}

/// The gid of the host's `docker` group, when known.
pub fn docker_gid(facts: &HostFacts) -> Option<u32> {
    facts.docker_group.value().and_then(|g| g.gid)
}

/// Runs [`judge_file`] over every file fact with one of `roles`; when the engine is not a system
/// Docker, or the host facts are missing, the rule skips.
pub fn check_files(
    input: &crate::AuditInput,
    checks: &mut crate::Checks,
    roles: &[&str],
    expect: impl Fn(&FileFact) -> Expect,
    secret: impl Fn(&FileFact) -> bool,
    worse: Severity,
) {
    let snapshot = input.snapshot;
    if let Some(why) = docker_files_skip(snapshot) {
        checks.skip(why);
        return;
    }
    let facts = match host_facts(snapshot) {
        Ok(f) => f,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let gid = docker_gid(facts);
    checks.each(
        facts
            .files
            .iter()
            .filter(|f| roles.contains(&f.role.as_str())),
        |f| file_target(&f.path),
        |f| judge_file(f, expect(f), gid, secret(f), worse),
    );
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the start of an RFC 3339 timestamp).
pub fn days_from_date(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(mode: u32, uid: u32, gid: u32, group: &str) -> FileFact {
        FileFact {
            role: "daemon.json".into(),
            path: "/etc/docker/daemon.json".into(),
            stat: Fact::Value(Some(FileStat {
                kind: "file".into(),
                mode,
                uid,
                gid,
                user: None,
                group: Some(group.into()),
                link_target: None,
            })),
        }
    }

    const EXPECT: Expect = Expect {
        owner: Owner::RootRoot,
        allowed: 0o644,
        cis: ("3.17", "3.18"),
    };

    #[test]
    fn modes_are_judged_by_bits() {
        let judge = |mode| {
            judge_file(
                &file(mode, 0, 0, "root"),
                EXPECT,
                None,
                false,
                Severity::High,
            )
        };
        assert_eq!(judge(0o644), Verdict::Pass);
        assert_eq!(judge(0o600), Verdict::Pass);
        assert_eq!(judge(0o400), Verdict::Pass);
        // 700 is a bigger number than 644 but only adds owner execute.
        match judge(0o700) {
            Verdict::Fail {
                message, severity, ..
            } => {
                assert!(message.contains("owner execute"), "{message}");
                assert_eq!(severity, None);
            }
            other => panic!("{other:?}"),
        }
        match judge(0o646) {
            Verdict::Fail { severity, .. } => assert_eq!(severity, Some(Severity::High)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn owners_and_absence() {
        let v = judge_file(
            &file(0o644, 1000, 0, "root"),
            EXPECT,
            None,
            false,
            Severity::High,
        );
        assert!(
            matches!(v, Verdict::Fail { ref message, .. } if message.contains("is owned by 1000:root"))
        );
        let docker = Expect {
            owner: Owner::RootDocker,
            allowed: 0o660,
            cis: ("3.15", "3.16"),
        };
        assert_eq!(
            judge_file(
                &file(0o660, 0, 999, "docker"),
                docker,
                None,
                false,
                Severity::High
            ),
            Verdict::Pass
        );
        let mut nameless = file(0o660, 0, 999, "x");
        if let Fact::Value(Some(s)) = &mut nameless.stat {
            s.group = None;
        }
        assert_eq!(
            judge_file(&nameless, docker, Some(999), false, Severity::High),
            Verdict::Pass
        );
        let absent = FileFact {
            stat: Fact::Value(None),
            ..file(0, 0, 0, "")
        };
        assert_eq!(
            judge_file(&absent, EXPECT, None, false, Severity::High),
            Verdict::NotApplicable
        );
    }

    #[test]
    fn dates() {
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2000-03-01T00:00:00Z"), Some(11_017));
        assert_eq!(
            days_from_date("2024-01-01")
                .zip(days_from_date("2023-01-01"))
                .map(|(a, b)| a - b),
            Some(365)
        );
        assert_eq!(days_from_date("2023-13-01"), None);
        assert_eq!(days_from_date("x"), None);
    }
}
