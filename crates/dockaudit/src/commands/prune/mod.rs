//! `dockaudit prune plan | apply | restore`: a reviewed plan of orphaned resources, a verified
//! backup first, removal of exactly what was reviewed (re-checked unchanged and unused), and
//! restore. The only commands that change the engine; every mutating request they send is in
//! `dockaudit_collect::mutate`.
//!
//! What is orphaned is what the lifecycle rules say (LCY001 dangling image, LCY002 unused image,
//! LCY003 stopped container, LCY004 unused volume, LCY005 unused network), run over a snapshot
//! of the whole engine, so "unused" is judged against every container; the plan's own filters
//! (`--label`, `--keep-label`, `--older-than`) only narrow what is listed.

pub mod apply;
pub mod backup;
pub mod plan;
pub mod plan_file;
pub mod restore;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use dockaudit_collect::{CollectOptions, EngineClient};
use dockaudit_rules::{AuditOptions, RuleSelection, TargetFilter, RULES};
use dockaudit_snapshot::{Fact, Snapshot};
use serde_json::json;

use crate::cli::EngineArgs;
use plan_file::{PlanItem, PlanOptions};

/// The label that always keeps an object out of a plan.
pub const KEEP_LABEL: &str = "dockaudit.keep=true";

/// `dockaudit prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// What to do.
    #[command(subcommand)]
    pub verb: PruneVerb,
}

/// The verbs of `dockaudit prune`.
#[derive(Debug, Subcommand)]
pub enum PruneVerb {
    /// List what is orphaned (changes nothing) and write the plan to review.
    Plan(plan::PlanArgs),
    /// Back up, then remove exactly the items of a reviewed plan that are still unused and unchanged.
    Apply(apply::ApplyArgs),
    /// Re-create what a backup holds: volumes with their files, images, networks, containers (not started).
    Restore(restore::RestoreArgs),
}

/// Runs `dockaudit prune`.
pub fn run(args: PruneArgs) -> Result<ExitCode> {
    match args.verb {
        PruneVerb::Plan(a) => plan::run(a),
        PruneVerb::Apply(a) => apply::run(a),
        PruneVerb::Restore(a) => restore::run(a),
    }
}

/// How `prune` reaches the engine: `audit`'s engine options without `--no-logs` and
/// `--no-sizes` (prune reads no logs, and always the sizes the plan reports).
#[derive(Debug, Args, Clone)]
pub struct PruneEngineArgs {
    /// Engine endpoint: unix:///path/to.sock, tcp://HOST:PORT (TLS with DOCKER_TLS_VERIFY=1 and
    /// DOCKER_CERT_PATH). Default: DOCKER_HOST, then the Docker, rootless Docker and Podman sockets.
    #[arg(short = 'H', long, value_name = "URL")]
    pub host: Option<String>,
    /// Seconds any one engine request may take, its whole answer (or upload) included; 0: no
    /// limit [default: 30].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Engine requests in flight at once while looking at the engine [default: 16].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// The engine host's root directory, where volumes are measured (default /: only when the
    /// engine is local).
    #[arg(long, value_name = "DIR")]
    pub host_root: Option<std::path::PathBuf>,
}

impl PruneEngineArgs {
    /// As the collector's engine options.
    pub fn engine(&self) -> EngineArgs {
        EngineArgs {
            host: self.host.iter().cloned().collect(),
            contexts: Vec::new(),
            timeout: self.timeout,
            concurrency: self.concurrency,
            no_logs: true,
            no_sizes: false,
            host_root: self.host_root.clone(),
        }
    }
}

/// The lifecycle rules a plan is made of, and which option adds each.
fn lifecycle_rules(options: &PlanOptions) -> Vec<String> {
    let mut rules = vec!["LCY001".to_string(), "LCY003".into(), "LCY005".into()];
    if options.all_images {
        rules.push("LCY002".into());
    }
    if options.volumes {
        rules.push("LCY004".into());
    }
    rules
}

