//! Rules over what a real Podman engine (4.3.1, Debian bookworm, rootful) answers through its
//! Docker-compatible API: `tests/fixtures/podman.json`, collected with `dockaudit collect --label
//! dockaudit.test=1` from containers made with the docker CLI against Podman's socket (host and
//! firewall facts and graph-driver paths trimmed; the planted secrets were masked at collection).
//! Containers: `pm-priv` (--privileged), `pm-port` (-p 0.0.0.0:18080:80), `pm-secret` (DB_PASSWORD
//! and a GitHub token in env, a password in its command and log), `pm-ns` (--pid/--ipc/--uts/
//! --network host), `pm-ipc2` (--ipc host, made by the podman CLI), `pm-mounts` (/etc, Podman's
//! socket, an rshared bind), `pm-caps`, `pm-devices`, `pm-unconf` (seccomp/apparmor unconfined),
//! `pm-hard` (hardened, with --log-opt max-size=10m), `pm-nolog` (--log-driver none, -P),
//! `pm-k8s` (--log-driver k8s-file), `pm-created`, `pm-exited`.
//!
//! What Podman reports as constants or drops must give skips with reasons, not verdicts.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::run_rule;
use dockaudit_snapshot::Snapshot;

fn podman() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/podman.json");
        Snapshot::load(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn failing(id: &str) -> Vec<String> {
    common::failing_on(id, podman())
}

#[test]
fn the_fixture_is_podman() {
    assert_eq!(podman().engine.kind, "podman");
    assert_eq!(podman().containers.len(), 14);
}

#[test]
fn podman_shapes_are_judged_where_they_are_evidence() {
    assert_eq!(failing("CTR001"), ["pm-priv"]);
    assert_eq!(failing("CTR005"), ["pm-caps"]);
    assert_eq!(failing("CTR007"), ["pm-ns"]);
    assert_eq!(failing("CTR009"), ["pm-ns"]);
    assert_eq!(failing("CTR012"), ["pm-devices"]);
    assert_eq!(failing("CTR017"), ["pm-secret"]);
    assert_eq!(failing("NET001"), ["pm-ns"]);
    assert_eq!(failing("NET003"), ["pm-nolog", "pm-port"]);
    assert_eq!(failing("NET004"), ["pm-nolog"]);
    assert_eq!(failing("LOG001"), ["pm-nolog"]);
    assert!(failing("MNT001").contains(&"pm-mounts".to_string()));
    assert!(failing("MNT002").contains(&"pm-mounts".to_string()));
    assert_eq!(failing("MNT003"), ["pm-mounts"]);
    let seccomp = failing("CTR013");
    assert!(seccomp.contains(&"pm-unconf".to_string()) && seccomp.contains(&"pm-priv".to_string()));
    // Podman shows containers.conf's no_new_privileges in each container: the hardened one passes,
    // and the wording does not blame a Docker daemon default.
    let nnp = run_rule("CTR014", podman());
    assert!(!nnp.failures().iter().any(|f| f.target.name == "pm-hard"));
    let priv_ = nnp
        .failures()
        .iter()
        .find(|f| f.target.name == "pm-priv")
        .expect("pm-priv fails CTR014");
    assert!(
        priv_.message.contains("containers.conf"),
        "{}",
        priv_.message
    );
}

#[test]
fn podman_info_constants_skip_the_daemon_rules_with_reasons() {
    for id in ["DMN009", "DMN012", "DMN014", "DMN015", "DMN017", "DMN018"] {
        let checks = run_rule(id, podman());
        assert!(
            checks.failures().is_empty(),
            "{id} failed on a Podman constant"
        );
        let why = checks
            .rule_skip()
            .unwrap_or_else(|| panic!("{id} did not skip"));
        assert!(why.contains("Podman"), "{id}: {why}");
    }
}

#[test]
fn what_podman_drops_per_container_is_a_skip_not_a_pass() {
    // --ipc host reads `shareable`, as a private namespace does.
    let ipc = run_rule("CTR008", podman());
    assert!(ipc.failures().is_empty());
    let skipped = ipc.target_skips();
    assert!(
        skipped
            .iter()
            .any(|(t, why)| t.name == "pm-ipc2" && why.contains("IpcMode")),
        "{skipped:?}"
    );
    // k8s-file reads `json-file` with no options, max-size=10m included.
    let log = run_rule("LOG002", podman());
    assert!(log.failures().is_empty(), "{:?}", log.failures());
    let skipped = log.target_skips();
    for name in ["pm-hard", "pm-k8s", "pm-port"] {
        assert!(
            skipped
                .iter()
                .any(|(t, why)| t.name == name && why.contains("log options")),
            "{name}: {skipped:?}"
        );
    }
    // -P became explicit bindings with PublishAllPorts false; the bindings are NET003's.
    let publish_all = run_rule("NET005", podman());
    let why = publish_all.rule_skip().expect("NET005 skips");
    assert!(why.contains("PublishAllPorts"), "{why}");
}

#[test]
fn podman_process_lists_are_read() {
    let checks = run_rule("CTR018", podman());
    assert!(
        checks.target_skips().is_empty(),
        "{:?}",
        checks.target_skips()
    );
    let running = podman()
        .containers
        .iter()
        .filter(|c| c.inspect.state.running)
        .count();
    assert_eq!(running, 3);
    for c in podman()
        .containers
        .iter()
        .filter(|c| c.inspect.state.running)
    {
        let top = c
            .top
            .as_ref()
            .and_then(|t| t.value())
            .expect("top collected");
        assert!(top.commands().next().is_some(), "{}", c.inspect.name);
    }
}

#[test]
fn settings_podman_does_not_report_are_skipped_per_container() {
    // The compat inspect leaves CgroupnsMode empty, omits MaskedPaths and ReadonlyPaths and names
    // every runtime `oci`: skips with the reason, except the privileged container, whose unmasked
    // paths follow from --privileged alone.
    for (id, why) in [
        ("CTR020", "cgroup namespace mode"),
        ("CTR021", "Podman did not report"),
        (
            "CTR022",
            "Podman reports every container's runtime as `oci`",
        ),
    ] {
        let checks = run_rule(id, podman());
        assert!(checks.passed().is_empty(), "{id}");
        let skipped: Vec<&str> = checks
            .target_skips()
            .iter()
            .map(|(t, _)| t.name.as_str())
            .collect();
        let expected = if id == "CTR021" { 13 } else { 14 };
        assert_eq!(skipped.len(), expected, "{id}: {skipped:?}");
        assert!(
            checks.target_skips().iter().all(|(_, r)| r.contains(why)),
            "{id}: {:?}",
            checks.target_skips()
        );
    }
    assert_eq!(failing("CTR021"), ["pm-priv"]);
}
