//! CTR011 writable-root-filesystem: the container's root filesystem is writable (no `--read-only`),
//! so an intruder can change binaries and drop tools in it.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR011",
        name: "writable-root-filesystem",
        title: "Container's root filesystem is writable",
        rationale: "A read-only root filesystem stops an intruder from replacing the application's binaries or persisting tools in the container, and makes every place the app writes explicit.",
        remediation: "Run with `docker run --read-only` plus `--tmpfs /tmp` and volumes for the paths the app must write (compose: `read_only: true` with `tmpfs:` and `volumes:`).",
        category: Category::Containers,
        severity: Severity::Low,
        cis: &["5.13"],
        cis_v1_6: &["5.12"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#read-only",
            "https://cwe.mitre.org/data/definitions/732.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        if c.inspect.host_config.readonly_rootfs {
            Verdict::Pass
        } else {
            Verdict::fail("root filesystem is writable (no --read-only)").with_evidence(
                json!({"HostConfig.ReadonlyRootfs": false, "State.Status": c.status()}),
            )
        }
    });
}

/// The Compose check: no `read_only: true`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR011",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| match s.get("read_only") {
        Some(r) if r.is_true() => Some(Vec::new()),
        Some(_) => crate::source::one(
            s.key_at("read_only"),
            "read_only is false: the root filesystem is writable",
        ),
        None => crate::source::one(&s.at, "no read_only: true: the root filesystem is writable"),
    });
}
