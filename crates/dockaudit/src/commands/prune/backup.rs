//! The backup `prune apply` writes before it removes anything, and `prune restore` reads: one
//! directory per item and a `manifest.json` naming every file with its size and sha256.
//!
//! ```text
//! DIR/manifest.json
//! DIR/containers/ID/inspect.json      the engine's inspect (unmasked: the backup holds secrets)
//! DIR/containers/ID/filesystem.tar    GET /containers/ID/export
//! DIR/images/HEX/inspect.json, image.tar   GET /images/get (with its tags)
//! DIR/volumes/NAME/inspect.json, data.tar  GET /containers/HELPER/archive?path=/volume
//! DIR/networks/ID/inspect.json
//! ```
//!
//! A volume's files are read through a helper container that is created and never started
//! (`POST /containers/create` with the volume mounted read-only at `/volume`, on an empty image
//! dockaudit imports: there is no registry to pull one from, and an empty image has nothing to
//! run). Directories are 0700 and files 0600: an inspect holds the container's environment.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use bollard::models::{ContainerCreateBody, HostConfig};
use dockaudit_collect::mutate::HELPER_LABELS;
use dockaudit_collect::{Archive, EngineClient};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan_file::{hex, PlanItem};

/// The manifest format's version.
pub const BACKUP_VERSION: u32 = 1;

/// Where a helper container mounts the volume it reads or fills.
pub const HELPER_MOUNT: &str = "/volume";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`BACKUP_VERSION`].
    pub dockaudit_prune_backup: u32,
    /// When the backup was written.
    pub created_at: String,
    /// The engine it was taken from.
    pub engine_id: String,
    /// The digest of the plan it was taken for.
    pub plan_digest: String,
    /// What it holds, in the plan's order.
    pub items: Vec<BackupItem>,
    /// Every file, with its size and sha256.
    pub files: Vec<FileEntry>,
}

/// One backed-up object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupItem {
    /// `container`, `image`, `volume` or `network`.
    pub kind: String,
    /// Its id (a volume's name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its directory, relative to the backup.
    pub dir: String,
}

/// One file of the backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative to the backup directory.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// A backup being written.
pub struct BackupWriter {
    root: PathBuf,
    files: Vec<FileEntry>,
    items: Vec<BackupItem>,
}

/// Writes through to a file and hashes what passes.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Creates `dir` (and parents) readable by its owner only.
fn private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

