//! CTR005 capabilities-added: the container adds Linux capabilities beyond Docker's default set
//! (`--cap-add`). Defaults re-added after a `--cap-drop ALL` are not reported. Capabilities that lead
//! straight to host root (`SYS_ADMIN`, `NET_ADMIN`, `ALL`…) make the finding High; others Medium.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR005",
        name: "capabilities-added",
        title: "Container adds capabilities beyond Docker's defaults",
        rationale: "Every added capability widens what root in the container can do to the kernel; SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE and their like are known container-escape paths.",
        remediation: "Remove the --cap-add flags the workload does not need (compose: `cap_add`), and prefer `--cap-drop ALL` plus only the capabilities it needs (compose: `cap_drop: [ALL]`).",
        category: Category::Containers,
        severity: Severity::High,
        cis: &["5.4"],
        cis_v1_6: &["5.3"],
        references: &[
            "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
            "https://man7.org/linux/man-pages/man7/capabilities.7.html",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let added = facts::added_capabilities(c);
        if added.is_empty() {
            return Verdict::Pass;
        }
        let dangerous: Vec<&str> = added
            .iter()
            .map(String::as_str)
            .filter(|cap| facts::DANGEROUS_CAPABILITIES.contains(cap))
            .collect();
        let dropped: Vec<String> = c
            .inspect
            .host_config
            .cap_drop
            .iter()
            .map(|cap| facts::normalize_capability(cap))
            .collect();
        let verdict = Verdict::fail(format!("adds capabilities {}", added.join(", "))).with_evidence(
            json!({"added": added, "dangerous": dangerous, "cap_drop": dropped, "State.Status": c.status()}),
        );
        if dangerous.is_empty() {
            verdict.with_severity(Severity::Medium)
        } else {
            verdict
        }
    });
}

/// The Compose check: `cap_add` beyond Docker's defaults (defaults re-added after `cap_drop: [ALL]`
/// are not reported); High for the capabilities that lead to host root, else Medium.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR005",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        Some(
            s.list("cap_add")
                .into_iter()
                .filter_map(|(cap, at)| {
                    let cap = facts::normalize_capability(cap);
                    if facts::DEFAULT_CAPABILITIES.contains(&cap.as_str()) {
                        return None;
                    }
                    let hit = crate::source::Hit::at(at, format!("cap_add {cap}"))
                        .evidence(json!({"added": cap}));
                    Some(if facts::DANGEROUS_CAPABILITIES.contains(&cap.as_str()) {
                        hit
                    } else {
                        hit.severity(Severity::Medium)
                    })
                })
                .collect(),
        )
    });
}
