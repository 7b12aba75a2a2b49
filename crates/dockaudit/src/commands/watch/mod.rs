//! `dockaudit watch`: one full audit, then the engine's event stream. What an event changed is
//! re-collected (one container by id; the image, network or volume list), the rules re-judge the
//! updated snapshot, and the difference is published: new and resolved findings as JSON lines
//! (`--events`), everything on `/metrics`, `/report.json` and `/` (`--listen`). A full re-audit
//! every `--interval` catches what events do not say (daemon.json, the firewall, host files).
//! Restart bursts come from `die` events. When the engine goes away the watcher says so,
//! reconnects with backoff and re-audits; it never exits on a transient error.

mod changes;
mod metrics;
mod published;
mod serve;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::Args;
use dockaudit_collect::events::{events, EngineEvent};
use dockaudit_collect::{CollectOptions, Endpoint, EngineClient, ObjectReader};
use dockaudit_report::Finding;
use dockaudit_rules::AuditOptions;
use dockaudit_snapshot::Snapshot;
use futures_util::StreamExt;

use self::changes::{BurstThreshold, FindingKey, Restarts};
use self::published::{update, Shared};
use crate::cli::{AuditArgs, EngineArgs, RuleArgs, TargetArgs};
use crate::commands::audit;
use crate::commands::image::{self as image_cmd, VulnArgs};
use crate::{config, live};

/// `dockaudit watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub targets: TargetArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Serve /metrics (Prometheus and OpenMetrics text), /healthz, /report.json and / (the HTML
    /// report) on ADDR, e.g. 127.0.0.1:9323 (port 0: any free port; the address is printed on
    /// stderr) [default: no server].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Append one JSON line per new or resolved finding to FILE (`-`: stdout), for Promtail,
    /// Filebeat or Fluentd.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// A full re-audit this often (30s, 15m, 1h): it catches what events do not say (daemon.json,
    /// the firewall, host files).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = changes::parse_duration)]
    pub interval: Duration,
    /// A container that stops N times within DURATION is a restart burst (finding WCH001).
    #[arg(long, value_name = "N/DURATION", default_value = "5/10m")]
    pub restart_burst: BurstThreshold,
    /// Re-judge once the events have been quiet this many milliseconds (a `docker run` sends
    /// several at once); never later than one second after the first.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce_ms: u64,
    /// Configuration file [default: ./dockaudit.toml, then ~/.config/dockaudit/dockaudit.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look inside the images the containers use at full audits (the image-contents rules
    /// are skipped).
    #[arg(long)]
    pub no_image_scan: bool,
    #[command(flatten)]
    pub vulns: VulnArgs,
}

/// What `watch` reports besides the registry's rules (`dockaudit explain` knows them too).
pub const WATCH_FINDINGS: &[dockaudit_rules::RuleMeta] = &[changes::RESTART_BURST];

/// The longest a burst of events may delay a re-judgement.
const DEBOUNCE_CAP: Duration = Duration::from_secs(1);
/// The longest wait between two attempts to reach the engine.
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// How often restart-burst windows are re-checked when no event comes.
const HOUSEKEEPING: Duration = Duration::from_secs(15);

