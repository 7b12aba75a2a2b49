//! Engine faults never become a pass: through a fault-injecting proxy in front of the real engine
//! (support/fault_proxy.rs), each fault on a list, an inspect, `top`, a log tail or the image export
//! ends within the deadline as a gap that says what happened, a failed list is recorded so the
//! rules reading it skip, and no answer is read past its bound.
//!
//! Needs: the real Docker engine at /var/run/docker.sock (these tests say so and pass when it is
//! absent), and for the per-container faults a static busybox (/bin/busybox) to build a one-file
//! image. Objects created here are labelled `dockaudit.test=1` and removed by a guard.

#[path = "support/fault_proxy.rs"]
mod fault_proxy;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dockaudit_collect::{collect, connect, export_and_scan, CollectOptions, Endpoint, ScanLimits};
use dockaudit_rules::{audit, AuditOptions, RULES};
use dockaudit_snapshot::{Fact, ObjectList, Snapshot};
use fault_proxy::{engine_here, Fault, Proxy, Rule, ENGINE};

const DEADLINE: Duration = Duration::from_secs(2);

/// Collects through a proxy applying `rules`, with `labels` as the engine-side filter and the host
/// read from an empty directory (the host is not what these tests are about).
fn collect_through(rules: Vec<Rule>, labels: &[String]) -> Snapshot {
    let dir = tempfile::tempdir().expect("temp dir");
    let proxy = Proxy::start(dir.path(), Path::new(ENGINE), rules);
    let options = CollectOptions {
        labels: labels.to_vec(),
        host_root: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = connect(Endpoint::Unix(proxy.socket().to_path_buf()), DEADLINE)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        collect(&client, &options).await
    })
}

/// A label no object has: the lists pass through empty, so only the injected fault matters.
fn nothing() -> Vec<String> {
    vec![format!("dockaudit.test.faults-none={}", unique())]
}

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}-{nanos}", std::process::id())
}

/// What a fault on a list must read as.
fn expected(fault: Fault) -> &'static str {
    match fault {
        Fault::Status500 => "the engine answered HTTP 500: injected fault",
        Fault::Malformed => "not the JSON expected",
        Fault::StallAfterHeaders | Fault::Trickle => "timed out after 2 s",
        Fault::Oversized => "exceeded 64 MiB",
        Fault::Delay(_) => "timed out after 2 s",
        Fault::Truncated => "the engine's answer is truncated",
        _ => "",
    }
}

#[test]
fn a_failed_container_or_image_list_is_recorded_fatal_and_its_rules_skip() {
    if !engine_here() {
        return;
    }
    let faults = [
        Fault::Status500,
        Fault::Malformed,
        Fault::Truncated,
        Fault::StallAfterHeaders,
        Fault::Trickle,
        Fault::Oversized,
        Fault::Delay(Duration::from_secs(4)),
    ];
    for fault in faults {
        let started = Instant::now();
        let snapshot = collect_through(vec![(fault_proxy::container_list, fault)], &nothing());
        let why = snapshot
            .lists_failed
            .get(&ObjectList::Containers)
            .unwrap_or_else(|| panic!("{fault:?}: the failed list is not recorded"));
        eprintln!(
            "container list, {fault:?}: collected in {:.2?}: {why}",
            started.elapsed()
        );
        assert!(why.contains(expected(fault)), "{fault:?}: {why}");
        assert!(
            snapshot
                .gaps
                .iter()
                .any(|g| g.what == "containers (GET /containers/json)" && &g.why == why),
            "{fault:?}: {:?}",
            snapshot.gaps
        );
        let fatal = snapshot.fatal_gaps();
        assert_eq!(fatal.len(), 1, "{fault:?}: {fatal:?}");
        assert!(fatal[0].contains(why), "{fault:?}: {fatal:?}");

        let report = audit(&snapshot, RULES, &AuditOptions::default());
        let ctr001 = report.results.iter().find(|r| r.rule == "CTR001").unwrap();
        assert_eq!(
            ctr001.status,
            dockaudit_report::RuleStatus::Skipped,
            "{fault:?}"
        );
        assert!(report
            .skipped
            .iter()
            .any(|s| s.rule == "LCY003" && s.reason.contains(why)));
    }

    let snapshot = collect_through(
        vec![(fault_proxy::image_list, Fault::StallAfterHeaders)],
        &nothing(),
    );
    assert!(snapshot.lists_failed.contains_key(&ObjectList::Images));
    assert!(!snapshot.lists_failed.contains_key(&ObjectList::Containers));
    assert!(snapshot.fatal_gaps()[0].starts_with("images could not be listed"));
}

