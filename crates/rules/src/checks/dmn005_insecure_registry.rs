//! DMN005 insecure-registry: the daemon talks to registries without TLS verification
//! (`--insecure-registry`, daemon.json `insecure-registries`), so anyone on the path can serve it
//! images of their choosing.
//!
//! Read from `/info` (`RegistryConfig`: the insecure CIDRs and the registries marked not secure),
//! which is what the running daemon uses, so remote engines are judged too; the built-in
//! `127.0.0.0/8` (and `::1/128`) that every daemon trusts is ignored. Without `/info`, the
//! `insecure-registries` setting decides.

use dockaudit_snapshot::daemon::Effective;
use serde_json::Value;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN005",
        name: "insecure-registry",
        title: "Daemon trusts registries without TLS verification",
        rationale: "Pulls from an insecure registry use plain HTTP or accept any certificate, so an attacker on the network path can substitute images, and with them the code every new container runs.",
        remediation: "Remove the registry from \"insecure-registries\" in daemon.json (and --insecure-registry from the command line); give the registry a certificate from a CA the host trusts, or place its CA in /etc/docker/certs.d/HOST:PORT/ca.crt, then restart the daemon.",
        category: Category::Daemon,
        severity: Severity::High,
        cis: &["2.5"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/#insecure-registries",
            "https://docs.docker.com/engine/security/certificates/",
            "https://cwe.mitre.org/data/definitions/295.html",
        ],
    },
    check,
};

/// Loopback ranges every daemon treats as insecure without being told.
const BUILT_IN: &[&str] = &["127.0.0.0/8", "::1/128"];

/// The insecure registries and CIDRs `/info` reports, built-in loopback left out; `None` when the
/// engine info has no `RegistryConfig`.
fn from_info(registry: &Value) -> Vec<String> {
    let mut out: Vec<String> = registry
        .get("InsecureRegistryCIDRs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|c| !BUILT_IN.contains(c))
        .map(str::to_string)
        .collect();
    if let Some(indexes) = registry.get("IndexConfigs").and_then(Value::as_object) {
        for (name, index) in indexes {
            if index.get("Secure").and_then(Value::as_bool) == Some(false) {
                out.push(name.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    let configured = snapshot.daemon_setting("insecure-registries");
    let source = match &configured {
        Effective::Set(s) => Some(s.source()),
        _ => None,
    };
    let registry = snapshot
        .info
        .as_ref()
        .and_then(|i| i.extra.get("RegistryConfig"))
        .filter(|r| r.is_object());
    let insecure = match (registry, &configured) {
        (Some(registry), _) => from_info(registry),
        (None, Effective::Set(s)) => s
            .as_strings()
            .into_iter()
            .filter(|r| !BUILT_IN.contains(&r.as_str()))
            .collect(),
        (None, Effective::Default) => Vec::new(),
        (None, Effective::Unknown(why)) => {
            checks.skip(format!(
                "engine info (RegistryConfig) was not collected and {why}"
            ));
            return;
        }
    };
    if insecure.is_empty() {
        checks.pass(target);
        return;
    }
    let mut message = format!(
        "the daemon pulls from {} without TLS verification",
        insecure.join(", ")
    );
    if let Some(source) = &source {
        message.push_str(&format!(" ({source})"));
    }
    checks
        .fail(target, message)
        .evidence(json!({"insecure_registries": insecure, "source": source}));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_loopback_is_ignored_and_marked_registries_count() {
        let registry = json!({
            "InsecureRegistryCIDRs": ["127.0.0.0/8", "10.1.0.0/16"],
            "IndexConfigs": {
                "docker.io": {"Name": "docker.io", "Secure": true},
                "registry.local:5000": {"Name": "registry.local:5000", "Secure": false}
            }
        });
        assert_eq!(from_info(&registry), ["10.1.0.0/16", "registry.local:5000"]);
        assert!(from_info(&json!({"InsecureRegistryCIDRs": ["127.0.0.0/8"]})).is_empty());
    }
}
