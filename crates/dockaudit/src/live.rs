//! Collecting from a live engine: the async runtime, the connection and the collection, shared by
//! `audit`, `baseline`, `collect` and `watch`.

use std::time::Duration;

use anyhow::{Context, Result};
use dockaudit_collect::{CollectOptions, EndpointEnv};
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
    let endpoint = resolve(engine)?;
    let options = collect_options(engine, labels);
    let rt = runtime()?;
    rt.block_on(async {
        let client =
            dockaudit_collect::connect(endpoint, Duration::from_secs(engine.timeout_secs()))
                .await?;
        Ok(collect_from(&client, &options, scan.as_ref(), progress).await)
    })
}

/// The endpoint `--host`, DOCKER_HOST or the default sockets name.
pub fn resolve(engine: &EngineArgs) -> Result<dockaudit_collect::Endpoint> {
    Ok(dockaudit_collect::resolve_endpoint(
        engine.host.as_deref(),
        &EndpointEnv::from_process(),
    )?)
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

/// Collects a snapshot over an open connection (and scans the images by `scan`); `collect_live`
/// and the full audits of `watch` share it.
pub async fn collect_from(
    client: &dockaudit_collect::EngineClient,
    options: &CollectOptions,
    scan: Option<&image_cmd::ScanPlan>,
    progress: bool,
) -> Snapshot {
    let spinner = if progress {
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_message(format!("collecting from {}", client.endpoint.url()));
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut snapshot = dockaudit_collect::collect(client, options).await;
    spinner.finish_and_clear();
    if let Some(plan) = scan {
        image_cmd::scan_for_audit(client, &mut snapshot, plan).await;
    }
    snapshot
}
