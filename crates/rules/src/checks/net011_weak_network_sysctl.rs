//! NET011 weak-network-sysctl: a `--sysctl` (`HostConfig.Sysctls`) switches off a protection of the
//! container's network namespace that Docker or the kernel keeps on by default:
//!
//! - forwarding (`net.ipv4.ip_forward`, `net.ipv{4,6}.conf.*.forwarding`): the container routes
//!   packets between the networks it is attached to, bridging networks meant to be separate;
//! - `net.ipv4.conf.*.route_localnet`: packets for 127.0.0.0/8 are accepted from the network, so
//!   services bound to the container's localhost become reachable from its neighbours;
//! - `net.ipv6.conf.*.accept_ra`: IPv6 router advertisements are accepted again (Docker turns them
//!   off since CVE-2020-13401), so another container can become this one's router;
//! - `net.ipv{4,6}.conf.*.accept_source_route`: source-routed packets, which choose their own path
//!   past filters, are accepted (Low).
//!
//! What is not reported, and why: Docker itself sets `net.ipv4.ip_unprivileged_port_start=0` and
//! `net.ipv4.ping_group_range` in every container since 20.10 (namespaced, harmless to the host);
//! `rp_filter=0` and `accept_redirects=1` are the kernel's defaults in a new namespace; the IPC
//! sysctls (`kernel.shm*`, `kernel.msg*`, `kernel.sem`, `fs.mqueue.*`) only size the container's
//! own IPC namespace; and runc refuses to start a container whose sysctl is not namespaced (`vm.*`,
//! `kernel.*` beyond IPC and UTS) or would change the host's own value (a `net.*` one with
//! `--network host`, an IPC one with `--ipc host`: checked on Docker 20.10 and 28).

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET011",
        name: "weak-network-sysctl",
        title: "Container sysctl weakens its network isolation",
        rationale: "Some network sysctls undo protections a container has by default: with forwarding on it routes between the networks it is attached to, route_localnet exposes its localhost-only services to its neighbours, accept_ra lets another container become its IPv6 router (CVE-2020-13401), and source routing lets packets choose a path past filters.",
        remediation: "Remove the `--sysctl` (compose: the `sysctls:` entry) for net.ipv4.ip_forward, *.forwarding, *.route_localnet, *.accept_ra or *.accept_source_route; route between networks on the host or with a dedicated, reviewed router container, and bind services that must be reachable to the container's own address instead of localhost.",
        category: Category::Network,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#sysctl",
            "https://docs.kernel.org/networking/ip-sysctl.html",
            "https://nvd.nist.gov/vuln/detail/CVE-2020-13401",
            "https://cwe.mitre.org/data/definitions/923.html",
        ],
    },
    check,
};

/// A sysctl that weakens the network namespace when set above zero.
struct WeakSysctl {
    /// `net.ipv4.conf.` … the interface (`all`, `default`, `eth0`) … `.forwarding`; an empty
    /// suffix means the prefix is the whole key.
    prefix: &'static str,
    suffix: &'static str,
    /// What it does, for the message.
    effect: &'static str,
    severity: Severity,
}

const FORWARDING: &str = "routes packets between the networks it is attached to";

const WEAK_SYSCTLS: &[WeakSysctl] = &[
    WeakSysctl {
        prefix: "net.ipv4.ip_forward",
        suffix: "",
        effect: FORWARDING,
        severity: Severity::Medium,
    },
    WeakSysctl {
        prefix: "net.ipv4.conf.",
        suffix: ".forwarding",
        effect: FORWARDING,
        severity: Severity::Medium,
    },
    WeakSysctl {
        prefix: "net.ipv6.conf.",
        suffix: ".forwarding",
        effect: FORWARDING,
        severity: Severity::Medium,
    },
    WeakSysctl {
        prefix: "net.ipv4.conf.",
        suffix: ".route_localnet",
        effect:
            "accepts packets for 127.0.0.0/8 from the network, exposing its localhost-only services",
        severity: Severity::Medium,
    },
    WeakSysctl {
        prefix: "net.ipv6.conf.",
        suffix: ".accept_ra",
        effect: "accepts IPv6 router advertisements, so a neighbour can become its router",
        severity: Severity::Medium,
    },
    WeakSysctl {
        prefix: "net.ipv4.conf.",
        suffix: ".accept_source_route",
        effect: "accepts source-routed packets",
        severity: Severity::Low,
    },
    WeakSysctl {
        prefix: "net.ipv6.conf.",
        suffix: ".accept_source_route",
        effect: "accepts source-routed packets",
        severity: Severity::Low,
    },
];

