//! Fixture tests for the runtime container rules (CTR002–CTR016, CTR020–CTR022, MNT002–MNT003,
//! NET011, RES001–RES008) on
//! the scenario snapshot recorded from the real engine (`scripts/record-fixture.sh`, prefix `fx`).
//!
//! Each rule is checked for the exact scenario containers it fails, that `fx-hardened` passes, and
//! for what its messages and severities say. The recording engine has neither AppArmor nor SELinux,
//! so CTR003 and CTR004 are checked for their skip; their other branches, and the daemon-dependent
//! branches of other rules, run on copies of the recorded snapshot whose `docker info` security
//! options are changed (the engine objects themselves are never edited).

mod common;

use common::{failing, passing, run_rule, scenario};
use dockaudit_report::Severity;
use dockaudit_rules::{Checks, Failure};
use dockaudit_snapshot::{Fact, Snapshot};

/// Every scenario container, without the `fx-` prefix.
const ALL: &[&str] = &[
    "caps",
    "devices",
    "exited",
    "hardened",
    "hostdata",
    "kernel",
    "latest",
    "logs",
    "mounts",
    "namespaces",
    "nolog",
    "norotate",
    "oomkilled",
    "outdated",
    "ports",
    "privileged",
    "procs",
    "restarting",
    "root",
    "secrets",
    "unhealthy",
];

/// `["a", "b"]` → `["fx-a", "fx-b"]`, sorted like [`failing`].
fn fx(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|n| format!("fx-{n}")).collect();
    v.sort();
    v
}

/// Every scenario container except these.
fn all_but(except: &[&str]) -> Vec<String> {
    fx(&ALL
        .iter()
        .copied()
        .filter(|n| !except.contains(n))
        .collect::<Vec<_>>())
}

/// Only the scenario's containers (the recording host may have had others).
fn scenario_only(names: Vec<String>) -> Vec<String> {
    names.into_iter().filter(|n| n.starts_with("fx-")).collect()
}

fn fails(id: &str) -> Vec<String> {
    scenario_only(failing(id))
}

fn passes(id: &str) -> Vec<String> {
    scenario_only(passing(id))
}

/// The one failure of rule `id` on scenario container `name`.
fn failure_on(checks: &Checks, name: &str) -> Failure {
    let found: Vec<&Failure> = checks
        .failures()
        .iter()
        .filter(|f| f.target.name == name)
        .collect();
    assert_eq!(found.len(), 1, "failures on {name}: {found:?}");
    found[0].clone()
}

/// The failure of rule `id` on scenario container `name`, on the recorded snapshot.
fn finding(id: &str, name: &str) -> Failure {
    failure_on(&run_rule(id, scenario()), name)
}

/// A copy of the scenario whose daemon reports these `docker info` security options.
fn with_security_options(options: &[&str]) -> Snapshot {
    let mut snap = scenario().clone();
    let info = snap
        .info
        .as_mut()
        .expect("the scenario records docker info");
    info.security_options = options.iter().map(|s| s.to_string()).collect();
    snap
}

/// A copy of the scenario without `docker info`.
fn without_info() -> Snapshot {
    let mut snap = scenario().clone();
    snap.info = None;
    snap
}

fn names(failures: &[Failure]) -> Vec<String> {
    let mut v: Vec<String> = failures
        .iter()
        .map(|f| f.target.name.clone())
        .filter(|n| n.starts_with("fx-"))
        .collect();
    v.sort();
    v.dedup();
    v
}

const MY_RULES: &[&str] = &[
    "CTR002", "CTR003", "CTR004", "CTR005", "CTR006", "CTR007", "CTR008", "CTR009", "CTR010",
    "CTR011", "CTR012", "CTR013", "CTR014", "CTR015", "CTR016", "CTR020", "CTR021", "CTR022",
    "MNT002", "MNT003", "NET011", "RES001", "RES002", "RES003", "RES004", "RES005", "RES006",
    "RES007", "RES008",
];