fn private_file(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

impl BackupWriter {
    /// Starts a backup in `root`, which must not exist or be empty (a backup is never mixed with
    /// another).
    pub fn create(root: &Path) -> Result<BackupWriter> {
        Self::check_usable(root)?;
        private_dir(root)?;
        Ok(BackupWriter {
            root: root.to_path_buf(),
            files: Vec::new(),
            items: Vec::new(),
        })
    }

    /// Whether `root` can take a backup: absent, or an empty directory.
    pub fn check_usable(root: &Path) -> Result<()> {
        if root.exists() {
            let mut entries = std::fs::read_dir(root)
                .with_context(|| format!("cannot read the backup directory {}", root.display()))?;
            if entries.next().is_some() {
                bail!(
                    "the backup directory {} is not empty: give a new or empty one",
                    root.display()
                );
            }
        }
        Ok(())
    }

    fn start(&mut self, rel: &str) -> Result<(PathBuf, Hashing<BufWriter<File>>)> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            private_dir(parent)?;
        }
        let file = private_file(&path)?;
        Ok((
            path,
            Hashing {
                inner: BufWriter::new(file),
                hash: Sha256::new(),
                bytes: 0,
            },
        ))
    }

    fn finish(&mut self, rel: &str, path: &Path, mut w: Hashing<BufWriter<File>>) -> Result<()> {
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        w.inner
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error()))?
            .sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.files.push(FileEntry {
            path: rel.to_string(),
            bytes: w.bytes,
            sha256: hex(&w.hash.finalize()),
        });
        Ok(())
    }

    /// Writes a JSON document.
    fn write_json(&mut self, rel: &str, value: &serde_json::Value) -> Result<()> {
        let (path, mut w) = self.start(rel)?;
        serde_json::to_writer_pretty(&mut w, value)
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.finish(rel, &path, w)
    }

    /// Streams an archive from the engine into a file.
    async fn write_archive(
        &mut self,
        client: &EngineClient,
        rel: &str,
        archive: &Archive,
    ) -> Result<()> {
        let (path, mut w) = self.start(rel)?;
        client
            .download(archive, &mut w)
            .await
            .map_err(|e| anyhow::anyhow!("{e} (writing {})", path.display()))?;
        self.finish(rel, &path, w)
    }

    /// Backs up one plan item. `helper` imports the helper image on first use.
    pub async fn back_up(
        &mut self,
        client: &EngineClient,
        item: &PlanItem,
        helper: &mut Helper,
    ) -> Result<()> {
        let dir = match item.kind.as_str() {
            "container" => format!("containers/{}", item.id),
            "image" => format!("images/{}", item.id.trim_start_matches("sha256:")),
            "volume" => format!("volumes/{}", item.id),
            "network" => format!("networks/{}", item.id),
            other => bail!("unknown item kind `{other}`"),
        };
        match item.kind.as_str() {
            "container" => {
                let inspect = client.inspect_container_raw(&item.id).await?;
                self.write_json(&format!("{dir}/inspect.json"), &inspect)?;
                self.write_archive(
                    client,
                    &format!("{dir}/filesystem.tar"),
                    &Archive::ContainerExport(item.id.clone()),
                )
                .await?;
            }
            "image" => {
                let inspect = client.inspect_image_raw(&item.id).await?;
                self.write_json(&format!("{dir}/inspect.json"), &inspect)?;
                let tags: Vec<String> = inspect["RepoTags"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|t| t.as_str())
                            .filter(|t| *t != "<none>:<none>")
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                // By its tags, so that loading it brings them back; by id when it has none.
                let names = if tags.is_empty() {
                    vec![item.id.clone()]
                } else {
                    tags
                };
                self.write_archive(client, &format!("{dir}/image.tar"), &Archive::Images(names))
                    .await?;
            }
            "volume" => {
                let inspect = client.inspect_volume_raw(&item.id).await?;
                self.write_json(&format!("{dir}/inspect.json"), &inspect)?;
                let reader = helper.container(client, &item.id, true).await?;
                let result = self
                    .write_archive(
                        client,
                        &format!("{dir}/data.tar"),
                        &Archive::ContainerPath(reader.clone(), HELPER_MOUNT.to_string()),
                    )
                    .await;
                helper.remove_container(client, &reader).await;
                result?;
            }
            _ => {
                let inspect = client.inspect_network_raw(&item.id).await?;
                self.write_json(&format!("{dir}/inspect.json"), &inspect)?;
            }
        }
        self.items.push(BackupItem {
            kind: item.kind.clone(),
            id: item.id.clone(),
            name: item.name.clone(),
            dir,
        });
        Ok(())
    }

    /// Writes `manifest.json`, then reads every file back and checks its sha256; returns the
    /// manifest.
    pub fn seal(self, engine_id: &str, plan_digest: &str) -> Result<Manifest> {
        let manifest = Manifest {
            dockaudit_prune_backup: BACKUP_VERSION,
            created_at: dockaudit_collect::now_rfc3339(),
            engine_id: engine_id.to_string(),
            plan_digest: plan_digest.to_string(),
            items: self.items,
            files: self.files,
        };
        let path = self.root.join("manifest.json");
        let mut file = private_file(&path)?;
        serde_json::to_writer_pretty(&mut file, &manifest)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        verify(&self.root)
    }
}

/// Reads `DIR/manifest.json` and checks every file it names: present, inside the backup, its
/// size and sha256 as recorded. Any difference is an error naming the file.
pub fn verify(root: &Path) -> Result<Manifest> {
    let path = root.join("manifest.json");
    let text = super::read_document(&path)?;
    let manifest: Manifest = serde_json::from_slice(&text).with_context(|| {
        format!(
            "{} is not a dockaudit backup manifest (corrupt or truncated)",
            path.display()
        )
    })?;
    if manifest.dockaudit_prune_backup != BACKUP_VERSION {
        bail!(
            "{} has format version {}; this dockaudit reads version {BACKUP_VERSION}",
            path.display(),
            manifest.dockaudit_prune_backup
        );
    }
    for entry in &manifest.files {
        let file = inside(root, &entry.path)?;
        let (bytes, sha256) = hash_file(&file)?;
        if sha256 != entry.sha256 || bytes != entry.bytes {
            bail!(
                "the backup file {} is corrupt: it has {bytes} bytes with sha256 {sha256}, the manifest says {} bytes with sha256 {}",
                file.display(),
                entry.bytes,
                entry.sha256
            );
        }
    }
    Ok(manifest)
}

