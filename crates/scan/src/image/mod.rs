//! Reading an image without unpacking it: a `docker save` archive (as `GET /images/{name}/get`
//! streams it, or from a file) or an OCI image layout (a tar, or a directory through a
//! [`BlobSource`]), read once, keeping only the files the analysers ask for, and turned into the
//! Snapshot's [`ImageContents`].
//!
//! How a streamed archive is read in one pass, whatever its order: `docker save` writes layers
//! in an order that is not the manifest's, and `manifest.json` may come after them. Each layer
//! blob is read as it arrives into a small [`layer::LayerExtract`] (the kept files, metadata of
//! setuid/setgid files, secret-scan results, whiteouts, and a 64-bit hash of every path it
//! touches); small JSON blobs (manifests, configs) are kept whole. When the archive ends, the
//! manifest says which extracts to apply and in which order ([`merge`]). Memory is bounded by
//! what is kept (the bounds of [`ScanLimits`]) plus 8 bytes a tar entry, never by the image's size;
//! nothing is written to disk, and the engine's stream is never buffered whole. A directory
//! layout is read in the manifest's order directly.
//!
//! Everything is bounded and nothing is followed: a tar entry escaping the root is reported and
//! skipped, a truncated layer is reported and what was read of it used, a bomb (huge declared
//! sizes, millions of entries, endless decompression) stops at a bound with a problem recorded in
//! [`ImageContents::problems`] and [`ScanStats::incomplete`](dockaudit_snapshot::contents::ScanStats).

mod analyse;
mod archive;
mod interest;
mod layer;
mod merge;
pub mod path;

pub use analyse::SCANNER;
pub use archive::{scan_archive, scan_layout, BlobSource, LayoutDir};
use dockaudit_snapshot::contents::ImageContents;

/// Bounds on what reading one image may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanLimits {
    /// Tar entries across all layers.
    pub max_entries: u64,
    /// Uncompressed layer bytes read across all layers (the bound against decompression bombs
    /// and endless streams; the layers of a 10 GB image fit).
    pub max_bytes_read: u64,
    /// Largest package database kept (`rpmdb.sqlite` of a big image is tens of MiB).
    pub max_database_bytes: u64,
    /// Largest entry of a one-file-per-package database kept (a `var/lib/dpkg/status.d/` file
    /// describes one package in a few KiB).
    pub max_package_entry_bytes: u64,
    /// Total bytes of such entries kept (distroless images have tens of them).
    pub max_package_entries_bytes: u64,
    /// Total bytes of file content kept, all layers together.
    pub max_kept_bytes: u64,
    /// Largest Java archive or executable read (whole, one at a time, in memory) for the
    /// application packages in it.
    pub max_app_file_bytes: u64,
    /// Largest file whose text is scanned for secrets.
    pub max_scan_file_bytes: u64,
    /// Files of interest recorded (setuid files, cache files, scanned files with secrets…).
    pub max_records: u64,
    /// Secrets recorded.
    pub max_secrets: u64,
    /// Largest JSON blob (manifest, index, config) kept.
    pub max_metadata_bytes: u64,
    /// Entries of the outer archive.
    pub max_archive_entries: u64,
    /// Layers of one image.
    pub max_layers: usize,
}

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits {
            max_entries: 2_000_000,
            max_bytes_read: 32 << 30,
            max_database_bytes: 256 << 20,
            max_package_entry_bytes: 1 << 20,
            max_package_entries_bytes: 64 << 20,
            max_kept_bytes: 512 << 20,
            max_app_file_bytes: 256 << 20,
            max_scan_file_bytes: 256 << 10,
            max_records: 500_000,
            max_secrets: 1_000,
            max_metadata_bytes: 8 << 20,
            max_archive_entries: 100_000,
            max_layers: 1_000,
        }
    }
}

/// What reading an image gave.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageScan {
    /// The image id (`sha256:` + the config's digest), when the archive names the config.
    pub id: Option<String>,
    /// The tags the archive records for it.
    pub repo_tags: Vec<String>,
    /// The image configuration (`config`, `history`, `os`, `architecture`…), as JSON.
    pub config: Option<serde_json::Value>,
    /// What is inside.
    pub contents: ImageContents,
}

/// Why an image could not be read at all (problems with parts of it are in
/// [`ImageContents::problems`] instead).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Reading the input failed before anything could be made of it.
    #[error("cannot read the image archive: {0}")]
    Io(#[from] std::io::Error),
    /// Neither a `docker save` archive nor an OCI layout.
    #[error("not an image archive: no manifest.json (docker save) or index.json (OCI layout){0}")]
    NoManifest(String),
    /// A manifest, index or config that cannot be used.
    #[error("{what} is not valid: {why}")]
    BadManifest {
        /// Which file.
        what: String,
        /// What is wrong.
        why: String,
    },
    /// The archive holds several images and the reference names none of them.
    #[error("the archive holds {count} images and none is {reference:?}; it has: {available}")]
    NoSuchImage {
        /// The reference asked for.
        reference: String,
        /// How many images there are.
        count: usize,
        /// Their tags or ids.
        available: String,
    },
    /// The archive holds several images and no reference was given.
    #[error("the archive holds several images ({available}); name one")]
    Ambiguous {
        /// Their tags or ids.
        available: String,
    },
    /// A layer the manifest names is not in the archive.
    #[error(
        "layer {0} named by the manifest is not in the archive (truncated or incomplete archive?)"
    )]
    MissingLayer(String),
    /// More layers than the bound.
    #[error("the image has {0} layers, more than the bound")]
    TooManyLayers(usize),
}