#[test]
fn the_recording_engine_is_what_these_tests_assume() {
    let info = scenario().info.as_ref().expect("docker info recorded");
    assert!(
        info.has_security_option("seccomp"),
        "{:?}",
        info.security_options
    );
    assert!(!info.has_security_option("apparmor"));
    assert!(!info.has_security_option("selinux"));
    assert!(!info.has_security_option("userns"));
    assert!(!info.has_security_option("rootless"));
    assert_eq!(scenario().daemon_no_new_privileges(), Some(false));
    let mut found: Vec<String> = scenario()
        .containers
        .iter()
        .map(|c| c.name().to_string())
        .filter(|n| n.starts_with("fx-"))
        .collect();
    found.sort();
    assert_eq!(found, fx(ALL));
}

#[test]
fn no_planted_secret_reaches_a_message_or_evidence() {
    let planted = [
        "hunter2-planted-db-secret",
        "AKIAIOSFODNN7EXAMPLE",
        "planted-label-token-123456",
        "planted-image-secret-987",
        "planted-log-secret-555",
    ];
    for id in MY_RULES {
        for f in run_rule(id, scenario()).failures() {
            let text = format!("{} {}", f.message, f.evidence);
            for secret in planted {
                assert!(!text.contains(secret), "{id} on {}: {text}", f.target.name);
            }
        }
    }
}

#[test]
fn rules_judge_every_state_not_just_running() {
    // Created, exited and restarting containers are judged by the configuration rules.
    for id in ["CTR002", "CTR011", "CTR014", "RES001", "RES002", "RES003"] {
        let judged: Vec<String> = {
            let mut v = fails(id);
            v.extend(passes(id));
            v.sort();
            v
        };
        assert_eq!(judged, fx(ALL), "{id}");
    }
}

// ------------------------------------------------------------------------------------------ CTR002

#[test]
fn ctr002_fails_every_container_without_a_user() {
    assert_eq!(fails("CTR002"), all_but(&["hardened", "outdated", "ports"]));
    assert_eq!(passes("CTR002"), fx(&["hardened", "outdated", "ports"]));
    let f = finding("CTR002", "fx-root");
    assert_eq!(f.message, "runs as root (User is empty)");
    assert_eq!(f.severity, None);
    assert_eq!(f.evidence["Config.User"], "");
}

#[test]
fn ctr002_is_low_under_user_namespace_remapping_except_with_userns_host() {
    let snap = with_security_options(&["name=seccomp,profile=default", "name=userns"]);
    let checks = run_rule("CTR002", &snap);
    let root = failure_on(&checks, "fx-root");
    assert_eq!(root.severity, Some(Severity::Low));
    assert!(
        root.message.contains("remaps user namespaces"),
        "{}",
        root.message
    );
    let ns = failure_on(&checks, "fx-namespaces");
    assert_eq!(ns.severity, None);
    assert!(ns.message.contains("--userns host"), "{}", ns.message);
}

// ------------------------------------------------------------------------------------------ CTR003

#[test]
fn ctr003_skips_on_a_host_without_apparmor() {
    let checks = run_rule("CTR003", scenario());
    assert_eq!(
        checks.rule_skip(),
        Some("the engine host does not have AppArmor enabled (no name=apparmor in docker info security options)")
    );
    assert!(checks.failures().is_empty());
    assert!(run_rule("CTR003", &without_info()).rule_skip().is_some());
}

