//! Fixture tests for the inventory rules (CTR017–CTR019, IMG001–IMG006, NET001–NET006,
//! LOG001–LOG004, LCY001–LCY005) on the snapshot recorded from the real engine with
//! `scripts/record-fixture.sh` (scenario `fx`, see scripts/scenario.md).
//!
//! Where the scenario cannot show a case (a daemon default hides it, or a fact is always collected),
//! the recorded snapshot is cloned and one field changed, so the rest stays real engine output.

mod common;

use common::{failing, passing, run_rule, scenario};
use dockaudit_report::Severity;
use dockaudit_rules::{find_rule, AuditInput, Checks, Failure, TargetFilter, RULES};
use dockaudit_snapshot::{Container, Fact, Snapshot};

/// The fake secrets scenario.sh plants; none may appear in any output.
const PLANTED: &[&str] = &[
    "hunter2-planted-db-secret",
    "AKIAIOSFODNN7EXAMPLE",
    "planted-label-token-123456",
    "planted-image-secret-987",
    "planted-log-secret-555",
    // In the bad image's files (scenario.md, "Image contents").
    "AKIA2PLANTEDFAKE7KEY",
    "planted-fake-ssh-key",
    "planted-deleted-token",
];

const BAD: &str = "dockaudit-test-fx-bad:1";
const GOOD: &str = "dockaudit-test-fx-good:1";
const BASE: &str = "dockaudit-test-fx-base:1";
/// The base's rootfs, loaded as an image built on 2023-01-15 (fx-exited runs it).
const OLD: &str = "dockaudit-test-fx-old:1";

/// The image fx-outdated runs: the first build of the moved tag, untagged since the tag moved on
/// (so its name is its short id, which changes with every recording).
fn outdated_image() -> String {
    let c = scenario()
        .containers
        .iter()
        .find(|c| c.name() == "fx-outdated")
        .expect("fx-outdated recorded");
    scenario()
        .image_by_id(&c.inspect.image)
        .expect("its image recorded")
        .display_name()
}

fn names(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The failures rule `id` reports on `target` in the scenario.
fn failures_on(id: &str, target: &str) -> Vec<Failure> {
    run_rule(id, scenario())
        .failures()
        .iter()
        .filter(|f| f.target.name == target)
        .cloned()
        .collect()
}

/// The one failure of rule `id` on `target`.
fn failure(id: &str, target: &str) -> Failure {
    let mut found = failures_on(id, target);
    assert_eq!(found.len(), 1, "{id} on {target}: {found:?}");
    found.remove(0)
}

fn container<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut Container {
    snapshot
        .containers
        .iter_mut()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("no container {name} in the scenario"))
}

/// Runs rule `id` over `snapshot` narrowed to the containers named by `include`.
fn run_narrowed(id: &str, snapshot: &Snapshot, include: &[&str]) -> Checks {
    let include: Vec<String> = include.iter().map(|s| s.to_string()).collect();
    let filter = TargetFilter::new(&include, &[], &[], &[]).expect("valid filter");
    let rule = find_rule(id).expect("rule exists");
    let input = AuditInput::new(snapshot, &filter);
    let mut checks = Checks::default();
    (rule.check)(&input, &mut checks);
    checks
}

fn skipped(checks: &Checks, target: &str) -> Option<String> {
    checks
        .target_skips()
        .iter()
        .find(|(t, _)| t.name == target)
        .map(|(_, why)| why.clone())
}

#[test]
fn no_planted_secret_reaches_any_message_evidence_or_skip_reason() {
    for rule in RULES {
        let checks = run_rule(rule.meta.id, scenario());
        let mut text = String::new();
        for f in checks.failures() {
            text.push_str(&f.message);
            text.push_str(&f.evidence.to_string());
        }
        for (_, why) in checks.target_skips() {
            text.push_str(why);
        }
        text.push_str(checks.rule_skip().unwrap_or_default());
        for secret in PLANTED {
            assert!(
                !text.contains(secret),
                "{} leaks the planted secret {secret}",
                rule.meta.id
            );
        }
    }
}

