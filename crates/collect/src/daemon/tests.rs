//! The daemon collector on fixture host trees (`tests/fixtures/host-*`): files copied from a real
//! machine (its dockerd command line, status and daemon.json, and those of the second engine of
//! `scripts/second-engine.sh`) plus variants for every problem the collector reports.

use std::path::{Path, PathBuf};

use dockaudit_snapshot::daemon::{ConflictKind, DaemonConfig, FileState, ProblemKind, SourceKind};
use dockaudit_snapshot::{EngineInfo, Fact};
use serde_json::{json, Value};

use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `/info` as the machine's engine answers it, trimmed to what the collector reads.
fn info(root_dir: &str, live_restore: bool) -> EngineInfo {
    serde_json::from_value(json!({
        "ServerVersion": "20.10.24+dfsg1",
        "Driver": "fuse-overlayfs",
        "LoggingDriver": "json-file",
        "DockerRootDir": root_dir,
        "LiveRestoreEnabled": live_restore,
        "ExperimentalBuild": false,
        "Debug": false,
        "Plugins": {"Authorization": null},
        "SecurityOptions": ["name=seccomp,profile=default"],
    }))
    .expect("info")
}

fn sock(path: &str) -> Endpoint {
    Endpoint::Unix(path.into())
}

fn run(host: &str, endpoint: &Endpoint, info: Option<&EngineInfo>) -> DaemonCollection {
    collect(Some(&fixture(host)), endpoint, info, "docker")
}

fn config(c: &DaemonCollection) -> &DaemonConfig {
    match &c.config {
        Fact::Value(v) => v,
        Fact::Missing(why) => panic!("no config: {why}"),
    }
}

fn value(c: &DaemonConfig, key: &str) -> Value {
    c.settings
        .get(key)
        .unwrap_or_else(|| panic!("no setting {key}"))
        .value
        .clone()
}

#[test]
fn the_machine_s_own_daemon() {
    let info = info("/var/lib/docker", false);
    let got = run("host-machine", &sock("/var/run/docker.sock"), Some(&info));
    let c = config(&got);
    let Fact::Value(p) = &c.process else {
        panic!("{:?}", c.process)
    };
    assert_eq!(p.pid, 1423);
    assert_eq!(p.args, ["/usr/sbin/dockerd"]);
    assert!(
        p.matched_by
            .contains("listens on unix:///var/run/docker.sock"),
        "{}",
        p.matched_by
    );
    let Fact::Value(f) = &c.file else {
        panic!("{:?}", c.file)
    };
    assert_eq!(f.path, "/etc/docker/daemon.json");
    assert_eq!(f.chosen_by, "default");
    assert_eq!(f.state, FileState::Read);
    // /info wins over the file, and both are kept as origins.
    let driver = &c.settings["storage-driver"];
    assert_eq!(driver.value, json!("fuse-overlayfs"));
    assert_eq!(driver.origins[0].kind, SourceKind::Info);
    assert_eq!(driver.origins[1].kind, SourceKind::File);
    assert_eq!(driver.origins[1].line, Some(1));
    assert_eq!(value(c, "mtu"), json!(1400));
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.conflicts.is_empty(), "{:?}", c.conflicts);
    assert!(got.gaps.is_empty(), "{:?}", got.gaps);
    assert_eq!(
        c.lookup("icc"),
        dockaudit_snapshot::daemon::Effective::Default
    );
}

