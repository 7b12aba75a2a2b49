//! Reading everything from the engine into a Snapshot: concurrently with a bound, GET requests only,
//! log tails capped, secret values masked as they arrive, and every failure kept as a gap.

use std::collections::HashMap;

use bollard::container::LogOutput;
use bollard::query_parameters::{
    InspectContainerOptions, InspectNetworkOptions, ListContainersOptionsBuilder,
    ListImagesOptionsBuilder, ListNetworksOptions, ListVolumesOptions, LogsOptionsBuilder,
    TopOptions,
};
use dockaudit_snapshot::{
    Container, EngineInfo, EngineMeta, EngineVersion, Fact, Gap, HistoryEntry, Image, LogTail,
    Network, Redaction, Snapshot, Top, Volume, SNAPSHOT_SCHEMA_VERSION,
};
use futures_util::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::connect::EngineClient;
use crate::redact_value::{redact_lines, redact_value};

/// What to collect and how much.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Collect a log tail per container.
    pub logs: bool,
    /// Lines in a log tail.
    pub log_lines: usize,
    /// Bytes in a log tail; reading stops there.
    pub log_bytes: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Ask the engine for each container's writable-layer size (slow on very large hosts).
    pub disk_usage: bool,
    /// Engine-side label filters (`KEY` or `KEY=VALUE`), applied to containers, images, volumes
    /// and networks alike.
    pub labels: Vec<String>,
    /// Version of the tool, written into the snapshot.
    pub tool_version: String,
    /// The engine host's root directory, when given explicitly (`--host-root`); `None` reads `/`,
    /// and only for a local engine.
    pub host_root: Option<std::path::PathBuf>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            logs: true,
            log_lines: 500,
            log_bytes: 256 * 1024,
            concurrency: 16,
            disk_usage: true,
            labels: Vec::new(),
            tool_version: String::new(),
            host_root: None,
        }
    }
}

/// A collection-time failure: what, and why.
fn gap(what: impl Into<String>, why: impl std::fmt::Display) -> Gap {
    Gap {
        what: what.into(),
        why: why.to_string(),
    }
}

/// Re-reads a bollard answer as our own type (Docker's field names on both sides).
fn convert<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("unexpected shape of {what}: {e}"))
}

fn to_value<T: Serialize>(answer: &T) -> Value {
    serde_json::to_value(answer).unwrap_or(Value::Null)
}

