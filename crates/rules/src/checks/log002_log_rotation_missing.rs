//! LOG002 log-rotation-missing: a `json-file` log without `max-size` grows until the disk is full,
//! taking the engine and every other container down with it.
//!
//! - `json-file` (and Podman's `k8s-file`) without a positive `max-size` fails: without it the
//!   engine never rotates. A daemon-wide `log-opts` default is merged into each container's
//!   `LogConfig` at creation, so what the snapshot shows is what applies.
//! - `local` rotates by default (20 MB × 5 files). The engine rejects a negative `max-size`, and
//!   `0` rotates after every message (bounded by `max-file`), so `local` only fails on a negative
//!   size, which some other engine might accept.
//! - Drivers that ship logs off the container's disk (journald, syslog, fluentd, gelf, awslogs…)
//!   pass: the receiver bounds them. `none` is LOG001's case.
//! - On Podman, the compat inspect names k8s-file `json-file` and drops the options, so a `json-file`
//!   without options is a per-container skip there, not a failure.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG002",
        name: "log-rotation-missing",
        title: "Container logs grow without rotation",
        rationale: "The json-file driver keeps every line forever unless max-size is set; a chatty or attacked container fills /var/lib/docker, after which the engine and all containers on the host fail.",
        remediation: "Rotate logs: `--log-opt max-size=10m --log-opt max-file=3`, or use the `local` driver (`--log-driver local`) which rotates by default (compose: `logging: {driver: json-file, options: {max-size: \"10m\", max-file: \"3\"}}`; daemon.json for new containers: `\"log-driver\": \"local\"` or `\"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"}`, then re-create the containers).",
        category: Category::Logging,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/logging/drivers/json-file/",
            "https://docs.docker.com/engine/logging/drivers/local/",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

/// The number in a `max-size` value (`10m` → 10, `-1` → -1), or `None` when it is missing or
/// unreadable.
fn size_number(max_size: Option<&String>) -> Option<f64> {
    let value = max_size?.trim();
    let number: String = value
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-' || *c == '.')
        .collect();
    number.parse::<f64>().ok()
}

/// Whether a `json-file` `max-size` leaves the log unbounded: missing, empty, zero, negative or
/// unreadable.
fn unbounded(max_size: Option<&String>) -> bool {
    size_number(max_size).is_none_or(|n| n <= 0.0)
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let podman = facts::is_podman(input.snapshot);
    checks.each_container(input, |c| {
        let log = &c.inspect.host_config.log_config;
        let max_size = log.config.get("max-size");
        match log.driver.as_str() {
            "none" => Verdict::NotApplicable,
            "" => Verdict::Skip("the container's logging driver is not recorded".into()),
            // Podman's compat inspect names its k8s-file driver `json-file` and drops the log
            // options (a container with --log-opt max-size=10m shows `Config: null`).
            "json-file" if podman && log.config.is_empty() => Verdict::Skip(
                "the engine is Podman, whose Docker-compatible inspect does not report log options (max-size); `podman inspect --format '{{.HostConfig.LogConfig.Size}}' NAME` shows it".into(),
            ),
            driver @ ("json-file" | "k8s-file") if unbounded(max_size) => {
                let message = match max_size {
                    None => format!(
                        "{driver} logging without max-size: the log grows until the disk is full"
                    ),
                    Some(v) => format!(
                        "{driver} logging with max-size={v}: the log grows until the disk is full"
                    ),
                };
                Verdict::fail(message).with_evidence(json!({
                    "HostConfig.LogConfig.Type": log.driver,
                    "HostConfig.LogConfig.Config": log.config,
                }))
            }
            "local" if size_number(max_size).is_some_and(|n| n < 0.0) => Verdict::fail(format!(
                "local logging with max-size={}: rotation is switched off",
                max_size.map(String::as_str).unwrap_or_default()
            ))
            .with_evidence(json!({
                "HostConfig.LogConfig.Type": log.driver,
                "HostConfig.LogConfig.Config": log.config,
            })),
            _ => Verdict::Pass,
        }
    });
}

/// The Compose check: `logging: {driver: json-file}` without a positive `options.max-size`. Without
/// `logging:` the daemon's default decides (not in the file), so the service is not judged.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "LOG002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        let logging = s.get("logging")?;
        let driver = logging.get("driver").and_then(|d| d.as_str())?;
        if driver != "json-file" {
            return Some(Vec::new());
        }
        let size = logging
            .path(&["options", "max-size"])
            .and_then(|m| m.as_str());
        match size {
            Some(v) if !v.trim_start_matches('0').is_empty() && !v.starts_with('-') => {
                Some(Vec::new())
            }
            _ => crate::source::one(
                s.key_at("logging"),
                "json-file logging without max-size: the log is never rotated",
            ),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_size_values() {
        let s = |v: &str| Some(v.to_string());
        assert!(unbounded(None));
        for v in ["", "0", "-1", "0k", "abc"] {
            assert!(unbounded(s(v).as_ref()), "{v}");
        }
        for v in ["10m", "1g", "512k", "100", "1.5m"] {
            assert!(!unbounded(s(v).as_ref()), "{v}");
        }
        // `local`: only a negative size switches rotation off; 0 rotates after every message.
        assert_eq!(size_number(s("-1").as_ref()), Some(-1.0));
        assert_eq!(size_number(s("0").as_ref()), Some(0.0));
        assert_eq!(size_number(None), None);
    }
}
