//! LCY003 stopped-container: exited, never-started and dead containers keep their writable layer,
//! configuration (environment secrets included) and volumes around, and can be restarted as they
//! were.
//!
//! "How long ago" is measured from the snapshot's `collected_at`, never from the clock.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY003",
        name: "stopped-container",
        title: "Exited or never-started container",
        rationale: "Stopped containers keep their filesystem changes, logs, environment (secrets included) and volume references, hold disk space, and can be started again unreviewed with whatever privileges they were created with.",
        remediation: "Review and remove what is not needed: `docker rm NAME` (or `docker container prune --filter until=24h`); run one-off jobs with `docker run --rm` (compose: `docker compose run --rm`, `docker compose down` for retired projects).",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &["6.2"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/prune/",
            "https://docs.docker.com/engine/manage-resources/pruning/#prune-containers",
            "https://cwe.mitre.org/data/definitions/1164.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let now = parse_rfc3339(&input.snapshot.collected_at);
    checks.each_container(input, |c| {
        let state = &c.inspect.state;
        let status = c.status();
        let mut message = match status {
            "exited" => format!(
                "exited with code {}{}",
                state.exit_code,
                when(&state.finished_at, now)
            ),
            "created" => format!("created{}, never started", when(&c.inspect.created, now)),
            "dead" => format!(
                "dead (exit code {}){}",
                state.exit_code,
                when(&state.finished_at, now)
            ),
            _ => return Verdict::Pass,
        };
        if let Some(size) = c.size_rw {
            message.push_str(&format!(
                "; {} in its writable layer",
                facts::human_bytes(size)
            ));
        }
        let mut evidence = json!({
            "State.Status": status,
            "State.ExitCode": state.exit_code,
            "State.FinishedAt": state.finished_at,
            "Created": c.inspect.created,
            "SizeRw": c.size_rw,
        });
        if c.size_rw.is_none() {
            evidence["SizeUnknown"] = json!(if input.snapshot.settings.sizes {
                "the engine did not report it"
            } else {
                "sizes were not collected (--no-sizes)"
            });
        }
        Verdict::fail(message).with_evidence(evidence)
    });
}

/// ` 3 days ago (2024-05-01T10:00:00Z)`, ` at 2024-05-01T10:00:00Z`, or nothing for an unset time.
fn when(timestamp: &str, now: Option<i64>) -> String {
    let Some(then) = parse_rfc3339(timestamp) else {
        return String::new();
    };
    // The engine's zero time (`0001-01-01T00:00:00Z`) means "never".
    if timestamp.starts_with("0001-") {
        return String::new();
    }
    let shown = trim_fraction(timestamp);
    match now.map(|n| n - then) {
        Some(age) if age >= 0 => format!(" {} ({shown})", ago(age)),
        _ => format!(" at {shown}"),
    }
}

/// `3 days ago`, `5 hours ago`, `12 minutes ago`, `just now`.
fn ago(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3_600 => (s / 3_600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        _ => return "just now".to_string(),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// `2024-05-01T10:00:00.123456789Z` → `2024-05-01T10:00:00Z`.
fn trim_fraction(timestamp: &str) -> String {
    match timestamp.split_once('.') {
        Some((head, tail)) => {
            let offset: String = tail.chars().skip_while(char::is_ascii_digit).collect();
            format!("{head}{offset}")
        }
        None => timestamp.to_string(),
    }
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp (`Z` or `±HH:MM` offset, any fraction).
fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', 't', ' '])?;
    let mut d = date.splitn(3, '-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let pos = time.rfind(['+', '-'])?;
        let (clock, off) = time.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':')?;
        (
            clock,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    };
    let clock = clock.split('.').next()?;
    let mut t = clock.splitn(3, ':');
    let hour: i64 = t.next()?.parse().ok()?;
    let minute: i64 = t.next()?.parse().ok()?;
    let second: i64 = t.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-05-01T10:00:00.123456789Z"),
            Some(1_714_557_600)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00+02:00"),
            Some(1_714_557_600)
        );
        assert_eq!(parse_rfc3339("garbage"), None);
        assert_eq!(parse_rfc3339(""), None);
    }

    #[test]
    fn when_reads_well() {
        let now = parse_rfc3339("2024-05-04T10:00:00Z");
        assert_eq!(
            when("2024-05-01T10:00:00.5Z", now),
            " 3 days ago (2024-05-01T10:00:00Z)"
        );
        assert_eq!(when("0001-01-01T00:00:00Z", now), "");
        assert_eq!(
            when("2024-05-04T09:59:30Z", now),
            " just now (2024-05-04T09:59:30Z)"
        );
        assert_eq!(
            when("2024-05-01T10:00:00Z", None),
            " at 2024-05-01T10:00:00Z"
        );
    }
}