#[test]
fn ctr003_with_apparmor_fails_unconfined_and_privileged_containers() {
    let snap = with_security_options(&["name=apparmor", "name=seccomp,profile=default"]);
    let checks = run_rule("CTR003", &snap);
    assert_eq!(checks.rule_skip(), None);
    let failed = names(checks.failures());
    assert!(failed.contains(&"fx-devices".to_string()), "{failed:?}");
    assert!(failed.contains(&"fx-privileged".to_string()), "{failed:?}");
    assert!(failure_on(&checks, "fx-devices")
        .message
        .contains("apparmor=unconfined"));
    assert!(failure_on(&checks, "fx-privileged")
        .message
        .contains("--privileged"));
    // Created containers get docker-default when they start.
    assert!(!failed.contains(&"fx-caps".to_string()), "{failed:?}");
    // Running containers were started on this AppArmor-less engine, so none has a profile.
    let running = failure_on(&checks, "fx-hardened");
    assert!(
        running.message.contains("AppArmorProfile is empty"),
        "{}",
        running.message
    );
}

// ------------------------------------------------------------------------------------------ CTR004

#[test]
fn ctr004_skips_on_an_engine_without_selinux() {
    let checks = run_rule("CTR004", scenario());
    assert_eq!(
        checks.rule_skip(),
        Some("the engine does not run with SELinux enabled (no name=selinux in docker info security options)")
    );
    assert!(run_rule("CTR004", &without_info()).rule_skip().is_some());
}

#[test]
fn ctr004_with_selinux_fails_privileged_and_unlabelled_containers() {
    let snap = with_security_options(&["name=selinux", "name=seccomp,profile=default"]);
    let checks = run_rule("CTR004", &snap);
    assert_eq!(checks.rule_skip(), None);
    let privileged = failure_on(&checks, "fx-privileged");
    assert!(
        privileged.message.contains("--privileged"),
        "{}",
        privileged.message
    );
    assert_eq!(privileged.severity, None);
    // The engine itself stored label=disable for the host PID/IPC namespaces.
    let namespaces = failure_on(&checks, "fx-namespaces");
    assert!(
        namespaces.message.contains("label=disable"),
        "{}",
        namespaces.message
    );
    // Recorded without SELinux: no container has a process label.
    let hardened = failure_on(&checks, "fx-hardened");
    assert!(
        hardened.message.contains("ProcessLabel is empty"),
        "{}",
        hardened.message
    );
}

// ------------------------------------------------------------------------------------------ CTR005

#[test]
fn ctr005_reports_added_non_default_capabilities() {
    assert_eq!(fails("CTR005"), fx(&["caps"]));
    assert!(passes("CTR005").contains(&"fx-hardened".to_string()));
    let f = finding("CTR005", "fx-caps");
    assert!(f.message.contains("SYS_ADMIN"), "{}", f.message);
    assert!(f.message.contains("NET_ADMIN"), "{}", f.message);
    assert!(!f.message.contains("CHOWN"), "{}", f.message);
    assert_eq!(f.severity, None, "SYS_ADMIN is dangerous: the rule's High");
    assert_eq!(
        f.evidence["added"],
        serde_json::json!(["NET_ADMIN", "SYS_ADMIN"])
    );
}

// ------------------------------------------------------------------------------------------ CTR006

#[test]
fn ctr006_finds_the_fake_sshd_and_judges_only_running_containers() {
    assert_eq!(fails("CTR006"), fx(&["procs"]));
    let passed = passes("CTR006");
    assert!(passed.contains(&"fx-hardened".to_string()));
    // A restarting container has no processes either: collect asks for no `top`, so it is not
    // judged (neither passed nor skipped).
    for not_running in [
        "fx-caps",
        "fx-exited",
        "fx-privileged",
        "fx-ports",
        "fx-restarting",
    ] {
        assert!(!passed.contains(&not_running.to_string()), "{not_running}");
    }
    assert_eq!(run_rule("CTR006", scenario()).target_skips(), []);
    let f = finding("CTR006", "fx-procs");
    assert!(f.message.contains("/usr/sbin/sshd"), "{}", f.message);
    assert!(!f.message.contains("nc -l"), "{}", f.message);
}

// ---------------------------------------------------------------------------------- CTR007–CTR010

