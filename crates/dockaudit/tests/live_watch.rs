//! Live tests of `dockaudit watch` against the machine's Docker engine: a container started while
//! the watcher runs appears on `/metrics` and in the events file as new, and as resolved once
//! removed; `/metrics` parses with Python's prometheus-client (both text formats); a container that
//! keeps dying is a restart burst; the watcher survives its engine going away and comes back.
//!
//! Every Docker object carries `dockaudit.test=1` and a label of this run
//! (`dockaudit.test.watch=PREFIX`) that the watcher filters on (`--label`), since other tests create
//! containers on the same engine at the same time; a guard removes them on failure too.
//!
//! Needs: a reachable Docker engine, busybox-static, and python3 with prometheus-client (`.ci/run`
//! installs them).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::docker::{
    busybox_rootfs_tar, docker, docker_import, docker_ok, unique_prefix, RemoveLabelled,
};
use serde_json::Value;

/// A generous bound on each wait, so a broken watcher fails the test instead of hanging it (not a
/// timing check: the speed is measured in bench/watch.sh).
const PATIENCE: Duration = Duration::from_secs(90);

/// What one test run owns: its label, its image, its guard.
struct Fixture {
    prefix: String,
    label: String,
    image: String,
    work: tempfile::TempDir,
    _guard: RemoveLabelled,
}

impl Fixture {
    fn new(tag: &str) -> Fixture {
        let prefix = unique_prefix(&format!("watch-{tag}-"));
        let label = format!("dockaudit.test.watch={prefix}");
        let image = format!("{prefix}-img:1");
        let guard = RemoveLabelled {
            label: label.clone(),
            tags: vec![image.clone()],
        };
        let work = tempfile::tempdir().expect("temp dir");
        let tar = busybox_rootfs_tar(work.path(), &["sh", "sleep"], &[]);
        docker_import(
            &tar,
            &[
                "-c",
                "LABEL dockaudit.test=1",
                "-c",
                &format!("LABEL {label}"),
            ],
            &image,
        );
        Fixture {
            prefix,
            label,
            image,
            work,
            _guard: guard,
        }
    }

    /// `docker run -d` of this run's image with its labels and `args` before the image.
    fn run(&self, name: &str, args: &[&str], command: &[&str]) -> String {
        let mut all = vec![
            "run",
            "-d",
            "--name",
            name,
            "--label",
            "dockaudit.test=1",
            "--label",
            &self.label,
        ];
        all.extend_from_slice(args);
        all.push(&self.image);
        all.extend_from_slice(command);
        docker_ok(&all)
    }

    fn events_file(&self) -> PathBuf {
        self.work.path().join("events.jsonl")
    }
}

