//! CTR004 selinux-options-missing: on a host whose engine runs with SELinux (`--selinux-enabled`),
//! a container without SELinux label options (CIS 5.3), or worse, with labelling switched off:
//! `--security-opt label=disable`, an unconfined type (`label=type:spc_t`), or `--privileged`.
//!
//! With SELinux enabled the engine gives a container without options its default `container_t`
//! label, which still confines it: that case is reported at Low severity, to match CIS without
//! overstating it. Turning labelling off is reported at the rule's severity. A host without
//! SELinux cannot be judged, and the rule skips.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR004",
        name: "selinux-options-missing",
        title: "Container has no SELinux label options",
        rationale: "SELinux labels keep a container's processes from touching host files and other containers' data even after an escape; a container with labelling disabled runs unconfined, and one without options relies on the engine's generic default.",
        remediation: "Do not use `--security-opt label=disable`, `label=type:spc_t` or `--privileged`; set the label the workload needs with `docker run --security-opt label=type:TYPE` or `label=level:s0:c100,c200` (compose: `security_opt: [\"label=type:TYPE\"]`), and keep `\"selinux-enabled\": true` in daemon.json.",
        category: Category::Protections,
        severity: Severity::Medium,
        cis: &["5.3"],
        cis_v1_6: &["5.2"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file",
            "https://cwe.mitre.org/data/definitions/693.html",
        ],
    },
    check,
};

/// SELinux types that do not confine a container.
const UNCONFINED_TYPES: &[&str] = &["spc_t", "unconfined_t"];

/// The values of every `label=…` / `label:…` security option, in order.
fn label_options(c: &Container) -> Vec<&str> {
    c.inspect
        .host_config
        .security_opt
        .iter()
        .filter_map(|opt| {
            opt.strip_prefix("label=")
                .or_else(|| opt.strip_prefix("label:"))
        })
        .collect()
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let Some(info) = input.snapshot.info.as_ref() else {
        checks.skip("engine info (docker info) was not collected: cannot tell whether the engine runs with SELinux");
        return;
    };
    if !info.has_security_option("selinux") {
        checks.skip("the engine does not run with SELinux enabled (no name=selinux in docker info security options)");
        return;
    }
    checks.each_container(input, |c| {
        let labels = label_options(c);
        let process_label = c
            .inspect
            .extra
            .get("ProcessLabel")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let evidence = json!({
            "HostConfig.SecurityOpt.label": labels,
            "ProcessLabel": process_label,
            "HostConfig.Privileged": c.inspect.host_config.privileged,
            "State.Status": c.status(),
        });
        if c.inspect.host_config.privileged {
            return Verdict::fail("runs with --privileged, which disables SELinux labelling")
                .with_evidence(evidence);
        }
        if labels.contains(&"disable") {
            let hc = &c.inspect.host_config;
            let message = if facts::is_host_mode(&hc.pid_mode) || facts::is_host_mode(&hc.ipc_mode) {
                "SELinux labelling is disabled (label=disable, which the engine sets for containers sharing the host's PID or IPC namespace)"
            } else {
                "SELinux labelling is disabled (label=disable)"
            };
            return Verdict::fail(message).with_evidence(evidence);
        }
        let unconfined = labels.iter().find_map(|l| {
            l.strip_prefix("type:")
                .or_else(|| l.strip_prefix("type="))
                .filter(|t| UNCONFINED_TYPES.contains(t))
        });
        if let Some(t) = unconfined {
            return Verdict::fail(format!(
                "runs with the unconfined SELinux type {t} (label=type:{t})"
            ))
            .with_evidence(evidence);
        }
        if !labels.is_empty() {
            return Verdict::Pass;
        }
        if process_label.is_empty() {
            // Not disabled, yet no label: it was created while the engine ran without SELinux.
            Verdict::fail("has no SELinux label (ProcessLabel is empty): it runs unconfined")
                .with_evidence(evidence)
        } else {
            Verdict::fail(format!(
                "has no SELinux label options: it relies on the engine's default label {process_label}"
            ))
            .with_evidence(evidence)
            .with_severity(Severity::Low)
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockaudit_snapshot::Container;

    fn with_opts(opts: &[&str]) -> Container {
        let mut c = Container::default();
        c.inspect.host_config.security_opt = opts.iter().map(|s| s.to_string()).collect();
        c
    }

    #[test]
    fn both_label_separators_are_read() {
        let c = with_opts(&["no-new-privileges", "label=type:spc_t", "label:disable"]);
        assert_eq!(label_options(&c), vec!["type:spc_t", "disable"]);
        assert!(label_options(&with_opts(&["labels=x"])).is_empty());
    }
}
