//! The image archive formats around the layers: `docker save` (`manifest.json` naming a config
//! and layer paths; `<id>/layer.tar` before Docker 25, `blobs/sha256/…` since, duplicate layers
//! stored once and linked) and the OCI image layout (`index.json` → manifest or index →
//! config and layer digests under `blobs/<alg>/<hex>`), as one tar stream ([`scan_archive`]) or as
//! files opened on demand ([`scan_layout`], e.g. an unpacked layout directory).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::analyse::analyse;
use super::layer::{
    read_head, read_layer, sniff, BlobKind, Budget, Compression, Counted, LayerExtract,
};
use super::merge::merge;
use super::path::{file_name, normalize, resolve_link};
use super::{ImageError, ImageScan, ScanLimits};

/// Bytes looked at to tell what a blob is.
const SNIFF_BYTES: usize = 512;
/// Most alias (link) hops followed between archive members.
const MAX_ALIAS_HOPS: usize = 8;
/// OCI media types of an index (a list of manifests, one per platform).
const INDEX_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// Files of an image layout opened on demand (a directory, or anything else with random access).
pub trait BlobSource {
    /// Opens the file at `path` (relative to the layout's root, `/`-separated), or `Ok(None)` when
    /// there is none.
    fn open(&mut self, path: &str) -> io::Result<Option<Box<dyn Read + '_>>>;
}

/// An image layout unpacked in a directory (`docker save` or OCI), its files opened on demand.
///
/// Only regular files inside the directory are opened: a path that is a symbolic link (or passes
/// through one) leading out of the directory, and anything that is not a regular file (a FIFO,
/// which would block the read forever, a socket, a device, a directory), is refused with an error
/// naming the path. Links inside the directory (`docker save` links duplicate layers) are followed.
#[derive(Debug)]
pub struct LayoutDir {
    root: PathBuf,
}

impl LayoutDir {
    /// The layout in directory `root`.
    pub fn new(root: &Path) -> io::Result<LayoutDir> {
        let root = root
            .canonicalize()
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", root.display())))?;
        Ok(LayoutDir { root })
    }

    /// The real path of `path` inside the layout, checked to be a regular file there; `Ok(None)`
    /// when there is nothing at `path`.
    fn checked(&self, path: &str) -> io::Result<Option<PathBuf>> {
        let joined = self.root.join(path);
        let refuse = |why: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{path} in {}: {why}: refused", self.root.display()),
            )
        };
        match joined.symlink_metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io::Error::new(e.kind(), format!("{path}: {e}"))),
            Ok(_) => {}
        }
        // The real path, with every link on the way resolved (a link to a missing file is missing).
        let real = match joined.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io::Error::new(e.kind(), format!("{path}: {e}"))),
        };
        if !real.starts_with(&self.root) {
            return Err(refuse(format!(
                "a symbolic link leading out of the directory (to {})",
                real.display()
            )));
        }
        let kind = real.symlink_metadata()?.file_type();
        if !kind.is_file() {
            return Err(refuse(format!("not a regular file ({})", describe(kind))));
        }
        Ok(Some(real))
    }
}

/// What a file type is, in words.
fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a file"
    }
}

impl BlobSource for LayoutDir {
    fn open(&mut self, path: &str) -> io::Result<Option<Box<dyn Read + '_>>> {
        let Some(real) = self.checked(path)? else {
            return Ok(None);
        };
        let file = File::open(&real)?;
        // The file may have been replaced since it was checked: check what was opened.
        if !file.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{path}: not a regular file: refused"),
            ));
        }
        Ok(Some(Box::new(io::BufReader::with_capacity(
            256 << 10,
            file,
        ))))
    }
}

/// Counts the raw bytes read from an archive member, to tell a member cut short.
struct RawCount<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for RawCount<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// What one pass over an archive collected.
#[derive(Default)]
struct Blobs {
    /// Small JSON members, by path.
    metadata: BTreeMap<String, Vec<u8>>,
    /// Layer extracts, by path.
    layers: HashMap<String, LayerExtract>,
    /// Symbolic and hard links between members (`<id>/layer.tar` → another's).
    aliases: HashMap<String, String>,
    /// JSON members too large to keep.
    oversized: Vec<String>,
    /// Archive-level problems.
    problems: Vec<String>,
    /// The archive was cut short or a bound stopped it.
    incomplete: bool,
}