/// Runs `dockaudit watch`.
pub fn run(args: WatchArgs) -> Result<ExitCode> {
    // The same configuration file and merging as `audit`.
    let audit_args = AuditArgs {
        engine: args.engine,
        targets: args.targets,
        snapshot: Vec::new(),
        format: Vec::new(),
        output: None,
        fail_on: None,
        config: args.config,
        rules: args.rules,
        color: None,
        verbose: false,
        quiet: false,
        no_image_scan: args.no_image_scan,
        vulns: args.vulns,
    };
    let (audit_args, policy) = config::apply(audit_args)?;
    let options = audit::audit_options(&audit_args, policy)?;
    let endpoint = live::single_endpoint(&audit_args.engine)?;
    let events_out = EventsOut::open(args.events.as_deref())?;
    let scan = (!audit_args.no_image_scan).then(|| image_cmd::ScanPlan {
        filter: Some(options.filter.clone()),
        progress: false,
        timeout: audit_args.engine.timeout_secs(),
    });
    let mut watcher = Watcher {
        endpoint,
        timeout: Duration::from_secs(audit_args.engine.timeout_secs()),
        collect: live::collect_options(&audit_args.engine, Vec::new()),
        options,
        scan,
        interval: args.interval,
        debounce: Duration::from_millis(args.debounce_ms),
        threshold: args.restart_burst,
        shared: Shared::default(),
        events_out,
        previous: BTreeMap::new(),
        restarts: Restarts::default(),
        host: String::new(),
    };
    let rt = live::runtime()?;
    rt.block_on(async move {
        if let Some(addr) = args.listen {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let bound = listener
                .local_addr()
                .context("cannot read the bound address")?;
            eprintln!("dockaudit: watch: listening on http://{bound}");
            tokio::spawn(serve::serve(listener, watcher.shared.clone()));
        }
        tokio::select! {
            () = watcher.run() => {}
            () = shutdown() => eprintln!("dockaudit: watch: stopping"),
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM (how `docker stop` and Kubernetes end the watcher).
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Where the JSON lines of new and resolved findings go.
enum EventsOut {
    None,
    Stdout,
    /// Opened for each batch of lines (appending), so a log rotation that renames the file is
    /// followed.
    File(PathBuf),
}

impl EventsOut {
    fn open(path: Option<&std::path::Path>) -> Result<EventsOut> {
        Ok(match path {
            None => EventsOut::None,
            Some(p) if p.as_os_str() == "-" => EventsOut::Stdout,
            Some(p) => {
                // Opened once now so that a path that cannot be written stops the watcher at once.
                append_to(p)
                    .with_context(|| format!("cannot open the events file {}", p.display()))?;
                EventsOut::File(p.to_path_buf())
            }
        })
    }

    /// Writes `lines` (each with its newline) at once; a failure (disk full) is said on stderr
    /// and the watch goes on.
    fn write(&mut self, lines: &str) {
        if lines.is_empty() {
            return;
        }
        let (result, name) = match self {
            EventsOut::None => return,
            EventsOut::Stdout => {
                let mut out = std::io::stdout().lock();
                (
                    out.write_all(lines.as_bytes()).and_then(|()| out.flush()),
                    "stdout".to_string(),
                )
            }
            EventsOut::File(path) => (
                append_to(path).and_then(|mut file| file.write_all(lines.as_bytes())),
                path.display().to_string(),
            ),
        };
        if let Err(e) = result {
            eprintln!("dockaudit: watch: cannot write the events to {name}: {e}");
        }
    }
}

fn append_to(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
}

/// What the events since the last re-judgement asked to re-read.
#[derive(Debug, Default)]
struct Pending {
    containers: BTreeSet<String>,
    images: bool,
    networks: bool,
    volumes: bool,
    /// A daemon reload: everything.
    full: bool,
}

impl Pending {
    /// Notes what `event` changed; `false` when it changed nothing an audit reads (exec, attach,
    /// resize, top, a volume mount…).
    fn note(&mut self, event: &EngineEvent) -> bool {
        let action = event.action.as_str();
        match event.kind.as_str() {
            "container"
                if matches!(
                    action,
                    "create"
                        | "start"
                        | "restart"
                        | "die"
                        | "destroy"
                        | "update"
                        | "rename"
                        | "pause"
                        | "unpause"
                        | "oom"
                ) || action.starts_with("health_status") =>
            {
                self.containers.insert(event.id.clone());
            }
            "image"
                if matches!(
                    action,
                    "tag" | "untag" | "delete" | "pull" | "load" | "import" | "create"
                ) =>
            {
                self.images = true
            }
            "network"
                if matches!(
                    action,
                    "create" | "destroy" | "remove" | "connect" | "disconnect"
                ) =>
            {
                self.networks = true
            }
            "volume" if matches!(action, "create" | "destroy" | "remove") => self.volumes = true,
            "daemon" if action == "reload" => self.full = true,
            _ => return false,
        }
        true
    }
}

/// The watch loop's state; the only writer of the published state.
struct Watcher {
    endpoint: Endpoint,
    timeout: Duration,
    collect: CollectOptions,
    options: AuditOptions,
    scan: Option<image_cmd::ScanPlan>,
    interval: Duration,
    debounce: Duration,
    threshold: BurstThreshold,
    shared: Shared,
    events_out: EventsOut,
    /// The findings last published, by key.
    previous: BTreeMap<FindingKey, Finding>,
    restarts: Restarts,
    /// The engine's host name, for the event lines.
    host: String,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Watcher {
    /// Connects, audits and follows the engine; on any loss, waits (backoff) and does it again.
    /// Never returns.
    async fn run(&mut self) {
        let mut backoff = Duration::from_secs(1);
        let mut reached_before = false;
        loop {
            let client = match dockaudit_collect::connect(self.endpoint.clone(), self.timeout).await
            {
                Ok(client) => client,
                Err(e) => {
                    update(&self.shared, |s| s.engine_up = false);
                    eprintln!(
                        "dockaudit: watch: cannot reach the engine: {e}; retrying in {} s",
                        backoff.as_secs()
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                    continue;
                }
            };
            if reached_before {
                update(&self.shared, |s| s.reconnects += 1);
                eprintln!(
                    "dockaudit: watch: engine at {} reached again; re-auditing",
                    client.endpoint.url()
                );
            }
            reached_before = true;
            let followed = Instant::now();
            let why = self.follow(&client).await;
            update(&self.shared, |s| s.engine_up = false);
            // An engine that stayed up a while starts the backoff over.
            if followed.elapsed() > BACKOFF_CAP {
                backoff = Duration::from_secs(1);
            }
            eprintln!(
                "dockaudit: watch: lost the engine's events ({why}); reconnecting in {} s",
                backoff.as_secs()
            );
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_CAP);
        }
    }

    /// One connection's life: a full audit, then its events, until the stream ends; returns why.
    async fn follow(&mut self, client: &EngineClient) -> String {
        // The stream starts at the audit's start (`since`; the engine keeps its recent events), so
        // what changes while the audit runs is not missed. (bollard sends the request only when
        // the stream is first polled, so subscribing early would not do.)
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| format!("{}.{:09}", d.as_secs(), d.subsec_nanos()))
            .ok();
        let mut stream = std::pin::pin!(events(client, since));
        let mut snapshot = match self.full_audit(client).await {
            Ok(snapshot) => snapshot,
            Err(why) => return why,
        };
        let mut reader = ObjectReader::new(client, &self.collect, &snapshot).await;
        update(&self.shared, |s| s.engine_up = true);
        eprintln!(
            "dockaudit: watch: {} findings; following the engine's events",
            self.previous.len()
        );
        let mut pending = Pending::default();
        let mut first_pending: Option<Instant> = None;
        let mut due: Option<tokio::time::Instant> = None;
        let mut next_full = tokio::time::Instant::now() + self.interval;
        let mut housekeeping = tokio::time::interval(HOUSEKEEPING);
        housekeeping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let far = tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600);
        loop {
            tokio::select! {
                item = stream.next() => match item {
                    Some(Ok(event)) => {
                        update(&self.shared, |s| s.events_seen += 1);
                        self.note_restart(&event);
                        if pending.note(&event) {
                            let now = Instant::now();
                            let first = *first_pending.get_or_insert(now);
                            let quiet = now + self.debounce;
                            let at = quiet.min(first + DEBOUNCE_CAP);
                            due = Some(tokio::time::Instant::from_std(at));
                        }
                    }
                    Some(Err(why)) => return why,
                    None => return "the engine closed the event stream".to_string(),
                },
                () = tokio::time::sleep_until(due.unwrap_or(far)), if due.is_some() => {
                    due = None;
                    first_pending = None;
                    let work = std::mem::take(&mut pending);
                    if work.full {
                        snapshot = match self.full_audit(client).await {
                            Ok(snapshot) => snapshot,
                            Err(why) => return why,
                        };
                        reader = ObjectReader::new(client, &self.collect, &snapshot).await;
                        next_full = tokio::time::Instant::now() + self.interval;
                    } else {
                        self.refresh(&reader, &mut snapshot, work).await;
                    }
                }
                () = tokio::time::sleep_until(next_full) => {
                    snapshot = match self.full_audit(client).await {
                        Ok(snapshot) => snapshot,
                        Err(why) => return why,
                    };
                    reader = ObjectReader::new(client, &self.collect, &snapshot).await;
                    next_full = tokio::time::Instant::now() + self.interval;
                }
                _ = housekeeping.tick() => {
                    // A burst ends when its window slides past it, event or not.
                    let bursting: BTreeSet<String> = self
                        .restarts
                        .bursts(now_nanos(), self.threshold)
                        .into_iter()
                        .map(|(id, _, _)| id)
                        .collect();
                    if bursting != self.published_bursts() {
                        self.rejudge(&snapshot);
                    }
                }
            }
        }
    }

    /// The containers whose restart burst is published.
    fn published_bursts(&self) -> BTreeSet<String> {
        self.previous
            .keys()
            .filter(|k| k.0 == changes::RESTART_BURST_RULE)
            .map(|k| k.2.clone())
            .collect()
    }

    /// Counts `die` events for the restart bursts and the restart counters.
    fn note_restart(&mut self, event: &EngineEvent) {
        if event.kind != "container" {
            return;
        }
        match event.action.as_str() {
            "die" => {
                let time = if event.time_nano > 0 {
                    event.time_nano
                } else {
                    now_nanos()
                };
                self.restarts.died(&event.id, event.name(), time);
            }
            "destroy" => self.restarts.destroyed(&event.id),
            _ => return,
        }
        let totals = self.restarts.total_by_name.clone();
        update(&self.shared, |s| s.restarts_by_name = totals);
    }

    /// Collects everything, judges it and publishes the changes. When the engine failed to give
    /// its container or image list and an earlier audit was published, that one stays and the
    /// failure is returned: an audit of nothing must not resolve every finding.
    async fn full_audit(&mut self, client: &EngineClient) -> Result<Snapshot, String> {
        let started = Instant::now();
        let snapshot = live::collect_from(client, &self.collect, self.scan.as_ref(), false).await;
        let fatal = snapshot.fatal_gaps();
        let published = published::read(&self.shared).report.is_some();
        if !fatal.is_empty() && published {
            return Err(format!(
                "the full audit could not be done ({}); the previous findings stay",
                fatal.join("; ")
            ));
        }
        for why in &fatal {
            eprintln!("dockaudit: watch: {why}");
        }
        self.host = snapshot
            .info
            .as_ref()
            .map(|i| i.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| client.endpoint.url());
        self.rejudge(&snapshot);
        let seconds = started.elapsed().as_secs_f64();
        let finished = unix_now();
        update(&self.shared, |s| {
            s.full_audit_seconds = seconds;
            s.last_full_audit_unix = finished;
        });
        Ok(snapshot)
    }

    /// Re-reads what the events named and re-judges.
    async fn refresh(&mut self, reader: &ObjectReader, snapshot: &mut Snapshot, work: Pending) {
        let ids: Vec<String> = work.containers.into_iter().collect();
        if !ids.is_empty() {
            reader.refresh_containers(snapshot, &ids).await;
        }
        if work.images {
            reader.refresh_images(snapshot).await;
        }
        if work.networks {
            reader.refresh_networks(snapshot).await;
        }
        if work.volumes {
            reader.refresh_volumes(snapshot).await;
        }
        // Rules take "now" from the snapshot (ages of stopped containers, of images).
        snapshot.collected_at = dockaudit_collect::now_rfc3339();
        self.rejudge(snapshot);
    }

    /// Runs the rules over `snapshot`, adds the restart bursts, publishes the report and writes
    /// the new and resolved findings.
    fn rejudge(&mut self, snapshot: &Snapshot) {
        let mut report =
            audit::judge(snapshot, &self.options, self.collect.host_root.as_deref()).report;
        let bursts = self
            .restarts
            .bursts(now_nanos(), self.threshold)
            .into_iter()
            // The target filter applies to bursts too: only containers the audit judges.
            .filter(|(id, _, _)| {
                snapshot
                    .containers
                    .iter()
                    .find(|c| &c.inspect.id == id)
                    .is_none_or(|c| self.options.filter.keeps_container(c))
            })
            .map(|(id, name, count)| changes::burst_finding(&id, &name, count, self.threshold))
            .collect();
        changes::add_findings(&mut report, bursts);
        let now = changes::active_findings(&report);
        let timestamp = dockaudit_collect::now_rfc3339();
        let mut lines = String::new();
        for (change, finding) in changes::changes(&self.previous, &now) {
            lines.push_str(&changes::event_line(
                &timestamp, &self.host, change, &finding,
            ));
            lines.push('\n');
        }
        self.events_out.write(&lines);
        self.previous = now;
        let report = Arc::new(report);
        let at = unix_now();
        update(&self.shared, |s| {
            s.report = Some(report);
            s.last_update_unix = at;
        });
    }
}