/// Collects a full Snapshot from the engine.
///
/// What needs nothing from the engine starts first, on blocking threads, and runs while the engine
/// answers: the firewall capture and the search for the dockerd process with its daemon.json. The
/// daemon's configuration and the host facts (which need `/info`) are read while the containers,
/// images and networks are inspected; only the listeners of host-network containers wait for the
/// containers.
pub async fn collect(client: &EngineClient, options: &CollectOptions) -> Snapshot {
    let collected_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let docker = &client.docker;
    let mut gaps = Vec::new();

    let host = crate::host::HostCollection::start(crate::host::root_for(
        options.host_root.as_deref(),
        &client.endpoint,
    ));
    let daemon_scan = {
        let (host_root, endpoint) = (options.host_root.clone(), client.endpoint.clone());
        tokio::task::spawn_blocking(move || crate::daemon::scan(host_root.as_deref(), &endpoint))
    };

    let filters: Option<HashMap<String, Vec<String>>> = if options.labels.is_empty() {
        None
    } else {
        Some(HashMap::from([(
            "label".to_string(),
            options.labels.clone(),
        )]))
    };

    let (version, info, container_list, image_list, network_list, volume_list) = tokio::join!(
        docker.version(),
        docker.info(),
        docker.list_containers(Some({
            // `size` makes the engine compute each writable layer's size (what `docker ps -s` shows);
            // it is the costly part of listing, hence optional. `/system/df` would give the same
            // figures, but its answer changed shape in API 1.52 and the typed client drops the old one.
            let mut b = ListContainersOptionsBuilder::default()
                .all(true)
                .size(options.disk_usage);
            if let Some(f) = &filters {
                b = b.filters(f);
            }
            b.build()
        })),
        docker.list_images(Some({
            let mut b = ListImagesOptionsBuilder::default().all(false);
            if let Some(f) = &filters {
                b = b.filters(f);
            }
            b.build()
        })),
        docker.list_networks(Some(ListNetworksOptions {
            filters: filters.clone(),
        })),
        docker.list_volumes(Some(ListVolumesOptions {
            filters: filters.clone(),
        })),
    );

    let version: Option<EngineVersion> = match version {
        Ok(v) => convert(to_value(&v), "/version")
            .map_err(|e| gaps.push(gap("engine version", e)))
            .ok(),
        Err(e) => {
            gaps.push(gap("engine version (GET /version)", e));
            None
        }
    };
    let info: Option<EngineInfo> = match info {
        Ok(v) => convert(to_value(&v), "/info")
            .map_err(|e| gaps.push(gap("engine info", e)))
            .ok(),
        Err(e) => {
            gaps.push(gap("engine info (GET /info)", e));
            None
        }
    };

    let podman = version.as_ref().is_some_and(is_podman);
    let kind = if podman { "podman" } else { "docker" };

    // The daemon's configuration and the host facts, while the engine's objects are inspected.
    let daemon_and_host = async {
        let stopped = |e: tokio::task::JoinError| {
            crate::daemon::DaemonCollection::missing(format!("daemon collection stopped: {e}"))
        };
        let daemon = match daemon_scan.await {
            Ok(scan) => {
                let (endpoint, info) = (client.endpoint.clone(), info.clone());
                tokio::task::spawn_blocking(move || {
                    crate::daemon::finish(scan, &endpoint, info.as_ref(), kind)
                })
                .await
                .unwrap_or_else(stopped)
            }
            Err(e) => stopped(e),
        };
        let host = host.read_facts(&client.endpoint, info.as_ref(), &daemon.config);
        (daemon, host)
    };
    let lists = Lists {
        containers: container_list,
        images: image_list,
        networks: network_list,
        volumes: volume_list,
    };
    let ((daemon, host), (containers, images, networks, volumes, objects)) = tokio::join!(
        daemon_and_host,
        collect_objects(client, options, lists, podman)
    );
    gaps.extend(objects.gaps);
    let mut redactions = objects.redactions;

    // Podman also says it outright (`Rootless`, beside the security option).
    let rootless = info.as_ref().is_some_and(|i| {
        i.has_security_option("rootless") || i.extra.get("Rootless") == Some(&Value::Bool(true))
    });
    let engine = EngineMeta {
        kind: kind.to_string(),
        version: version
            .as_ref()
            .map(|v| v.version.clone())
            .unwrap_or_default(),
        api_version: client.api_version(),
        endpoint: client.endpoint.url(),
        rootless,
        tls: Some(matches!(
            client.endpoint,
            crate::connect::Endpoint::Tls { .. }
        )),
    };
    gaps.extend(daemon.gaps);
    redactions.extend(daemon.redactions);
    let (host, firewall, host_gaps) = host.finish(&containers).await;
    gaps.extend(host_gaps);

    gaps.sort();
    gaps.dedup();
    Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        tool_version: options.tool_version.clone(),
        collected_at,
        engine,
        version,
        info,
        containers,
        images,
        networks,
        volumes,
        settings: dockaudit_snapshot::CollectSettings {
            logs: options.logs,
            log_lines: options.log_lines,
            sizes: options.disk_usage,
            labels: options.labels.clone(),
        },
        daemon_config: Some(daemon.config),
        host: Some(host),
        firewall: Some(firewall),
        redactions,
        gaps,
    }
}

/// The engine's answers to the four list requests.
struct Lists {
    containers: Result<Vec<bollard::models::ContainerSummary>, bollard::errors::Error>,
    images: Result<Vec<bollard::models::ImageSummary>, bollard::errors::Error>,
    networks: Result<Vec<bollard::models::Network>, bollard::errors::Error>,
    volumes: Result<bollard::models::VolumeListResponse, bollard::errors::Error>,
}

/// The gaps met and secrets masked while reading the engine's objects.
#[derive(Default)]
struct Notes {
    gaps: Vec<Gap>,
    redactions: Vec<Redaction>,
}

