//! The host collector over fixture host trees (`fixtures/host-*`, made real by `support`), the
//! firewall parsers over output captured from the real tools (`fixtures/firewall/*`, see its
//! `capture.sh`), an unprivileged run that must give reasons instead of facts, and the rule
//! fixtures the rules crate tests on (`crates/rules/tests/fixtures/host/*.json`), which must be what
//! this collector makes of the trees today.

mod support;

use std::path::PathBuf;

use dockaudit_collect::host::{collect_host, HostInputs};
use dockaudit_snapshot::firewall::FirewallCapture;
use dockaudit_snapshot::host::{roles, FileStat, HostFacts};
use dockaudit_snapshot::{Fact, Snapshot, SNAPSHOT_SCHEMA_VERSION};
use support::{build_tree, firewall_fixture, fixtures, tree_root};

fn tls_inputs() -> HostInputs {
    HostInputs {
        tls_files: Ok(vec![
            (roles::TLS_CA.into(), "/etc/docker/tls/ca.pem".into()),
            (
                roles::TLS_CERT.into(),
                "/etc/docker/tls/server-cert.pem".into(),
            ),
            (
                roles::TLS_KEY.into(),
                "/etc/docker/tls/server-key.pem".into(),
            ),
        ]),
        ..HostInputs::default()
    }
}

fn stat<'a>(facts: &'a HostFacts, role: &str) -> Vec<(&'a str, &'a FileStat)> {
    facts
        .files
        .iter()
        .chain(facts.tls_files.value().into_iter().flatten())
        .filter(|f| f.role == role)
        .filter_map(|f| Some((f.path.as_str(), f.stat.value()?.as_ref()?)))
        .collect()
}

#[test]
fn a_hardened_host_tree_reads_as_hardened() {
    let (dir, owners) = build_tree("host-hardened");
    let facts = collect_host(&tree_root(&dir), &tls_inputs());

    let mount = facts.docker_root_mount.value().expect("mount table read");
    assert!(mount.separate, "{mount:?}");
    assert_eq!(mount.mount_point, "/var/lib/docker");
    assert_eq!(mount.source, "/proc/1/mountinfo");

    let group = facts.docker_group.value().expect("group read");
    assert!(group.exists && group.all_members().is_empty());

    let audit = facts.audit.value().expect("rules read");
    assert!(
        audit.source.contains("/etc/audit/rules.d/docker.rules"),
        "{}",
        audit.source
    );
    for path in [
        "/usr/bin/dockerd",
        "/etc/docker/daemon.json",
        "/var/run/docker.sock",
        "/usr/bin/runc",
    ] {
        assert!(audit.watch_for(path).is_some(), "{path} not watched");
    }
    // The same watch from rules.d and the generated audit.rules counts once.
    let dockerd = audit
        .watches
        .iter()
        .filter(|w| w.path == "/usr/bin/dockerd")
        .count();
    assert_eq!(dockerd, 1);

    let sock = stat(&facts, roles::DOCKER_SOCK);
    assert_eq!(sock.len(), 1);
    let (path, s) = sock[0];
    assert_eq!(path, "/var/run/docker.sock");
    assert_eq!(s.kind, "socket");
    assert_eq!(s.mode, 0o660);
    // /var/run -> /run is resolved inside the tree, not on this machine.
    assert_eq!(s.link_target.as_deref(), Some("/run/docker.sock"));
    if owners {
        assert_eq!(s.owner(), "root:docker");
    }
    let key = stat(&facts, roles::TLS_KEY);
    assert_eq!(key[0].1.mode, 0o400);
    assert_eq!(stat(&facts, roles::REGISTRY_CERT).len(), 3);
    assert_eq!(stat(&facts, roles::DOCKER_SERVICE).len(), 1);
    // Absent files are recorded as absent, not as missing facts.
    let sysconfig = facts
        .files
        .iter()
        .find(|f| f.role == roles::ETC_SYSCONFIG_DOCKER)
        .expect("recorded");
    assert_eq!(sysconfig.stat, Fact::Value(None));

    assert!(facts.apparmor.value().expect("read").enabled);
    assert_eq!(facts.selinux.value().expect("read").mode, "disabled");
    let seccomp = facts.seccomp.value().expect("read");
    assert!(seccomp.available && seccomp.filter);
    let cgroups = facts.cgroups.value().expect("read");
    assert_eq!(cgroups.version, "v2");
    assert!(cgroups.memory && cgroups.pids);
    assert!(facts.user_namespaces.value().expect("read").enabled);
}

