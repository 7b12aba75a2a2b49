//! Reading everything from the engine into a Snapshot: concurrently with a bound, GET requests only,
//! log tails capped, secret values masked as they arrive, and every failure kept as a gap.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bollard::container::LogOutput;
use bollard::query_parameters::{
    InspectContainerOptions, InspectNetworkOptions, ListContainersOptionsBuilder,
    ListImagesOptionsBuilder, ListNetworksOptions, ListVolumesOptions, LogsOptionsBuilder,
    TopOptions,
};
use dockaudit_snapshot::{
    Container, EngineInfo, EngineVersion, Fact, Gap, HistoryEntry, Image, LogTail, Network,
    ObjectList, Redaction, SizeRwSource, Snapshot, Top, TopSource, Volume, SNAPSHOT_SCHEMA_VERSION,
};
use futures_util::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::bounded::RequestError;
use crate::connect::EngineClient;
use crate::host::rootfs::HostRoot;
use crate::procs::ProcReader;
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
    /// Collect sizes where a finding reports them: the writable layer of each stopped container
    /// (its inspect with `size=1`) and the contents of each unused volume (measured on the host's
    /// disk when the engine is local). Never the size of every container (`/containers/json?size=1`,
    /// seconds on some storage drivers).
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
pub(crate) fn gap(what: impl Into<String>, why: impl std::fmt::Display) -> Gap {
    Gap {
        what: what.into(),
        why: why.to_string(),
    }
}

/// Re-reads a bollard answer as our own type (Docker's field names on both sides).
pub(crate) fn convert<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("unexpected shape of {what}: {e}"))
}

pub(crate) fn to_value<T: Serialize>(answer: &T) -> Value {
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
        client.within("GET /version", docker.version()),
        client.within("GET /info", docker.info()),
        client.within(
            ObjectList::Containers.request(),
            docker.list_containers(Some({
                // No `size`: it makes the engine compute every writable layer's size (seconds on
                // fuse-overlayfs), where only the stopped containers' are reported; those are read
                // with their inspect (`collect_container`).
                let mut b = ListContainersOptionsBuilder::default().all(true);
                if let Some(f) = &filters {
                    b = b.filters(f);
                }
                b.build()
            }))
        ),
        client.within(
            ObjectList::Images.request(),
            docker.list_images(Some({
                let mut b = ListImagesOptionsBuilder::default().all(false);
                if let Some(f) = &filters {
                    b = b.filters(f);
                }
                b.build()
            }))
        ),
        client.within(
            ObjectList::Networks.request(),
            docker.list_networks(Some(ListNetworksOptions {
                filters: filters.clone(),
            }))
        ),
        client.within(
            ObjectList::Volumes.request(),
            docker.list_volumes(Some(ListVolumesOptions {
                filters: filters.clone(),
            }))
        ),
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
    let local = LocalReads::new(options, &client.endpoint).await;
    let ((daemon, host), (containers, images, networks, volumes, objects)) = tokio::join!(
        daemon_and_host,
        collect_objects(client, options, lists, podman, &local)
    );
    gaps.extend(objects.gaps);
    let mut redactions = objects.redactions;
    let lists_failed = objects.lists_failed;

    // Podman also says it outright (`Rootless`, beside the security option).
    let rootless = info.as_ref().is_some_and(|i| {
        i.has_security_option("rootless") || i.extra.get("Rootless") == Some(&Value::Bool(true))
    });
    let engine = crate::engine_meta::engine_meta(client, version.as_ref(), rootless);
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
            size_source: dockaudit_snapshot::SizeSource::StoppedAndUnused,
            labels: options.labels.clone(),
        },
        daemon_config: Some(daemon.config),
        host: Some(host),
        firewall: Some(firewall),
        redactions,
        gaps,
        lists_failed,
    }
}

/// The engine's answers to the four list requests.
struct Lists {
    containers: Result<Vec<bollard::models::ContainerSummary>, RequestError>,
    images: Result<Vec<bollard::models::ImageSummary>, RequestError>,
    networks: Result<Vec<bollard::models::Network>, RequestError>,
    volumes: Result<bollard::models::VolumeListResponse, RequestError>,
}