/// Every listed container, image and network inspected, and the volumes converted.
async fn collect_objects(
    client: &EngineClient,
    options: &CollectOptions,
    lists: Lists,
    podman: bool,
) -> (Vec<Container>, Vec<Image>, Vec<Network>, Vec<Volume>, Notes) {
    let mut notes = Notes::default();
    let Notes { gaps, redactions } = &mut notes;
    let Lists {
        containers: container_list,
        images: image_list,
        networks: network_list,
        volumes: volume_list,
    } = lists;

    // Containers: inspect, then top and a log tail, all concurrently with a bound.
    let containers: Vec<Container> = match container_list {
        Ok(list) => {
            let sizes: HashMap<String, i64> = list
                .iter()
                .filter_map(|c| Some((c.id.clone()?, c.size_rw?)))
                .collect();
            // The list's state lets processes and logs be fetched alongside the inspect instead
            // of after it: one round trip per container instead of two.
            let ids: Vec<(String, bool)> = list
                .into_iter()
                .filter_map(|c| {
                    let running = c
                        .state
                        .is_some_and(|s| s.to_string().eq_ignore_ascii_case("running"));
                    Some((c.id?, running))
                })
                .collect();
            let results: Vec<Collected<Container>> = stream::iter(ids)
                .map(|(id, listed_running)| {
                    collect_container(client, id, listed_running, podman, options)
                })
                .buffered(options.concurrency.max(1))
                .collect()
                .await;
            let mut out = absorb(results, gaps, redactions);
            for c in &mut out {
                c.size_rw = sizes.get(&c.inspect.id).copied();
            }
            out
        }
        Err(e) => {
            gaps.push(gap("containers (GET /containers/json)", e));
            Vec::new()
        }
    };

    let images: Vec<Image> = match image_list {
        Ok(list) => {
            let ids: Vec<String> = list.into_iter().map(|i| i.id).collect();
            let results: Vec<Collected<Image>> = stream::iter(ids)
                .map(|id| collect_image(client, id))
                .buffered(options.concurrency.max(1))
                .collect()
                .await;
            absorb(results, gaps, redactions)
        }
        Err(e) => {
            gaps.push(gap("images (GET /images/json)", e));
            Vec::new()
        }
    };

    let networks: Vec<Network> = match network_list {
        Ok(list) => {
            let ids: Vec<String> = list.into_iter().filter_map(|n| n.id).collect();
            let results: Vec<Result<Network, Gap>> = stream::iter(ids)
                .map(|id| async move {
                    let answer = client
                        .docker
                        .inspect_network(&id, None::<InspectNetworkOptions>)
                        .await
                        .map_err(|e| gap(format!("network {id}"), e))?;
                    let mut value = to_value(&answer);
                    // Network options rarely hold secrets, but a driver option may: mask them too.
                    let _ = redact_value(&mut value, "network", &id);
                    convert(value, "network inspect").map_err(|e| gap(format!("network {id}"), e))
                })
                .buffered(options.concurrency.max(1))
                .collect()
                .await;
            let mut out = Vec::new();
            for r in results {
                match r {
                    Ok(n) => out.push(n),
                    // A network removed mid-audit is a gap, not a failure.
                    Err(g) => gaps.push(g),
                }
            }
            out
        }
        Err(e) => {
            gaps.push(gap("networks (GET /networks)", e));
            Vec::new()
        }
    };

    let volumes: Vec<Volume> = match volume_list {
        Ok(list) => {
            let mut out = Vec::new();
            for v in list.volumes.into_iter().flatten() {
                let name = v.name.clone();
                let mut value = to_value(&v);
                redactions.extend(redact_value(&mut value, "volume", &name));
                match convert::<Volume>(value, "volume") {
                    Ok(v) => out.push(v),
                    Err(e) => gaps.push(gap(format!("volume {name}"), e)),
                }
            }
            for w in list.warnings.into_iter().flatten() {
                gaps.push(gap("volumes", w));
            }
            out
        }
        Err(e) => {
            gaps.push(gap("volumes (GET /volumes)", e));
            Vec::new()
        }
    };

    (containers, images, networks, volumes, notes)
}

