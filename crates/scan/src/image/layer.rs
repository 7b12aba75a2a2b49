//! Reading one layer: a tar (plain, gzip or zstd, told by its magic bytes) streamed once, keeping
//! only what the analysers ask for (see [`super::interest`]) in a [`LayerExtract`].
//!
//! Layers are read independently of each other, in whatever order the archive holds them, and
//! applied in the manifest's order later ([`super::merge`]). So that an upper layer can hide a
//! lower layer's file even when the upper entry itself is of no interest (a `chmod u-s`, a file
//! replaced by an empty one), every extract also holds a 64-bit hash of every path the layer
//! touches: 8 bytes an entry, whatever the layer's size.
//!
//! Everything is bounded ([`super::ScanLimits`]): entries and uncompressed bytes per image, bytes
//! kept per file and in total, records, secrets. A damaged or truncated layer, a bound reached, or an
//! entry whose path escapes the root is reported in [`LayerExtract::problems`]; what was read
//! before stands.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};

use dockaudit_snapshot::contents::AppPackage;
use dockaudit_snapshot::redact::{find_secrets, FoundSecret};

use crate::inventory::app::{self, AppFile};

use super::interest::{file_interest, git_root, interest, Purpose};
use super::path::{self, normalize};
use super::ScanLimits;

/// Most problems kept per layer; the rest are counted.
const MAX_PROBLEMS_PER_LAYER: usize = 20;
/// Most secrets kept per file.
const MAX_SECRETS_PER_FILE: usize = 20;
/// Bytes of a file looked at to tell text from binary.
const BINARY_SNIFF: usize = 8 << 10;

/// How a blob is compressed, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
    /// A plain tar.
    None,
}

/// What a blob's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlobKind {
    /// A layer (a tar, possibly compressed).
    Layer(Compression),
    /// JSON (a manifest, index or config).
    Json,
    /// Something else.
    Other,
}

/// Tells a blob's kind from its first bytes (up to 512).
pub(crate) fn sniff(head: &[u8]) -> BlobKind {
    if head.starts_with(&[0x1f, 0x8b]) {
        BlobKind::Layer(Compression::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        BlobKind::Layer(Compression::Zstd)
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        BlobKind::Layer(Compression::None)
    } else if head.len() >= 512 && head[..512].iter().all(|&b| b == 0) {
        // An empty tar: only the end-of-archive blocks.
        BlobKind::Layer(Compression::None)
    } else if matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        BlobKind::Json
    } else {
        BlobKind::Other
    }
}

/// Facts about a regular file (or a hard link to one) kept for the analysers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileFacts {
    /// Size in bytes, from the header.
    pub size: u64,
    /// Permission bits, with setuid/setgid/sticky.
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// The content, when the analysers asked for it.
    pub content: Option<Vec<u8>>,
    /// Secrets the scan found in it, masked.
    pub secrets: Vec<FoundSecret>,
    /// Application packages its metadata or build information describes.
    pub apps: Vec<AppPackage>,
}

/// What is at a recorded path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A regular file.
    File(FileFacts),
    /// A symbolic link and its target, as written.
    Symlink(String),
    /// A hard link to another path of the same layer (normalised), with its header's facts.
    Hardlink(String, FileFacts),
    /// A directory the analysers track (`.git`).
    Dir,
}

/// A path the analysers asked about, as one layer has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// Normalised path.
    pub path: String,
    /// What is there.
    pub node: Node,
}

/// What one layer holds of interest.
#[derive(Debug, Default)]
pub(crate) struct LayerExtract {
    /// The layer's name in the archive (`blobs/sha256/…`, `<id>/layer.tar`).
    pub name: String,
    /// Recorded paths, in tar order (a later record for the same path wins).
    pub records: Vec<Record>,
    /// Hashes of every path with an entry in this layer.
    pub paths: HashSet<u64>,
    /// Hashes of every path with a non-directory entry (these hide a lower layer's directory).
    pub non_dirs: HashSet<u64>,
    /// Paths deleted from lower layers (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents are hidden (`.wh..wh..opq`).
    pub opaque: Vec<String>,
    /// What went wrong or was cut.
    pub problems: Vec<String>,
    /// Whether the layer was not read to its end.
    pub incomplete: bool,
    /// Tar entries read.
    pub entries: u64,
    pub(crate) problems_dropped: usize,
}

impl LayerExtract {
    fn problem(&mut self, message: String) {
        if self.problems.len() < MAX_PROBLEMS_PER_LAYER {
            self.problems.push(message);
        } else {
            self.problems_dropped += 1;
        }
    }

