//! CTR019 full-os-container: a container running an init system, cron, syslog, sshd and a web server
//! side by side is a virtual machine in disguise: more to patch, more to break into, and no longer
//! one process the engine can supervise.
//!
//! Each process is reduced to its program name (through interpreters: a script run as
//! `/bin/sh /usr/sbin/sshd` counts as `sshd`) and mapped to a daemon kind; three or more distinct
//! kinds fail. Minimal inits that `--init` adds (`tini`, `dumb-init`, `docker-init`) are not daemons.

use std::collections::BTreeMap;

use dockaudit_snapshot::Fact;

use crate::facts::program_name;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR019",
        name: "full-os-container",
        title: "Container runs several unrelated daemons, like a full OS",
        rationale: "A container is meant to run one service; one that runs an init system, cron, syslog, sshd or a mail server next to its application carries their vulnerabilities and configuration, hides failures from the engine's restart and health logic, and is usually a sign of a VM image moved into Docker.",
        remediation: "Split the daemons into one container each (compose: one service per daemon, sharing a network or volume as needed); log to stdout/stderr instead of syslog, schedule jobs with the host's or orchestrator's scheduler instead of cron, use `docker exec` instead of sshd, and use --init (compose: `init: true`) when only a zombie reaper is needed; build images FROM a minimal base rather than a full distribution with systemd.",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/containers/multi-service_container/",
            "https://docs.docker.com/build/building/best-practices/#decouple-applications",
            "https://cwe.mitre.org/data/definitions/1188.html",
        ],
    },
    check,
};

/// How many distinct daemon kinds make a container a full OS.
const THRESHOLD: usize = 3;

/// Programs that run other programs: the program they run is the next non-flag argument.
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "dash", "ash", "busybox", "python", "python2", "python3", "perl",
];

/// Program name → daemon kind.
const DAEMONS: &[(&str, &str)] = &[
    ("systemd", "init system"),
    ("init", "init system"),
    ("upstart", "init system"),
    ("openrc", "init system"),
    ("supervisord", "init system"),
    ("s6-svscan", "init system"),
    ("s6-supervise", "init system"),
    ("runit", "init system"),
    ("runsvdir", "init system"),
    ("runsv", "init system"),
    ("systemd-logind", "init system"),
    ("systemd-udevd", "init system"),
    ("systemd-resolved", "init system"),
    ("systemd-networkd", "init system"),
    ("cron", "cron"),
    ("crond", "cron"),
    ("anacron", "cron"),
    ("atd", "cron"),
    ("syslogd", "syslog"),
    ("rsyslogd", "syslog"),
    ("syslog-ng", "syslog"),
    ("klogd", "syslog"),
    ("systemd-journald", "syslog"),
    ("sshd", "ssh server"),
    ("dropbear", "ssh server"),
    ("httpd", "web server"),
    ("nginx", "web server"),
    ("apache2", "web server"),
    ("lighttpd", "web server"),
    ("telnetd", "telnet server"),
    ("in.telnetd", "telnet server"),
    ("inetd", "inetd"),
    ("xinetd", "inetd"),
    ("getty", "getty"),
    ("agetty", "getty"),
    ("mingetty", "getty"),
    ("dbus-daemon", "dbus"),
    ("postfix", "mail server"),
    ("sendmail", "mail server"),
    ("exim", "mail server"),
    ("exim4", "mail server"),
    ("ntpd", "time server"),
    ("chronyd", "time server"),
];

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| match &c.top {
        None => Verdict::NotApplicable,
        Some(Fact::Missing(why)) => Verdict::Skip(format!("processes not collected: {why}")),
        Some(Fact::Value(top)) => judge(top.commands()),
    });
}

/// Judges a container's process command lines.
fn judge<'a>(commands: impl Iterator<Item = &'a str>) -> Verdict {
    // kind → program names seen, both sorted.
    let mut kinds: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for command in commands {
        let Some((program, kind)) = daemon(command) else {
            continue;
        };
        let programs = kinds.entry(kind).or_default();
        if !programs.contains(&program) {
            programs.push(program);
            programs.sort();
        }
    }
    if kinds.len() < THRESHOLD {
        return Verdict::Pass;
    }
    let listed: Vec<String> = kinds
        .iter()
        .map(|(kind, programs)| format!("{kind} ({})", programs.join(", ")))
        .collect();
    let evidence: BTreeMap<&str, &Vec<String>> = kinds.iter().map(|(k, v)| (*k, v)).collect();
    Verdict::fail(format!(
        "runs {} unrelated daemons: {}",
        kinds.len(),
        listed.join(", ")
    ))
    .with_evidence(json!({ "daemons": evidence }))
}

/// The program a command line runs, looking through interpreters (`/bin/sh /usr/sbin/sshd`,
/// `busybox crond -f`, `python /usr/bin/supervisord`), and its daemon kind.
fn daemon(command: &str) -> Option<(String, &'static str)> {
    let mut tokens = command.split_whitespace();
    let mut program = program_name(tokens.next()?).to_ascii_lowercase();
    if INTERPRETERS.contains(&program.as_str()) {
        // `sh -c …` runs a command string whose own processes are listed separately.
        for arg in tokens {
            if arg == "-c" {
                break;
            }
            if arg.starts_with('-') {
                continue;
            }
            program = program_name(arg).to_ascii_lowercase();
            break;
        }
    }
    // Postfix's master daemon lives under a postfix directory with a generic name.
    if program == "master" && command.contains("postfix") {
        program = "postfix".to_string();
    }
    let kind = DAEMONS
        .iter()
        .find(|(name, _)| *name == program)
        .map(|(_, kind)| *kind)?;
    Some((program, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(cmd: &str) -> Option<&'static str> {
        daemon(cmd).map(|(_, k)| k)
    }

    #[test]
    fn daemons_are_named_through_interpreters_and_titles() {
        assert_eq!(kind("/bin/sh /usr/sbin/sshd"), Some("ssh server"));
        assert_eq!(
            kind("sshd: /usr/sbin/sshd -D [listener]"),
            Some("ssh server")
        );
        assert_eq!(
            kind("nginx: master process nginx -g daemon off;"),
            Some("web server")
        );
        assert_eq!(kind("busybox crond -f"), Some("cron"));
        assert_eq!(kind("crond -f -l 8"), Some("cron"));
        assert_eq!(
            kind("/usr/bin/python3 /usr/bin/supervisord -n"),
            Some("init system")
        );
        assert_eq!(kind("/sbin/init"), Some("init system"));
        assert_eq!(kind("/usr/lib/postfix/sbin/master -w"), Some("mail server"));
        assert_eq!(kind("syslogd -n"), Some("syslog"));
        for cmd in [
            "/sbin/docker-init -- app",
            "tini -- app",
            "sh -c crond",
            "sleep 3600",
            "master",
            "nc -l -p 4444 -e /bin/sh",
            "/bin/sh",
        ] {
            assert_eq!(kind(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn three_kinds_fail_two_pass() {
        let two = [
            "nginx: master process nginx",
            "nginx: worker process",
            "crond -f",
        ];
        assert_eq!(judge(two.into_iter()), Verdict::Pass);
        let four = [
            "/bin/sh /usr/sbin/sshd",
            "crond -f",
            "syslogd -n",
            "httpd -f -p 80",
            "xmrig",
        ];
        let Verdict::Fail { message, .. } = judge(four.into_iter()) else {
            panic!("expected a failure");
        };
        assert_eq!(
            message,
            "runs 4 unrelated daemons: cron (crond), ssh server (sshd), syslog (syslogd), web server (httpd)"
        );
    }
}