/// What is read on the engine's host instead of asked of the engine: processes from `/proc`, and
/// unused volumes' sizes from their directories. Each is the reader, or why it cannot be used.
pub(crate) struct LocalReads {
    /// Reads containers' processes; `Err`: why the engine's `top` is asked instead.
    procs: Result<Arc<ProcReader>, String>,
    /// The engine's host root, for measuring volumes and layers; `Err`: why they cannot be.
    host: Result<HostRoot, String>,
    /// Bounds of every directory walk of the collection.
    bounds: crate::sizes::WalkBounds,
}

impl LocalReads {
    pub(crate) async fn new(
        options: &CollectOptions,
        endpoint: &crate::connect::Endpoint,
    ) -> LocalReads {
        let root = crate::host::root_for(options.host_root.as_deref(), endpoint);
        let procs = match root.clone() {
            Ok(root) => tokio::task::spawn_blocking(move || ProcReader::new(&root))
                .await
                .unwrap_or_else(|e| Err(format!("reading /proc stopped: {e}")))
                .map(Arc::new),
            Err(why) => Err(why),
        };
        LocalReads {
            procs,
            host: root.map(HostRoot::new),
            bounds: crate::sizes::WalkBounds::standard(),
        }
    }
}

/// The gaps met and secrets masked while reading the engine's objects, and the lists that failed.
#[derive(Default)]
struct Notes {
    gaps: Vec<Gap>,
    redactions: Vec<Redaction>,
    lists_failed: BTreeMap<ObjectList, String>,
}

impl Notes {
    /// Records that `list` could not be read: a gap, and the mark that makes the rules reading it
    /// skip (an empty list must not read as "nothing there").
    fn list_failed(&mut self, list: ObjectList, error: RequestError) {
        let why = error.to_string();
        self.gaps
            .push(gap(format!("{} ({})", list.noun(), list.request()), &why));
        self.lists_failed.insert(list, why);
    }
}