#[test]
fn a_failed_network_or_volume_list_skips_its_rules_without_being_fatal() {
    if !engine_here() {
        return;
    }
    let snapshot = collect_through(
        vec![
            (fault_proxy::network_list, Fault::Status500),
            (fault_proxy::volume_list, Fault::Malformed),
        ],
        &nothing(),
    );
    assert!(snapshot.lists_failed[&ObjectList::Networks].contains("HTTP 500"));
    assert!(snapshot.lists_failed[&ObjectList::Volumes].contains("not the JSON expected"));
    assert!(snapshot.fatal_gaps().is_empty());
    let report = audit(&snapshot, RULES, &AuditOptions::default());
    for id in ["LCY004", "LCY005", "DMN002"] {
        assert!(
            report.skipped.iter().any(|s| s.rule == id),
            "{id} not skipped"
        );
    }
}

#[test]
fn a_500_on_version_is_not_reported_as_unreachable() {
    if !engine_here() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let proxy = Proxy::start(
        dir.path(),
        Path::new(ENGINE),
        vec![(fault_proxy::version, Fault::Status500)],
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let err = runtime
        .block_on(connect(
            Endpoint::Unix(proxy.socket().to_path_buf()),
            DEADLINE,
        ))
        .expect_err("a 500 on /version");
    let text = err.to_string();
    assert!(!text.contains("cannot reach"), "{text}");
    assert!(text.contains("answered GET /version"), "{text}");
    assert!(text.contains("HTTP 500: injected fault"), "{text}");

    // A /version that stalls after its headers ends at the deadline.
    let dir = tempfile::tempdir().expect("temp dir");
    let proxy = Proxy::start(
        dir.path(),
        Path::new(ENGINE),
        vec![(fault_proxy::version, Fault::StallAfterHeaders)],
    );
    let err = runtime
        .block_on(connect(
            Endpoint::Unix(proxy.socket().to_path_buf()),
            DEADLINE,
        ))
        .expect_err("a stalled /version");
    assert!(
        err.to_string().contains("no answer before the timeout"),
        "{err}"
    );
}

/// A running container and its one-file image, labelled, removed when dropped.
struct TestContainer {
    name: String,
    image: String,
    label: String,
}

impl TestContainer {
    fn start() -> Option<TestContainer> {
        let busybox = Path::new("/bin/busybox");
        if !busybox.exists() {
            eprintln!("no /bin/busybox: per-container fault tests not run");
            return None;
        }
        let id = unique();
        let this = TestContainer {
            name: format!("dockaudit-test-faults-{id}"),
            image: format!("dockaudit-test-faults-{id}:1"),
            label: format!("dockaudit.test.faults={id}"),
        };
        let rootfs = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(rootfs.path().join("bin")).unwrap();
        std::fs::copy(busybox, rootfs.path().join("bin/busybox")).unwrap();
        let tar = Command::new("tar")
            .args(["-C", &rootfs.path().to_string_lossy(), "-cf", "-", "."])
            .output()
            .expect("tar");
        let mut import = Command::new("docker")
            .args([
                "import",
                "--change",
                "LABEL dockaudit.test=1",
                "-",
                &this.image,
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("docker import");
        use std::io::Write;
        import.stdin.take().unwrap().write_all(&tar.stdout).unwrap();
        assert!(import.wait().unwrap().success(), "docker import failed");
        let run = Command::new("docker")
            .args([
                "run",
                "-d",
                "--name",
                &this.name,
                "--label",
                "dockaudit.test=1",
                "--label",
                &this.label,
                &this.image,
                "/bin/busybox",
                "sh",
                "-c",
                "echo started; exec /bin/busybox sleep 600",
            ])
            .output()
            .expect("docker run");
        assert!(
            run.status.success(),
            "docker run: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        Some(this)
    }
}

impl Drop for TestContainer {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", &self.name])
            .output();
        let _ = Command::new("docker").args(["rmi", &self.image]).output();
    }
}

fn missing_why<T>(fact: &Option<Fact<T>>) -> Option<&str> {
    match fact {
        Some(Fact::Missing(why)) => Some(why),
        _ => None,
    }
}

#[test]
fn faults_on_one_container_end_as_its_gaps_within_the_deadline() {
    if !engine_here() {
        return;
    }
    let Some(container) = TestContainer::start() else {
        return;
    };
    let labels = vec![container.label.clone()];

    // Passed through, the container is collected with its processes and log.
    let snapshot = collect_through(vec![], &labels);
    assert_eq!(snapshot.containers.len(), 1, "{:?}", snapshot.gaps);
    let c = &snapshot.containers[0];
    assert!(matches!(c.top, Some(Fact::Value(_))), "{:?}", c.top);
    assert!(matches!(c.logs, Some(Fact::Value(_))), "{:?}", c.logs);

    // The inspect stalls or is oversized: the container is a gap, and the list did not fail.
    for (fault, says) in [
        (Fault::StallAfterHeaders, "timed out after 2 s"),
        (Fault::Oversized, "exceeded 8 MiB"),
        (Fault::Status500, "HTTP 500"),
    ] {
        let snapshot = collect_through(vec![(fault_proxy::container_inspect, fault)], &labels);
        assert!(snapshot.containers.is_empty(), "{fault:?}");
        assert!(snapshot.lists_failed.is_empty(), "{fault:?}");
        let gap = snapshot
            .gaps
            .iter()
            .find(|g| g.what.starts_with("container "))
            .unwrap_or_else(|| panic!("{fault:?}: no gap in {:?}", snapshot.gaps));
        assert!(gap.why.contains(says), "{fault:?}: {gap:?}");
    }

    // `top` and the log tail stall, trickle or send one huge frame: missing facts with the reason.
    for (rule, fault, says) in [
        (
            fault_proxy::container_top as fn(&str) -> bool,
            Fault::StallAfterHeaders,
            "timed out after 2 s",
        ),
        (
            fault_proxy::container_top,
            Fault::Oversized,
            "exceeded 8 MiB",
        ),
        (
            fault_proxy::container_logs,
            Fault::Trickle,
            "timed out after 2 s",
        ),
        (
            fault_proxy::container_logs,
            Fault::HugeLogFrame,
            "exceeded 8 MiB",
        ),
    ] {
        let started = Instant::now();
        let snapshot = collect_through(vec![(rule, fault)], &labels);
        eprintln!(
            "{fault:?} on one container: collected in {:.2?}",
            started.elapsed()
        );
        assert_eq!(
            snapshot.containers.len(),
            1,
            "{fault:?}: {:?}",
            snapshot.gaps
        );
        let c = &snapshot.containers[0];
        let missing = if std::ptr::fn_addr_eq(rule, fault_proxy::container_top as fn(&str) -> bool)
        {
            missing_why(&c.top)
        } else {
            missing_why(&c.logs)
        };
        let why = missing.unwrap_or_else(|| panic!("{fault:?}: not missing"));
        assert!(why.contains(says), "{fault:?}: {why}");
    }

    // A list naming the container twice collects it once.
    let snapshot = collect_through(
        vec![(fault_proxy::container_list, Fault::DuplicateEntries)],
        &labels,
    );
    assert_eq!(snapshot.containers.len(), 1, "{:?}", snapshot.gaps);
}

#[test]
fn an_export_that_stalls_or_trickles_ends_at_its_deadlines() {
    if !engine_here() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for (fault, says) in [
        (Fault::StallAfterHeaders, "sent nothing for 1 s"),
        (Fault::Trickle, "KiB/s"),
        (Fault::Status500, "HTTP 500"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let proxy = Proxy::start(
            dir.path(),
            Path::new(ENGINE),
            vec![(fault_proxy::image_export, fault)],
        );
        let started = Instant::now();
        let result = runtime.block_on(async {
            let client = connect(Endpoint::Unix(PathBuf::from(proxy.socket())), DEADLINE)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            // The proxy answers the export itself: no image of the engine is read.
            export_and_scan(
                &client,
                "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                &ScanLimits::default(),
                Duration::from_secs(1),
            )
            .await
        });
        eprintln!("export, {fault:?}: ended after {:.2?}", started.elapsed());
        let why = result.expect_err("a faulty export");
        assert!(why.contains(says), "{fault:?}: {why}");
    }
}
