//! CTR006 sshd-running: an SSH daemon runs inside the container (seen in the engine's `top`).
//!
//! A process counts when its executable's basename is `sshd` (also OpenSSH's per-connection
//! `sshd-session` / `sshd-auth`, and the title form `sshd: …`), or when a shell or interpreter runs
//! a script named `sshd` (`/bin/sh /usr/sbin/sshd`). Arguments of other programs
//! (`vi /etc/ssh/sshd_config`, `cat /usr/sbin/sshd`) do not count, nor do shells that merely
//! launch it (`sh -c '/usr/sbin/sshd -D & …'`: the daemon is listed as its own process).
//! Containers that are not running have no processes and are not judged.

use crate::prelude::*;
use dockaudit_snapshot::Fact;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR006",
        name: "sshd-running",
        title: "sshd runs inside the container",
        rationale: "An SSH server in a container is another network-facing service with its own credentials, keys and patch cycle, and it bypasses the engine's access control and audit trail.",
        remediation: "Remove the SSH server from the image and its entrypoint; get a shell with `docker exec -it CONTAINER sh` (compose: `docker compose exec SERVICE sh`) and copy files with `docker cp`.",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["5.7"],
        cis_v1_6: &["5.6"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/exec/",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

/// Executable basenames that are an SSH daemon.
const SSHD_NAMES: &[&str] = &["sshd", "sshd-session", "sshd-auth"];

/// Programs that run a script named by a later argument.
const INTERPRETERS: &[&str] = &[
    "sh", "ash", "bash", "dash", "zsh", "ksh", "busybox", "env", "perl", "python", "python3",
];

fn basename(token: &str) -> &str {
    token.rsplit('/').next().unwrap_or(token)
}

/// Whether one `top` command line is an SSH daemon.
fn is_sshd(command: &str) -> bool {
    let mut tokens = command.split_whitespace();
    let Some(first) = tokens.next() else {
        return false;
    };
    // `sshd: /usr/sbin/sshd -D [listener]`, `sshd: root@pts/0`: the process title form.
    let program = basename(first.strip_suffix(':').unwrap_or(first));
    if SSHD_NAMES.contains(&program) {
        return true;
    }
    if !INTERPRETERS.contains(&program) {
        return false;
    }
    // `/bin/sh /usr/sbin/sshd -D`, `busybox sh -e /usr/sbin/sshd`: the first operand that is not
    // an option or another interpreter is the script. A `-c` command string is not a script: a
    // shell that runs sshd that way shows as its parent, and sshd itself is listed on its own.
    for token in tokens {
        if let Some(flags) = token.strip_prefix('-') {
            if !flags.starts_with('-') && flags.contains('c') {
                return false;
            }
            continue;
        }
        let name = basename(token);
        if INTERPRETERS.contains(&name) {
            continue;
        }
        return SSHD_NAMES.contains(&name);
    }
    false
}

/// A command line cut to a length that fits a one-line message: the first 100 characters, then `…`
/// (101 in all; [`facts::shorten`] counts the `…` within its limit, so it is not used here, to keep
/// the messages as they are).
fn shorten(command: &str) -> String {
    const MAX: usize = 100;
    if command.chars().count() <= MAX {
        command.to_string()
    } else {
        let cut: String = command.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| match &c.top {
        None => Verdict::NotApplicable,
        Some(Fact::Missing(why)) => Verdict::Skip(why.clone()),
        Some(Fact::Value(top)) => {
            let found: Vec<&str> = top.commands().filter(|cmd| is_sshd(cmd)).collect();
            match found.first() {
                None => Verdict::Pass,
                Some(first) => Verdict::fail(format!("runs an SSH daemon: {}", shorten(first)))
                    .with_evidence(json!({"processes": found})),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::is_sshd;

    #[test]
    fn sshd_forms_match() {
        for cmd in [
            "/usr/sbin/sshd -D",
            "sshd",
            "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
            "sshd: root@pts/0",
            "/bin/sh /usr/sbin/sshd",
            "/bin/sh -e /usr/sbin/sshd -D",
            "busybox sh /usr/sbin/sshd",
            "/usr/lib/openssh/sshd-session",
        ] {
            assert!(is_sshd(cmd), "{cmd}");
        }
    }

    #[test]
    fn lookalikes_do_not_match() {
        for cmd in [
            "",
            "vi /etc/ssh/sshd_config",
            "cat /usr/sbin/sshd",
            "/bin/sh -c sleep 1000",
            "sh -c /usr/sbin/sshd -D & nc -l -p 4444 & wait",
            "/bin/sh -ec /usr/sbin/sshd",
            "sh /etc/ssh/sshd_config",
            "tail -f /var/log/sshd.log",
            "/usr/bin/sshd-keygen-wrapper",
            "ssh user@host",
        ] {
            assert!(!is_sshd(cmd), "{cmd}");
        }
    }
}