#[test]
fn host_namespace_rules_fail_only_the_namespaces_container() {
    for (id, flag) in [
        ("CTR007", "--pid host"),
        ("CTR008", "--ipc host"),
        ("CTR009", "--uts host"),
        ("CTR010", "--userns host"),
    ] {
        assert_eq!(fails(id), fx(&["namespaces"]), "{id}");
        assert!(passes(id).contains(&"fx-hardened".to_string()), "{id}");
        let f = finding(id, "fx-namespaces");
        assert!(f.message.contains(flag), "{id}: {}", f.message);
    }
}

#[test]
fn ctr010_severity_follows_the_daemons_remapping() {
    // This daemon does not remap: the opt-out is latent.
    assert_eq!(
        finding("CTR010", "fx-namespaces").severity,
        Some(Severity::Low)
    );
    let snap = with_security_options(&["name=seccomp,profile=default", "name=userns"]);
    let f = failure_on(&run_rule("CTR010", &snap), "fx-namespaces");
    assert_eq!(f.severity, None);
    let f = failure_on(&run_rule("CTR010", &without_info()), "fx-namespaces");
    assert!(f.message.contains("unknown"), "{}", f.message);
}

// ------------------------------------------------------------------------------------------ CTR011

#[test]
fn ctr011_fails_every_container_without_read_only() {
    assert_eq!(fails("CTR011"), all_but(&["hardened", "outdated"]));
    assert_eq!(passes("CTR011"), fx(&["hardened", "outdated"]));
}

// ------------------------------------------------------------------------------------------ CTR012

#[test]
fn ctr012_lists_passed_devices() {
    assert_eq!(fails("CTR012"), fx(&["devices"]));
    assert!(passes("CTR012").contains(&"fx-hardened".to_string()));
    let f = finding("CTR012", "fx-devices");
    assert!(
        f.message.contains("/dev/null:/dev/xnull:rwm"),
        "{}",
        f.message
    );
    assert_eq!(
        f.severity,
        Some(Severity::Medium),
        "/dev/null is harmless-ish"
    );
}

// ------------------------------------------------------------------------------------------ CTR013

#[test]
fn ctr013_fails_unconfined_and_privileged_containers() {
    assert_eq!(fails("CTR013"), fx(&["devices", "kernel", "privileged"]));
    assert!(passes("CTR013").contains(&"fx-hardened".to_string()));
    assert!(finding("CTR013", "fx-devices")
        .message
        .contains("seccomp=unconfined"));
    assert!(finding("CTR013", "fx-privileged")
        .message
        .contains("--privileged"));
}

#[test]
fn ctr013_fails_everything_on_an_engine_without_seccomp_and_skips_without_info() {
    let checks = run_rule("CTR013", &with_security_options(&[]));
    assert_eq!(names(checks.failures()), fx(ALL));
    let f = failure_on(&checks, "fx-hardened");
    assert_eq!(f.severity, Some(Severity::Medium));
    assert!(f.message.contains("no seccomp support"), "{}", f.message);

    let checks = run_rule(
        "CTR013",
        &with_security_options(&["name=seccomp,profile=unconfined"]),
    );
    assert!(failure_on(&checks, "fx-hardened")
        .message
        .contains("default seccomp profile is unconfined"));

    let checks = run_rule("CTR013", &without_info());
    assert_eq!(
        names(checks.failures()),
        fx(&["devices", "kernel", "privileged"])
    );
    assert!(checks
        .target_skips()
        .iter()
        .any(|(t, _)| t.name == "fx-hardened"));
}