/// Connects to the engine named by `engine`.
pub(crate) async fn connect(engine: &EngineArgs) -> Result<EngineClient> {
    let endpoint = crate::live::single_endpoint(engine)?;
    Ok(dockaudit_collect::connect(endpoint, Duration::from_secs(engine.timeout_secs())).await?)
}

/// A snapshot of the whole engine (every object, sizes of stopped containers and unused
/// volumes, no logs): what the lifecycle rules read.
pub(crate) async fn snapshot(client: &EngineClient, engine: &EngineArgs) -> Result<Snapshot> {
    let options = CollectOptions {
        logs: false,
        disk_usage: true,
        concurrency: engine.concurrency(),
        labels: Vec::new(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        host_root: engine.host_root.clone(),
        ..CollectOptions::default()
    };
    let snapshot = dockaudit_collect::collect(client, &options).await;
    let fatal = snapshot.fatal_gaps();
    if !fatal.is_empty() {
        bail!("{}: nothing can be judged unused", fatal.join("; "));
    }
    Ok(snapshot)
}

/// The orphans of `snapshot` under `options`, in removal order: containers, then images
/// (children before parents), volumes, networks. Fails when a rule could not judge (a list the
/// engine did not give): a plan must not be made of a partial picture.
/// `host_root`: `--host-root`, where volume directories are read for the risks (else `/`).
pub(crate) fn candidates(
    snapshot: &Snapshot,
    options: &PlanOptions,
    host_root: Option<&std::path::Path>,
) -> Result<Vec<PlanItem>> {
    let selection = RuleSelection::new(&lifecycle_rules(options), &[], RULES)?;
    let filter = TargetFilter::new(&[], &[], &options.labels, &options.keep_labels)?;
    let audit = AuditOptions {
        selection,
        filter,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        ..AuditOptions::default()
    };
    let report = dockaudit_rules::audit(snapshot, RULES, &audit);
    if let Some(skip) = report.skipped.iter().find(|s| s.target.is_none()) {
        bail!(
            "{} could not judge what is unused: {}",
            skip.rule,
            skip.reason
        );
    }
    let now = parse_time(&snapshot.collected_at)
        .with_context(|| format!("the snapshot's time `{}`", snapshot.collected_at))?;
    let mut items = Vec::new();
    for finding in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let Some(item) = describe(snapshot, &finding.target.kind, &finding.target.id, now) else {
            continue;
        };
        if item.age_secs < options.older_than_secs {
            continue;
        }
        items.push(PlanItem {
            why: format!("{} {}", finding.rule, finding.message),
            ..item
        });
    }
    add_risks(snapshot, &mut items, options, host_root);
    items.sort_by_key(|i| removal_rank(snapshot, i));
    Ok(items)
}

/// Containers first (they hold images and volumes), then images with more layers before those
/// they may be built on, then volumes, then networks.
fn removal_rank(snapshot: &Snapshot, item: &PlanItem) -> (u8, std::cmp::Reverse<usize>, String) {
    let kind = match item.kind.as_str() {
        "container" => 0,
        "image" => 1,
        "volume" => 2,
        _ => 3,
    };
    let layers = snapshot
        .images
        .iter()
        .find(|i| i.inspect.id == item.id)
        .map_or(0, |i| layers(i).len());
    (kind, std::cmp::Reverse(layers), item.name.clone())
}

