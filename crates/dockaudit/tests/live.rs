//! End-to-end tests of the `dockaudit` binary.
//!
//! `live_scenario` runs against the real Docker engine on this machine: it brings up the scenario of
//! `scripts/scenario.md` under a unique prefix with `scripts/scenario.sh`, audits it, and always
//! removes it again (a guard runs `scenario.sh down` on success, failure and panic). Every
//! expectation that fails is collected, so one run shows them all. The other tests need no engine.
//!
//! Needs: a reachable Docker engine (DOCKER_HOST or the default socket) and busybox-static;
//! `.ci/run` installs both.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// The planted (fake) secrets of the scenario: none may appear in any output.
const PLANTED_SECRETS: &[&str] = &[
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

/// Rules that can only be judged on hosts with a given protection (AppArmor, SELinux): on other
/// hosts they are skipped as a whole, and an expectation on them is then not checked.
const HOST_DEPENDENT: &[&str] = &["CTR003", "CTR004"];

/// Rules that may fail on PREFIX-hardened without contradicting scenario.md: the scenario sets no
/// SELinux label options on it, so on an SELinux host CTR004 rightly reports it.
const HARDENED_MAY_FAIL: &[&str] = &["CTR004"];

/// A generous bound so that a hung binary fails the test instead of hanging CI (not a timing check).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Which engine a live test talks to: the machine's (DOCKER_HOST or the default socket) or another
/// one by URL. Every docker CLI, scenario script and dockaudit call of a test goes through it.
#[derive(Clone, Debug)]
struct Engine {
    host: Option<String>,
}

impl Engine {
    fn machine() -> Engine {
        Engine { host: None }
    }

    fn at(host: &str) -> Engine {
        Engine {
            host: Some(host.to_string()),
        }
    }

    fn describe(&self) -> String {
        self.host
            .clone()
            .unwrap_or_else(|| "the machine's engine".to_string())
    }

    fn apply(&self, cmd: &mut std::process::Command) {
        if let Some(h) = &self.host {
            cmd.env("DOCKER_HOST", h);
        }
    }

    fn dockaudit(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
        cmd.timeout(COMMAND_TIMEOUT).env("NO_COLOR", "1");
        if let Some(h) = &self.host {
            cmd.env("DOCKER_HOST", h);
        }
        cmd
    }

    fn scenario(&self, action: &str, prefix: &str) -> Output {
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(workspace_root().join("scripts/scenario.sh"))
            .args([action, prefix]);
        self.apply(&mut cmd);
        cmd.output()
            .unwrap_or_else(|e| panic!("cannot run scripts/scenario.sh: {e}"))
    }

    /// `docker ARGS...`, trimmed stdout; panics when docker fails.
    fn docker(&self, args: &[&str]) -> String {
        let mut cmd = std::process::Command::new("docker");
        cmd.args(args);
        self.apply(&mut cmd);
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run docker: {e}"));
        assert!(
            out.status.success(),
            "docker {args:?} on {} failed: {}",
            self.describe(),
            text(&out.stderr)
        );
        text(&out.stdout).trim().to_string()
    }
}

/// A second engine started by scripts/second-engine.sh for one test, stopped when dropped.
struct SecondEngine {
    host: String,
    dir: PathBuf,
}

impl SecondEngine {
    fn start() -> SecondEngine {
        // Its own directory (and so its own bridge): never the engine .ci/run or a developer started.
        let dir = std::env::temp_dir().join(format!("da-{}", std::process::id()));
        let out = std::process::Command::new("bash")
            .arg(workspace_root().join("scripts/second-engine.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run scripts/second-engine.sh");
        assert!(
            out.status.success(),
            "scripts/second-engine.sh start failed:\n{}",
            text(&out.stderr)
        );
        let host = text(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        SecondEngine { host, dir }
    }
}

impl Drop for SecondEngine {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(workspace_root().join("scripts/second-engine.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

/// Removes the scenario when dropped, so cleanup happens on failure and panic too.
struct ScenarioGuard {
    engine: Engine,
    prefix: String,
}

impl Drop for ScenarioGuard {
    fn drop(&mut self) {
        let out = self.engine.scenario("down", &self.prefix);
        if !out.status.success() {
            eprintln!(
                "scenario.sh down {} failed:\n{}{}",
                self.prefix,
                text(&out.stdout),
                text(&out.stderr)
            );
        }
    }
}

/// A prefix no other run uses: `lt<pid><nanos>`.
fn unique_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("lt{}{}", std::process::id(), nanos).to_lowercase()
}

/// One finding the scenario must produce: `rule` on a target named one of `targets`, with `cis`.
struct Expect {
    rule: &'static str,
    targets: Vec<String>,
    cis: &'static [&'static str],
}

/// The CIS Docker Benchmark v1.8.0 ids each rule's findings must carry.
fn cis_of(rule: &str) -> &'static [&'static str] {
    match rule {
        "CTR001" => &["5.5"],
        "CTR002" => &["4.1"],
        "CTR003" => &["5.2"],
        "CTR005" => &["5.4"],
        "CTR006" => &["5.7"],
        "CTR007" => &["5.16"],
        "CTR008" => &["5.17"],
        "CTR009" => &["5.21"],
        "CTR010" => &["5.31"],
        "CTR011" => &["5.13"],
        "CTR012" => &["5.18"],
        "CTR013" => &["5.22"],
        "CTR014" => &["5.26"],
        "CTR015" => &["5.27"],
        "IMG001" => &["4.1"],
        "IMG002" => &["4.6"],
        "IMG003" => &["4.7"],
        "IMG004" => &["4.9"],
        "IMG005" | "IMG008" | "IMG009" => &["4.10"],
        "IMG010" => &["4.8"],
        "IMG013" => &["4.3"],
        "NET001" => &["5.10"],
        "NET002" => &["5.8"],
        "NET003" => &["5.14"],
        "NET005" => &["5.9"],
        "NET006" => &["5.30"],
        "MNT001" => &["5.32"],
        "MNT002" => &["5.6"],
        "MNT003" => &["5.20"],
        "RES001" => &["5.11"],
        "RES002" => &["5.12"],
        "RES003" => &["5.29"],
        "RES004" => &["5.15"],
        "RES005" => &["5.19"],
        "RES006" => &["5.25"],
        "LCY001" | "LCY002" => &["6.1"],
        "LCY003" => &["6.2"],
        // CTR016-CTR022, IMG006, IMG007, IMG011, IMG012, IMG014, IMG015, NET004, NET011,
        // LOG001-LOG004, RES007, RES008, LCY004, LCY005: no CIS control.
        _ => &[],
    }
}

/// What scenario.md says the audit of scenario `p` must find.
fn expectations(p: &str, dangling_id: &str, root_has_rotation: bool) -> Vec<Expect> {
    let c = |name: &str| vec![format!("{p}-{name}")];
    let bad = vec![
        format!("dockaudit-test-{p}-bad:1"),
        format!("dockaudit-test-{p}-bad:latest"),
    ];
    let mut rules: Vec<(&'static str, Vec<String>)> = vec![
        ("CTR002", c("root")),
        ("CTR011", c("root")),
        ("CTR014", c("root")),
        ("CTR015", c("root")),
        ("RES001", c("root")),
        ("RES002", c("root")),
        ("RES003", c("root")),
        ("NET006", c("root")),
        ("CTR001", c("privileged")),
        ("CTR005", c("caps")),
        ("MNT001", c("mounts")),
        ("MNT002", c("mounts")),
        ("MNT003", c("mounts")),
        ("CTR007", c("namespaces")),
        ("CTR008", c("namespaces")),
        ("CTR009", c("namespaces")),
        ("CTR010", c("namespaces")),
        ("NET001", c("namespaces")),
        ("CTR020", c("namespaces")),
        ("NET002", c("ports")),
        ("NET003", c("ports")),
        ("NET004", c("ports")),
        ("NET005", c("ports")),
        ("CTR003", c("devices")),
        ("CTR012", c("devices")),
        ("CTR013", c("devices")),
        ("RES004", c("devices")),
        ("RES005", c("devices")),
        ("RES006", c("devices")),
        ("LOG001", c("nolog")),
        // json-file with an explicit `max-size=-1` (unlimited): no daemon default can rotate it.
        ("LOG002", c("norotate")),
        ("CTR017", c("secrets")),
        ("CTR006", c("procs")),
        ("CTR018", c("procs")),
        ("CTR019", c("procs")),
        ("LOG004", c("logs")),
        ("LOG003", c("restarting")),
        ("CTR016", c("unhealthy")),
        ("LCY003", c("exited")),
        // A custom seccomp profile that allows everything, /proc and /sys unmasked, the OOM killer
        // off without a memory limit, weakening network sysctls.
        ("CTR013", c("kernel")),
        ("CTR021", c("kernel")),
        ("RES007", c("kernel")),
        ("NET011", c("kernel")),
        ("RES008", c("oomkilled")),
        ("LCY003", c("oomkilled")),
        // A credentials directory by name, and /etc through a local volume created as a bind.
        ("MNT002", c("hostdata")),
        // Its tag was built again after it was created (scenario.md).
        ("IMG016", c("outdated")),
        // Loaded with a 2023 build date; PREFIX-exited runs it.
        ("IMG017", vec![format!("dockaudit-test-{p}-old:1")]),
        // The unpinned reference is the container's; the image itself is also an acceptable target.
        (
            "IMG006",
            vec![
                format!("{p}-latest"),
                format!("dockaudit-test-{p}-bad:latest"),
            ],
        ),
        ("IMG001", bad.clone()),
        ("IMG002", bad.clone()),
        ("IMG003", bad.clone()),
        ("IMG004", bad.clone()),
        ("IMG005", bad.clone()),
        // Image contents (scenario.md, "Image contents"); the base image's fake sshd too.
        ("IMG007", bad.clone()),
        ("IMG008", bad.clone()),
        ("IMG009", bad.clone()),
        ("IMG010", bad.clone()),
        ("IMG011", bad.clone()),
        ("IMG012", bad.clone()),
        ("IMG013", bad.clone()),
        ("IMG013", vec![format!("dockaudit-test-{p}-base:1")]),
        ("IMG014", bad.clone()),
        ("IMG015", bad),
        ("LCY002", vec![format!("dockaudit-test-{p}-unused:1")]),
        ("LCY001", vec![dangling_id.to_string()]),
        ("LCY004", vec![format!("{p}-vol-unused")]),
        ("LCY005", vec![format!("{p}-net-unused")]),
    ];
    // scenario.md gives PREFIX-root no log rotation, but an engine whose daemon.json sets default
    // log-opts (max-size) gives every json-file container rotation: then LOG002 rightly passes it
    // (PREFIX-norotate, above, fails it either way).
    if !root_has_rotation {
        rules.push(("LOG002", c("root")));
    }
    rules
        .into_iter()
        .map(|(rule, targets)| Expect {
            rule,
            targets,
            cis: cis_of(rule),
        })
        .collect()
}

fn findings(report: &Value) -> &[Value] {
    report["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn str_of<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap_or_default()
}

fn cis_list(f: &Value) -> Vec<String> {
    f["cis"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Why the whole rule was skipped, if it was.
fn rule_skipped<'a>(report: &'a Value, rule: &str) -> Option<&'a str> {
    report["skipped"].as_array()?.iter().find_map(|s| {
        (s["rule"] == rule && s["target"].is_null()).then(|| s["reason"].as_str().unwrap_or(""))
    })
}

/// A finding with everything that cannot change between two collections of the same scenario
/// (`message` and `evidence` may carry live counters: restart counts, failing streaks).
fn stable(f: &Value) -> Value {
    let mut f = f.clone();
    if let Some(o) = f.as_object_mut() {
        o.remove("message");
        o.remove("evidence");
    }
    f
}

fn check_no_secrets(what: &str, output: &str, failures: &mut Vec<String>) {
    for s in PLANTED_SECRETS {
        if output.contains(s) {
            failures.push(format!("{what} contains the planted secret {s}"));
        }
    }
}

/// Brings the scenario up on `engine`, audits it every way, and checks every expectation.
fn run_scenario(engine: &Engine) {
    let prefix = unique_prefix();
    let p = prefix.as_str();
    let label = format!("dockaudit.scenario={p}");
    let _guard = ScenarioGuard {
        engine: engine.clone(),
        prefix: prefix.clone(),
    };
    let up = engine.scenario("up", p);
    assert!(
        up.status.success(),
        "scenario.sh up {p} failed:\n{}{}",
        text(&up.stdout),
        text(&up.stderr)
    );

    let mut failures: Vec<String> = Vec::new();

    // Facts the expectations depend on, read from the engine.
    let dangling = engine.docker(&[
        "images",
        "-q",
        "--filter",
        "dangling=true",
        "--filter",
        &format!("label={label}"),
    ]);
    // Docker's `dangling` filter lists every untagged image; the one PREFIX-outdated runs (the first
    // build of the moved tag) is in use, so it is not LCY001's.
    let in_use = engine.docker(&["inspect", "-f", "{{.Image}}", &format!("{p}-outdated")]);
    let unused_dangling: Vec<&str> = dangling
        .lines()
        .filter(|id| !in_use.trim_start_matches("sha256:").starts_with(id))
        .collect();
    let dangling_id = unused_dangling.first().unwrap_or(&"(none)").to_string();
    if unused_dangling.len() != 1 || dangling.lines().count() != 2 {
        failures.push(format!(
            "scenario: expected two untagged images, one of them run by {p}-outdated ({in_use}); docker lists: {dangling:?}"
        ));
    }
    let root_log_config = engine.docker(&[
        "inspect",
        "-f",
        "{{json .HostConfig.LogConfig}}",
        &format!("{p}-root"),
    ]);
    let root_has_rotation = root_log_config.contains("max-size");

    // 1. The live audit, as JSON.
    let live = engine
        .dockaudit()
        .args(["audit", "--format", "json", "--label", &label])
        .output()
        .expect("run dockaudit audit");
    let live_stdout = text(&live.stdout);
    let live_stderr = text(&live.stderr);
    if live.status.code() != Some(1) {
        failures.push(format!(
            "audit with the default --fail-on (high): exit {:?}, want 1; stderr: {live_stderr}",
            live.status.code()
        ));
    }
    check_no_secrets("audit --format json stdout", &live_stdout, &mut failures);
    check_no_secrets("audit --format json stderr", &live_stderr, &mut failures);
    let report: Value = match serde_json::from_str(&live_stdout) {
        Ok(v) => v,
        Err(e) => panic!(
            "audit --format json printed no JSON document ({e}); exit {:?}\nstdout: {live_stdout}\nstderr: {live_stderr}",
            live.status.code()
        ),
    };
    let all = findings(&report);

    // 2. Every misconfiguration is found, on the right target, with the right CIS ids.
    for e in expectations(p, &dangling_id, root_has_rotation) {
        let of_rule: Vec<&Value> = all.iter().filter(|f| f["rule"] == e.rule).collect();
        let hit = of_rule.iter().find(|f| {
            let (name, id) = (str_of(f, &["target", "name"]), str_of(f, &["target", "id"]));
            e.targets.iter().any(|t| {
                name == t
                    || (!t.is_empty() && id.trim_start_matches("sha256:").starts_with(t.as_str()))
            })
        });
        match hit {
            Some(f) => {
                let cis = cis_list(f);
                if cis != e.cis {
                    failures.push(format!(
                        "{} on {}: cis {cis:?}, want {:?}",
                        e.rule, e.targets[0], e.cis
                    ));
                }
            }
            None => {
                let skipped = rule_skipped(&report, e.rule);
                if HOST_DEPENDENT.contains(&e.rule) && skipped.is_some() {
                    eprintln!(
                        "note: {} not judged on this host ({}), expectation on {} not checked",
                        e.rule,
                        skipped.unwrap_or_default(),
                        e.targets[0]
                    );
                    continue;
                }
                let on: BTreeSet<&str> = of_rule
                    .iter()
                    .map(|f| str_of(f, &["target", "name"]))
                    .collect();
                failures.push(format!(
                    "{} must report {} (one of {:?}); it reported {:?}{}",
                    e.rule,
                    e.targets[0],
                    e.targets,
                    on,
                    skipped
                        .map(|r| format!(", and was skipped: {r}"))
                        .unwrap_or_default()
                ));
            }
        }
    }

    // CHOWN is in Docker's default capability set: adding it again is not reported.
    for f in all
        .iter()
        .filter(|f| f["rule"] == "CTR005" && str_of(f, &["target", "name"]) == format!("{p}-caps"))
    {
        let message = str_of(f, &["message"]);
        if !message.contains("SYS_ADMIN") || !message.contains("NET_ADMIN") {
            failures.push(format!(
                "CTR005 on {p}-caps should name SYS_ADMIN and NET_ADMIN: {message}"
            ));
        }
        if message.contains("CHOWN") {
            failures.push(format!(
                "CTR005 on {p}-caps must not report CHOWN (a default capability): {message}"
            ));
        }
    }

    // 3. PREFIX-hardened passes every rule it is judged by; the good image passes the IMG rules;
    //    the used volume and network are not unused.
    let hardened = format!("{p}-hardened");
    for f in all
        .iter()
        .filter(|f| str_of(f, &["target", "name"]) == hardened)
    {
        let rule = str_of(f, &["rule"]);
        if !HARDENED_MAY_FAIL.contains(&rule) {
            failures.push(format!(
                "{rule} must not report {hardened}: {}",
                str_of(f, &["message"])
            ));
        }
    }
    let passing = [
        (format!("dockaudit-test-{p}-good:1"), "IMG"),
        (format!("{p}-vol-used"), "LCY004"),
        (format!("{p}-net"), "LCY005"),
    ];
    for (name, rule_prefix) in &passing {
        for f in all.iter().filter(|f| {
            str_of(f, &["target", "name"]) == name && str_of(f, &["rule"]).starts_with(rule_prefix)
        }) {
            failures.push(format!(
                "{} must not report {name}: {}",
                str_of(f, &["rule"]),
                str_of(f, &["message"])
            ));
        }
    }

    // 4. The terminal report has no secrets either.
    let terminal = engine
        .dockaudit()
        .args([
            "audit",
            "--format",
            "terminal",
            "--color",
            "never",
            "--verbose",
            "--label",
            &label,
        ])
        .output()
        .expect("run dockaudit audit --format terminal");
    if terminal.status.code() != Some(1) {
        failures.push(format!(
            "audit --format terminal: exit {:?}, want 1; stderr: {}",
            terminal.status.code(),
            text(&terminal.stderr)
        ));
    }
    check_no_secrets("terminal report", &text(&terminal.stdout), &mut failures);
    check_no_secrets("terminal stderr", &text(&terminal.stderr), &mut failures);

    // 5. Exit codes follow --fail-on and --select.
    let never = engine
        .dockaudit()
        .args([
            "audit",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--label",
            &label,
        ])
        .output()
        .expect("run dockaudit audit --fail-on never");
    if never.status.code() != Some(0) {
        failures.push(format!(
            "audit --fail-on never: exit {:?}, want 0; stderr: {}",
            never.status.code(),
            text(&never.stderr)
        ));
    }
    let critical = engine
        .dockaudit()
        .args([
            "audit", "--format", "json", "--select", "CTR001", "--label", &label,
        ])
        .output()
        .expect("run dockaudit audit --select CTR001");
    if critical.status.code() != Some(1) {
        failures.push(format!(
            "audit --select CTR001 (critical finding on {p}-privileged): exit {:?}, want 1",
            critical.status.code()
        ));
    }
    // A rule with no finding at or above high in this audit: selected alone, it must exit 0.
    let rules: Value = serde_json::from_slice(
        &engine
            .dockaudit()
            .args(["rules", "--format", "json"])
            .output()
            .expect("run dockaudit rules")
            .stdout,
    )
    .expect("rules --format json prints JSON");
    // Preferably a rule with no finding at all; else one whose findings are all below high.
    let ids: Vec<&str> = rules
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let has = |id: &str, severities: &[&str]| {
        all.iter().any(|f| {
            f["rule"] == id && severities.contains(&f["severity"].as_str().unwrap_or_default())
        })
    };
    let quiet_rule = ids
        .iter()
        .find(|id| !has(id, &["critical", "high", "medium", "low", "info"]))
        .or_else(|| ids.iter().find(|id| !has(id, &["critical", "high"])))
        .map(|id| id.to_string());
    match quiet_rule {
        Some(id) => {
            let out = engine
                .dockaudit()
                .args([
                    "audit", "--format", "json", "--select", &id, "--label", &label,
                ])
                .output()
                .expect("run dockaudit audit --select");
            if out.status.code() != Some(0) {
                failures.push(format!(
                    "audit --select {id} (no high or critical finding): exit {:?}, want 0; stderr: {}",
                    out.status.code(),
                    text(&out.stderr)
                ));
            }
            if let Ok(r) = serde_json::from_slice::<Value>(&out.stdout) {
                let others: BTreeSet<&str> = findings(&r)
                    .iter()
                    .map(|f| str_of(f, &["rule"]))
                    .filter(|rule| *rule != id)
                    .collect();
                if !others.is_empty() {
                    failures.push(format!(
                        "audit --select {id} reported other rules: {others:?}"
                    ));
                }
            } else {
                failures.push(format!("audit --select {id} printed no JSON"));
            }
        }
        None => failures
            .push("every rule has a high or critical finding: cannot test --select exit 0".into()),
    }

    // 6. collect, then audit the snapshot offline: the same findings as the live audit, except that
    // a snapshot collected with --label holds only some containers, so what the live audit (which
    // sees every container) reports unused is a skip offline, with the reason.
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("snapshot.json");
    let collect = engine
        .dockaudit()
        .args(["collect", "--label", &label, "-o"])
        .arg(&snap)
        .output()
        .expect("run dockaudit collect");
    if !collect.status.success() {
        failures.push(format!(
            "collect: exit {:?}; stderr: {}",
            collect.status.code(),
            text(&collect.stderr)
        ));
    } else {
        let snap_text = std::fs::read_to_string(&snap).unwrap_or_default();
        check_no_secrets("collected snapshot", &snap_text, &mut failures);
        let offline = engine
            .dockaudit()
            .args(["audit", "--format", "json", "--label", &label, "--snapshot"])
            .arg(&snap)
            .output()
            .expect("run dockaudit audit --snapshot");
        if offline.status.code() != Some(1) {
            failures.push(format!(
                "audit --snapshot: exit {:?}, want 1; stderr: {}",
                offline.status.code(),
                text(&offline.stderr)
            ));
        }
        check_no_secrets(
            "audit --snapshot stdout",
            &text(&offline.stdout),
            &mut failures,
        );
        match serde_json::from_slice::<Value>(&offline.stdout) {
            Ok(r) => {
                let unused_rules = ["LCY001", "LCY002", "LCY004", "LCY005"];
                let is_unused = |f: &&Value| unused_rules.contains(&str_of(f, &["rule"]));
                let live_unused: BTreeSet<String> = all
                    .iter()
                    .filter(is_unused)
                    .map(|f| format!("{} {}", str_of(f, &["rule"]), str_of(f, &["target", "id"])))
                    .collect();
                let offline_skips: BTreeSet<String> = r["skipped"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| str_of(s, &["reason"]).contains("collected with --label"))
                    .map(|s| format!("{} {}", str_of(s, &["rule"]), str_of(s, &["target", "id"])))
                    .collect();
                if live_unused.is_empty() || live_unused != offline_skips {
                    failures.push(format!(
                        "unused objects: the live audit reports {live_unused:?}, the label-collected snapshot skips {offline_skips:?}"
                    ));
                }
                // The restarting container exits and is restarted every second or so: two
                // collections see it in different states (running, restarting, exited), so the rules
                // that judge a running container's processes and state differ between them by
                // design. Every other container is the same in both.
                let restarting = format!("{p}-restarting");
                let flipping = |f: &&Value| str_of(f, &["target", "name"]) == restarting;
                let a: Vec<Value> = all
                    .iter()
                    .filter(|f| !is_unused(f) && !flipping(f))
                    .map(stable)
                    .collect();
                let b: Vec<Value> = findings(&r)
                    .iter()
                    .filter(|f| !flipping(f))
                    .map(stable)
                    .collect();
                if a != b {
                    let key = |f: &Value| {
                        format!(
                            "{} {}",
                            str_of(f, &["rule"]),
                            str_of(f, &["target", "name"])
                        )
                    };
                    let ka: BTreeSet<String> = a.iter().map(key).collect();
                    let kb: BTreeSet<String> = b.iter().map(key).collect();
                    failures.push(format!(
                        "audit --snapshot differs from the live audit: only live: {:?}; only offline: {:?}; ({} vs {} findings)",
                        ka.difference(&kb).collect::<Vec<_>>(),
                        kb.difference(&ka).collect::<Vec<_>>(),
                        a.len(),
                        b.len()
                    ));
                }
            }
            Err(e) => failures.push(format!("audit --snapshot printed no JSON: {e}")),
        }
    }

    assert!(
        failures.is_empty(),
        "{} expectation(s) failed for scenario {p} on {}:\n  - {}",
        failures.len(),
        engine.describe(),
        failures.join("\n  - ")
    );
}

#[test]
fn live_scenario() {
    run_scenario(&Engine::machine());
}

/// The same scenario on a current engine (Docker 28.x, API 1.5x) beside the machine's own 20.10:
/// the one `.ci/run` started (DOCKAUDIT_SECOND_ENGINE), or one this test starts and stops itself.
#[test]
fn live_scenario_on_current_engine() {
    let (engine, _second) = match std::env::var("DOCKAUDIT_SECOND_ENGINE") {
        Ok(host) if !host.is_empty() => (Engine::at(&host), None),
        _ => {
            let started = SecondEngine::start();
            (Engine::at(&started.host), Some(started))
        }
    };
    let api = engine.docker(&["version", "-f", "{{.Server.APIVersion}}"]);
    assert!(
        api.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()) >= Some(44),
        "the second engine should be a current one, it speaks API {api}"
    );
    run_scenario(&engine);
}

#[test]
fn unreachable_engine_is_exit_2_and_named() {
    for (host, shown) in [
        ("unix:///nonexistent.sock", "/nonexistent.sock"),
        ("tcp://127.0.0.1:1", "127.0.0.1:1"),
    ] {
        Engine::machine()
            .dockaudit()
            .env_remove("DOCKER_HOST")
            .args(["audit", "--host", host])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(shown));
        Engine::machine()
            .dockaudit()
            .env_remove("DOCKER_HOST")
            .args(["collect", "-o", "-", "--host", host])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(shown));
    }
}

#[test]
fn malformed_and_truncated_snapshots_are_exit_2_and_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = workspace_root().join("crates/rules/tests/fixtures/scenario.json");
    let truncated = match std::fs::read(&fixture) {
        Ok(bytes) => bytes[..bytes.len() / 2].to_vec(),
        Err(_) => br#"{"schema_version": 1, "engine": {"kind": "docker", "#.to_vec(),
    };
    let cases: [(&str, Vec<u8>); 5] = [
        ("malformed.json", b"this is { not json".to_vec()),
        ("future.json", br#"{"schema_version": 999}"#.to_vec()),
        ("truncated.json", truncated),
        ("empty.json", Vec::new()),
        (
            "wrong-shape.json",
            br#"{"containers": "not a list"}"#.to_vec(),
        ),
    ];
    for (name, content) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write snapshot");
        Engine::machine()
            .dockaudit()
            .args(["audit", "--snapshot"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(name));
    }
    let missing = dir.path().join("missing.json");
    Engine::machine()
        .dockaudit()
        .args(["audit", "--snapshot"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.json"));
}

#[test]
fn unknown_rule_selection_is_exit_2() {
    // The selection is checked before any engine is contacted; the bogus host makes sure an audit
    // that did not check it first cannot pass for the wrong reason by reaching an engine.
    Engine::machine()
        .dockaudit()
        .env_remove("DOCKER_HOST")
        .args([
            "audit",
            "--select",
            "NOPE",
            "--host",
            "unix:///nonexistent.sock",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NOPE"));
    Engine::machine()
        .dockaudit()
        .env_remove("DOCKER_HOST")
        .args([
            "audit",
            "--ignore",
            "NOPE",
            "--host",
            "unix:///nonexistent.sock",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NOPE"));
}

#[test]
fn rules_json_lists_unique_ids() {
    let out = Engine::machine()
        .dockaudit()
        .args(["rules", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rules: Value = serde_json::from_slice(&out).expect("rules --format json prints JSON");
    let rules = rules.as_array().expect("a JSON array of rules");
    assert!(!rules.is_empty(), "no rules listed");
    let mut ids = BTreeSet::new();
    for r in rules {
        let id = r["id"].as_str().unwrap_or_default();
        assert!(!id.is_empty(), "rule without an id: {r}");
        assert!(ids.insert(id.to_string()), "duplicate rule id {id}");
        assert!(
            !r["name"].as_str().unwrap_or_default().is_empty(),
            "{id} has no name"
        );
    }
    assert!(ids.contains("CTR001"), "CTR001 is not listed");
}

#[test]
fn explain_prints_the_remediation() {
    let rules: Value = serde_json::from_slice(
        &Engine::machine()
            .dockaudit()
            .args(["rules", "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .expect("rules --format json prints JSON");
    let ctr001 = rules
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "CTR001")
        .expect("CTR001 listed");
    let remediation = ctr001["remediation"]
        .as_str()
        .expect("CTR001 has a remediation");
    assert!(!remediation.is_empty());
    Engine::machine()
        .dockaudit()
        .args(["explain", "CTR001"])
        .assert()
        .success()
        .stdout(predicate::str::contains(remediation).and(predicate::str::contains("CTR001")));
    Engine::machine()
        .dockaudit()
        .args(["explain", "NOPE999"])
        .assert()
        .code(2);
}