#[test]
fn ctr013_fails_a_custom_profile_that_allows_everything() {
    // fx-kernel's profile file: default SCMP_ACT_ALLOW, only `reboot` denied. The engine stores the
    // file's JSON in SecurityOpt; the evidence shows that a custom profile is set, not its text.
    let f = finding("CTR013", "fx-kernel");
    assert!(
        f.message
            .starts_with("runs with a custom seccomp profile that filters nothing that matters"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, None);
    assert_eq!(
        f.evidence["HostConfig.SecurityOpt.seccomp"],
        "(custom profile)"
    );
    let profile = &f.evidence["seccomp_profile"];
    assert_eq!(profile["defaultAction"], "SCMP_ACT_ALLOW");
    assert_eq!(profile["rules"], 1);
    let open = profile["open_escape_syscalls"]
        .as_array()
        .expect("open calls listed");
    assert!(open.iter().any(|c| c == "mount") && open.iter().any(|c| c == "unshare"));
    // On an engine without seccomp the profile changes nothing: the engine is the cause.
    let f = failure_on(
        &run_rule("CTR013", &with_security_options(&[])),
        "fx-kernel",
    );
    assert!(f.message.contains("no seccomp support"), "{}", f.message);
}

// ------------------------------------------------------------------------------------------ CTR014

#[test]
fn ctr014_fails_containers_without_no_new_privileges() {
    assert_eq!(fails("CTR014"), all_but(&["hardened", "outdated"]));
    assert_eq!(passes("CTR014"), fx(&["hardened", "outdated"]));
}

#[test]
fn ctr014_follows_the_daemon_default_and_skips_when_it_is_unknown() {
    let snap = with_security_options(&["name=seccomp,profile=default", "name=no-new-privileges"]);
    assert!(run_rule("CTR014", &snap).failures().is_empty());

    // Docker 20.10 does not list no-new-privileges in /info even when it is on: its absence there
    // is no answer. The recording engine's flags and daemon.json were read, and set nothing: off.
    let mut old_engine = with_security_options(&["name=seccomp,profile=default"]);
    old_engine.info.as_mut().unwrap().server_version = "20.10.24".into();
    assert_eq!(old_engine.daemon_no_new_privileges(), Some(false));
    assert!(!run_rule("CTR014", &old_engine).failures().is_empty());
    // Neither /info nor the configuration read: unknown, so containers that set nothing skip.
    let mut unknown = without_info();
    unknown.daemon_config = Some(Fact::Missing("not root".into()));
    assert_eq!(unknown.daemon_no_new_privileges(), None);
    let checks = run_rule("CTR014", &unknown);
    assert!(checks.failures().is_empty());
    let mut passed: Vec<&str> = checks.passed().iter().map(|t| t.name.as_str()).collect();
    passed.sort();
    assert_eq!(passed, ["fx-hardened", "fx-outdated"]);
    assert!(checks
        .target_skips()
        .iter()
        .any(|(t, why)| t.name == "fx-root" && why.contains("unknown")));
}

// ------------------------------------------------------------------------------------------ CTR015

#[test]
fn ctr015_fails_containers_without_a_health_check() {
    assert_eq!(
        fails("CTR015"),
        all_but(&["hardened", "outdated", "ports", "unhealthy"])
    );
    assert_eq!(
        passes("CTR015"),
        fx(&["hardened", "outdated", "ports", "unhealthy"])
    );
}

// ------------------------------------------------------------------------------------------ CTR016

#[test]
fn ctr016_fails_the_unhealthy_container_only() {
    assert_eq!(fails("CTR016"), fx(&["unhealthy"]));
    assert_eq!(passes("CTR016"), fx(&["hardened", "outdated"]));
    let f = finding("CTR016", "fx-unhealthy");
    assert!(
        f.message.contains("consecutive failed health checks"),
        "{}",
        f.message
    );
}

// ---------------------------------------------------------------------------------- CTR020–CTR022

#[test]
fn ctr020_fails_the_host_cgroup_namespace_the_v1_default() {
    // Recorded on a cgroup v1 host, where `host` is the engine's default: only the containers made
    // with --cgroupns private pass.
    assert_eq!(
        scenario().info.as_ref().map(|i| i.cgroup_version.as_str()),
        Some("1")
    );
    assert_eq!(fails("CTR020"), all_but(&["hardened", "outdated"]));
    assert_eq!(passes("CTR020"), fx(&["hardened", "outdated"]));
    let f = finding("CTR020", "fx-namespaces");
    assert!(
        f.message
            .starts_with("shares the host's cgroup namespace (CgroupnsMode host): the engine's default on a cgroup v1 host"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, None);
    assert_eq!(f.evidence["HostConfig.CgroupnsMode"], "host");
    // On cgroup v2 `host` is not the engine's default unless daemon.json makes it so: the message
    // does not say it is.
    let mut v2 = scenario().clone();
    v2.info.as_mut().expect("docker info").cgroup_version = "2".into();
    let f = failure_on(&run_rule("CTR020", &v2), "fx-namespaces");
    assert_eq!(
        f.message,
        "shares the host's cgroup namespace (CgroupnsMode host)"
    );
}

#[test]
fn ctr021_fails_unmasked_system_paths() {
    assert_eq!(fails("CTR021"), fx(&["kernel", "privileged"]));
    assert!(passes("CTR021").contains(&"fx-hardened".to_string()));
    let f = finding("CTR021", "fx-kernel");
    assert_eq!(
        f.message,
        "runs with --security-opt systempaths=unconfined: /proc/sys, /proc/sysrq-trigger, /proc/kcore, /proc/keys open to it"
    );
    assert!(finding("CTR021", "fx-privileged")
        .message
        .contains("--privileged"));
}

#[test]
fn ctr022_passes_runc_and_sandboxes_and_fails_an_unknown_runtime() {
    // Every scenario container runs under runc.
    assert!(fails("CTR022").is_empty());
    assert_eq!(passes("CTR022"), fx(ALL));
    // A dockerd with two extra runtimes (tests/fixtures/daemon/record.sh, runtimes.json).
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/daemon/runtimes.json");
    let snap = Snapshot::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let checks = run_rule("CTR022", &snap);
    let failed: Vec<&str> = checks
        .failures()
        .iter()
        .map(|f| f.target.name.as_str())
        .collect();
    assert_eq!(failed, ["rt-vendor"]);
    let mut passed: Vec<&str> = checks.passed().iter().map(|t| t.name.as_str()).collect();
    passed.sort();
    assert_eq!(passed, ["rt-gvisor", "rt-runc"]);
    let f = failure_on(&checks, "rt-vendor");
    assert!(
        f.message
            .starts_with("runs under the runtime `vendor-rt` (/opt/vendor/bin/vendor-runtime)"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, None);
}

// ---------------------------------------------------------------------------------- MNT002–MNT003

#[test]
fn mnt002_reports_sensitive_binds_but_not_the_socket() {
    assert_eq!(fails("MNT002"), fx(&["hostdata", "mounts"]));
    assert!(passes("MNT002").contains(&"fx-hardened".to_string()));
    let f = finding("MNT002", "fx-mounts");
    assert!(
        f.message.starts_with("mounts /etc read-write at /host-etc"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, Some(Severity::Critical));
    let mounts = f.evidence["mounts"].as_array().expect("mounts listed");
    let sources: Vec<&str> = mounts.iter().filter_map(|m| m["source"].as_str()).collect();
    assert_eq!(sources, ["/etc", "/"]);
}

#[test]
fn mnt002_sees_credentials_by_name_and_host_paths_behind_volumes() {
    let f = finding("MNT002", "fx-hostdata");
    // /etc through a local volume created as a bind of it: the mount itself shows only the
    // volume's directory under /var/lib/docker/volumes.
    assert_eq!(
        f.message,
        "mounts /etc read-write at /host-etc (through volume fx-vol-etc) (and 1 more sensitive host path)"
    );
    assert_eq!(f.severity, Some(Severity::Critical));
    let mounts = f.evidence["mounts"].as_array().expect("mounts listed");
    let aws = mounts
        .iter()
        .find(|m| m["destination"] == "/root/.aws")
        .expect("the .aws mount is listed");
    assert_eq!(aws["sensitive"], ".aws");
    assert_eq!(aws["rw"], false);
    // Read-only, but credentials are stolen by reading them.
    assert_eq!(aws["severity"], "high");
}

#[test]
fn mnt003_reports_rshared_propagation() {
    assert_eq!(fails("MNT003"), fx(&["mounts"]));
    assert!(passes("MNT003").contains(&"fx-hardened".to_string()));
    let f = finding("MNT003", "fx-mounts");
    assert!(f.message.contains("/shared (rshared)"), "{}", f.message);
}

// ---------------------------------------------------------------------------------- RES001–RES006

#[test]
fn resource_limit_rules_fail_everything_but_the_hardened_container() {
    for id in ["RES002", "RES003"] {
        assert_eq!(fails(id), all_but(&["hardened", "outdated"]), "{id}");
        assert_eq!(passes(id), fx(&["hardened", "outdated"]), "{id}");
    }
    // fx-oomkilled has a memory limit (the one it ran into).
    assert_eq!(
        fails("RES001"),
        all_but(&["hardened", "oomkilled", "outdated"])
    );
}

#[test]
fn res004_fails_restart_always() {
    assert_eq!(fails("RES004"), fx(&["devices", "restarting"]));
    assert!(passes("RES004").contains(&"fx-hardened".to_string()));
    assert!(finding("RES004", "fx-restarting")
        .message
        .contains("always"));
}

#[test]
fn res005_and_res006_fail_the_devices_container() {
    assert_eq!(fails("RES005"), fx(&["devices"]));
    assert!(finding("RES005", "fx-devices")
        .message
        .contains("core=-1:-1"));
    assert_eq!(fails("RES006"), fx(&["devices"]));
    assert!(finding("RES006", "fx-devices")
        .message
        .contains("/dockaudit-test"));
    for id in ["RES005", "RES006"] {
        assert!(passes(id).contains(&"fx-hardened".to_string()), "{id}");
    }
}

// ---------------------------------------------------------------------------------- RES007–RES008

#[test]
fn res007_fails_the_oom_killer_disabled_without_a_memory_limit() {
    assert_eq!(fails("RES007"), fx(&["kernel"]));
    assert!(passes("RES007").contains(&"fx-hardened".to_string()));
    let f = finding("RES007", "fx-kernel");
    assert!(
        f.message.starts_with(
            "the OOM killer is disabled for it (--oom-kill-disable) and it has no memory limit"
        ),
        "{}",
        f.message
    );
    assert_eq!(f.severity, None);
    assert_eq!(f.evidence["HostConfig.OomKillDisable"], true);
    assert_eq!(f.evidence["HostConfig.Memory"], 0);
}

#[test]
fn res008_fails_the_container_the_oom_killer_ended() {
    assert_eq!(fails("RES008"), fx(&["oomkilled"]));
    assert!(passes("RES008").contains(&"fx-hardened".to_string()));
    let f = finding("RES008", "fx-oomkilled");
    assert_eq!(
        f.message,
        "was killed by the kernel's OOM killer at its memory limit of 8.0 MiB (exit code 137)"
    );
    assert_eq!(f.evidence["State.OOMKilled"], true);
}

// ------------------------------------------------------------------------------------------ NET011

#[test]
fn net011_fails_sysctls_that_weaken_the_network_namespace() {
    assert_eq!(fails("NET011"), fx(&["kernel"]));
    assert!(passes("NET011").contains(&"fx-hardened".to_string()));
    let f = finding("NET011", "fx-kernel");
    assert!(
        f.message.starts_with(
            "sets net.ipv4.conf.all.route_localnet=1: it accepts packets for 127.0.0.0/8"
        ),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("(also net.ipv4.ip_forward=1)"),
        "{}",
        f.message
    );
    // The IPC sysctl fx-kernel also sets sizes its own namespace: not reported.
    assert!(!f.message.contains("kernel.shmmax"), "{}", f.message);
    assert_eq!(
        f.evidence["HostConfig.Sysctls"]["kernel.shmmax"],
        "68719476736"
    );
    assert_eq!(f.severity, Some(Severity::Medium));
}