/// Keeps the first of each id: an engine that lists an object twice gets it collected once.
fn first_of_each(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Every listed container, image and network inspected, and the volumes converted.
async fn collect_objects(
    client: &EngineClient,
    options: &CollectOptions,
    lists: Lists,
    podman: bool,
    local: &LocalReads,
) -> (Vec<Container>, Vec<Image>, Vec<Network>, Vec<Volume>, Notes) {
    let mut notes = Notes::default();
    let Lists {
        containers: container_list,
        images: image_list,
        networks: network_list,
        volumes: volume_list,
    } = lists;

    // Containers: inspect, processes and a log tail, all concurrently with a bound.
    let containers_listed = container_list.is_ok();
    let containers: Vec<Container> = match container_list {
        Ok(list) => {
            // The list's state lets processes and logs be fetched alongside the inspect instead
            // of after it (one round trip per container instead of two), and says which
            // containers' sizes a finding will report (the stopped ones).
            let mut seen = std::collections::HashSet::new();
            let ids: Vec<(String, ListedState)> = list
                .into_iter()
                .filter(|c| c.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
                .filter_map(|c| {
                    let state = c.state.map(|s| s.to_string()).unwrap_or_default();
                    Some((c.id?, ListedState::of(&state)))
                })
                .collect();
            let results: Vec<Collected<Container>> = stream::iter(ids)
                .map(|(id, listed)| collect_container(client, id, listed, podman, options, local))
                .buffered(options.concurrency.max(1))
                .collect()
                .await;
            absorb(results, &mut notes)
        }
        Err(e) => {
            notes.list_failed(ObjectList::Containers, e);
            Vec::new()
        }
    };

    // The unused volumes' sizes, measured on the host's disk while images and networks are
    // inspected (only those LCY004 reports, and not when a label filter hides their users).
    let volume_list = volume_list.map(|list| {
        // Without the container list every volume would look unused.
        let measure = options.disk_usage && options.labels.is_empty() && containers_listed;
        let unused: Vec<bollard::models::Volume> = list
            .volumes
            .iter()
            .flatten()
            .filter(|v| measure && !containers.iter().any(|c| c.uses_volume(&v.name)))
            .cloned()
            .collect();
        let (host, bounds) = (local.host.clone(), local.bounds);
        let sizes = tokio::task::spawn_blocking(move || {
            unused
                .into_iter()
                .filter_map(|v| {
                    let volume: Volume = convert(to_value(&v), "volume").ok()?;
                    let size = crate::sizes::measure_volume(
                        host.as_ref().map_err(String::as_str),
                        &volume,
                        bounds,
                    );
                    Some((v.name, size))
                })
                .collect::<HashMap<String, Fact<dockaudit_snapshot::MeasuredSize>>>()
        });
        (list, sizes)
    });

    let images: Vec<Image> = match image_list {
        Ok(list) => {
            let ids = first_of_each(list.into_iter().map(|i| i.id));
            let results: Vec<Collected<Image>> = stream::iter(ids)
                .map(|id| collect_image(client, id))
                .buffered(options.concurrency.max(1))
                .collect()
                .await;
            absorb(results, &mut notes)
        }
        Err(e) => {
            notes.list_failed(ObjectList::Images, e);
            Vec::new()
        }
    };

    let networks: Vec<Network> = match network_list {
        Ok(list) => {
            let ids = first_of_each(list.into_iter().filter_map(|n| n.id));
            let results: Vec<Result<Network, Gap>> = stream::iter(ids)
                .map(|id| collect_network(client, id))
                .buffered(options.concurrency.max(1))
                .collect()
                .await;
            let mut out = Vec::new();
            for r in results {
                match r {
                    Ok(n) => out.push(n),
                    // A network removed mid-audit is a gap, not a failure.
                    Err(g) => notes.gaps.push(g),
                }
            }
            out
        }
        Err(e) => {
            notes.list_failed(ObjectList::Networks, e);
            Vec::new()
        }
    };

    let volumes: Vec<Volume> = match volume_list {
        Ok((list, sizes)) => {
            let mut sizes = sizes.await.unwrap_or_default();
            let mut out = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for v in list.volumes.into_iter().flatten() {
                let name = v.name.clone();
                if !seen.insert(name.clone()) {
                    continue;
                }
                let mut value = to_value(&v);
                notes
                    .redactions
                    .extend(redact_value(&mut value, "volume", &name));
                match convert::<Volume>(value, "volume") {
                    Ok(mut v) => {
                        v.measured_size = sizes.remove(&name);
                        out.push(v)
                    }
                    Err(e) => notes.gaps.push(gap(format!("volume {name}"), e)),
                }
            }
            for w in list.warnings.into_iter().flatten() {
                notes.gaps.push(gap("volumes", w));
            }
            out
        }
        Err(e) => {
            notes.list_failed(ObjectList::Volumes, e);
            Vec::new()
        }
    };

    (containers, images, networks, volumes, notes)
}

/// One network's inspect, its driver options masked; a gap when it cannot be read (a network
/// removed mid-audit is a gap, not a failure).
pub(crate) async fn collect_network(client: &EngineClient, id: String) -> Result<Network, Gap> {
    let answer = client
        .within(
            format!("GET /networks/{id}"),
            client
                .docker
                .inspect_network(&id, None::<InspectNetworkOptions>),
        )
        .await
        .map_err(|e| gap(format!("network {id}"), e))?;
    let mut value = to_value(&answer);
    // Network options rarely hold secrets, but a driver option may: mask them too.
    let _ = redact_value(&mut value, "network", &id);
    convert(value, "network inspect").map_err(|e| gap(format!("network {id}"), e))
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
pub(crate) struct Collected<T> {
    pub(crate) item: Option<T>,
    pub(crate) gaps: Vec<Gap>,
    pub(crate) redactions: Vec<Redaction>,
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

/// Keeps the objects of `results` and moves their gaps and redactions into `notes`.
fn absorb<T>(results: Vec<Collected<T>>, notes: &mut Notes) -> Vec<T> {
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        notes.gaps.extend(r.gaps);
        notes.redactions.extend(r.redactions);
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

/// What the container list said of a container's state: what to fetch with its inspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListedState {
    Running,
    /// Exited, created or dead: the states whose writable layer LCY003 reports.
    Stopped,
    /// Paused, restarting, removing.
    Other,
}

impl ListedState {
    pub(crate) fn of(state: &str) -> ListedState {
        match state.to_ascii_lowercase().as_str() {
            "running" => ListedState::Running,
            "exited" | "created" | "dead" => ListedState::Stopped,
            _ => ListedState::Other,
        }
    }
}

pub(crate) async fn collect_container(
    client: &EngineClient,
    id: String,
    listed: ListedState,
    podman: bool,
    options: &CollectOptions,
    local: &LocalReads,
) -> Collected<Container> {
    let docker = &client.docker;
    let mut result = Collected::new();
    // The writable layer's size is reported for stopped containers only, so only theirs is read:
    // on the host's disk when it can be (the inspect says where), else asked in the inspect
    // itself (one request, not two).
    let with_size = options.disk_usage && listed == ListedState::Stopped;
    let size_on_disk = with_size && local.host.is_ok();
    // The engine's `top` goes alongside the inspect when `/proc` cannot be read instead; `/proc`
    // needs the inspect's `State.Pid`.
    let engine_top_early = listed == ListedState::Running && local.procs.is_err();
    let (inspect, early_top, early_logs) = tokio::join!(
        client.within(
            format!("GET /containers/{}/json", short(&id)),
            docker.inspect_container(
                &id,
                Some(InspectContainerOptions {
                    size: with_size && !size_on_disk
                })
            )
        ),
        async {
            if engine_top_early {
                Some(engine_top(client, &id, podman).await)
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
            let why = if e.is_not_found() {
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
    let (size_rw, size_rw_source) = if size_on_disk {
        writable_layer_size(client, local, &id, value.get("GraphDriver")).await
    } else if with_size {
        (inspect.size_rw, Some(SizeRwSource::Engine))
    } else {
        (None, None)
    };
    // The sizes are kept beside the inspect (`size_rw`), which reads the same however it was asked.
    if let Some(fields) = value.as_object_mut() {
        fields.remove("SizeRw");
        fields.remove("SizeRootFs");
    }
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
        size_rw: size_rw_source.and(size_rw),
        size_rw_source: size_rw.and(size_rw_source),
        ..Default::default()
    };
    // A restarting container has no processes to list (the engine answers 409): not running.
    let state = &container.inspect.state;
    let running = state.running && !state.paused && !state.restarting;
    let wants_logs = options.logs && container.inspect.host_config.log_config.driver != "none";

    // The inspect is the truth: drop what does not apply, and catch a container that started
    // between the list and the inspect.
    if running {
        let (top, source) = match early_top {
            Some(answer) => {
                container.top_fallback = local.procs.as_ref().err().cloned();
                (answer, TopSource::Engine)
            }
            None => match processes_from_proc(local, &container).await {
                Ok(top) => (Ok(top), TopSource::Proc),
                Err(why) => {
                    container.top_fallback = Some(why);
                    (engine_top(client, &id, podman).await, TopSource::Engine)
                }
            },
        };
        container.top_source = Some(source);
        container.top = Some(match top {
            Ok(mut top) => {
                mask_commands(&mut top, &id, &mut result.redactions);
                Fact::Value(top)
            }
            Err(why) => Fact::Missing(format!("processes could not be listed: {why}")),
        });
    }
    let logs = if wants_logs { early_logs } else { None };
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

/// A stopped container's writable-layer size measured on the host's disk, else asked of the
/// engine (a second inspect, with `size=1`), with where it came from.
async fn writable_layer_size(
    client: &EngineClient,
    local: &LocalReads,
    id: &str,
    graph_driver: Option<&Value>,
) -> (Option<i64>, Option<SizeRwSource>) {
    if let Ok(host) = &local.host {
        let (host, graph_driver, bounds) = (host.clone(), graph_driver.cloned(), local.bounds);
        let measured = tokio::task::spawn_blocking(move || {
            crate::sizes::measure_writable_layer(&host, graph_driver.as_ref(), bounds)
        })
        .await;
        if let Ok(Ok(bytes)) = measured {
            return (Some(bytes), Some(SizeRwSource::UpperDir));
        }
    }
    let sized = client.within(
        format!("GET /containers/{}/json?size=1", short(id)),
        client
            .docker
            .inspect_container(id, Some(InspectContainerOptions { size: true })),
    );
    match sized.await {
        Ok(answer) => (answer.size_rw, Some(SizeRwSource::Engine)),
        Err(_) => (None, None),
    }
}

/// A running container's processes read from the host's `/proc` (see [`ProcReader`]), or why
/// they cannot be.
async fn processes_from_proc(local: &LocalReads, container: &Container) -> Result<Top, String> {
    let reader = local.procs.as_ref().map_err(Clone::clone)?.clone();
    let pid = container
        .inspect
        .state
        .extra
        .get("Pid")
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| *p > 0)
        .ok_or_else(|| "the engine gave no process id (State.Pid)".to_string())?;
    let id = container.inspect.id.clone();
    let shares_host_pid = container.inspect.host_config.pid_mode == "host";
    tokio::task::spawn_blocking(move || reader.container_top(&id, pid, shares_host_pid))
        .await
        .unwrap_or_else(|e| Err(format!("reading /proc stopped: {e}")))
}

/// The engine's process listing of a container (`GET /containers/{id}/top`), or why not.
async fn engine_top(client: &EngineClient, id: &str, podman: bool) -> Result<Top, String> {
    top(client, id, podman)
        .await
        .map(|t| Top {
            titles: t.titles.unwrap_or_default(),
            processes: t.processes.unwrap_or_default(),
        })
        .map_err(|e| top_error(&e))
}

/// Masks secrets in the command column of a process listing, whatever its source.
fn mask_commands(top: &mut Top, id: &str, redactions: &mut Vec<Redaction>) {
    let command_column = top
        .titles
        .iter()
        .position(|t| t == "CMD" || t == "COMMAND" || t == "ARGS");
    if let Some(col) = command_column {
        for row in &mut top.processes {
            if let Some(cmd) = row.get_mut(col) {
                let found = redact_lines(std::slice::from_mut(cmd));
                redactions.extend(
                    found
                        .into_iter()
                        .map(|m| redaction("container", id, "top", m)),
                );
            }
        }
    }
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

/// A running container's processes (`GET /containers/{id}/top`), under the deadline.
async fn top(
    client: &EngineClient,
    id: &str,
    podman: bool,
) -> Result<bollard::models::ContainerTopResponse, RequestError> {
    client
        .within(
            format!("GET /containers/{}/top", short(id)),
            client.docker.top_processes(id, top_options(podman)),
        )
        .await
}

/// Reads at most `log_lines` lines and `log_bytes` bytes of a container's log, the whole read
/// under the deadline (a stream that stalls or trickles ends there).
async fn read_log_tail(
    client: &EngineClient,
    id: &str,
    options: &CollectOptions,
) -> Result<LogTail, String> {
    let (bytes, truncated) = client
        .within(
            format!("GET /containers/{}/logs", short(id)),
            read_log_bytes(client, id, options),
        )
        .await
        .map_err(
            |e| match client.cut_at_bound(&format!("/containers/{id}/logs")) {
                // The log decoder keeps only the words of the body error: say what cut it.
                Some(too_large) => format!("log could not be read: {too_large}"),
                None => format!("log could not be read: {e}"),
            },
        )?;
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

/// The log's bytes up to the bounds, and whether a bound cut them.
async fn read_log_bytes(
    client: &EngineClient,
    id: &str,
    options: &CollectOptions,
) -> Result<(Vec<u8>, bool), bollard::errors::Error> {
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
        let chunk = chunk?;
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
    Ok((bytes, truncated))
}

pub(crate) async fn collect_image(client: &EngineClient, id: String) -> Collected<Image> {
    let docker = &client.docker;
    let mut result = Collected::new();
    let (inspect, history) = tokio::join!(
        client.within(
            format!("GET /images/{}/json", short(&id)),
            docker.inspect_image(&id)
        ),
        client.within(
            format!("GET /images/{}/history", short(&id)),
            docker.image_history(&id)
        )
    );
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
            let why = if e.is_not_found() {
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
fn top_error(e: &RequestError) -> String {
    match e.engine_error() {
        Some(bollard::errors::Error::JsonSerdeError { err })
            if err.line() == 1 && err.column() == 0 =>
        {
            "the engine answered with an empty body".to_string()
        }
        _ => e.to_string(),
    }
}

fn short(id: &str) -> &str {
    dockaudit_snapshot::engine::short_image_id(id)
}
