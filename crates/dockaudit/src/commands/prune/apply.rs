//! `dockaudit prune apply PLAN --backup DIR | --no-backup`: removes exactly the items of a
//! reviewed plan that are still unused and unchanged, after a verified backup.
//!
//! Order: the plan is checked (digest, engine); each item is re-checked against a fresh snapshot
//! (still an orphan by the same rules and options, and in the state it was planned in); the
//! user confirms; the items that passed are backed up and the backup verified (every file's
//! sha256 read back); each item is checked once more just before its removal; the items are
//! removed in dependency order (containers, images children first, volumes, networks). Nothing
//! the plan does not list is ever removed.
//!
//! Interrupting (Ctrl-C, SIGTERM) once the removal is confirmed stops cleanly: during the backup at
//! once (nothing is removed), during the removal after the request in flight, and the report says
//! what was removed and what was not. A second Ctrl-C quits at once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use dockaudit_collect::EngineClient;
use dockaudit_snapshot::Snapshot;

use super::backup::{BackupWriter, Helper};
use super::plan_file::{Plan, PlanItem};
use super::{candidates, confirm, connect, describe, human_bytes, snapshot};
use crate::EXIT_ERROR;

/// `dockaudit prune apply`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("backup-choice").required(true).args(["backup", "no_backup"]))]
pub struct ApplyArgs {
    #[command(flatten)]
    pub engine: super::PruneEngineArgs,
    /// The reviewed plan (from `dockaudit prune plan -o FILE`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Back everything up here first (a new or empty directory); `prune restore DIR` reads it.
    #[arg(long, value_name = "DIR")]
    pub backup: Option<PathBuf>,
    /// Remove without a backup (it must be said).
    #[arg(long)]
    pub no_backup: bool,
    /// Do not ask for confirmation (for scripts; without a terminal it is required).
    #[arg(long)]
    pub yes: bool,
}

/// Watches for Ctrl-C and SIGTERM from the moment it is made: the first asks the work to stop at the
/// next safe point (the receiver turns `true`), the second quits at once (exit 130).
fn watch_interrupts() -> Result<tokio::sync::watch::Receiver<bool>> {
    use tokio::signal::unix::{signal, SignalKind};
    // Made (and so registered) here, before any work: no signal can fall between.
    let mut int = signal(SignalKind::interrupt()).context("cannot watch for Ctrl-C")?;
    let mut term = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let mut first = true;
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            if !first {
                eprintln!("dockaudit: interrupted again: quitting now");
                std::process::exit(130);
            }
            first = false;
            eprintln!(
                "dockaudit: interrupted: stopping after the request in flight (Ctrl-C again to quit now)"
            );
            let _ = tx.send(true);
        }
    });
    Ok(rx)
}

/// Why an item is not removed, or `None` when it is still what was planned.
fn recheck(
    item: &PlanItem,
    now: &BTreeMap<(String, String), PlanItem>,
    fresh: &Snapshot,
) -> Option<String> {
    match now.get(&(item.kind.clone(), item.id.clone())) {
        Some(current) if current.state == item.state => None,
        Some(current) => Some(format!(
            "changed since the plan: was {}, now {}",
            item.state, current.state
        )),
        None => {
            let present = describe(fresh, &item.kind, &item.id, 0).is_some();
            Some(if present {
                "no longer unused (or now excluded by the plan's options)".to_string()
            } else {
                "gone already".to_string()
            })
        }
    }
}

fn by_key(items: Vec<PlanItem>) -> BTreeMap<(String, String), PlanItem> {
    items
        .into_iter()
        .map(|i| ((i.kind.clone(), i.id.clone()), i))
        .collect()
}

/// Runs `dockaudit prune apply`.
pub fn run(args: ApplyArgs) -> Result<ExitCode> {
    let plan = Plan::load(&args.plan)?;
    let rt = crate::live::runtime()?;
    rt.block_on(apply(&args, &plan))
}

