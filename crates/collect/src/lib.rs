//! Collects a Snapshot from a container engine. This is the only crate that talks to the engine: it
//! connects (negotiating the API version), sends GET requests only, bounds what it reads, masks
//! secret values as they arrive, and records what it could not get as gaps. The one exception is
//! [`mutate`], the requests that change the engine, which only `dockaudit prune apply|restore` call.
#![forbid(unsafe_code)]

mod backup_reads;
mod bounded;
mod connect;
pub mod contexts;
mod daemon;
mod engine_meta;
pub mod events;
mod gather;
pub mod host;
mod image_cache;
mod images;
pub mod mutate;
mod procs;
mod redact_value;
mod reread;
mod sizes;
pub mod vulns;

pub use backup_reads::Archive;
pub use bounded::{describe, RequestError, TooLarge, LIST_CAP, OBJECT_CAP};
pub use connect::{connect, resolve_endpoint, ConnectError, Endpoint, EndpointEnv, EngineClient};
pub use dockaudit_scan::image::{ImageScan, ScanLimits};
pub use engine_meta::describe_engine;
pub use gather::{collect, CollectOptions};
pub use image_cache::{CacheKey, ImageCache};
pub use images::{
    export_and_scan, image_from_scan, inspect_image, now_rfc3339, scan_archive_path, scan_image,
    scan_images, ImageScanOptions, ScanProgress, ScannedImage,
};
pub use reread::ObjectReader;