fn layers(image: &dockaudit_snapshot::Image) -> Vec<String> {
    image
        .inspect
        .extra
        .get("RootFS")
        .and_then(|r| r.get("Layers"))
        .and_then(|l| l.as_array())
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The plan item for one target the rules reported, without `why` and risks.
pub(crate) fn describe(snapshot: &Snapshot, kind: &str, id: &str, now: i64) -> Option<PlanItem> {
    let age = |since: &str| parse_time(since).map_or(0, |t| u64::try_from(now - t).unwrap_or(0));
    let item = |name: String, since: String, bytes: Option<u64>, state| PlanItem {
        kind: kind.to_string(),
        id: id.to_string(),
        name,
        age_secs: age(&since),
        since,
        bytes,
        why: String::new(),
        risks: Vec::new(),
        state,
    };
    match kind {
        "container" => {
            let c = snapshot.containers.iter().find(|c| c.inspect.id == id)?;
            let s = &c.inspect.state;
            let since = if s.finished_at.is_empty() || s.finished_at.starts_with("0001-") {
                c.inspect.created.clone()
            } else {
                s.finished_at.clone()
            };
            Some(item(
                c.name().to_string(),
                since,
                c.size_rw.and_then(|b| u64::try_from(b).ok()),
                json!({
                    "Status": s.status,
                    "StartedAt": s.started_at,
                    "FinishedAt": s.finished_at,
                    "Image": c.inspect.image,
                    "Created": c.inspect.created,
                }),
            ))
        }
        "image" => {
            let i = snapshot.images.iter().find(|i| i.inspect.id == id)?;
            Some(item(
                i.display_name(),
                i.inspect.created.clone(),
                u64::try_from(i.inspect.size).ok(),
                json!({"RepoTags": i.inspect.repo_tags, "Created": i.inspect.created}),
            ))
        }
        "volume" => {
            let v = snapshot.volumes.iter().find(|v| v.name == id)?;
            let measured = match &v.measured_size {
                Some(Fact::Value(m)) if m.complete => Some(m),
                _ => None,
            };
            Some(item(
                v.name.clone(),
                v.created_at.clone(),
                measured.map(|m| m.bytes),
                json!({
                    "CreatedAt": v.created_at,
                    "Driver": v.driver,
                    "Labels": v.labels,
                    "Bytes": measured.map(|m| m.bytes),
                    "Files": measured.map(|m| m.files),
                }),
            ))
        }
        "network" => {
            let n = snapshot.networks.iter().find(|n| n.id == id)?;
            Some(item(
                n.name.clone(),
                n.created.clone(),
                None,
                json!({"Created": n.created, "Driver": n.driver, "Labels": n.labels}),
            ))
        }
        _ => None,
    }
}

/// What could break: a stopped container of a compose project that still runs; an image another
/// image (not in the plan) is built on; a volume written recently.
fn add_risks(
    snapshot: &Snapshot,
    items: &mut [PlanItem],
    options: &PlanOptions,
    host_root: Option<&std::path::Path>,
) {
    let planned: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let mut running_per_project: BTreeMap<&str, usize> = BTreeMap::new();
    for c in snapshot
        .containers
        .iter()
        .filter(|c| c.status() == "running")
    {
        if let Some(p) = c.label("com.docker.compose.project") {
            *running_per_project.entry(p).or_default() += 1;
        }
    }
    for item in items.iter_mut() {
        match item.kind.as_str() {
            "container" => {
                let project = snapshot
                    .containers
                    .iter()
                    .find(|c| c.inspect.id == item.id)
                    .and_then(|c| c.label("com.docker.compose.project"));
                if let Some((p, n)) =
                    project.and_then(|p| running_per_project.get(p).map(|n| (p, n)))
                {
                    item.risks.push(format!(
                        "compose project `{p}` still has {n} running container{}",
                        if *n == 1 { "" } else { "s" }
                    ));
                }
            }
            "image" => {
                let Some(image) = snapshot.images.iter().find(|i| i.inspect.id == item.id) else {
                    continue;
                };
                let own = layers(image);
                if own.is_empty() {
                    continue;
                }
                for child in snapshot.images.iter().filter(|i| {
                    let theirs = layers(i);
                    theirs.len() > own.len() && theirs.starts_with(&own)
                }) {
                    if !planned.contains(&child.inspect.id) {
                        item.risks.push(format!(
                            "image {} (not in this plan) is built on it",
                            child.display_name()
                        ));
                    }
                }
            }
            "volume" => {
                let Some(v) = snapshot.volumes.iter().find(|v| v.name == item.id) else {
                    continue;
                };
                // Only where the collector could read the volume's directory (a local engine, or
                // `--host-root`): a remote engine's mount point names nothing here.
                if !matches!(v.measured_size, Some(Fact::Value(_))) {
                    continue;
                }
                let dir = match host_root {
                    Some(root) => root.join(v.mountpoint.trim_start_matches('/')),
                    None => std::path::PathBuf::from(&v.mountpoint),
                };
                let Some((files, newest)) = newest_file(&dir) else {
                    continue;
                };
                if files == 0 {
                    item.risks.push("it holds no file".to_string());
                } else {
                    let now = parse_time(&snapshot.collected_at).unwrap_or(newest);
                    let since = u64::try_from(now - newest).unwrap_or(0);
                    let note = format!(
                        "{files} file{}, the newest written {} ago",
                        if files == 1 { "" } else { "s" },
                        human_age(since)
                    );
                    if since < options.older_than_secs.max(86_400) {
                        item.risks.push(format!("recent writes: {note}"));
                    } else {
                        item.risks.push(note);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Files under a local volume's directory and the newest modification time (seconds since the
/// epoch); `None` when it cannot be read here (a remote engine, not root). At most 200 000
/// entries are read.
fn newest_file(dir: &std::path::Path) -> Option<(u64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let mut todo = vec![dir.to_path_buf()];
    std::fs::read_dir(&todo[0]).ok()?;
    let (mut files, mut newest, mut seen) = (0u64, 0i64, 0u32);
    while let Some(dir) = todo.pop() {
        let Ok(listing) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in listing.flatten() {
            seen += 1;
            if seen > 200_000 {
                return Some((files, newest));
            }
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            newest = newest.max(meta.mtime());
            if meta.is_dir() {
                todo.push(entry.path());
            } else if meta.is_file() {
                files += 1;
            }
        }
    }
    Some((files, newest))
}

/// Bound on a plan, a manifest or an inspect document read from disk: far above any real one.
pub(crate) const DOCUMENT_CAP: u64 = 64 << 20;

/// Reads a document of at most [`DOCUMENT_CAP`] bytes; a larger one is refused, named.
pub(crate) fn read_document(path: &std::path::Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut text = Vec::new();
    file.take(DOCUMENT_CAP + 1)
        .read_to_end(&mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if text.len() as u64 > DOCUMENT_CAP {
        bail!(
            "{} is larger than {} MiB, more than any plan, manifest or inspect: refused",
            path.display(),
            DOCUMENT_CAP >> 20
        );
    }
    Ok(text)
}

/// Seconds since the epoch of an RFC 3339 time.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// `--older-than` values: `0`, `90s`, `30m`, `24h`, `7d`.
pub(crate) fn parse_age(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}`: expected a number and a unit (90s, 30m, 24h, 7d)"))?;
    let scale = match unit {
        "" if n == 0 => 0,
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{text}`: the unit must be s, m, h or d (24h)")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too long"))
}

/// `3 days`, `5 hours`, `12 minutes`, `40 seconds`.
pub(crate) fn human_age(secs: u64) -> String {
    let (n, unit) = match secs {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3600 => (s / 3600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// `1.2 GiB`.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Asks on the terminal; `yes` skips the question; no terminal and no `--yes` refuses.
pub(crate) fn confirm(question: &str, yes: bool) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("{question}: no terminal to ask on; pass --yes to proceed without asking");
    }
    let mut stderr = std::io::stderr();
    write!(stderr, "{question} [y/N] ")?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        bail!("not confirmed: nothing was changed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_with_their_unit() {
        assert_eq!(parse_age("24h"), Ok(86_400));
        assert_eq!(parse_age("0"), Ok(0));
        assert_eq!(parse_age("7d"), Ok(7 * 86_400));
        assert_eq!(parse_age("90s"), Ok(90));
        assert!(parse_age("24").is_err());
        assert!(parse_age("h").is_err());
        assert!(parse_age("3w").is_err());
    }
}