#[test]
fn a_weak_host_tree_reads_as_weak() {
    let (dir, owners) = build_tree("host-weak");
    let facts = collect_host(&tree_root(&dir), &tls_inputs());

    let mount = facts.docker_root_mount.value().expect("mount table read");
    // /var/lib/docker is a bind mount of the root filesystem's own directory.
    assert_eq!(mount.mount_point, "/var/lib/docker");
    assert!(!mount.separate, "{mount:?}");

    let group = facts.docker_group.value().expect("group read");
    assert_eq!(group.all_members(), vec!["alice", "bob", "ci"]);

    let audit = facts
        .audit
        .value()
        .expect("a host without auditd has no rules");
    assert!(audit.watches.is_empty());
    assert!(
        audit.source.contains("auditd is not installed"),
        "{}",
        audit.source
    );

    let daemon_json = stat(&facts, roles::DAEMON_JSON);
    assert_eq!(daemon_json[0].1.mode, 0o666);
    if owners {
        assert_eq!(daemon_json[0].1.owner(), "alice:root");
    }
    assert_eq!(stat(&facts, roles::DOCKER_SERVICE_DROPIN).len(), 1);
    assert_eq!(stat(&facts, roles::ETC_SYSCONFIG_DOCKER).len(), 1);

    assert!(!facts.apparmor.value().expect("read").enabled);
    assert_eq!(facts.selinux.value().expect("read").mode, "permissive");
    assert!(!facts.seccomp.value().expect("read").available);
    let cgroups = facts.cgroups.value().expect("read");
    assert_eq!(cgroups.version, "v1");
    assert!(!cgroups.memory && !cgroups.pids, "{cgroups:?}");
    let userns = facts.user_namespaces.value().expect("read");
    assert!(!userns.enabled);
    assert_eq!(userns.unprivileged_userns_clone, Some(false));
}

#[test]
fn listeners_of_a_host_network_container_are_its_own_sockets() {
    use dockaudit_collect::host::HostNetworkContainer;
    let root = |name: &str| fixtures().join(name);
    let inputs = |id: &str, pid: u32| HostInputs {
        host_network: vec![HostNetworkContainer {
            id: id.into(),
            pids: vec![pid, 99999],
        }],
        ..HostInputs::default()
    };
    // The captured socket table holds both listeners; each process holds one.
    let weak = collect_host(&root("host-weak"), &inputs("weak", 4343));
    let listeners = weak.host_network_listeners["weak"].value().expect("read");
    let shown: Vec<String> = listeners.iter().map(|l| l.display()).collect();
    assert_eq!(shown, vec!["[::]:18080/tcp6"]);
    assert!(listeners[0].on_all_interfaces());

    let hardened = collect_host(&root("host-hardened"), &inputs("hardened", 4242));
    let listeners = hardened.host_network_listeners["hardened"]
        .value()
        .expect("read");
    if cfg!(target_endian = "little") {
        let shown: Vec<String> = listeners.iter().map(|l| l.display()).collect();
        assert_eq!(shown, vec!["127.0.0.1:18081/tcp"]);
    }

    let gone = collect_host(&root("host-weak"), &inputs("gone", 99999));
    assert!(
        matches!(&gone.host_network_listeners["gone"], Fact::Missing(why) if why.contains("ended"))
    );
}