#[test]
fn the_engine_s_own_dockerd_is_chosen_among_several() {
    let second = info("/tmp/da-engine/data", false);
    let got = run(
        "host-two-engines",
        &sock("/tmp/da-engine/docker.sock"),
        Some(&second),
    );
    let c = config(&got);
    let Fact::Value(p) = &c.process else { panic!() };
    assert_eq!(p.pid, 2649);
    let Fact::Value(f) = &c.file else { panic!() };
    assert_eq!(f.path, "/tmp/da-engine/daemon.json");
    assert_eq!(f.chosen_by, "--config-file");
    assert_eq!(value(c, "iptables"), json!(false));
    assert_eq!(
        value(c, "hosts"),
        json!(["unix:///tmp/da-engine/docker.sock"])
    );

    // Through TCP with an explicit host root, the data root decides.
    let machine = info("/var/lib/docker", false);
    let got = run(
        "host-two-engines",
        &Endpoint::Tcp("127.0.0.1:2375".into()),
        Some(&machine),
    );
    let Fact::Value(p) = &config(&got).process else {
        panic!()
    };
    assert_eq!(p.pid, 1423);
    assert!(p.matched_by.contains("data root"), "{}", p.matched_by);

    // No way to tell them apart: the reason names both.
    let unknown = info("/srv/docker", false);
    let got = run("host-two-engines", &sock("/run/other.sock"), Some(&unknown));
    let Fact::Value(c) = &got.config else {
        panic!()
    };
    let Fact::Missing(why) = &c.process else {
        panic!()
    };
    assert!(
        why.contains("pid 1423") && why.contains("pid 2649"),
        "{why}"
    );
}

#[test]
fn a_flag_and_a_key_for_the_same_setting_are_one_fact_and_a_conflict() {
    let info = info("/var/lib/docker", false);
    let got = run("host-conflict", &sock("/run/docker.sock"), Some(&info));
    let c = config(&got);
    let icc = &c.settings["icc"];
    // The flag is what the daemon started with.
    assert_eq!(icc.value, json!(false));
    assert_eq!(icc.origins.len(), 2);
    assert_eq!(icc.origins[1].line, Some(2));
    assert_eq!(value(c, "hosts"), json!(["fd://", "tcp://0.0.0.0:2375"]));
    let kinds: Vec<(&str, ConflictKind)> = c
        .conflicts
        .iter()
        .map(|x| (x.key.as_str(), x.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("icc", ConflictKind::FlagAndFile),
            ("live-restore", ConflictKind::FileAndRunning)
        ]
    );
    assert!(
        c.conflicts[0].message.contains("--icc=false"),
        "{}",
        c.conflicts[0].message
    );
    assert!(c.conflicts[0].message.contains("line 2"));
    assert!(c.conflicts[1].message.contains("line 3"));
    // What /info reports is the value in effect.
    assert_eq!(value(c, "live-restore"), json!(false));
}

#[test]
fn malformed_json_is_a_problem_with_its_line_and_the_rest_goes_on() {
    let info = info("/var/lib/docker", false);
    let got = run("host-malformed", &sock("/run/docker.sock"), Some(&info));
    let c = config(&got);
    assert_eq!(c.problems.len(), 1);
    let p = &c.problems[0];
    assert_eq!(p.kind, ProblemKind::Malformed);
    assert_eq!(p.path, "/etc/docker/daemon.json");
    assert_eq!(p.line, 4);
    assert!(p.message.contains("trailing comma"), "{}", p.message);
    let Fact::Value(f) = &c.file else { panic!() };
    assert_eq!(f.state, FileState::Malformed);
    assert!(matches!(
        c.lookup("icc"),
        dockaudit_snapshot::daemon::Effective::Unknown(_)
    ));
    // The flags and /info are still there.
    assert_eq!(value(c, "hosts"), json!(["fd://"]));
    assert_eq!(value(c, "log-driver"), json!("json-file"));
}