#[test]
fn hardened_container_and_good_image_pass_every_inventory_rule() {
    for id in [
        "CTR017", "CTR018", "CTR019", "IMG006", "NET001", "NET002", "NET003", "NET004", "NET005",
        "NET006", "LOG001", "LOG002", "LOG003", "LOG004", "LCY003",
    ] {
        assert!(
            passing(id).contains(&"fx-hardened".to_string()),
            "{id}: {:?}",
            passing(id)
        );
    }
    for id in ["IMG001", "IMG002", "IMG003", "IMG004", "IMG005"] {
        assert!(
            passing(id).contains(&GOOD.to_string()),
            "{id}: {:?}",
            passing(id)
        );
    }
}

#[test]
fn ctr017_names_secret_keys_and_where_they_are() {
    assert_eq!(
        failing("CTR017"),
        names(&["fx-latest", "fx-root", "fx-secrets"])
    );
    let f = failure("CTR017", "fx-secrets");
    // The keys come in the engine's Env order, which the docker CLI does not keep from `-e` to `-e`
    // (the 28.x CLI sorts them): either order is the engine's.
    assert!(
        [
            "secrets in environment: DB_PASSWORD, AWS_ACCESS_KEY_ID; label com.example.api-token",
            "secrets in environment: AWS_ACCESS_KEY_ID, DB_PASSWORD; label com.example.api-token",
        ]
        .contains(&f.message.as_str()),
        "{}",
        f.message
    );
    let masked: Vec<&str> = f.evidence["secrets"]
        .as_array()
        .expect("secrets list")
        .iter()
        .filter_map(|s| s["masked"].as_str())
        .collect();
    assert_eq!(masked.len(), 3);
    assert!(masked.iter().all(|m| m.contains("****")), "{masked:?}");
    assert_eq!(f.severity, None);

    // The bad image's ENV secret shows up in its containers, and the message says so.
    let f = failure("CTR017", "fx-root");
    assert!(f.message.contains("API_SECRET"), "{}", f.message);
    assert!(f.message.contains("image's ENV"), "{}", f.message);
    // The log secret of fx-logs is LOG004's business, not an environment secret.
    assert!(passing("CTR017").contains(&"fx-logs".to_string()));
}