/// A running `dockaudit watch`, killed when dropped; its stderr is kept for the assertions.
struct Watch {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    fn start(fixture: &Fixture, extra: &[&str]) -> Watch {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
        cmd.args(["watch", "--listen", "127.0.0.1:0", "--events"])
            .arg(fixture.events_file())
            .args([
                "--label",
                &fixture.label,
                "--no-image-scan",
                "--interval",
                "1h",
            ])
            .args(extra)
            .current_dir(fixture.work.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start dockaudit watch");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        let kept = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(addr.trim().to_string());
                }
                let mut all = kept.lock().expect("lock");
                all.push_str(&line);
                all.push('\n');
            }
        });
        let addr = rx.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!(
                "watch printed no address; stderr:\n{}",
                stderr.lock().expect("lock")
            )
        });
        let watch = Watch {
            child,
            addr,
            stderr,
        };
        watch.wait_for("the first audit", || watch.get("/healthz").0 == 200);
        watch
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// GET `path` over a plain HTTP/1.1 connection: (status, headers, body).
    fn get_with(&self, path: &str, accept: &str) -> (u16, String, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect to watch");
        stream
            .set_read_timeout(Some(PATIENCE))
            .expect("read timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send request");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read answer");
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.get_with(path, "*/*");
        (status, body)
    }

    fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            if start.elapsed() > PATIENCE {
                panic!("watch never showed {what}; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `dockaudit_finding` series naming `target` for `rule`.
fn has_finding(metrics: &str, rule: &str, target: &str) -> bool {
    metrics.lines().any(|l| {
        l.starts_with("dockaudit_finding{")
            && l.contains(&format!("rule=\"{rule}\""))
            && l.contains(&format!("target=\"{target}\""))
    })
}

/// The lines of the events file, as JSON.
fn event_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn has_event(path: &Path, event: &str, rule: &str, target: &str) -> bool {
    event_lines(path)
        .iter()
        .any(|v| v["event"] == event && v["rule"] == rule && v["target"]["name"] == target)
}

/// Parses a metrics text with Python's prometheus-client; returns its samples as
/// `name{labels} value` lines, or the parser's error.
fn python_parse(text: &str, openmetrics: bool) -> Result<String, String> {
    let parser = if openmetrics {
        "from prometheus_client.openmetrics.parser import text_string_to_metric_families"
    } else {
        "from prometheus_client.parser import text_string_to_metric_families"
    };
    let script = format!(
        "import sys\n{parser}\nfor fam in text_string_to_metric_families(sys.stdin.read()):\n    \
         for s in fam.samples:\n        print(fam.type, s.name, sorted(s.labels.items()), s.value)\n"
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (install python3 and prometheus-client: .ci/run does)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feed python");
    let out = child.wait_with_output().expect("python3");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn a_container_started_while_watching_is_new_then_resolved_in_metrics_and_events() {
    let fixture = Fixture::new("nr");
    let watch = Watch::start(&fixture, &[]);
    let name = format!("{}-nolimit", fixture.prefix);
    let events = fixture.events_file();

    // Started after the first audit: only the event stream can have told the watcher. No memory
    // limit: RES001.
    fixture.run(&name, &[], &["sleep", "600"]);
    watch.wait_for("the unlimited container on /metrics", || {
        has_finding(&watch.get("/metrics").1, "RES001", &name)
    });
    watch.wait_for("the new finding in the events file", || {
        has_event(&events, "new", "RES001", &name)
    });
    let engine_name = docker_ok(&["info", "-f", "{{.Name}}"]);
    let line = event_lines(&events)
        .into_iter()
        .find(|v| v["event"] == "new" && v["target"]["name"] == name.as_str())
        .expect("a new line");
    assert_eq!(line["host"], engine_name.as_str(), "{line}");
    assert!(line["timestamp"].as_str().is_some_and(|t| t.contains('T')));

    // Prometheus text (the default) and OpenMetrics (asked for) both parse with a real parser.
    let (_, head, text) = watch.get_with("/metrics", "text/plain");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    let samples = python_parse(&text, false).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(
        samples.lines().any(|l| l.contains("dockaudit_finding ")
            && l.contains("'RES001'")
            && l.contains(&format!("'{name}'"))),
        "{samples}"
    );
    assert!(
        samples.contains("dockaudit_engine_up  [] 1")
            || samples.contains("dockaudit_engine_up [] 1"),
        "{samples}"
    );
    let (_, head, om) = watch.get_with("/metrics", "application/openmetrics-text; version=1.0.0");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    assert!(om.trim_end().ends_with("# EOF"));
    python_parse(&om, true).unwrap_or_else(|e| panic!("{e}\n{om}"));

    // The report as JSON (the contract) and as HTML.
    let (status, json) = watch.get("/report.json");
    assert_eq!(status, 200);
    let report: Value = serde_json::from_str(&json).expect("report JSON");
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["rule"] == "RES001" && f["target"]["name"] == name.as_str()));
    let (status, html) = watch.get("/");
    assert_eq!(status, 200);
    assert!(html.contains(&name));
    assert_eq!(watch.get("/nothing-here").0, 404);

    // A log rotation renames the file: the next lines go to a new one at the path.
    let rotated = fixture.work.path().join("events.jsonl.1");
    std::fs::rename(&events, &rotated).expect("rotate the events file");
    docker_ok(&["rm", "-f", &name]);
    watch.wait_for("the removed container gone from /metrics", || {
        let metrics = watch.get("/metrics").1;
        metrics.contains("dockaudit_engine_up") && !metrics.contains(&format!("target=\"{name}\""))
    });
    watch.wait_for("the resolved finding in the new events file", || {
        has_event(&events, "resolved", "RES001", &name)
    });
    assert!(!has_event(&rotated, "resolved", "RES001", &name));
}

#[test]
fn a_container_that_keeps_dying_is_a_restart_burst() {
    let fixture = Fixture::new("rb");
    let watch = Watch::start(&fixture, &["--restart-burst", "3/5m"]);
    let name = format!("{}-crash", fixture.prefix);
    fixture.run(&name, &["--restart", "always"], &["sh", "-c", "exit 3"]);
    watch.wait_for("the restart burst on /metrics", || {
        has_finding(&watch.get("/metrics").1, "WCH001", &name)
    });
    let metrics = watch.get("/metrics").1;
    let restarts = metrics
        .lines()
        .find(|l| {
            l.starts_with("dockaudit_container_restarts_total{")
                && l.contains(&format!("container=\"{name}\""))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no restart counter for {name}:\n{metrics}"));
    assert!(restarts >= 3.0, "{restarts}");
    assert!(has_event(&fixture.events_file(), "new", "WCH001", &name));
    let html = watch.get("/").1;
    assert!(html.contains("WCH001") && html.contains(&name));
    // A healthy neighbour with the same label is no burst.
    let calm = format!("{}-calm", fixture.prefix);
    fixture.run(&calm, &[], &["sleep", "600"]);
    watch.wait_for("the calm container judged", || {
        watch
            .get("/metrics")
            .1
            .contains(&format!("target=\"{calm}\""))
    });
    assert!(!has_finding(&watch.get("/metrics").1, "WCH001", &calm));
}

/// A unix-socket proxy to the engine that the test can cut and bring back: the engine "goes away".
struct Proxy {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<std::os::unix::net::UnixStream>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    fn start(path: &Path) -> Proxy {
        let _ = std::fs::remove_file(path);
        let listener = std::os::unix::net::UnixListener::bind(path).expect("bind proxy socket");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<std::os::unix::net::UnixStream>>> = Arc::default();
        let (stop2, conns2) = (stop.clone(), conns.clone());
        let thread = std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).expect("blocking");
                        let Ok(engine) =
                            std::os::unix::net::UnixStream::connect("/var/run/docker.sock")
                        else {
                            continue;
                        };
                        let mut kept = conns2.lock().expect("lock");
                        kept.push(client.try_clone().expect("clone"));
                        kept.push(engine.try_clone().expect("clone"));
                        for (mut from, mut to) in [
                            (
                                client.try_clone().expect("clone"),
                                engine.try_clone().expect("clone"),
                            ),
                            (engine, client),
                        ] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(std::net::Shutdown::Both);
                            });
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Proxy {
            path: path.to_path_buf(),
            stop,
            conns,
            thread: Some(thread),
        }
    }

    /// Stops listening, removes the socket and cuts every open connection.
    fn cut(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
        for c in self.conns.lock().expect("lock").drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

#[test]
fn the_watcher_survives_its_engine_going_away_and_re_audits_when_it_is_back() {
    if std::env::var_os("DOCKER_HOST").is_some_and(|h| h != "unix:///var/run/docker.sock") {
        eprintln!("SKIP: the proxy forwards to /var/run/docker.sock, and DOCKER_HOST names another engine");
        return;
    }
    let fixture = Fixture::new("rc");
    let socket = fixture.work.path().join("engine.sock");
    let mut proxy = Proxy::start(&socket);
    let host = format!("unix://{}", socket.display());
    let watch = Watch::start(&fixture, &["--host", &host]);
    let up = |w: &Watch, v: &str| {
        w.get("/metrics")
            .1
            .lines()
            .any(|l| l == format!("dockaudit_engine_up {v}"))
    };
    assert!(up(&watch, "1"));

    proxy.cut();
    watch.wait_for("the lost engine on stderr", || {
        watch.stderr().contains("lost the engine's events")
    });
    watch.wait_for("engine_up 0", || up(&watch, "0"));
    // Still serving, still running.
    assert_eq!(watch.get("/healthz").0, 200);

    // A container created while the engine was away is found by the re-audit after reconnecting.
    let name = format!("{}-while-away", fixture.prefix);
    fixture.run(&name, &[], &["sleep", "600"]);
    let _proxy = Proxy::start(&socket);
    watch.wait_for("the engine reached again", || {
        watch.stderr().contains("reached again")
    });
    watch.wait_for("engine_up 1", || up(&watch, "1"));
    watch.wait_for("the container created while away", || {
        has_finding(&watch.get("/metrics").1, "RES001", &name)
    });
    assert!(watch
        .get("/metrics")
        .1
        .lines()
        .any(|l| l.starts_with("dockaudit_engine_reconnects_total ") && !l.ends_with(" 0")));
    let _ = docker(&["rm", "-f", &name]);
}

#[test]
fn bad_arguments_are_named_and_exit_2_before_any_engine_is_reached() {
    let dir = tempfile::tempdir().expect("temp dir");
    let unwritable = dir.path().join("no-such-dir").join("events.jsonl");
    let cases: [(Vec<String>, &str); 4] = [
        (
            vec!["--events".into(), unwritable.display().to_string()],
            "cannot open the events file",
        ),
        (vec!["--restart-burst".into(), "1/5m".into()], "at least 2"),
        (vec!["--interval".into(), "0s".into()], "30s, 15m or 1h"),
        (
            vec!["--listen".into(), "not-an-address".into()],
            "not-an-address",
        ),
    ];
    for (args, says) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
            .arg("watch")
            .args(&args)
            // An engine that is never reached: the arguments are judged first.
            .args(["--host", "unix:///nonexistent/docker.sock"])
            .current_dir(dir.path())
            .output()
            .expect("run dockaudit watch");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// Removes the named volumes and networks when dropped (RemoveLabelled handles containers and
/// images).
struct RemoveNamed {
    volumes: Vec<String>,
    networks: Vec<String>,
}

impl Drop for RemoveNamed {
    fn drop(&mut self) {
        for v in &self.volumes {
            let _ = docker(&["volume", "rm", "-f", v]);
        }
        for n in &self.networks {
            let _ = docker(&["network", "rm", n]);
        }
    }
}

#[test]
fn images_volumes_and_networks_made_while_watching_are_judged_then_resolved_when_removed() {
    let fixture = Fixture::new("ivn");
    let watch = Watch::start(&fixture, &[]);
    let volume = format!("{}-vol", fixture.prefix);
    let network = format!("{}-net", fixture.prefix);
    let image = format!("{}-extra:1", fixture.prefix);
    let _named = RemoveNamed {
        volumes: vec![volume.clone()],
        networks: vec![network.clone()],
    };
    let _image = RemoveLabelled {
        label: "dockaudit.test.none=1".into(),
        tags: vec![image.clone()],
    };
    let labels = ["--label", "dockaudit.test=1", "--label", &fixture.label];
    let mut args = vec!["volume", "create"];
    args.extend_from_slice(&labels);
    args.push(&volume);
    docker_ok(&args);
    let mut args = vec!["network", "create"];
    args.extend_from_slice(&labels);
    args.push(&network);
    docker_ok(&args);
    let tar = busybox_rootfs_tar(&fixture.work.path().join("extra"), &["sh"], &[]);
    docker_import(
        &tar,
        &[
            "-c",
            "LABEL dockaudit.test=1",
            "-c",
            &format!("LABEL {}", fixture.label),
        ],
        &image,
    );

    // Unused volume, unused network, unused image: each known only from its own event.
    let events = fixture.events_file();
    for (rule, target) in [
        ("LCY004", &volume),
        ("LCY005", &network),
        ("LCY002", &image),
    ] {
        watch.wait_for(&format!("{rule} on {target}"), || {
            has_finding(&watch.get("/metrics").1, rule, target)
        });
        assert!(has_event(&events, "new", rule, target));
    }

    docker_ok(&["volume", "rm", &volume]);
    docker_ok(&["network", "rm", &network]);
    docker_ok(&["rmi", &image]);
    for (rule, target) in [
        ("LCY004", &volume),
        ("LCY005", &network),
        ("LCY002", &image),
    ] {
        watch.wait_for(&format!("{rule} on {target} resolved"), || {
            has_event(&events, "resolved", rule, target)
        });
        assert!(!has_finding(&watch.get("/metrics").1, rule, target));
    }
}

#[test]
fn an_engine_unreachable_at_start_is_retried_while_the_server_says_so() {
    let fixture = Fixture::new("un");
    let socket = fixture.work.path().join("not-yet.sock");
    let host = format!("unix://{}", socket.display());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.args([
        "watch",
        "--listen",
        "127.0.0.1:0",
        "--host",
        &host,
        "--label",
        &fixture.label,
    ])
    .args(["--no-image-scan", "--interval", "1h"])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start dockaudit watch");
    let pipe = child.stderr.take().expect("stderr");
    let lines = Arc::new(Mutex::new(String::new()));
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut all = kept.lock().expect("lock");
            all.push_str(&line);
            all.push('\n');
        }
    });
    let start = Instant::now();
    let addr = loop {
        let all = lines.lock().expect("lock").clone();
        if let Some(a) = all.split("listening on http://").nth(1) {
            break a.lines().next().unwrap_or_default().trim().to_string();
        }
        assert!(start.elapsed() < PATIENCE, "no address: {all}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let watch = Watch {
        child,
        addr,
        stderr: lines,
    };
    watch.wait_for("two attempts to reach the engine", || {
        watch.stderr().matches("cannot reach the engine").count() >= 2
    });
    assert_eq!(watch.get("/healthz").0, 503, "not ready before an audit");
    assert_eq!(watch.get("/report.json").0, 503);
    assert!(watch
        .get("/metrics")
        .1
        .lines()
        .any(|l| l == "dockaudit_engine_up 0"));
    // Then the engine appears (a proxy to the real one at that path): the watcher audits.
    if std::env::var_os("DOCKER_HOST").is_none_or(|h| h == "unix:///var/run/docker.sock") {
        let _proxy = Proxy::start(&socket);
        watch.wait_for("the first audit once the engine answers", || {
            watch.get("/healthz").0 == 200
        });
    }
}

#[test]
fn a_secret_in_a_container_started_while_watching_is_masked_in_every_output() {
    const PLANTED: &str = "planted-watch-secret-4242";
    let fixture = Fixture::new("sec");
    let watch = Watch::start(&fixture, &[]);
    let name = format!("{}-secret", fixture.prefix);
    let env = format!("DB_PASSWORD={PLANTED}");
    fixture.run(&name, &["-e", &env], &["sleep", "600"]);
    watch.wait_for("the secret-in-environment finding", || {
        has_finding(&watch.get("/metrics").1, "CTR017", &name)
    });
    watch.wait_for("its event line", || {
        has_event(&fixture.events_file(), "new", "CTR017", &name)
    });
    let outputs = [
        (
            "events file",
            std::fs::read_to_string(fixture.events_file()).expect("events"),
        ),
        ("/metrics", watch.get("/metrics").1),
        ("/report.json", watch.get("/report.json").1),
        ("/", watch.get("/").1),
    ];
    for (what, text) in outputs {
        assert!(text.contains(&name), "{what} names the container");
        assert!(!text.contains(PLANTED), "{what} leaks the secret");
    }
}

#[test]
fn explain_knows_the_restart_burst_finding() {
    for id in ["WCH001", "restart-burst"] {
        let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
            .args(["explain", id])
            .output()
            .expect("run dockaudit explain");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{id}");
        assert!(stdout.starts_with("WCH001 restart-burst:"), "{stdout}");
        assert!(stdout.contains("How to fix:"), "{stdout}");
    }
}