#[test]
fn unknown_and_repeated_keys_are_problems_and_secrets_are_masked() {
    let info = info("/var/lib/docker", false);
    let got = run("host-unknown-key", &sock("/run/docker.sock"), Some(&info));
    let c = config(&got);
    let problems: Vec<(ProblemKind, Option<&str>, usize)> = c
        .problems
        .iter()
        .map(|p| (p.kind, p.key.as_deref(), p.line))
        .collect();
    assert_eq!(
        problems,
        vec![
            (ProblemKind::IgnoredKey, Some("insecure-registry"), 4),
            (ProblemKind::UnknownKey, Some("htp-proxy"), 7),
            (ProblemKind::DuplicateKey, Some("icc"), 9),
        ]
    );
    // The last of a repeated key counts, as for dockerd.
    assert_eq!(value(c, "icc"), json!(false));
    assert_eq!(c.settings["icc"].origins[0].line, Some(9));
    let proxy = value(c, "http-proxy");
    assert!(!proxy.to_string().contains("hunter2proxypass"), "{proxy}");
    assert!(!got.redactions.is_empty());
    let text = serde_json::to_string(&got.config).expect("serialises");
    assert!(!text.contains("hunter2proxypass"));
}

#[test]
fn the_rootless_daemon_json_is_in_the_user_s_home() {
    let mut info = info("/home/alice/.local/share/docker", false);
    info.security_options.push("name=rootless".into());
    let got = run(
        "host-rootless",
        &sock("/run/user/1000/docker.sock"),
        Some(&info),
    );
    let c = config(&got);
    let Fact::Value(f) = &c.file else { panic!() };
    assert_eq!(f.path, "/home/alice/.config/docker/daemon.json");
    assert_eq!(f.chosen_by, "rootless default");
    // /info reports experimental=false; the file says true: not applied.
    assert_eq!(c.conflicts.len(), 1);
    assert_eq!(c.conflicts[0].kind, ConflictKind::FileAndRunning);
    assert!(
        !c.settings.contains_key("icc"),
        "the root daemon.json is not this engine's"
    );
}

#[test]
fn docker_tls_verify_in_the_daemon_environment_counts() {
    let info = info("/var/lib/docker", false);
    let got = run("host-tls-env", &sock("/var/run/docker.sock"), Some(&info));
    let c = config(&got);
    let verify = &c.settings["tlsverify"];
    assert_eq!(verify.value, json!(true));
    assert_eq!(verify.origins[0].kind, SourceKind::Environment);
    assert_eq!(value(c, "tls"), json!(true));
    let Fact::Value(f) = &c.file else { panic!() };
    assert_eq!(f.state, FileState::Absent);
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_read() {
    let got = run("host-utf16", &sock("/var/run/docker.sock"), None);
    let c = config(&got);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(value(c, "live-restore"), json!(true));
    assert_eq!(c.settings["live-restore"].origins[0].line, Some(2));
}

#[test]
fn remote_podman_and_absent_engines_are_missing_with_the_reason() {
    let remote = collect(None, &Endpoint::Tcp("10.0.0.5:2375".into()), None, "docker");
    let Fact::Missing(why) = remote.config else {
        panic!()
    };
    assert!(why.contains("remote (tcp://10.0.0.5:2375)"), "{why}");
    let podman = collect(None, &sock("/run/podman/podman.sock"), None, "podman");
    assert!(matches!(podman.config, Fact::Missing(w) if w.contains("Podman")));
}

#[test]
fn an_unreadable_proc_leaves_the_file_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("etc/docker")).expect("mkdir");
    std::fs::write(
        dir.path().join("etc/docker/daemon.json"),
        "{\"icc\": false}",
    )
    .expect("write");
    let got = collect(
        Some(dir.path()),
        &sock("/var/run/docker.sock"),
        None,
        "docker",
    );
    let c = config(&got);
    let Fact::Missing(why) = &c.process else {
        panic!()
    };
    assert!(why.contains("could not be read"), "{why}");
    let Fact::Value(f) = &c.file else { panic!() };
    assert!(f.chosen_by.contains("assumed"), "{}", f.chosen_by);
    assert_eq!(value(c, "icc"), json!(false));
    assert!(matches!(
        c.lookup("iptables"),
        dockaudit_snapshot::daemon::Effective::Unknown(w) if w.contains("command line")
    ));
    assert!(got.gaps.iter().any(|g| g.what == "dockerd command line"));
}