#[test]
fn captured_firewalls_parse_into_the_facts_rules_need() {
    let machine = firewall_fixture("machine");
    let nft = machine
        .dumps()
        .find(|(d, _)| d.tool == "iptables-nft-save")
        .expect("nft back-end dump")
        .1;
    assert_eq!(nft.forward_policy(), Some("DROP"));
    assert!(nft.has_docker_chain());
    assert!(nft.docker_user_filters().is_empty());
    let ruleset = machine.nftables.value().expect("nft JSON parsed");
    assert!(
        ruleset.tables.iter().all(|t| t.owner == "iptables-nft"),
        "{:?}",
        ruleset.tables
    );

    let accept = firewall_fixture("forward-accept");
    let (dump, r) = accept
        .dumps()
        .find(|(_, r)| r.has_docker_chain())
        .expect("docker chains");
    assert_eq!(dump.backend, "nf_tables");
    assert_eq!(r.forward_policy(), Some("ACCEPT"));
    assert_eq!(accept.ip_forward, Fact::Value(true));

    let filtered = firewall_fixture("docker-user-rules");
    let r = filtered
        .dumps()
        .find(|(_, r)| r.has_docker_chain())
        .expect("docker chains")
        .1;
    assert_eq!(
        r.docker_user_filters(),
        vec!["-A DOCKER-USER ! -s 192.168.1.0/24 -i eth0 -j DROP"]
    );

    let legacy = firewall_fixture("legacy-forward-accept");
    let (dump, r) = legacy
        .dumps()
        .find(|(_, r)| r.has_docker_chain())
        .expect("docker chains in the legacy back-end");
    assert_eq!(dump.backend, "legacy");
    assert_eq!(r.forward_policy(), Some("ACCEPT"));

    let plain = firewall_fixture("no-docker-chain");
    assert!(plain.dumps().all(|(_, r)| !r.has_docker_chain()));

    let native = firewall_fixture("nft-native-forward");
    let chains = native
        .nftables
        .value()
        .expect("parsed")
        .user_forward_filters()
        .into_iter()
        .map(|c| (c.family.clone(), c.table.clone(), c.name.clone()))
        .collect::<Vec<_>>();
    assert_eq!(
        chains,
        vec![("inet".into(), "filter".into(), "forward".into())]
    );
}

/// Rule fixtures: the engine objects recorded from this machine (`live-machine.json`, see
/// scripts/record-host-fixture.sh) with the host and firewall the collector reads from a fixture
/// tree and a firewall capture in place of the machine's own.
/// The tree's captured process holding a listening socket stands in for the recorded
/// host-network containers' processes: (fixture, tree, firewall, pid).
const RULE_FIXTURES: &[(&str, &str, &str, u32)] = &[
    ("weak", "host-weak", "forward-accept", 4343),
    ("hardened", "host-hardened", "docker-user-rules", 4242),
];

fn rules_fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/host")
}

/// A rule fixture as this collector makes it today.
fn rule_fixture(tree: &str, firewall: &str, pid: u32) -> Option<String> {
    let (dir, owners) = build_tree(tree);
    if !owners {
        return None;
    }
    let base = rules_fixture_dir().join("live-machine.json");
    let mut snapshot = Snapshot::load(&base).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snapshot.schema_version, SNAPSHOT_SCHEMA_VERSION);
    let inputs = HostInputs {
        host_network: snapshot
            .containers
            .iter()
            .filter(|c| c.inspect.host_config.network_mode == "host" && c.inspect.state.running)
            .map(|c| dockaudit_collect::host::HostNetworkContainer {
                id: c.inspect.id.clone(),
                pids: vec![pid],
            })
            .collect(),
        ..tls_inputs()
    };
    let mut host = collect_host(&tree_root(&dir), &inputs);
    // The temporary copy's path would change on every run.
    host.root = format!("crates/collect/tests/fixtures/{tree}");
    snapshot.host = Some(Fact::Value(host));
    snapshot.firewall = Some(Fact::Value(firewall_fixture(firewall)));
    let json = serde_json::to_string_pretty(&snapshot).expect("serialises") + "\n";
    // Reasons may name the root they read under: name the fixture, not the temporary copy.
    let temp = tree_root(&dir).display().to_string();
    Some(json.replace(&temp, &format!("crates/collect/tests/fixtures/{tree}")))
}