    fn finish_problems(&mut self) {
        if self.problems_dropped > 0 {
            let n = self.problems_dropped;
            self.problems
                .push(format!("layer {}: {n} more problems not listed", self.name));
            self.problems_dropped = 0;
        }
    }
}

/// What the whole image has used so far of its bounds.
#[derive(Debug, Default, Clone)]
pub(crate) struct Budget {
    /// Tar entries read, all layers.
    pub entries: u64,
    /// Uncompressed layer bytes read.
    pub bytes_read: u64,
    /// Bytes of content kept.
    pub kept_bytes: u64,
    /// Bytes of one-file-per-package database entries kept (part of `kept_bytes`).
    pub package_entry_bytes: u64,
    /// Files whose content was kept.
    pub kept_files: u64,
    /// Records kept.
    pub records: u64,
    /// Secrets kept.
    pub secrets: u64,
    /// Whether a bound stopped the reading somewhere.
    pub exhausted: bool,
    /// Bounds already reported (each once per image).
    reported: HashSet<&'static str>,
}

impl Budget {
    /// Reports a bound once per image; returns whether this is the first time.
    fn first(&mut self, bound: &'static str) -> bool {
        self.exhausted = true;
        self.reported.insert(bound)
    }
}

/// Counts the uncompressed bytes the tar reader pulls, fails once the image's bound is reached,
/// and notes when the stream ends (a tar must end with zero blocks before that).
pub(crate) struct Counted<R> {
    inner: R,
    read: u64,
    allowed: u64,
    eof: bool,
    /// The bound was reached.
    pub over: bool,
}

impl<R> Counted<R> {
    /// Reads at most `allowed` bytes of `inner`, then fails.
    pub(crate) fn new(inner: R, allowed: u64) -> Self {
        Counted {
            inner,
            read: 0,
            allowed,
            eof: false,
            over: false,
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.read >= self.allowed {
            self.over = true;
            return Err(io::Error::other("bound on uncompressed bytes reached"));
        }
        let room = usize::try_from(self.allowed - self.read).unwrap_or(usize::MAX);
        let max = buf.len().min(room);
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            self.eof = true;
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// Reads the first `n` bytes of `r` (fewer at its end).
pub(crate) fn read_head<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Wraps a blob (whose first bytes `head` were already read from `rest`) in its decompressor.
pub(crate) fn decompressed<'a, R: Read + 'a>(
    compression: Compression,
    head: Vec<u8>,
    rest: R,
) -> io::Result<Box<dyn Read + 'a>> {
    let whole = io::Cursor::new(head).chain(rest);
    Ok(match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(whole)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(whole)?),
        Compression::None => Box::new(whole),
    })
}

/// Reads one layer blob. `head` is its first bytes, already read from `rest`, and `compression`
/// what [`sniff`] made of them.
pub(crate) fn read_layer<R: Read>(
    name: &str,
    compression: Compression,
    head: Vec<u8>,
    rest: R,
    limits: &ScanLimits,
    budget: &mut Budget,
) -> LayerExtract {
    let mut ext = LayerExtract {
        name: name.to_owned(),
        ..LayerExtract::default()
    };
    let reader = match decompressed(compression, head, rest) {
        Ok(r) => r,
        Err(e) => {
            ext.problem(format!("layer {name}: cannot decompress: {e}"));
            ext.incomplete = true;
            return ext;
        }
    };
    let counted = Counted::new(
        reader,
        limits.max_bytes_read.saturating_sub(budget.bytes_read),
    );
    let mut archive = tar::Archive::new(counted);
    let mut state = LayerState::default();
    let result: io::Result<()> = (|| {
        for entry in archive.entries()? {
            let mut entry = entry?;
            if !read_entry(&mut entry, &mut ext, &mut state, limits, budget)? {
                break;
            }
        }
        Ok(())
    })();
    let counted = archive.into_inner();
    budget.bytes_read += counted.read;
    if counted.over {
        ext.incomplete = true;
        if budget.first("bytes") {
            ext.problem(format!(
                "stopped reading at layer {name}: the image's layers hold more than {} uncompressed bytes (the bound); later entries are not seen",
                limits.max_bytes_read
            ));
        }
    } else if let Err(e) = result {
        ext.incomplete = true;
        ext.problem(format!(
            "layer {name} is damaged or truncated after {} entries: {e}; what was read before is used",
            ext.entries
        ));
    } else if counted.eof && !state.stopped {
        ext.incomplete = true;
        ext.problem(format!(
            "layer {name} ends without the tar end-of-archive blocks after {} entries (truncated?); what was read is used",
            ext.entries
        ));
    }
    ext.finish_problems();
    ext
}

