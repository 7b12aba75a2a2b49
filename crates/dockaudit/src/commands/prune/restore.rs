//! `dockaudit prune restore DIR [--item ID]`: re-creates what a `prune apply` backup holds, after
//! checking every file of it against the manifest (a corrupt backup is refused, naming the file).
//!
//! Order: networks, volumes (created, then their files put back through a never-started helper
//! container), images (loaded), containers (created from their configuration, not started).
//! Nothing that already exists is overwritten: an object whose name is taken is not restored, and
//! the summary says so, as it says what a restore cannot bring back (a container's filesystem
//! changes, which stay in its `filesystem.tar`; a network's id).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use bollard::models::{ContainerCreateBody, NetworkCreateRequest, VolumeCreateRequest};
use clap::Args;
use dockaudit_collect::EngineClient;
use serde_json::{json, Value};

use super::backup::{inside, verify, BackupItem, Helper};
use super::connect;
use crate::EXIT_ERROR;

/// `dockaudit prune restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub engine: super::PruneEngineArgs,
    /// The backup directory `prune apply --backup DIR` wrote.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Restore only this item (its id, a prefix of at least 12 characters, or its name;
    /// repeatable). Default: everything in the backup.
    #[arg(long = "item", value_name = "ID")]
    pub items: Vec<String>,
}

/// Runs `dockaudit prune restore`.
pub fn run(args: RestoreArgs) -> Result<ExitCode> {
    let manifest = verify(&args.dir)?;
    let chosen: Vec<&BackupItem> = manifest
        .items
        .iter()
        .filter(|i| {
            args.items.is_empty()
                || args.items.iter().any(|want| {
                    let id = i.id.trim_start_matches("sha256:");
                    i.name == *want
                        || i.id == *want
                        || (want.len() >= 12 && id.starts_with(want.trim_start_matches("sha256:")))
                })
        })
        .collect();
    if let Some(missing) = args.items.iter().find(|want| {
        !manifest.items.iter().any(|i| {
            i.name == **want
                || i.id == **want
                || (want.len() >= 12
                    && i.id
                        .trim_start_matches("sha256:")
                        .starts_with(want.trim_start_matches("sha256:")))
        })
    }) {
        bail!(
            "the backup {} holds no item `{missing}`",
            args.dir.display()
        );
    }
    let rank = |kind: &str| match kind {
        "network" => 0,
        "volume" => 1,
        "image" => 2,
        _ => 3,
    };
    let mut ordered = chosen;
    ordered.sort_by_key(|i| rank(&i.kind));
    let rt = crate::live::runtime()?;
    rt.block_on(async {
        let client = connect(&args.engine.engine()).await?;
        let mut helper = Helper::default();
        let mut failures = 0;
        for item in &ordered {
            match restore_item(&client, &args.dir, item, &mut helper).await {
                Ok(note) => println!("restored {} {}{note}", item.kind, item.name),
                Err(e) => {
                    failures += 1;
                    println!("NOT restored {} {}: {e:#}", item.kind, item.name);
                }
            }
        }
        helper.clean_up(&client).await;
        println!(
            "{} restored, {failures} not restored",
            ordered.len() - failures
        );
        Ok(if failures == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_ERROR)
        })
    })
}

fn read_json(root: &Path, rel: &str) -> Result<Value> {
    let path = inside(root, rel)?;
    let text = super::read_document(&path)?;
    serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn open(root: &Path, rel: &str) -> Result<std::fs::File> {
    let path = inside(root, rel)?;
    std::fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// Restores one item; the note says what was not brought back.
async fn restore_item(
    client: &EngineClient,
    root: &Path,
    item: &BackupItem,
    helper: &mut Helper,
) -> Result<String> {
    let inspect = read_json(root, &format!("{}/inspect.json", item.dir))?;
    match item.kind.as_str() {
        "network" => {
            let request: NetworkCreateRequest = serde_json::from_value(json!({
                "Name": inspect["Name"],
                "Driver": inspect["Driver"],
                "Internal": inspect["Internal"],
                "Attachable": inspect["Attachable"],
                "EnableIPv6": inspect["EnableIPv6"],
                "IPAM": inspect["IPAM"],
                "Options": inspect["Options"],
                "Labels": inspect["Labels"],
            }))
            .context("the network's inspect cannot be turned into a create request")?;
            let id = client.create_network(request).await?;
            Ok(format!(" (new id {id}: a network's id cannot be restored)"))
        }
        "volume" => {
            if client.inspect_volume_raw(&item.id).await.is_ok() {
                bail!("a volume named {} exists: not overwritten", item.id);
            }
            let request: VolumeCreateRequest = serde_json::from_value(json!({
                "Name": inspect["Name"],
                "Driver": inspect["Driver"],
                "DriverOpts": inspect["Options"],
                "Labels": inspect["Labels"],
            }))
            .context("the volume's inspect cannot be turned into a create request")?;
            client.create_volume(request).await?;
            let data = open(root, &format!("{}/data.tar", item.dir))?;
            let writer = helper.container(client, &item.id, false).await?;
            // The archive's entries are `volume/…` (the helper's mount point, HELPER_MOUNT), so
            // they go to `/`.
            let result = client.upload_archive(&writer, "/", data).await;
            helper.remove_container(client, &writer).await;
            result.with_context(|| format!("the files of volume {} were not put back", item.id))?;
            Ok(String::new())
        }
        "image" => {
            let archive = open(root, &format!("{}/image.tar", item.dir))?;
            client.load_images(archive).await?;
            // The id is the digest of the image's configuration: the same id is the same image.
            client.inspect_image_raw(&item.id).await.with_context(|| {
                format!("the engine loaded the archive but has no image {}", item.id)
            })?;
            Ok(String::new())
        }
        "container" => {
            let name = inspect["Name"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('/');
            let mut body = inspect["Config"].clone();
            body["HostConfig"] = inspect["HostConfig"].clone();
            let mut endpoints = serde_json::Map::new();
            if let Some(networks) = inspect["NetworkSettings"]["Networks"].as_object() {
                for (net, endpoint) in networks {
                    endpoints.insert(
                        net.clone(),
                        json!({
                            "Aliases": endpoint["Aliases"],
                            "IPAMConfig": endpoint["IPAMConfig"],
                            "Links": endpoint["Links"],
                        }),
                    );
                }
            }
            body["NetworkingConfig"] = json!({ "EndpointsConfig": endpoints });
            let config: ContainerCreateBody = serde_json::from_value(body)
                .context("the container's inspect cannot be turned into a create request")?;
            let id = client
                .create_container((!name.is_empty()).then_some(name), config)
                .await?;
            Ok(format!(
                " as {} (created, not started; its filesystem changes are not put back: they are in {})",
                &id[..12.min(id.len())],
                root.join(&item.dir).join("filesystem.tar").display()
            ))
        }
        other => bail!("unknown item kind `{other}`"),
    }
}