/// The rules crate tests on `crates/rules/tests/fixtures/host/NAME.json`; they must be what the
/// collector makes of the trees now (and of `live-machine.json`, when that is re-recorded).
/// `DOCKAUDIT_BLESS=1` rewrites them (then review the diff).
#[test]
fn rule_fixtures_are_what_the_collector_makes_of_the_trees() {
    if !support::is_root() {
        eprintln!("skipped: giving fixture files their owners needs root");
        return;
    }
    let bless = std::env::var_os("DOCKAUDIT_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, tree, firewall, pid) in RULE_FIXTURES {
        let fresh = rule_fixture(tree, firewall, *pid).expect("built as root");
        let path = rules_fixture_dir().join(format!("{name}.json"));
        if bless {
            std::fs::create_dir_all(rules_fixture_dir()).expect("mkdir");
            std::fs::write(&path, &fresh).expect("write fixture");
            continue;
        }
        // Compared as snapshots, not text: a field added to the model later reads back as its
        // default on both sides and does not make the fixture stale.
        let fresh = Snapshot::from_slice(fresh.as_bytes(), "fresh").expect("fresh parses");
        match Snapshot::load(&path) {
            Ok(on_disk) if on_disk == fresh => {}
            _ => stale.push(path.display().to_string()),
        }
    }
    // Every captured firewall, for the firewall rules' tests to swap into a snapshot.
    let firewalls: std::collections::BTreeMap<&str, _> = FIREWALL_VARIANTS
        .iter()
        .map(|v| (*v, firewall_fixture(v)))
        .collect();
    let fresh = serde_json::to_string_pretty(&firewalls).expect("serialises") + "\n";
    let path = rules_fixture_dir().join("firewalls.json");
    if bless {
        std::fs::write(&path, &fresh).expect("write fixture");
    } else {
        let on_disk: Option<std::collections::BTreeMap<String, FirewallCapture>> =
            std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str(&text).ok());
        let fresh: std::collections::BTreeMap<String, FirewallCapture> = firewalls
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if on_disk.as_ref() != Some(&fresh) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule fixtures (rerun with DOCKAUDIT_BLESS=1 and review the diff): {stale:?}"
    );
}

/// The captures under fixtures/firewall/.
const FIREWALL_VARIANTS: &[&str] = &[
    "machine",
    "forward-accept",
    "docker-user-rules",
    "legacy-forward-accept",
    "no-docker-chain",
    "nft-native-forward",
];

/// The unprivileged half of [`unprivileged_collection_gives_reasons`]: prints what the collector
/// reads of this machine as JSON when asked to, and does nothing otherwise.
#[test]
fn child_print_host_facts() {
    if std::env::var_os("DOCKAUDIT_HOST_CHILD").is_none() {
        return;
    }
    let root = std::path::Path::new("/");
    let host = collect_host(root, &HostInputs::default());
    let firewall = dockaudit_collect::host::firewall::capture_firewall(
        &dockaudit_collect::host::rootfs::HostRoot::new(root),
    );
    println!(
        "DOCKAUDIT-JSON {}",
        serde_json::json!({ "host": host, "firewall": firewall })
    );
}