/// Per-layer reading state.
#[derive(Default)]
struct LayerState {
    /// `.git` roots already recorded in this layer.
    git_roots: HashSet<String>,
    /// Index of the last file record per path, for hard links.
    files: HashMap<String, usize>,
    /// Reading stopped on a bound (not a truncation).
    stopped: bool,
    /// Scratch buffer for secret scans.
    scratch: Vec<u8>,
}

/// Handles one entry; `Ok(false)` stops reading the layer (a bound was reached).
fn read_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    ext: &mut LayerExtract,
    state: &mut LayerState,
    limits: &ScanLimits,
    budget: &mut Budget,
) -> io::Result<bool> {
    ext.entries += 1;
    budget.entries += 1;
    if budget.entries > limits.max_entries {
        ext.incomplete = true;
        state.stopped = true;
        if budget.first("entries") {
            ext.problem(format!(
                "stopped reading at layer {}: more than {} tar entries in the image (the bound); later entries are not seen",
                ext.name, limits.max_entries
            ));
        }
        return Ok(false);
    }
    let raw = entry.path_bytes();
    let path = match normalize(&raw) {
        Ok(p) => p,
        Err(e) => {
            let shown = String::from_utf8_lossy(&raw)
                .chars()
                .take(200)
                .collect::<String>();
            ext.problem(format!("layer {}: entry {shown:?} skipped: {e}", ext.name));
            return Ok(true);
        }
    };
    if path.is_empty() {
        return Ok(true);
    }
    let name = path::file_name(&path);
    let dir = path::parent(&path);
    if name == ".wh..wh..opq" {
        ext.opaque.push(dir.to_owned());
        return Ok(true);
    }
    if let Some(deleted) = name.strip_prefix(".wh.") {
        // `.wh..wh.*` other than the opaque marker is AUFS bookkeeping (hard-link directories).
        if !deleted.starts_with(".wh.") && !deleted.is_empty() {
            ext.whiteouts.push(path::join(dir, deleted));
        }
        return Ok(true);
    }
    let kind = entry.header().entry_type();
    let hash = path::path_hash(&path);
    ext.paths.insert(hash);
    if !kind.is_dir() {
        ext.non_dirs.insert(hash);
    }
    if let Some(root) = git_root(&path) {
        if state.git_roots.insert(root.to_owned()) {
            push(
                ext,
                budget,
                limits,
                Record {
                    path: root.to_owned(),
                    node: Node::Dir,
                },
            );
        }
    }
    let header = entry.header();
    let facts = FileFacts {
        size: entry.size(),
        mode: header.mode().unwrap_or(0),
        uid: header.uid().unwrap_or(0),
        gid: header.gid().unwrap_or(0),
        content: None,
        secrets: Vec::new(),
        apps: Vec::new(),
    };
    let special = facts.mode & 0o6000 != 0;
    match kind {
        tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
            read_file(entry, path, facts, special, ext, state, limits, budget)?;
        }
        tar::EntryType::Symlink => {
            let wanted = interest(&path, 0, limits);
            if wanted.keep.is_some() || wanted.meta {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                push(
                    ext,
                    budget,
                    limits,
                    Record {
                        path,
                        node: Node::Symlink(target),
                    },
                );
            }
        }
        tar::EntryType::Link => {
            let raw_target = entry.link_name_bytes().unwrap_or_default();
            let target = match normalize(&raw_target) {
                Ok(t) => t,
                Err(e) => {
                    ext.problem(format!(
                        "layer {}: hard link {path:?} to {:?} skipped: {e}",
                        ext.name,
                        String::from_utf8_lossy(&raw_target)
                    ));
                    return Ok(true);
                }
            };
            let wanted = interest(&path, facts.size, limits);
            if wanted.keep.is_some() || wanted.meta || special {
                // A hard link names an earlier entry of the same tar: take its facts when kept.
                let node = match state.files.get(&target).map(|&i| &ext.records[i].node) {
                    Some(Node::File(f)) => Node::File(FileFacts {
                        mode: facts.mode,
                        ..f.clone()
                    }),
                    _ => Node::Hardlink(target, facts),
                };
                push(ext, budget, limits, Record { path, node });
            }
        }
        _ => {}
    }
    Ok(true)
}