#[test]
fn ctr018_flags_reverse_shell_and_miner_processes() {
    assert_eq!(failing("CTR018"), names(&["fx-procs"]));
    let f = failure("CTR018", "fx-procs");
    assert!(
        f.message.contains("`nc -l -p 4444 -e /bin/sh` (netcat"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("`/bin/sh /tmp/xmrig --donate-level 1` (crypto-currency miner)"),
        "{}",
        f.message
    );
    // Not running, restarting included (collect asks a restarting container for no `top`): no
    // processes to judge, so neither passed nor skipped.
    let restarting = scenario()
        .containers
        .iter()
        .find(|c| c.name() == "fx-restarting")
        .expect("fx-restarting");
    assert!(restarting.inspect.state.restarting);
    assert!(restarting.top.is_none());
    for name in ["fx-exited", "fx-ports", "fx-privileged", "fx-restarting"] {
        assert!(!passing("CTR018").contains(&name.to_string()), "{name}");
    }
    assert_eq!(run_rule("CTR018", scenario()).target_skips(), []);
}

#[test]
fn ctr019_flags_a_container_running_a_whole_os() {
    assert_eq!(failing("CTR019"), names(&["fx-procs"]));
    assert_eq!(
        failure("CTR019", "fx-procs").message,
        "runs 4 unrelated daemons: cron (crond), ssh server (sshd), syslog (syslogd), web server (httpd)"
    );
    assert!(passing("CTR019").contains(&"fx-root".to_string()));
    assert!(!passing("CTR019").contains(&"fx-restarting".to_string()));
    assert_eq!(run_rule("CTR019", scenario()).target_skips(), []);
}

#[test]
fn img001_img002_flag_images_without_user_or_healthcheck() {
    // The base image runs containers too (fx-secrets, fx-procs…) and has neither; nor has the old
    // image (its rootfs, fx-exited).
    for id in ["IMG001", "IMG002"] {
        assert_eq!(failing(id), names(&[BAD, BASE, OLD]), "{id}");
        assert_eq!(passing(id), names(&[GOOD, &outdated_image()]), "{id}");
    }
    assert!(failure("IMG001", BAD).message.contains("sets no USER"));
    assert_eq!(failure("IMG002", BAD).message, "defines no HEALTHCHECK");
}

#[test]
fn img003_quotes_the_update_alone() {
    assert_eq!(failing("IMG003"), names(&[BAD]));
    assert!(failure("IMG003", BAD)
        .message
        .contains("`RUN apt-get update || true`"));
    assert_eq!(
        passing("IMG003"),
        names(&[BASE, GOOD, OLD, &outdated_image()])
    );
}

#[test]
fn img003_img004_skip_without_history() {
    for history in [None, Some(Fact::Missing("engine said no".to_string()))] {
        let mut snap = scenario().clone();
        for image in &mut snap.images {
            image.history = history.clone();
        }
        for id in ["IMG003", "IMG004"] {
            let checks = run_rule(id, &snap);
            assert!(checks.failures().is_empty(), "{id}");
            assert!(checks.passed().is_empty(), "{id}");
            let why = skipped(&checks, BAD).expect("skipped");
            assert!(why.contains("history"), "{why}");
        }
    }
}

#[test]
fn img004_flags_add_but_not_the_base_rootfs() {
    assert_eq!(failing("IMG004"), names(&[BAD]));
    let f = failure("IMG004", BAD);
    assert!(
        f.message.starts_with("uses ADD in 1 layer: `ADD file:"),
        "{}",
        f.message
    );
    assert!(f.message.contains("in /opt/payload.txt"), "{}", f.message);
    assert_eq!(f.severity, None, "a local file is Low");
}

#[test]
fn img005_names_the_image_secret_and_its_layer() {
    assert_eq!(failing("IMG005"), names(&[BAD]));
    let f = failure("IMG005", BAD);
    assert!(f.message.contains("API_SECRET in ENV"), "{}", f.message);
    assert!(f.message.contains("history layer"), "{}", f.message);
    assert_eq!(f.severity, None, "ENV secrets keep the rule's Critical");
}

#[test]
fn img006_flags_latest_only() {
    assert_eq!(failing("IMG006"), names(&["fx-latest"]));
    assert_eq!(
        failure("IMG006", "fx-latest").message,
        "created from `dockaudit-test-fx-bad:latest`: `:latest` moves with every push"
    );
    assert!(passing("IMG006").contains(&"fx-root".to_string()));
}

#[test]
fn net001_flags_host_network() {
    assert_eq!(failing("NET001"), names(&["fx-namespaces"]));
}

#[test]
fn net002_lists_privileged_host_ports() {
    assert_eq!(failing("NET002"), names(&["fx-ports"]));
    assert_eq!(
        failure("NET002", "fx-ports").message,
        "publishes privileged host ports: 0.0.0.0:22->2222/tcp, 0.0.0.0:80->8080/tcp"
    );
}

#[test]
fn net003_lists_ports_on_all_interfaces_ipv4_and_ipv6() {
    assert_eq!(failing("NET003"), names(&["fx-ports"]));
    let message = failure("NET003", "fx-ports").message;
    for port in [
        "0.0.0.0:22->2222/tcp",
        "0.0.0.0:2375->2375/tcp",
        "[::]:6379->6379/tcp",
        "0.0.0.0:80->8080/tcp",
    ] {
        assert!(message.contains(port), "{port}: {message}");
    }
}

#[test]
fn net004_names_sensitive_services_and_is_critical_for_the_docker_api() {
    assert_eq!(failing("NET004"), names(&["fx-ports"]));
    let f = failure("NET004", "fx-ports");
    assert!(
        f.message
            .contains("0.0.0.0:2375->2375/tcp (Docker API, unencrypted)"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("[::]:6379->6379/tcp (Redis)"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("0.0.0.0:22->2222/tcp (SSH)"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("8080"), "{}", f.message);
    assert_eq!(f.severity, Some(Severity::Critical));
}

#[test]
fn net005_flags_publish_all() {
    assert_eq!(failing("NET005"), names(&["fx-ports"]));
    assert!(failure("NET005", "fx-ports").message.contains("(-P)"));
}

#[test]
fn net006_flags_the_default_bridge_and_ignores_host_mode() {
    let mut expected: Vec<String> = scenario()
        .containers
        .iter()
        .map(|c| c.name().to_string())
        .filter(|n| n != "fx-hardened" && n != "fx-outdated" && n != "fx-namespaces")
        .collect();
    expected.sort();
    assert_eq!(failing("NET006"), expected);
    assert_eq!(passing("NET006"), names(&["fx-hardened", "fx-outdated"]));
}

#[test]
fn log001_flags_disabled_logging() {
    assert_eq!(failing("LOG001"), names(&["fx-nolog"]));
}

#[test]
fn log002_flags_unrotated_json_file_only() {
    // The recording engine's daemon.json sets log-opts (max-size=10m, max-file=3), which it merged
    // into every json-file container that set no max-size of its own, fx-root included: only
    // fx-norotate's explicit `max-size=-1` (unlimited) is left without rotation.
    let log_config = |name: &str| {
        scenario()
            .containers
            .iter()
            .find(|c| c.name() == name)
            .map(|c| c.inspect.host_config.log_config.clone())
            .unwrap_or_else(|| panic!("no container {name}"))
    };
    assert_eq!(
        log_config("fx-root")
            .config
            .get("max-size")
            .map(String::as_str),
        Some("10m")
    );
    let norotate = log_config("fx-norotate");
    assert_eq!(norotate.driver, "json-file");
    assert_eq!(
        norotate.config.get("max-size").map(String::as_str),
        Some("-1")
    );
    assert_eq!(failing("LOG002"), names(&["fx-norotate"]));
    let f = failure("LOG002", "fx-norotate");
    assert_eq!(
        f.message,
        "json-file logging with max-size=-1: the log grows until the disk is full"
    );
    assert_eq!(f.evidence["HostConfig.LogConfig.Type"], "json-file");
    assert_eq!(f.evidence["HostConfig.LogConfig.Config"]["max-size"], "-1");
    assert_eq!(f.severity, None);
    assert!(passing("LOG002").contains(&"fx-root".to_string()));
    assert!(!passing("LOG002").contains(&"fx-nolog".to_string()));

    let mut snap = scenario().clone();
    container(&mut snap, "fx-root")
        .inspect
        .host_config
        .log_config
        .config
        .clear();
    let log = &mut container(&mut snap, "fx-secrets")
        .inspect
        .host_config
        .log_config;
    log.driver = "local".into();
    log.config.clear();
    let log = &mut container(&mut snap, "fx-procs")
        .inspect
        .host_config
        .log_config;
    log.driver = "local".into();
    log.config.insert("max-size".into(), "-1".into());
    let log = &mut container(&mut snap, "fx-logs")
        .inspect
        .host_config
        .log_config;
    log.driver = "journald".into();
    log.config.clear();

    let checks = run_rule("LOG002", &snap);
    let mut failed: Vec<(&str, &str)> = checks
        .failures()
        .iter()
        .map(|f| (f.target.name.as_str(), f.message.as_str()))
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        [
            (
                "fx-norotate",
                "json-file logging with max-size=-1: the log grows until the disk is full"
            ),
            (
                "fx-procs",
                "local logging with max-size=-1: rotation is switched off"
            ),
            (
                "fx-root",
                "json-file logging without max-size: the log grows until the disk is full"
            ),
        ]
    );
    let passed: Vec<&str> = checks.passed().iter().map(|t| t.name.as_str()).collect();
    assert!(passed.contains(&"fx-secrets"), "local rotates by default");
    assert!(
        passed.contains(&"fx-logs"),
        "journald ships logs off the container"
    );
}

#[test]
fn log003_flags_the_restart_loop() {
    assert_eq!(failing("LOG003"), names(&["fx-restarting"]));
    let count = scenario()
        .containers
        .iter()
        .find(|c| c.name() == "fx-restarting")
        .map(|c| c.inspect.restart_count)
        .expect("fx-restarting");
    let f = failure("LOG003", "fx-restarting");
    assert_eq!(
        f.message,
        format!("restarted {count} times, now restarting; last exit code 1")
    );
    assert_eq!(
        f.severity,
        (count >= 20).then_some(Severity::High),
        "High only from 20 restarts"
    );
}

#[test]
fn log004_counts_suspicious_lines_with_samples() {
    assert_eq!(failing("LOG004"), names(&["fx-logs"]));
    let f = failure("LOG004", "fx-logs");
    assert_eq!(f.severity, None, "compromise signs keep the rule's High");
    let patterns = f.evidence["patterns"].as_array().expect("patterns");
    let kinds: Vec<(&str, u64)> = patterns
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or_default(),
                p["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("miner-pool", 1),
            ("reverse-shell", 1),
            ("failed-login", 6),
            ("crash", 1)
        ]
    );
    assert!(patterns[0]["sample"]
        .as_str()
        .unwrap_or_default()
        .contains("stratum+tcp://pool.example.com:3333"));
    assert!(
        f.message.contains("failed logins (6 lines)"),
        "{}",
        f.message
    );
    // No log collected for the `none` driver: not judged.
    assert!(!passing("LOG004").contains(&"fx-nolog".to_string()));
}

#[test]
fn log004_without_compromise_signs_is_medium() {
    let mut snap = scenario().clone();
    let c = container(&mut snap, "fx-logs");
    if let Some(Fact::Value(tail)) = &mut c.logs {
        tail.lines
            .retain(|l| l.starts_with("Failed password") || l.starts_with("panic:"));
    }
    let checks = run_rule("LOG004", &snap);
    assert_eq!(checks.failures().len(), 1);
    assert_eq!(checks.failures()[0].severity, Some(Severity::Medium));
}

#[test]
fn lcy001_flags_the_dangling_image_only() {
    let checks = run_rule("LCY001", scenario());
    assert_eq!(checks.failures().len(), 1, "{:?}", checks.failures());
    let f = &checks.failures()[0];
    let image = scenario().image_by_id(&f.target.id).expect("image");
    assert!(image.is_untagged());
    assert!(f.message.contains("MiB"), "{}", f.message);
    assert!(passing("LCY001").contains(&BAD.to_string()));
}

#[test]
fn img016_flags_the_container_whose_tag_moved_on() {
    assert_eq!(failing("IMG016"), names(&["fx-outdated"]));
    let f = failure("IMG016", "fx-outdated");
    assert!(
        f.message
            .starts_with("created from `dockaudit-test-fx-moved:1`, which now names a newer image"),
        "{}",
        f.message
    );
    // The evidence names both images, as the engine recorded them.
    let snap = scenario();
    let moved = snap
        .images
        .iter()
        .find(|i| {
            i.inspect
                .repo_tags
                .iter()
                .any(|t| t == "dockaudit-test-fx-moved:1")
        })
        .expect("the moved tag");
    assert_eq!(f.evidence["TagNowNames"], moved.inspect.id.as_str());
    assert_ne!(f.evidence["Image"], f.evidence["TagNowNames"]);
    // Every other container runs what its reference names (fx-latest by `bad:latest`, the rest by
    // version tags): they pass.
    let passed = passing("IMG016");
    assert!(
        passed.contains(&"fx-latest".to_string()) && passed.contains(&"fx-hardened".to_string())
    );
    assert_eq!(passed.len() + 1, snap.containers.len());

    // A tag that no longer names any image is a skip: what it points to now is unknown.
    let mut untagged = snap.clone();
    for image in &mut untagged.images {
        image
            .inspect
            .repo_tags
            .retain(|t| t != "dockaudit-test-fx-moved:1");
    }
    let checks = run_rule("IMG016", &untagged);
    assert!(checks.failures().is_empty());
    let (target, why) = &checks.target_skips()[0];
    assert_eq!(target.name, "fx-outdated");
    assert!(
        why.contains("names no image on this engine any more"),
        "{why}"
    );
}

#[test]
fn img017_flags_the_image_built_long_ago_and_skips_undated_ones() {
    assert_eq!(failing("IMG017"), names(&[OLD]));
    let f = failure("IMG017", OLD);
    assert!(
        f.message.contains("days before this audit (2023-01-15)"),
        "{}",
        f.message
    );
    let days = f.evidence["age_days"].as_i64().unwrap();
    assert!(days > 180, "{days}");
    // Every other image in use was built while the scenario came up.
    let in_use: std::collections::BTreeSet<&str> = scenario()
        .containers
        .iter()
        .map(|c| c.inspect.image.as_str())
        .collect();
    assert_eq!(
        passing("IMG017").len(),
        in_use.len() - 1,
        "{:?}",
        passing("IMG017")
    );

    // A reproducible build pinned to the epoch: its age is unknown, not 56 years.
    let mut snap = scenario().clone();
    for image in &mut snap.images {
        if image.inspect.repo_tags.iter().any(|t| t == OLD) {
            image.inspect.created = "1970-01-01T00:00:00Z".into();
        }
    }
    let checks = run_rule("IMG017", &snap);
    assert!(checks.failures().is_empty());
    assert!(checks.target_skips()[0].1.contains("before Docker existed"));
    // The age is counted from the collection time, not the clock: audited as of its build, the
    // old image is new.
    let mut then = scenario().clone();
    then.collected_at = "2023-02-01T00:00:00Z".into();
    assert!(run_rule("IMG017", &then).failures().is_empty());
}

#[test]
fn lcy002_flags_tagged_images_no_container_uses() {
    // `dangling:1` and `moved:1` are second builds of their tags: tagged, and no container runs
    // them (fx-outdated runs the first build of `moved:1`).
    assert_eq!(
        failing("LCY002"),
        names(&[
            "dockaudit-test-fx-dangling:1",
            "dockaudit-test-fx-moved:1",
            "dockaudit-test-fx-unused:1"
        ])
    );
    assert_eq!(passing("LCY002"), names(&[BAD, BASE, GOOD, OLD]));
    assert!(failure("LCY002", "dockaudit-test-fx-unused:1")
        .message
        .contains("MiB"));
}

#[test]
fn lcy002_lcy004_look_at_every_container_not_only_the_selected() {
    // Only fx-hardened selected: the bad image (run by fx-root) is still in use.
    let checks = run_narrowed("LCY002", scenario(), &["fx-hardened"]);
    assert!(checks.failures().iter().all(|f| f.target.name != BAD));
    // Only fx-root selected: fx-vol-used (mounted by fx-hardened) is still in use.
    let checks = run_narrowed("LCY004", scenario(), &["fx-root"]);
    let failed: Vec<&str> = checks
        .failures()
        .iter()
        .map(|f| f.target.name.as_str())
        .collect();
    assert_eq!(failed, ["fx-vol-unused"]);
}

#[test]
fn after_collect_with_labels_unused_is_a_skip_not_a_finding() {
    let mut partial = scenario().clone();
    partial.settings.labels = vec!["com.docker.compose.project=shop".into()];
    for rule in ["LCY001", "LCY002", "LCY004", "LCY005"] {
        let whole = run_rule(rule, scenario());
        let narrowed = run_rule(rule, &partial);
        assert!(
            narrowed.failures().is_empty(),
            "{rule} still reports unused"
        );
        // Everything the whole snapshot reported is now a skip with the reason; passes stay.
        let skipped: Vec<&str> = narrowed
            .target_skips()
            .iter()
            .filter(|(_, why)| {
                why.contains("collected with --label com.docker.compose.project=shop")
            })
            .map(|(t, _)| t.name.as_str())
            .collect();
        let failed: Vec<&str> = whole
            .failures()
            .iter()
            .map(|f| f.target.name.as_str())
            .collect();
        assert_eq!(skipped, failed, "{rule}");
        assert_eq!(narrowed.passed().len(), whole.passed().len(), "{rule}");
    }
}

#[test]
fn lcy003_flags_exited_and_never_started_containers() {
    assert_eq!(
        failing("LCY003"),
        names(&[
            "fx-caps",
            "fx-devices",
            "fx-exited",
            "fx-hostdata",
            "fx-kernel",
            "fx-latest",
            "fx-mounts",
            "fx-namespaces",
            "fx-norotate",
            "fx-oomkilled",
            "fx-ports",
            "fx-privileged",
        ])
    );
    assert!(failure("LCY003", "fx-oomkilled")
        .message
        .starts_with("exited with code 137 "));
    assert!(failure("LCY003", "fx-exited")
        .message
        .starts_with("exited with code 0 "));
    assert!(failure("LCY003", "fx-ports")
        .message
        .ends_with("never started"));
    assert!(passing("LCY003").contains(&"fx-restarting".to_string()));
}

#[test]
fn lcy004_flags_the_unused_volume() {
    assert_eq!(failing("LCY004"), names(&["fx-vol-unused"]));
    // fx-vol-etc is used by a container that was only created (fx-hostdata).
    assert_eq!(passing("LCY004"), names(&["fx-vol-etc", "fx-vol-used"]));
}

#[test]
fn lcy005_flags_the_unused_network() {
    assert_eq!(failing("LCY005"), names(&["fx-net-unused"]));
    assert_eq!(passing("LCY005"), names(&["fx-net"]));

    // A stopped container is not in the network's Containers map but still uses it.
    let mut snap = scenario().clone();
    for n in &mut snap.networks {
        n.containers.clear();
    }
    let hardened = container(&mut snap, "fx-hardened");
    hardened.inspect.state.running = false;
    hardened.inspect.state.status = "exited".into();
    let checks = run_rule("LCY005", &snap);
    let failed: Vec<&str> = checks
        .failures()
        .iter()
        .map(|f| f.target.name.as_str())
        .collect();
    assert_eq!(failed, ["fx-net-unused"]);
}