async fn apply(args: &ApplyArgs, plan: &Plan) -> Result<ExitCode> {
    let client = connect(&args.engine.engine()).await?;
    let engine_id = client.engine_id().await?;
    if engine_id != plan.engine.id {
        bail!(
            "the plan {} was made on another engine (ID {} at {}); this one is {engine_id} at {}: make a plan here",
            args.plan.display(),
            plan.engine.id,
            plan.engine.endpoint,
            client.endpoint.url()
        );
    }

    // First re-check: what is still as planned.
    let fresh = snapshot(&client, &args.engine.engine()).await?;
    let now = by_key(candidates(
        &fresh,
        &plan.options,
        args.engine.host_root.as_deref(),
    )?);
    let mut skipped: Vec<(&PlanItem, String)> = Vec::new();
    let mut go: Vec<&PlanItem> = Vec::new();
    for item in &plan.items {
        match recheck(item, &now, &fresh) {
            None => go.push(item),
            Some(why) => skipped.push((item, why)),
        }
    }
    let known: u64 = go
        .iter()
        .filter_map(|i| {
            now.get(&(i.kind.clone(), i.id.clone()))
                .and_then(|c| c.bytes)
        })
        .sum();
    for (item, why) in &skipped {
        println!("not removing {} {}: {why}", item.kind, item.name);
    }
    if go.is_empty() {
        println!("nothing to remove: no item of the plan is still as planned");
        return Ok(ExitCode::SUCCESS);
    }
    let backup_note = match &args.backup {
        Some(dir) => format!("backing them up to {} first", dir.display()),
        None => "WITHOUT a backup (--no-backup)".to_string(),
    };
    println!(
        "will remove {} of the plan's {} items ({} known), {backup_note}:",
        go.len(),
        plan.items.len(),
        human_bytes(known)
    );
    for item in &go {
        println!("  {} {} ({})", item.kind, item.name, item.id);
    }
    confirm(
        &format!(
            "Remove these {} objects from {}?",
            go.len(),
            client.endpoint.url()
        ),
        args.yes,
    )?;

    let interrupted = watch_interrupts()?;
    if let Some(dir) = &args.backup {
        let mut writer = BackupWriter::create(dir)?;
        let mut helper = Helper::default();
        let mut failed = None;
        for item in &go {
            let mut stop = interrupted.clone();
            let outcome = tokio::select! {
                done = writer.back_up(&client, item, &mut helper) => {
                    done.map_err(|e| format!("{} {}: {e:#}", item.kind, item.name))
                }
                _ = stop.wait_for(|yes| *yes) => Err(format!(
                    "interrupted while backing up {} {}",
                    item.kind, item.name
                )),
            };
            if let Err(why) = outcome {
                failed = Some(why);
                break;
            }
        }
        helper.clean_up(&client).await;
        if let Some(why) = failed {
            bail!(
                "the backup failed, so nothing was removed: {why}. {} holds a partial backup without a manifest (restore refuses it): remove it before trying again",
                dir.display()
            );
        }
        let manifest = writer.seal(&engine_id, &plan.digest)?;
        println!(
            "backup verified: {} files, {} in {} (sha256 of every file read back)",
            manifest.files.len(),
            human_bytes(manifest.files.iter().map(|f| f.bytes).sum()),
            dir.display()
        );
    }

    // Second re-check, just before removing: anything started or changed during the backup stays.
    let fresh = snapshot(&client, &args.engine.engine()).await?;
    let now = by_key(candidates(
        &fresh,
        &plan.options,
        args.engine.host_root.as_deref(),
    )?);
    let mut removed: Vec<&PlanItem> = Vec::new();
    let mut failed: Vec<(&PlanItem, String)> = Vec::new();
    let mut not_reached: Vec<&PlanItem> = Vec::new();
    let mut before: u64 = 0;
    for item in go {
        if *interrupted.borrow() {
            not_reached.push(item);
            continue;
        }
        if let Some(why) = recheck(item, &now, &fresh) {
            println!("not removing {} {}: {why}", item.kind, item.name);
            skipped.push((item, why));
            continue;
        }
        before += now
            .get(&(item.kind.clone(), item.id.clone()))
            .and_then(|c| c.bytes)
            .unwrap_or(0);
        match remove(&client, item, &fresh).await {
            Ok(()) => removed.push(item),
            Err(e) => failed.push((item, e)),
        }
    }

    let after_snapshot = snapshot(&client, &args.engine.engine()).await.ok();
    let after: Option<u64> = after_snapshot.as_ref().map(|s| {
        removed
            .iter()
            .chain(failed.iter().map(|(i, _)| i))
            .filter_map(|i| describe(s, &i.kind, &i.id, 0).and_then(|d| d.bytes))
            .sum()
    });
    for item in &removed {
        println!("removed {} {} ({})", item.kind, item.name, item.id);
    }
    for (item, why) in &failed {
        println!(
            "NOT removed {} {} ({}): {why}",
            item.kind, item.name, item.id
        );
    }
    for item in &not_reached {
        println!(
            "NOT removed {} {} ({}): interrupted before its turn",
            item.kind, item.name, item.id
        );
    }
    let kept = skipped.len();
    println!(
        "{} removed, {} failed, {kept} left as they were{}; bytes the items held (where known): {} before, {} after",
        removed.len(),
        failed.len(),
        if not_reached.is_empty() {
            String::new()
        } else {
            format!(", {} not reached (interrupted)", not_reached.len())
        },
        human_bytes(before),
        after.map_or("unknown (the engine could not be read again)".into(), human_bytes)
    );
    if failed.is_empty() && not_reached.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(EXIT_ERROR))
    }
}

/// Removes one item; an image by each of its tags (the last one removes it), or by id.
async fn remove(client: &EngineClient, item: &PlanItem, fresh: &Snapshot) -> Result<(), String> {
    let plain = |r: Result<(), dockaudit_collect::RequestError>| r.map_err(|e| e.to_string());
    match item.kind.as_str() {
        "container" => plain(client.remove_container(&item.id).await),
        "volume" => plain(client.remove_volume(&item.id).await),
        "network" => plain(client.remove_network(&item.id).await),
        "image" => {
            let tags: Vec<String> = fresh
                .images
                .iter()
                .find(|i| i.inspect.id == item.id)
                .map(|i| {
                    i.inspect
                        .repo_tags
                        .iter()
                        .filter(|t| *t != "<none>:<none>")
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for tag in &tags {
                client
                    .remove_image(tag)
                    .await
                    .map_err(|e| format!("{e} (removing its tag {tag})"))?;
            }
            // The last tag's removal normally removed the image, unless the engine keeps it for a
            // child image built on it; then the removal by id says why.
            if !tags.is_empty() && client.inspect_image_raw(&item.id).await.is_err() {
                return Ok(());
            }
            client.remove_image(&item.id).await.map_err(|e| {
                if tags.is_empty() {
                    e.to_string()
                } else {
                    format!(
                        "its tags {} were removed but the engine keeps the image: {e}",
                        tags.join(", ")
                    )
                }
            })
        }
        other => Err(format!("unknown item kind `{other}`")),
    }
}
