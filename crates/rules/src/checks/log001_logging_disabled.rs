//! LOG001 logging-disabled: with `--log-driver none` nothing the container prints is kept, so there
//! is no trace of errors, attacks or what happened before a crash.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LOG001",
        name: "logging-disabled",
        title: "Container logging is disabled",
        rationale: "The `none` logging driver discards everything the container writes to stdout and stderr; incidents cannot be investigated, `docker logs` shows nothing, and log-based monitoring is blind to it.",
        remediation: "Use a logging driver that keeps or ships the logs: `--log-driver local` (rotated by default) or `--log-driver json-file --log-opt max-size=10m --log-opt max-file=3`, or journald/fluentd/syslog to centralise them (compose: `logging: {driver: local}`; daemon.json: `\"log-driver\": \"local\"`).",
        category: Category::Logging,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/logging/configure/",
            "https://docs.docker.com/engine/logging/drivers/local/",
            "https://cwe.mitre.org/data/definitions/778.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let driver = c.inspect.host_config.log_config.driver.as_str();
        if driver == "none" {
            Verdict::fail("logging is disabled (--log-driver none): its output is discarded")
                .with_evidence(json!({ "HostConfig.LogConfig.Type": driver }))
        } else {
            Verdict::Pass
        }
    });
}

/// The Compose check: `logging: {driver: none}`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "LOG001",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        let driver = s.def.path(&["logging", "driver"])?;
        if driver.as_str() == Some("none") {
            crate::source::one(
                &driver.at,
                "logging driver none: the container's output is thrown away",
            )
        } else {
            Some(Vec::new())
        }
    });
}