pub(crate) fn is_podman(v: &EngineVersion) -> bool {
    v.components.iter().any(|c| {
        c.get("Name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.to_ascii_lowercase().contains("podman"))
    }) || v
        .extra
        .get("Platform")
        .and_then(|p| p.get("Name"))
        .and_then(Value::as_str)
        .is_some_and(|n| n.to_ascii_lowercase().contains("podman"))
}

/// What collecting one object gave: the object (unless it could not be read), the gaps met on the
/// way, and where secrets were masked.
struct Collected<T> {
    item: Option<T>,
    gaps: Vec<Gap>,
    redactions: Vec<Redaction>,
}

impl<T> Collected<T> {
    fn new() -> Self {
        Collected {
            item: None,
            gaps: Vec::new(),
            redactions: Vec::new(),
        }
    }
}

/// Keeps the objects of `results` and moves their gaps and redactions into the snapshot's lists.
fn absorb<T>(
    results: Vec<Collected<T>>,
    gaps: &mut Vec<Gap>,
    redactions: &mut Vec<Redaction>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        gaps.extend(r.gaps);
        redactions.extend(r.redactions);
        out.extend(r.item);
    }
    out
}

/// The `ps_args` of a process listing. Docker runs the host's `ps` with them (default `-ef`).
/// Podman's compat API runs `ps` *inside the container* for anything but its own descriptors
/// (psgo, read from `/proc` on the host): that is an exec into the container, and with no `ps` in
/// the image it answers 200 with an empty body. So Podman gets descriptors, which it never execs for.
fn top_options(podman: bool) -> Option<TopOptions> {
    podman.then(|| TopOptions {
        ps_args: PODMAN_TOP_DESCRIPTORS.to_string(),
    })
}

/// psgo descriptors giving the columns Docker's `ps -ef` gives that the rules read.
const PODMAN_TOP_DESCRIPTORS: &str = "user,pid,ppid,args";

async fn collect_container(
    client: &EngineClient,
    id: String,
    listed_running: bool,
    podman: bool,
    options: &CollectOptions,
) -> Collected<Container> {
    let docker = &client.docker;
    let mut result = Collected::new();
    let (inspect, early_top, early_logs) = tokio::join!(
        docker.inspect_container(&id, None::<InspectContainerOptions>),
        async {
            if listed_running {
                Some(docker.top_processes(&id, top_options(podman)).await)
            } else {
                None
            }
        },
        async {
            if options.logs {
                Some(read_log_tail(client, &id, options).await)
            } else {
                None
            }
        }
    );
    let inspect = match inspect {
        Ok(answer) => answer,
        Err(e) => {
            let why = if is_not_found(&e) {
                "it was removed while the audit ran".to_string()
            } else {
                e.to_string()
            };
            result
                .gaps
                .push(gap(format!("container {}", short(&id)), why));
            return result;
        }
    };
    let mut value = to_value(&inspect);
    result
        .redactions
        .extend(redact_value(&mut value, "container", &id));
    let inspect = match convert(value, "container inspect") {
        Ok(i) => i,
        Err(e) => {
            result
                .gaps
                .push(gap(format!("container {}", short(&id)), e));
            return result;
        }
    };
    let mut container = Container {
        inspect,
        ..Default::default()
    };
    // A restarting container has no processes to list (the engine answers 409): not running.
    let state = &container.inspect.state;
    let running = state.running && !state.paused && !state.restarting;
    let wants_logs = options.logs && container.inspect.host_config.log_config.driver != "none";

    // The inspect is the truth: drop what does not apply, and catch a container that started
    // between the list and the inspect.
    let top = match (running, early_top) {
        (false, _) => None,
        (true, Some(answer)) => Some(answer),
        (true, None) => Some(docker.top_processes(&id, top_options(podman)).await),
    };
    let logs = if wants_logs { early_logs } else { None };

    container.top = top.map(|answer| match answer {
        Ok(t) => {
            let mut top = Top {
                titles: t.titles.unwrap_or_default(),
                processes: t.processes.unwrap_or_default(),
            };
            let command_column = top
                .titles
                .iter()
                .position(|t| t == "CMD" || t == "COMMAND" || t == "ARGS");
            if let Some(col) = command_column {
                for row in &mut top.processes {
                    if let Some(cmd) = row.get_mut(col) {
                        let found = redact_lines(std::slice::from_mut(cmd));
                        result.redactions.extend(
                            found
                                .into_iter()
                                .map(|m| redaction("container", &id, "top", m)),
                        );
                    }
                }
            }
            Fact::Value(top)
        }
        Err(e) => Fact::Missing(format!("processes could not be listed: {}", top_error(&e))),
    });
    container.logs = logs.map(|answer| match answer {
        Ok(mut tail) => {
            let found = redact_lines(&mut tail.lines);
            result.redactions.extend(
                found
                    .into_iter()
                    .map(|m| redaction("container", &id, "logs", m)),
            );
            Fact::Value(tail)
        }
        Err(why) => Fact::Missing(why),
    });
    result.item = Some(container);
    result
}

