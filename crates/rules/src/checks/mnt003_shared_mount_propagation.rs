//! MNT003 shared-mount-propagation: a mount of the container uses `shared` or `rshared` propagation,
//! so mounts made inside the container appear on the host (and the other way round).
//!
//! Read from the resolved `Mounts[].Propagation` and, for binds the engine may not have resolved
//! yet, from the option list of each `HostConfig.Binds` entry (`/src:/dst:ro,rshared`).

use std::collections::BTreeSet;

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MNT003",
        name: "shared-mount-propagation",
        title: "Mount propagation set to shared",
        rationale: "With shared propagation, mounts created inside the container propagate to the host's mount namespace: a container allowed to mount can hide or overlay host directories and affect other containers.",
        remediation: "Use the default private propagation: drop `bind-propagation=shared|rshared` from `--mount` and `:shared`/`:rshared` from `-v` (compose: `bind: {propagation: rprivate}` or no propagation key); use `rslave` where the container must only see host mounts.",
        category: Category::Mounts,
        severity: Severity::Medium,
        cis: &["5.20"],
        cis_v1_6: &["5.19"],
        references: &[
            "https://docs.docker.com/engine/storage/bind-mounts/#configure-bind-propagation",
            "https://www.kernel.org/doc/Documentation/filesystems/sharedsubtree.txt",
            "https://cwe.mitre.org/data/definitions/668.html",
        ],
    },
    check,
};

fn is_shared(propagation: &str) -> bool {
    matches!(propagation, "shared" | "rshared")
}

/// `(destination, propagation)` of a `-v` bind string whose options ask for shared propagation.
fn shared_bind(bind: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = bind.split(':').collect();
    if parts.len() < 3 {
        return None;
    }
    let destination = parts[1];
    parts[2..]
        .iter()
        .flat_map(|opts| opts.split(','))
        .find(|o| is_shared(o))
        .map(|o| (destination, o))
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let mut found: Vec<(String, String)> = c
            .inspect
            .mounts
            .iter()
            .filter(|m| is_shared(&m.propagation))
            .map(|m| (m.destination.clone(), m.propagation.clone()))
            .collect();
        let seen: BTreeSet<String> = found.iter().map(|(d, _)| d.clone()).collect();
        for (destination, propagation) in c
            .inspect
            .host_config
            .binds
            .iter()
            .filter_map(|b| shared_bind(b))
        {
            if !seen.contains(destination) {
                found.push((destination.to_string(), propagation.to_string()));
            }
        }
        if found.is_empty() {
            return Verdict::Pass;
        }
        let listed: Vec<String> = found.iter().map(|(d, p)| format!("{d} ({p})")).collect();
        Verdict::fail(format!(
            "mounts with shared propagation: {}",
            listed.join(", ")
        ))
        .with_evidence(json!({
            "mounts": found
                .iter()
                .map(|(d, p)| json!({"destination": d, "propagation": p}))
                .collect::<Vec<_>>(),
            "State.Status": c.status(),
        }))
    });
}

#[cfg(test)]
mod tests {
    use super::shared_bind;

    #[test]
    fn bind_options_are_read() {
        assert_eq!(shared_bind("/a:/b:ro,rshared"), Some(("/b", "rshared")));
        assert_eq!(shared_bind("/a:/b:shared"), Some(("/b", "shared")));
        assert_eq!(shared_bind("/a:/b:rslave"), None);
        assert_eq!(shared_bind("/a:/b"), None);
        assert_eq!(shared_bind("vol:/b:ro"), None);
    }
}
