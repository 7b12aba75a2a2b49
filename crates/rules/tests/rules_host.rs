//! The host rules (HST) and the firewall rules (NET007–NET010) on the host fixtures: what fails on
//! a weak host and why, that a hardened one passes (stricter modes included), and that missing facts
//! (remote engine, not root, rootless, Podman, no firewall capture) give skips with reasons, never
//! passes or failures. Fixtures: `tests/fixtures/host/` (see crates/collect/tests/host.rs and
//! scripts/record-host-fixture.sh for how each was made).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use dockaudit_report::Severity;
use dockaudit_rules::RULES;
use dockaudit_snapshot::firewall::FirewallCapture;
use dockaudit_snapshot::{Fact, Snapshot};

fn load(name: &str) -> Snapshot {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/host")
        .join(format!("{name}.json"));
    Snapshot::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn firewalls() -> BTreeMap<String, FirewallCapture> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host/firewalls.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("firewalls.json")).expect("parses")
}

fn host_rule_ids() -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.meta.id)
        .filter(|id| id.starts_with("HST") || ["NET007", "NET008", "NET010"].contains(id))
        .collect()
}

/// `(target name, message, severity)` of each failure of rule `id` on `snapshot`.
fn failures(id: &str, snapshot: &Snapshot) -> Vec<(String, String, Option<Severity>)> {
    let checks = common::run_rule(id, snapshot);
    assert!(
        checks.rule_skip().is_none(),
        "{id} skipped: {:?}",
        checks.rule_skip()
    );
    let mut out: Vec<_> = checks
        .failures()
        .iter()
        .map(|f| (f.target.name.clone(), f.message.clone(), f.severity))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn failed_targets(id: &str, snapshot: &Snapshot) -> Vec<String> {
    let mut names: Vec<String> = failures(id, snapshot).into_iter().map(|f| f.0).collect();
    names.dedup();
    names
}

#[test]
fn every_file_cis_section_3_names_fails_on_the_weak_host() {
    let weak = load("weak");
    assert_eq!(
        failed_targets("HST006", &weak),
        vec![
            "/etc/systemd/system/docker.service.d/override.conf",
            "/lib/systemd/system/docker.service",
            "/lib/systemd/system/docker.socket",
        ]
    );
    let units = failures("HST006", &weak);
    // Group or others may write: a code-execution path as root, so worse than the default.
    assert_eq!(units[0].2, Some(Severity::High), "{units:?}");
    assert!(
        units[2]
            .1
            .contains("owner execute, group execute, others execute"),
        "{}",
        units[2].1
    );
    assert_eq!(failed_targets("HST007", &weak), vec!["/etc/docker"]);
    let certs = failures("HST008", &weak);
    assert_eq!(certs.len(), 2);
    let key = certs
        .iter()
        .find(|c| c.0.ends_with("client.key"))
        .expect("key fails");
    // CIS allows 444 on everything under certs.d; a private key readable by others is worse.
    assert!(key.1.contains("beyond 0400"), "{}", key.1);
    assert_eq!(key.2, Some(Severity::Medium));
    let tls = failures("HST009", &weak);
    assert_eq!(tls.len(), 3, "{tls:?}");
    let server_key = tls
        .iter()
        .find(|t| t.0.ends_with("server-key.pem"))
        .unwrap();
    assert!(server_key.1.contains("root:docker") && server_key.1.contains("group read"));
    assert_eq!(server_key.2, Some(Severity::High));
    let sock = failures("HST010", &weak);
    assert_eq!(sock.len(), 1);
    assert!(sock[0].1.contains("root:root, not root:docker") && sock[0].1.contains("others write"));
    assert_eq!(sock[0].2, Some(Severity::Critical));
    assert_eq!(
        failed_targets("HST011", &weak),
        vec!["/etc/docker/daemon.json"]
    );
    assert_eq!(
        failed_targets("HST012", &weak),
        vec!["/etc/default/docker", "/etc/sysconfig/docker"]
    );
    assert!(failures("HST012", &weak)[1].1.contains("bob:bob"));
    assert_eq!(
        failed_targets("HST013", &weak),
        vec!["/run/containerd/containerd.sock"]
    );
}

#[test]
fn stricter_modes_pass_the_hardened_host() {
    let hardened = load("hardened");
    for id in host_rule_ids().into_iter().filter(|id| *id != "HST005") {
        let checks = common::run_rule(id, &hardened);
        assert!(
            checks.rule_skip().is_none(),
            "{id}: {:?}",
            checks.rule_skip()
        );
        assert!(
            checks.failures().is_empty(),
            "{id}: {:?}",
            checks.failures()
        );
        assert!(!checks.passed().is_empty(), "{id} judged nothing");
    }
    // daemon.json is 0600 and docker.socket 0600 there: stricter than 644, a larger number or not.
    let host = hardened
        .host
        .as_ref()
        .and_then(Fact::value)
        .expect("host facts");
    let modes: Vec<u32> = host
        .files
        .iter()
        .filter(|f| f.role == "daemon.json" || f.role == "docker.socket")
        .filter_map(|f| f.stat.value().cloned().flatten())
        .map(|s| s.mode)
        .collect();
    assert_eq!(modes, vec![0o600, 0o600]);
}

#[test]
fn section_1_on_the_weak_and_hardened_hosts() {
    let weak = load("weak");
    let hardened = load("hardened");
    let partition = failures("HST001", &weak);
    assert!(partition[0].1.contains("bind mount"), "{}", partition[0].1);
    assert!(failures("HST001", &hardened).is_empty());
    let group = failures("HST002", &weak);
    assert!(group[0].1.contains("alice, bob, ci"), "{}", group[0].1);
    assert_eq!(failed_targets("HST003", &weak), vec!["/usr/bin/dockerd"]);
    // Every file of CIS 1.1.4–1.1.18 that exists there is unwatched.
    let files = failures("HST004", &weak);
    assert_eq!(files.len(), 15, "{files:?}");
    assert!(files.iter().any(|f| f.1.contains("CIS 1.1.13")));
    // On the hardened host /etc/sysconfig/docker is absent: not applicable, not failed.
    let checks = common::run_rule("HST004", &hardened);
    assert_eq!(checks.passed().len(), 14);
}

#[test]
fn the_kernel_protections_on_the_weak_host() {
    let weak = load("weak");
    assert!(failures("HST014", &weak)[0]
        .1
        .contains("SELinux is permissive"));
    assert!(failures("HST015", &weak)[0].1.contains("no seccomp"));
    assert!(failures("HST016", &weak)[0]
        .1
        .contains("memory and pids controllers"));
    assert!(failures("HST017", &weak)[0]
        .1
        .contains("max_user_namespaces is 0"));
}

#[test]
fn engine_release_lines_are_judged_on_the_collection_day() {
    let mut snap = load("live-current");
    let judge = |snap: &Snapshot| {
        let checks = common::run_rule("HST005", snap);
        (
            checks.rule_skip().map(str::to_string),
            checks
                .failures()
                .first()
                .map(|f| (f.message.clone(), f.severity)),
            checks.passed().len(),
        )
    };
    assert_eq!(judge(&snap), (None, None, 1), "28.5.2 is maintained");
    let (_, failure, _) = judge(&load("live-machine"));
    let (message, _) = failure.expect("20.10 is out of maintenance");
    assert!(
        message.contains("2023-12-10") && message.contains("distribution build"),
        "{message}"
    );

    let version = |snap: &mut Snapshot, v: &str| {
        snap.version.as_mut().expect("version").version = v.into();
    };
    version(&mut snap, "28.5.0");
    let (_, failure, _) = judge(&snap);
    assert_eq!(failure.expect("behind").1, Some(Severity::Low));
    version(&mut snap, "17.03.2-ce");
    assert!(judge(&snap)
        .1
        .expect("ancient")
        .0
        .contains("older than every"));
    version(&mut snap, "31.0.1");
    assert_eq!(judge(&snap).2, 1, "newer than the table: maintained");
    version(&mut snap, "29.3.0");
    snap.collected_at = "2028-01-01T00:00:00Z".into();
    let (skip, _, _) = judge(&snap);
    assert!(skip.expect("stale table").contains("more than a year"));
    snap.engine.kind = "podman".into();
    assert!(judge(&snap).0.expect("podman").contains("Podman"));
}

#[test]
fn firewall_rules_follow_every_back_end() {
    let firewalls = firewalls();
    let mut snap = load("weak");
    let mut with = |variant: &str| {
        snap.firewall = Some(Fact::Value(firewalls[variant].clone()));
        let net007 = common::run_rule("NET007", &snap);
        let net008 = common::run_rule("NET008", &snap);
        (
            net007.rule_skip().map(str::to_string),
            net007.failures().len(),
            net008.rule_skip().map(str::to_string),
            net008.failures().len(),
        )
    };
    // FORWARD ACCEPT and an empty DOCKER-USER, in either back-end.
    assert_eq!(with("forward-accept"), (None, 1, None, 1));
    assert_eq!(with("legacy-forward-accept"), (None, 1, None, 1));
    // This machine: Docker set FORWARD to DROP, DOCKER-USER only returns.
    assert_eq!(with("machine"), (None, 1, None, 0));
    assert_eq!(with("docker-user-rules"), (None, 0, None, 0));
    // A native nftables forward chain that drops by default filters both.
    assert_eq!(with("nft-native-forward"), (None, 0, None, 0));
    // No Docker chains: NET007 cannot tell whether Docker publishes around the firewall.
    let (skip, ..) = with("no-docker-chain");
    assert!(skip.expect("skips").contains("no Docker chains"));
}

#[test]
fn host_network_listeners_and_iptables_off() {
    let machine = load("live-machine");
    assert_eq!(failed_targets("NET010", &machine), vec!["hx-listen-all"]);
    let checks = common::run_rule("NET010", &machine);
    let passed: Vec<&str> = checks.passed().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(passed, vec!["hx-listen-local"]);
    assert!(failures("NET009", &machine).is_empty());
    let current = load("live-current");
    let off = failures("NET009", &current);
    assert_eq!(off.len(), 1);
    assert!(off[0].1.contains("--iptables=false"), "{}", off[0].1);
    // With iptables off, Docker does not publish around the firewall: NET007 has nothing to judge.
    let checks = common::run_rule("NET007", &current);
    assert!(checks.rule_skip().is_none() && checks.failures().is_empty());
}

#[test]
fn missing_facts_give_skips_with_reasons_never_verdicts() {
    let remote = "the engine is remote (tcp://10.0.0.5:2376): this machine's files say nothing about its host";
    let mut snap = load("weak");
    snap.host = Some(Fact::Missing(remote.into()));
    snap.firewall = Some(Fact::Missing(remote.into()));
    for id in host_rule_ids() {
        let checks = common::run_rule(id, &snap);
        if id == "HST005" {
            // The engine's version comes from the engine, not its host.
            assert!(checks.rule_skip().is_none(), "{id}");
            continue;
        }
        assert!(checks.failures().is_empty(), "{id} failed without facts");
        assert!(checks.passed().is_empty(), "{id} passed without facts");
        let reasons: Vec<&str> = checks
            .rule_skip()
            .into_iter()
            .chain(checks.target_skips().iter().map(|(_, r)| r.as_str()))
            .collect();
        assert!(
            reasons.iter().any(|r| r.contains("remote")),
            "{id}: {reasons:?}"
        );
    }

    // A snapshot without host facts at all (older, or collected before this collector).
    let scenario = common::scenario();
    if scenario.host.is_none() {
        for id in host_rule_ids().into_iter().filter(|id| *id != "HST005") {
            let checks = common::run_rule(id, scenario);
            assert!(
                checks.failures().is_empty() && checks.passed().is_empty(),
                "{id}"
            );
        }
    }

    // What an unprivileged collector records: the tools refused, the key directory unreadable.
    let mut snap = load("weak");
    let not_root = "not root: iptables-nft-save needs root (CAP_NET_ADMIN) to read the rule set";
    if let Some(Fact::Value(fw)) = &mut snap.firewall {
        for dump in &mut fw.iptables {
            dump.dump = Fact::Missing(not_root.into());
        }
        fw.nftables = Fact::Missing(not_root.into());
    }
    if let Some(Fact::Value(host)) = &mut snap.host {
        host.audit = Fact::Missing("auditctl was refused: Operation not permitted (run dockaudit as root); /etc/audit/rules.d is not readable: not root".into());
        for f in host
            .files
            .iter_mut()
            .filter(|f| f.role == "containerd.sock")
        {
            f.stat = Fact::Missing(format!("{} is not readable: not root", f.path));
        }
        for l in host.host_network_listeners.values_mut() {
            *l = Fact::Missing("/proc/4343/fd is not readable: not root".into());
        }
    }
    for id in ["NET007", "NET008", "HST003", "HST004"] {
        let checks = common::run_rule(id, &snap);
        let skip = checks.rule_skip().unwrap_or_default();
        assert!(skip.contains("not root"), "{id}: {skip}");
        assert!(checks.failures().is_empty(), "{id}");
    }
    let checks = common::run_rule("HST013", &snap);
    assert!(checks.failures().is_empty() && checks.passed().is_empty());
    assert!(checks.target_skips()[0].1.contains("not root"));
    let checks = common::run_rule("NET010", &snap);
    assert!(checks.failures().is_empty() && checks.passed().is_empty());
    assert!(checks
        .target_skips()
        .iter()
        .all(|(_, r)| r.contains("not root")));
}

#[test]
fn rootless_and_podman_engines_skip_the_docker_file_rules() {
    let mut snap = load("weak");
    snap.engine.rootless = true;
    for id in ["HST003", "HST004", "HST006", "HST010", "HST013"] {
        let checks = common::run_rule(id, &snap);
        assert!(
            checks.rule_skip().is_some_and(|r| r.contains("rootless")),
            "{id}"
        );
    }
    snap.engine.rootless = false;
    snap.engine.kind = "podman".into();
    let checks = common::run_rule("HST011", &snap);
    assert!(checks.rule_skip().is_some_and(|r| r.contains("Podman")));
    // The kernel's protections are the same whatever the engine.
    assert!(!common::run_rule("HST015", &snap).failures().is_empty());
}