pub(crate) fn redaction(
    kind: &str,
    id: &str,
    field: &str,
    m: dockaudit_snapshot::redact::Masked,
) -> Redaction {
    Redaction {
        object_kind: kind.to_string(),
        object_id: id.to_string(),
        field: field.to_string(),
        key: m.key,
        reason: m.reason,
        masked: m.masked,
    }
}

/// Reads at most `log_lines` lines and `log_bytes` bytes of a container's log.
async fn read_log_tail(
    client: &EngineClient,
    id: &str,
    options: &CollectOptions,
) -> Result<LogTail, String> {
    let mut stream = client.docker.logs(
        id,
        Some(
            LogsOptionsBuilder::default()
                .stdout(true)
                .stderr(true)
                .follow(false)
                .tail(&options.log_lines.to_string())
                .build(),
        ),
    );
    let mut bytes: Vec<u8> = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("log could not be read: {e}"))?;
        let message = match &chunk {
            LogOutput::StdOut { message }
            | LogOutput::StdErr { message }
            | LogOutput::Console { message }
            | LogOutput::StdIn { message } => message,
        };
        let room = options.log_bytes.saturating_sub(bytes.len());
        if message.len() > room {
            bytes.extend_from_slice(&message[..room]);
            truncated = true;
            break;
        }
        bytes.extend_from_slice(message);
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    if truncated {
        // The last line was cut by the bound: drop the fragment.
        lines.pop();
    }
    Ok(LogTail { lines, truncated })
}

async fn collect_image(client: &EngineClient, id: String) -> Collected<Image> {
    let docker = &client.docker;
    let mut result = Collected::new();
    let (inspect, history) = tokio::join!(docker.inspect_image(&id), docker.image_history(&id));
    let inspect = match inspect {
        Ok(answer) => {
            let mut value = to_value(&answer);
            result
                .redactions
                .extend(redact_value(&mut value, "image", &id));
            match convert(value, "image inspect") {
                Ok(i) => i,
                Err(e) => {
                    result.gaps.push(gap(format!("image {}", short(&id)), e));
                    return result;
                }
            }
        }
        Err(e) => {
            let why = if is_not_found(&e) {
                "it was removed while the audit ran".to_string()
            } else {
                e.to_string()
            };
            result.gaps.push(gap(format!("image {}", short(&id)), why));
            return result;
        }
    };
    let history = match history {
        Ok(layers) => {
            let mut value = to_value(&layers);
            result
                .redactions
                .extend(redact_value(&mut value, "image", &id));
            match convert::<Vec<HistoryEntry>>(value, "image history") {
                Ok(h) => Fact::Value(h),
                Err(e) => Fact::Missing(e),
            }
        }
        Err(e) => Fact::Missing(format!("history could not be read: {e}")),
    };
    result.item = Some(Image {
        inspect,
        history: Some(history),
        contents: None,
    });
    result
}

/// A `top` failure in words: an empty answer (a JSON error at line 1 column 0) says so rather than
/// showing the parser's message.
fn top_error(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::JsonSerdeError { err } if err.line() == 1 && err.column() == 0 => {
            "the engine answered with an empty body".to_string()
        }
        other => other.to_string(),
    }
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

fn short(id: &str) -> &str {
    dockaudit_snapshot::engine::short_image_id(id)
}