/// `root/rel`, refusing a path that leaves the backup (absolute, `..`).
pub fn inside(root: &Path, rel: &str) -> Result<PathBuf> {
    let relative = Path::new(rel);
    if rel.is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        bail!(
            "{}: the manifest names `{rel}`, which is not a path inside the backup",
            root.join("manifest.json").display()
        );
    }
    Ok(root.join(relative))
}

fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = File::open(path)
        .with_context(|| format!("the backup file {} is missing", path.display()))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hex(&hash.finalize())))
}

/// The helper image and containers used to read and fill volumes; removed by [`Helper::clean_up`].
#[derive(Default)]
pub struct Helper {
    image: Option<String>,
}

impl Helper {
    /// A created (never started) container with volume `volume` mounted at [`HELPER_MOUNT`].
    pub async fn container(
        &mut self,
        client: &EngineClient,
        volume: &str,
        read_only: bool,
    ) -> Result<String> {
        let image = match &self.image {
            Some(image) => image.clone(),
            None => {
                // An empty tar: two zero blocks. The image has no files at all; nothing can run.
                let changes = HELPER_LABELS
                    .iter()
                    .map(|(k, v)| format!("LABEL {k}={v}"))
                    .collect();
                let id = client
                    .import_rootfs(vec![0u8; 1024], changes)
                    .await
                    .context("cannot import the helper image")?;
                self.image = Some(id.clone());
                id
            }
        };
        let mount = format!(
            "{volume}:{HELPER_MOUNT}{}",
            if read_only { ":ro" } else { "" }
        );
        let config = ContainerCreateBody {
            image: Some(image),
            // Never started; the engine wants a command to create a container.
            cmd: Some(vec!["/dockaudit-helper-is-never-started".to_string()]),
            network_disabled: Some(true),
            labels: Some(
                HELPER_LABELS
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            host_config: Some(HostConfig {
                binds: Some(vec![mount]),
                network_mode: Some("none".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        };
        client
            .create_container(None, config)
            .await
            .with_context(|| format!("cannot create the helper container for volume {volume}"))
    }

    /// Removes a helper container (said on stderr when it cannot be).
    pub async fn remove_container(&self, client: &EngineClient, id: &str) {
        if let Err(e) = client.remove_container(id).await {
            eprintln!("dockaudit: warning: the helper container {id} was not removed: {e}");
        }
    }

    /// Removes the helper image, if one was imported.
    pub async fn clean_up(self, client: &EngineClient) {
        if let Some(image) = self.image {
            if let Err(e) = client.remove_image(&image).await {
                eprintln!("dockaudit: warning: the helper image {image} was not removed: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_path_cannot_leave_the_backup() {
        let root = Path::new("/backup");
        assert!(inside(root, "volumes/v/data.tar").is_ok());
        assert!(inside(root, "../etc/passwd").is_err());
        assert!(inside(root, "/etc/passwd").is_err());
        assert!(inside(root, "volumes/../../x").is_err());
        assert!(inside(root, "").is_err());
    }

    #[test]
    fn a_changed_or_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let mut w = BackupWriter::create(&root).unwrap();
        w.write_json(
            "networks/n1/inspect.json",
            &serde_json::json!({"Name": "n"}),
        )
        .unwrap();
        w.items.push(BackupItem {
            kind: "network".into(),
            id: "n1".into(),
            name: "n".into(),
            dir: "networks/n1".into(),
        });
        let manifest = w.seal("engine", "sha256:x").unwrap();
        assert_eq!(manifest.files.len(), 1);
        let file = root.join("networks/n1/inspect.json");
        std::fs::write(&file, b"{\"Name\": \"m\"}").unwrap();
        let e = format!("{:#}", verify(&root).unwrap_err());
        assert!(
            e.contains("networks/n1/inspect.json") && e.contains("corrupt"),
            "{e}"
        );
        std::fs::remove_file(&file).unwrap();
        let e = format!("{:#}", verify(&root).unwrap_err());
        assert!(
            e.contains("networks/n1/inspect.json") && e.contains("missing"),
            "{e}"
        );
        // Not into a directory that holds something.
        assert!(BackupWriter::create(&root).is_err());
    }
}