impl Blobs {
    /// Follows links from `path` to the member they end at.
    fn canonical<'a>(&'a self, path: &'a str) -> &'a str {
        let mut p = path;
        for _ in 0..MAX_ALIAS_HOPS {
            match self.aliases.get(p) {
                Some(next) => p = next,
                None => break,
            }
        }
        p
    }
}

/// Reads a `docker save` archive or an OCI layout tar (optionally gzip- or zstd-compressed as a
/// whole), streamed once. `reference` picks the image when the archive holds several (a tag, or an
/// id or its prefix); an archive with one image is read whatever the reference.
pub fn scan_archive<R: Read>(
    mut reader: R,
    reference: Option<&str>,
    limits: &ScanLimits,
) -> Result<ImageScan, ImageError> {
    let head = read_head(&mut reader, SNIFF_BYTES)?;
    if head.is_empty() {
        return Err(ImageError::NoManifest(": the input is empty".into()));
    }
    let compression = match sniff(&head) {
        BlobKind::Layer(c) => c,
        _ => Compression::None,
    };
    let outer = super::layer::decompressed(compression, head, reader)?;
    // The archive as a whole is bounded too (members that are not layers are streamed past, and an
    // endless stream must end): twice the layers' bound leaves room to skip what a bound cut.
    let outer = Counted::new(outer, limits.max_bytes_read.saturating_mul(2));
    let mut archive = tar::Archive::new(outer);
    let mut blobs = Blobs::default();
    let mut budget = Budget::default();
    let mut count = 0u64;
    let result: io::Result<()> = (|| {
        for entry in archive.entries()? {
            let mut entry = entry?;
            count += 1;
            if count > limits.max_archive_entries {
                blobs.incomplete = true;
                blobs.problems.push(format!(
                    "the archive has more than {} members (the bound); the rest were not read",
                    limits.max_archive_entries
                ));
                break;
            }
            read_member(&mut entry, &mut blobs, &mut budget, limits)?;
        }
        Ok(())
    })();
    if archive.into_inner().over {
        blobs.incomplete = true;
        blobs.problems.push(format!(
            "stopped reading the archive after {} bytes (the bound)",
            limits.max_bytes_read.saturating_mul(2)
        ));
    } else if let Err(e) = result {
        blobs.incomplete = true;
        blobs
            .problems
            .push(format!("the archive is damaged or truncated: {e}"));
    }
    let resolved = resolve(
        &mut |path: &str| Ok(blobs.metadata.get(blobs.canonical(path)).cloned()),
        reference,
        &blobs.problems,
    )?;
    if resolved.layers.len() > limits.max_layers {
        return Err(ImageError::TooManyLayers(resolved.layers.len()));
    }
    if let Some(big) = blobs
        .oversized
        .iter()
        .find(|p| resolved.config.as_deref() == Some(p.as_str()))
    {
        blobs.problems.push(format!(
            "image config {big} is larger than {} bytes: not read",
            limits.max_metadata_bytes
        ));
    }
    let mut extracts = Vec::with_capacity(resolved.layers.len());
    for layer in &resolved.layers {
        let ext = blobs
            .layers
            .get(blobs.canonical(layer))
            .ok_or_else(|| ImageError::MissingLayer(layer.clone()))?;
        extracts.push(ext);
    }
    Ok(finish(
        &resolved,
        &extracts,
        blobs.problems.clone(),
        blobs.incomplete,
        &budget,
    ))
}