/// The weakening a sysctl `key=value` is, if any. Keys may use `/` for `.` as in /proc/sys.
fn weakening(key: &str, value: &str) -> Option<&'static WeakSysctl> {
    let key = key.trim().replace('/', ".");
    let on = value.trim().parse::<i64>().is_ok_and(|v| v > 0);
    if !on {
        return None;
    }
    WEAK_SYSCTLS.iter().find(|w| {
        if w.suffix.is_empty() {
            key == w.prefix
        } else {
            key.strip_prefix(w.prefix)
                .and_then(|rest| rest.strip_suffix(w.suffix))
                .is_some_and(|iface| !iface.is_empty())
        }
    })
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let Some(sysctls) = c
            .inspect
            .host_config
            .extra
            .get("Sysctls")
            .and_then(|s| s.as_object())
        else {
            // The engine omits the map (or sends null) when no sysctl is set.
            return Verdict::Pass;
        };
        let mut found: Vec<(&str, &str, &WeakSysctl)> = sysctls
            .iter()
            .filter_map(|(k, v)| {
                let value = v.as_str()?;
                weakening(k, value).map(|w| (k.as_str(), value, w))
            })
            .collect();
        if found.is_empty() {
            return Verdict::Pass;
        }
        // Worst first; among equals, the engine's (sorted) key order.
        found.sort_by_key(|f| std::cmp::Reverse(f.2.severity));
        let (key, value, worst) = found[0];
        let mut message = format!("sets {key}={value}: it {}", worst.effect);
        if found.len() > 1 {
            let others: Vec<String> = found[1..]
                .iter()
                .map(|(k, v, _)| format!("{k}={v}"))
                .collect();
            message.push_str(&format!(" (also {})", others.join(", ")));
        }
        let weak: serde_json::Map<String, serde_json::Value> = found
            .iter()
            .map(|(k, v, _)| (k.to_string(), json!(v)))
            .collect();
        Verdict::fail(message)
            .with_evidence(json!({
                "weakening": weak,
                "HostConfig.Sysctls": sysctls,
                "State.Status": c.status(),
            }))
            .with_severity(worst.severity)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakening_sysctls_are_recognised() {
        let name = |k, v| weakening(k, v).map(|w| w.effect);
        assert_eq!(name("net.ipv4.ip_forward", "1"), Some(FORWARDING));
        assert_eq!(name("net/ipv4/ip_forward", "1"), Some(FORWARDING));
        assert_eq!(name("net.ipv4.ip_forward", "0"), None);
        assert_eq!(name("net.ipv6.conf.all.forwarding", "1"), Some(FORWARDING));
        assert_eq!(
            name("net.ipv4.conf.eth0.forwarding", " 1 "),
            Some(FORWARDING)
        );
        assert!(name("net.ipv4.conf.all.route_localnet", "1").is_some());
        assert!(name("net.ipv6.conf.default.accept_ra", "2").is_some());
        assert_eq!(
            weakening("net.ipv4.conf.all.accept_source_route", "1").map(|w| w.severity),
            Some(Severity::Low)
        );
        // Docker's own defaults, the kernel's defaults and harmless settings.
        for (k, v) in [
            ("net.ipv4.ip_unprivileged_port_start", "0"),
            ("net.ipv4.ping_group_range", "0 2147483647"),
            ("net.ipv4.conf.all.rp_filter", "0"),
            ("net.ipv6.conf.all.accept_ra", "0"),
            ("net.ipv6.conf.all.accept_source_route", "-1"),
            ("kernel.shmmax", "68719476736"),
            ("net.core.somaxconn", "1024"),
            ("net.ipv4.conf..forwarding", "1"),
            ("net.ipv4.ip_forward_use_pmtu", "1"),
            ("net.ipv4.ip_forward", "yes"),
        ] {
            assert!(weakening(k, v).is_none(), "{k}={v}");
        }
    }
}