/// Run as `nobody`, the collector records what needs root as missing, with the reason, and
/// still reads what anyone may read.
#[test]
fn unprivileged_collection_gives_reasons() {
    let runuser = PathBuf::from("/usr/sbin/runuser");
    if !support::is_root() || !runuser.exists() {
        eprintln!("skipped: needs root and runuser to run the collector as nobody");
        return;
    }
    let me = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(runuser)
        .args(["-u", "nobody", "--"])
        .arg(&me)
        .args(["--exact", "child_print_host_facts", "--nocapture"])
        .env("DOCKAUDIT_HOST_CHILD", "1")
        .output()
        .expect("runuser runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout
        .lines()
        .find_map(|l| l.strip_prefix("DOCKAUDIT-JSON "))
        .unwrap_or_else(|| {
            panic!(
                "the child printed no facts: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    let host: HostFacts = serde_json::from_value(value["host"].clone()).expect("host facts");
    let firewall: FirewallCapture =
        serde_json::from_value(value["firewall"].clone()).expect("firewall");

    // What anyone may read is read.
    assert!(host.kernel_release.value().is_some());
    assert!(host.docker_group.value().is_some());
    assert!(host.seccomp.value().is_some());
    // The firewall needs root: each tool is missing with the reason, never an empty rule set.
    for dump in &firewall.iptables {
        match &dump.dump {
            Fact::Missing(why) => assert!(
                why.contains("not root") || why.contains("not installed"),
                "{}: {why}",
                dump.tool
            ),
            Fact::Value(_) => panic!("{} read the rule set as nobody", dump.tool),
        }
    }
    match &firewall.nftables {
        Fact::Missing(why) => assert!(
            why.contains("not root") || why.contains("not installed"),
            "{why}"
        ),
        Fact::Value(_) => panic!("nft read the rule set as nobody"),
    }
    // Every missing file fact says why.
    for f in &host.files {
        if let Fact::Missing(why) = &f.stat {
            assert!(why.contains("not root"), "{}: {why}", f.path);
        }
    }
    if let Fact::Missing(why) = &host.audit {
        assert!(!why.is_empty());
    }

    // What the rules make of it: the firewall rules skip, saying root is needed; no host or
    // firewall rule fails or passes for want of a fact.
    let snapshot = Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        collected_at: "2026-06-01T00:00:00Z".into(),
        host: Some(Fact::Value(host)),
        firewall: Some(Fact::Value(firewall)),
        ..Snapshot::default()
    };
    let input = dockaudit_rules::AuditInput::new(&snapshot, &Default::default());
    for id in ["NET007", "NET008"] {
        let rule = dockaudit_rules::find_rule(id).expect("rule");
        let mut checks = dockaudit_rules::Checks::default();
        (rule.check)(&input, &mut checks);
        let skip = checks.rule_skip().unwrap_or_default();
        assert!(
            skip.contains("not root") || skip.contains("not installed"),
            "{id}: {skip}"
        );
    }
    for rule in dockaudit_rules::RULES
        .iter()
        .filter(|r| r.meta.id.starts_with("HST"))
    {
        let mut checks = dockaudit_rules::Checks::default();
        (rule.check)(&input, &mut checks);
        for (target, why) in checks.target_skips() {
            assert!(
                why.contains("not root"),
                "{}: {}: {why}",
                rule.meta.id,
                target.name
            );
        }
    }
}

/// `auditctl -l` as it really prints: "No rules" is no rule, and its refusal as non-root is told
/// apart from a failure (so the fact says "run as root", not "auditctl failed").
#[test]
fn captured_auditctl_output() {
    use dockaudit_collect::host::audit::parse_audit_rules;
    use dockaudit_collect::host::tool::{run_tool, ToolError};
    let dir = fixtures().join("audit");
    let no_rules = std::fs::read_to_string(dir.join("auditctl-l-no-rules.txt")).expect("fixture");
    assert_eq!(parse_audit_rules(&no_rules), (Vec::new(), Vec::new()));
    // Replay the refusal through the tool runner: same message, same exit status.
    let stderr = dir.join("auditctl-l-as-nobody.stderr");
    let script = format!("cat '{}' >&2; exit 4", stderr.display());
    let err = run_tool(
        "sh",
        &["-c", &script],
        std::time::Duration::from_secs(5),
        1024,
    )
    .expect_err("refused");
    assert!(matches!(err, ToolError::Permission { .. }), "{err:?}");
}
