//! Collecting from a live engine: the async runtime, the connection and the collection, shared by
//! `audit`, `baseline`, `collect` and `watch`.

use std::time::Duration;

use anyhow::{Context, Result};
use dockaudit_collect::{CollectOptions, Endpoint, EndpointEnv};
use dockaudit_snapshot::Snapshot;

use crate::cli::EngineArgs;
use crate::commands::image as image_cmd;

/// The multi-threaded runtime the collector runs on.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Connects to the engine and collects a snapshot; with a `scan` plan, also looks inside the images
/// the (selected) containers use. `progress`: a spinner on stderr while collecting (terminals only;
/// the caller decides, never in JSON mode).
pub fn collect_live(
    engine: &EngineArgs,
    labels: Vec<String>,
    scan: Option<image_cmd::ScanPlan>,
    progress: bool,
) -> Result<Snapshot> {
    let endpoint = single_endpoint(engine)?;
    let options = collect_options(engine, labels);
    let rt = runtime()?;
    rt.block_on(async {
        let client =
            dockaudit_collect::connect(endpoint, Duration::from_secs(engine.timeout_secs()))
                .await?;
        Ok(collect_from(&client, &options, scan.as_ref(), progress).await)
    })
}

/// What the engine flags ask to collect.
pub fn collect_options(engine: &EngineArgs, labels: Vec<String>) -> CollectOptions {
    CollectOptions {
        logs: !engine.no_logs,
        disk_usage: !engine.no_sizes,
        concurrency: engine.concurrency(),
        labels,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        host_root: engine.host_root.clone(),
        ..CollectOptions::default()
    }
}

/// Collects a snapshot over an open connection (and scans the images by `scan`); `collect_live`,
/// each host of a fleet and the full audits of `watch` share it.
pub async fn collect_from(
    client: &dockaudit_collect::EngineClient,
    options: &CollectOptions,
    scan: Option<&image_cmd::ScanPlan>,
    progress: bool,
) -> Snapshot {
    let spinner = spinner(
        progress,
        &format!("collecting from {}", client.endpoint.url()),
    );
    let mut snapshot = dockaudit_collect::collect(client, options).await;
    spinner.finish_and_clear();
    if let Some(plan) = scan {
        image_cmd::scan_for_audit(client, &mut snapshot, plan).await;
    }
    snapshot
}

/// A spinner on stderr while collecting, or a hidden one.
fn spinner(progress: bool, message: &str) -> indicatif::ProgressBar {
    if !progress {
        return indicatif::ProgressBar::hidden();
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// One engine a fleet audit reaches: the label its findings carry, and where it is.
#[derive(Debug, Clone)]
pub struct HostTarget {
    /// `--host` as a URL (`unix:///var/run/docker.sock`), or the context's name.
    pub label: String,
    /// Where the engine is.
    pub endpoint: Endpoint,
}

/// Every engine `--host` and `--context` name, in that order, each once; with neither, the one
/// engine the Docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT, the current context of
/// `docker context use`, then the usual sockets). A malformed URL or an unknown context is
/// an error here, before any engine is reached: it is a mistake in what was typed, not a host that
/// is down.
pub fn host_targets(engine: &EngineArgs) -> Result<Vec<HostTarget>> {
    targets_of(&engine.host, &engine.contexts)
}

/// [`host_targets`] of `--host` URLs and `--context` names given apart (`image` has no
/// [`EngineArgs`]).
pub fn targets_of(hosts: &[String], contexts: &[String]) -> Result<Vec<HostTarget>> {
    let env = EndpointEnv::from_process();
    let mut targets: Vec<HostTarget> = Vec::new();
    for host in hosts {
        let endpoint = dockaudit_collect::resolve_endpoint(Some(host), &env)?;
        targets.push(HostTarget {
            label: endpoint.url(),
            endpoint,
        });
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let dir = dockaudit_collect::contexts::docker_config_dir(
        var("DOCKER_CONFIG").as_deref(),
        var("HOME").as_deref(),
    );
    let mut contexts = contexts.to_vec();
    if targets.is_empty() && contexts.is_empty() {
        // As the Docker CLI: DOCKER_HOST, else DOCKER_CONTEXT, else `docker context use`'s choice.
        contexts.extend(dockaudit_collect::contexts::implicit_context(
            &dir,
            env.docker_host.as_deref(),
            var("DOCKER_CONTEXT").as_deref(),
        )?);
    }
    for name in &contexts {
        let endpoint = dockaudit_collect::contexts::context_endpoint(name, &dir, &env)?;
        targets.push(HostTarget {
            label: name.clone(),
            endpoint,
        });
    }
    if targets.is_empty() {
        let endpoint = dockaudit_collect::resolve_endpoint(None, &env)?;
        targets.push(HostTarget {
            label: endpoint.url(),
            endpoint,
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    targets.retain(|t| seen.insert(t.label.clone()));
    Ok(targets)
}

/// The one engine of a command that reads one (`collect`, `baseline`, a single-host `audit`).
pub fn single_endpoint(engine: &EngineArgs) -> Result<Endpoint> {
    one_endpoint(host_targets(engine)?)
}

/// The one engine of `targets`, or an error saying to use `merge` or `audit` for several.
pub fn one_endpoint(mut targets: Vec<HostTarget>) -> Result<Endpoint> {
    if targets.len() > 1 {
        anyhow::bail!(
            "this command reads one engine, and {} were given; collect each host on its own and combine the snapshots with `dockaudit merge`, or audit them together with `dockaudit audit`",
            targets.len()
        );
    }
    Ok(targets.remove(0).endpoint)
}

/// Connects to every target and collects its snapshot, all at once on one task (each host with
/// its own client, so its own deadlines and its own bound on requests in flight). A host that
/// cannot be reached is an `Err` with why, beside the others' snapshots, in the order given.
pub fn collect_fleet(
    engine: &EngineArgs,
    targets: &[HostTarget],
    scan: Option<image_cmd::ScanPlan>,
    progress: bool,
) -> Result<Vec<Result<Snapshot, String>>> {
    let options = collect_options(engine, Vec::new());
    let timeout = Duration::from_secs(engine.timeout_secs());
    let rt = runtime()?;
    Ok(rt.block_on(async {
        let spinner = spinner(
            progress,
            &format!("collecting from {} hosts", targets.len()),
        );
        let each = targets.iter().map(|t| {
            let (options, scan) = (&options, &scan);
            async move {
                let client = dockaudit_collect::connect(t.endpoint.clone(), timeout)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(collect_from(&client, options, scan.as_ref(), false).await)
            }
        });
        let snapshots = futures_util::future::join_all(each).await;
        spinner.finish_and_clear();
        snapshots
    }))
}