/// Handles a regular file: keeps, scans or records it as the analysers asked.
#[allow(clippy::too_many_arguments)]
fn read_file<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    path: String,
    mut facts: FileFacts,
    special: bool,
    ext: &mut LayerExtract,
    state: &mut LayerState,
    limits: &ScanLimits,
    budget: &mut Budget,
) -> io::Result<()> {
    let wanted = file_interest(&path, facts.size, facts.mode, limits);
    if wanted.keep.is_none() && !wanted.meta && !wanted.scan && wanted.app.is_none() && !special {
        return Ok(());
    }
    let size = facts.size;
    if let Some(purpose) = wanted.keep {
        let limit = purpose.limit(limits);
        if size > limit {
            ext.problem(format!(
                "layer {}: {path} is {size} bytes, over the {limit}-byte bound for such a file: not read",
                ext.name
            ));
        } else if purpose == Purpose::PackageEntry
            && budget.package_entry_bytes + size > limits.max_package_entries_bytes
        {
            ext.incomplete = true;
            if budget.first("package entries") {
                ext.problem(format!(
                    "layer {}: {path} not read: the package entries kept from this image would exceed {} bytes (the bound)",
                    ext.name, limits.max_package_entries_bytes
                ));
            }
        } else if budget.kept_bytes + size > limits.max_kept_bytes {
            ext.incomplete = true;
            if budget.first("kept") {
                ext.problem(format!(
                    "layer {}: {path} not read: the files kept from this image would exceed {} bytes (the bound)",
                    ext.name, limits.max_kept_bytes
                ));
            }
        } else {
            let mut content = Vec::with_capacity(size as usize);
            Read::take(&mut *entry, size).read_to_end(&mut content)?;
            if (content.len() as u64) < size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{path} is cut short ({} of {size} bytes)", content.len()),
                ));
            }
            budget.kept_bytes += size;
            budget.kept_files += 1;
            if purpose == Purpose::PackageEntry {
                budget.package_entry_bytes += size;
            }
            facts.content = Some(content);
        }
    } else if wanted.scan || wanted.app.is_some() {
        state.scratch.clear();
        let mut app_kind = wanted.app;
        if app_kind == Some(AppFile::Executable) && !wanted.scan {
            // Most executables are not Go or Rust binaries: read the rest only for an ELF file.
            Read::take(&mut *entry, 4).read_to_end(&mut state.scratch)?;
            if !app::is_elf(&state.scratch) {
                app_kind = None;
            }
        }
        if app_kind.is_some() || wanted.scan {
            let have = state.scratch.len() as u64;
            Read::take(&mut *entry, size - have).read_to_end(&mut state.scratch)?;
            if (state.scratch.len() as u64) < size {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "{path} is cut short ({} of {size} bytes)",
                        state.scratch.len()
                    ),
                ));
            }
        }
        if let Some(kind) = app_kind {
            match app::parse(kind, &path, &state.scratch) {
                Ok(found) => facts.apps = found,
                Err(e) => ext.problem(format!("layer {}: {e}", ext.name)),
            }
        }
        let sniffed = &state.scratch[..state.scratch.len().min(BINARY_SNIFF)];
        if wanted.scan && !sniffed.contains(&0) {
            let text = String::from_utf8_lossy(&state.scratch);
            let mut found = find_secrets(&text);
            found.truncate(MAX_SECRETS_PER_FILE);
            let room = limits.max_secrets.saturating_sub(budget.secrets);
            if (found.len() as u64) > room {
                found.truncate(room as usize);
                if budget.first("secrets") {
                    ext.problem(format!(
                        "more than {} secrets found in this image (the bound): the rest are not listed",
                        limits.max_secrets
                    ));
                }
            }
            budget.secrets += found.len() as u64;
            facts.secrets = found;
        }
    }
    if state.scratch.capacity() > 64 << 20 {
        // A large binary or archive was read: do not keep its buffer for the rest of the layer.
        state.scratch = Vec::new();
    }
    if facts.content.is_some()
        || !facts.secrets.is_empty()
        || !facts.apps.is_empty()
        || wanted.meta
        || special
    {
        if facts.content.is_some() {
            state.files.insert(path.clone(), ext.records.len());
        }
        push(
            ext,
            budget,
            limits,
            Record {
                path,
                node: Node::File(facts),
            },
        );
    }
    Ok(())
}

/// Keeps a record within the image's bound.
fn push(ext: &mut LayerExtract, budget: &mut Budget, limits: &ScanLimits, record: Record) {
    if budget.records >= limits.max_records {
        ext.incomplete = true;
        if budget.first("records") {
            ext.problem(format!(
                "more than {} files of interest in this image (the bound): the rest are not recorded",
                limits.max_records
            ));
        }
        return;
    }
    budget.records += 1;
    ext.records.push(record);
}