/// Reads one member of the outer archive.
fn read_member<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    blobs: &mut Blobs,
    budget: &mut Budget,
    limits: &ScanLimits,
) -> io::Result<()> {
    let raw = entry.path_bytes();
    let path = match normalize(&raw) {
        Ok(p) => p,
        Err(e) => {
            blobs.problems.push(format!(
                "archive member {:?} skipped: {e}",
                String::from_utf8_lossy(&raw)
            ));
            return Ok(());
        }
    };
    let kind = entry.header().entry_type();
    match kind {
        tar::EntryType::Symlink => {
            if let Some(target) = entry.link_name_bytes() {
                let target = resolve_link(&path, &String::from_utf8_lossy(&target));
                blobs.aliases.insert(path, target);
            }
        }
        tar::EntryType::Link => {
            if let Some(Ok(target)) = entry.link_name_bytes().map(|t| normalize(&t)) {
                blobs.aliases.insert(path, target);
            }
        }
        tar::EntryType::Regular | tar::EntryType::Continuous => {
            let size = entry.size();
            let mut counted = RawCount {
                inner: entry,
                read: 0,
            };
            let head = read_head(&mut counted, SNIFF_BYTES)?;
            let kind = match sniff(&head) {
                // Old-style layer tars are named so; anything else there is damage.
                BlobKind::Json | BlobKind::Other if file_name(&path) == "layer.tar" => {
                    BlobKind::Layer(Compression::None)
                }
                k => k,
            };
            match kind {
                BlobKind::Json if size <= limits.max_metadata_bytes => {
                    let mut bytes = head;
                    counted.read_to_end(&mut bytes)?;
                    blobs.metadata.insert(path.clone(), bytes);
                }
                BlobKind::Json => blobs.oversized.push(path.clone()),
                BlobKind::Layer(compression) => {
                    let ext = read_layer(&path, compression, head, &mut counted, limits, budget);
                    blobs.layers.insert(path.clone(), ext);
                }
                BlobKind::Other => {}
            }
            // The rest of the member (unread after a bound, or tar padding in a compressed
            // stream) is skipped so its length can be checked.
            io::copy(&mut counted, &mut io::sink())?;
            if counted.read < size {
                blobs.incomplete = true;
                let msg = format!(
                    "archive member {path} is cut short: {} of {size} bytes",
                    counted.read
                );
                match blobs.layers.get_mut(&path) {
                    Some(ext) => {
                        ext.incomplete = true;
                        ext.problems.push(msg);
                    }
                    None => blobs.problems.push(msg),
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Reads an image layout whose files are opened on demand: an unpacked `docker save` directory
/// (`manifest.json`) or an OCI layout (`index.json`). Layers are read in the manifest's order.
pub fn scan_layout(
    source: &mut dyn BlobSource,
    reference: Option<&str>,
    limits: &ScanLimits,
) -> Result<ImageScan, ImageError> {
    let max = limits.max_metadata_bytes;
    let resolved = {
        let mut read_json = |path: &str| -> io::Result<Option<Vec<u8>>> {
            let Some(mut r) = source.open(path)? else {
                return Ok(None);
            };
            let mut bytes = Vec::new();
            r.by_ref().take(max + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > max {
                return Err(io::Error::other(format!(
                    "{path} is larger than {max} bytes"
                )));
            }
            Ok(Some(bytes))
        };
        resolve(&mut read_json, reference, &[])?
    };
    if resolved.layers.len() > limits.max_layers {
        return Err(ImageError::TooManyLayers(resolved.layers.len()));
    }
    let mut budget = Budget::default();
    let mut extracts: Vec<LayerExtract> = Vec::with_capacity(resolved.layers.len());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut order = Vec::with_capacity(resolved.layers.len());
    for layer in &resolved.layers {
        if let Some(&i) = seen.get(layer.as_str()) {
            order.push(i);
            continue;
        }
        let mut r = source
            .open(layer)?
            .ok_or_else(|| ImageError::MissingLayer(layer.clone()))?;
        let head = read_head(&mut r, SNIFF_BYTES)?;
        let compression = match sniff(&head) {
            BlobKind::Layer(c) => c,
            _ => Compression::None,
        };
        let ext = read_layer(layer, compression, head, r, limits, &mut budget);
        seen.insert(layer, extracts.len());
        order.push(extracts.len());
        extracts.push(ext);
    }
    let ordered: Vec<&LayerExtract> = order.iter().map(|&i| &extracts[i]).collect();
    Ok(finish(&resolved, &ordered, Vec::new(), false, &budget))
}

/// The selected image: its config, id, tags and layer paths in order.
struct Resolved {
    config: Option<String>,
    config_json: Option<Value>,
    id: Option<String>,
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

/// One image an archive offers.
struct Candidate {
    tags: Vec<String>,
    id: Option<String>,
    /// `manifest.json` entry, or OCI descriptor.
    entry: Value,
}

/// Finds the selected image's config and layers through `read` (metadata by path).
fn resolve(
    read: &mut dyn FnMut(&str) -> io::Result<Option<Vec<u8>>>,
    reference: Option<&str>,
    problems: &[String],
) -> Result<Resolved, ImageError> {
    let json = |read: &mut dyn FnMut(&str) -> io::Result<Option<Vec<u8>>>,
                path: &str|
     -> Result<Option<Value>, ImageError> {
        match read(path)? {
            Some(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| ImageError::BadManifest {
                        what: path.to_owned(),
                        why: e.to_string(),
                    })
            }
            None => Ok(None),
        }
    };
    let bad = |what: &str, why: &str| ImageError::BadManifest {
        what: what.to_owned(),
        why: why.to_owned(),
    };
    if let Some(manifest) = json(read, "manifest.json")? {
        let entries = manifest
            .as_array()
            .ok_or_else(|| bad("manifest.json", "not a list"))?;
        let candidates: Vec<Candidate> = entries
            .iter()
            .map(|e| Candidate {
                tags: strings(e.get("RepoTags")),
                id: e
                    .get("Config")
                    .and_then(Value::as_str)
                    .and_then(id_from_path),
                entry: e.clone(),
            })
            .collect();
        let chosen = select(candidates, reference)?;
        let config = chosen
            .entry
            .get("Config")
            .and_then(Value::as_str)
            .map(|p| normalize(p.as_bytes()).unwrap_or_default());
        let layers = strings(chosen.entry.get("Layers"))
            .into_iter()
            .map(|p| {
                normalize(p.as_bytes())
                    .map_err(|e| bad("manifest.json", &format!("layer {p}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let config_json = match &config {
            Some(c) => json(read, c)?,
            None => None,
        };
        return Ok(Resolved {
            config,
            config_json,
            id: chosen.id,
            repo_tags: chosen.tags,
            layers,
        });
    }
    let Some(index) = json(read, "index.json")? else {
        let detail = problems
            .first()
            .map(|p| format!("; {p}"))
            .unwrap_or_default();
        return Err(ImageError::NoManifest(detail));
    };
    let descriptors = index
        .get("manifests")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("index.json", "no manifests"))?;
    let candidates: Vec<Candidate> = descriptors
        .iter()
        .map(|d| {
            let annotations = d.get("annotations");
            let mut tags = Vec::new();
            for key in [
                "io.containerd.image.name",
                "org.opencontainers.image.ref.name",
            ] {
                // containerd's annotation has the full name; the OCI one is often only the tag
                // (Docker's layout), and is taken when it is all there is.
                if let Some(t) = annotations.and_then(|a| a.get(key)).and_then(Value::as_str) {
                    if tags.is_empty() {
                        tags.push(t.to_owned());
                    }
                }
            }
            Candidate {
                tags,
                id: None,
                entry: d.clone(),
            }
        })
        .collect();
    let chosen = select(candidates, reference)?;
    let mut descriptor = chosen.entry;
    // An index (several platforms): pick this machine's platform, else linux/amd64, else the first.
    for _ in 0..4 {
        let media = descriptor
            .get("mediaType")
            .and_then(Value::as_str)
            .unwrap_or("");
        let path = blob_path(&descriptor)?;
        let doc = json(read, &path)?.ok_or_else(|| ImageError::MissingLayer(path.clone()))?;
        let is_index = INDEX_TYPES.contains(&media)
            || (doc.get("manifests").is_some() && doc.get("layers").is_none());
        if !is_index {
            let config_desc = doc
                .get("config")
                .ok_or_else(|| bad(&path, "manifest without config"))?;
            let config = blob_path(config_desc)?;
            let id = config_desc
                .get("digest")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let layers = doc
                .get("layers")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&path, "manifest without layers"))?
                .iter()
                .map(blob_path)
                .collect::<Result<Vec<_>, _>>()?;
            let config_json = json(read, &config)?;
            return Ok(Resolved {
                config: Some(config),
                config_json,
                id,
                repo_tags: chosen.tags,
                layers,
            });
        }
        let manifests = doc
            .get("manifests")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(&path, "index without manifests"))?;
        descriptor = pick_platform(manifests).ok_or_else(|| bad(&path, "no manifest for linux"))?;
    }
    Err(bad("index.json", "indexes nested too deep"))
}

/// The platform this machine runs, as OCI names it.
fn native_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm",
        "s390x" => "s390x",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// The manifest for this machine's architecture, else amd64, else the first Linux one; never an
/// attestation manifest (`unknown/unknown`).
fn pick_platform(manifests: &[Value]) -> Option<Value> {
    let platform = |m: &Value| -> (String, String) {
        let p = m.get("platform");
        let field = |k: &str| {
            p.and_then(|p| p.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        (field("os"), field("architecture"))
    };
    let linux: Vec<&Value> = manifests
        .iter()
        .filter(|m| {
            let (os, arch) = platform(m);
            (os == "linux" || os.is_empty()) && arch != "unknown"
        })
        .collect();
    linux
        .iter()
        .find(|m| platform(m).1 == native_arch())
        .or_else(|| linux.iter().find(|m| platform(m).1 == "amd64"))
        .or_else(|| linux.first())
        .map(|m| (*m).clone())
}

/// `blobs/<alg>/<hex>` for a descriptor's digest.
fn blob_path(descriptor: &Value) -> Result<String, ImageError> {
    let digest = descriptor
        .get("digest")
        .and_then(Value::as_str)
        .unwrap_or("");
    match digest.split_once(':') {
        Some((alg, hex))
            if !alg.is_empty()
                && !hex.is_empty()
                && alg.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'_' || b == b'.'
                })
                && hex.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Ok(format!("blobs/{alg}/{hex}"))
        }
        _ => Err(ImageError::BadManifest {
            what: "image index".into(),
            why: format!("digest {digest:?} is not ALGORITHM:HEX"),
        }),
    }
}

/// `sha256:<hex>` from a config path (`<hex>.json`, `blobs/sha256/<hex>`).
fn id_from_path(path: &str) -> Option<String> {
    let name = file_name(path);
    let hex = name.strip_suffix(".json").unwrap_or(name);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("sha256:{hex}"))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `busybox` → `docker.io/library/busybox:latest`, for comparing references.
pub(crate) fn normalize_reference(reference: &str) -> String {
    let r = reference.trim();
    let (name, digest) = match r.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (r, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let name = if last.contains(':') || digest.is_some() {
        name.to_owned()
    } else {
        format!("{name}:latest")
    };
    let first = name.split('/').next().unwrap_or("");
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let name = if has_registry {
        name
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    match digest {
        Some(d) => format!("{name}@{d}"),
        None => name,
    }
}

/// Picks the image a reference names; one image is picked whatever the reference.
fn select(
    mut candidates: Vec<Candidate>,
    reference: Option<&str>,
) -> Result<Candidate, ImageError> {
    if candidates.len() == 1 {
        return Ok(candidates.remove(0));
    }
    let available = candidates
        .iter()
        .map(|c| {
            c.tags
                .first()
                .cloned()
                .or_else(|| c.id.clone())
                .unwrap_or_else(|| "<unnamed>".into())
        })
        .collect::<Vec<_>>()
        .join(", ");
    let Some(reference) = reference else {
        return Err(ImageError::Ambiguous { available });
    };
    let wanted = normalize_reference(reference);
    let bare = reference.trim_start_matches("sha256:");
    let count = candidates.len();
    candidates
        .into_iter()
        .find(|c| {
            c.tags
                .iter()
                .any(|t| normalize_reference(t) == wanted || t == reference)
                || c.id.as_deref().is_some_and(|id| {
                    bare.len() >= 12 && id.trim_start_matches("sha256:").starts_with(bare)
                })
        })
        .ok_or(ImageError::NoSuchImage {
            reference: reference.to_owned(),
            count,
            available,
        })
}

/// Merges the extracts, analyses the result and gathers problems and statistics.
fn finish(
    resolved: &Resolved,
    extracts: &[&LayerExtract],
    mut problems: Vec<String>,
    mut incomplete: bool,
    budget: &Budget,
) -> ImageScan {
    let mut entries = 0;
    for ext in extracts {
        problems.extend(ext.problems.iter().cloned());
        incomplete |= ext.incomplete;
        entries += ext.entries;
    }
    problems.dedup();
    let merged = merge(extracts);
    let mut contents = analyse(&merged, problems);
    contents.stats.layers = extracts.len();
    contents.stats.entries = entries;
    contents.stats.bytes_read = budget.bytes_read;
    contents.stats.files_kept = budget.kept_files;
    contents.stats.bytes_kept = budget.kept_bytes;
    contents.stats.incomplete = incomplete || budget.exhausted;
    ImageScan {
        id: resolved.id.clone(),
        repo_tags: resolved.repo_tags.clone(),
        config: resolved.config_json.clone(),
        contents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise() {
        assert_eq!(
            normalize_reference("busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            normalize_reference("busybox:1"),
            "docker.io/library/busybox:1"
        );
        assert_eq!(normalize_reference("me/app:2"), "docker.io/me/app:2");
        assert_eq!(
            normalize_reference("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(
            normalize_reference("docker.io/library/busybox:latest"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            id_from_path(&format!("{}.json", "a".repeat(64))),
            Some(format!("sha256:{}", "a".repeat(64)))
        );
        assert_eq!(id_from_path("blobs/sha256/xyz"), None);
    }
}
