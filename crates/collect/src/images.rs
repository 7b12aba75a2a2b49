//! Looking inside images: the engine streams an image as a `docker save` archive
//! (`GET /images/{id}/get`, read-only), and `dockaudit-scan` reads it as it arrives, on a blocking
//! thread fed through a small bounded channel: the archive is never held in memory whole nor
//! written to disk, and a stalled stream times out. Results are cached by image id
//! ([`ImageCache`]), so an unchanged image costs a file read the second time.
//!
//! An archive file or an OCI layout directory (`dockaudit image --archive PATH`) is read the same
//! way, and its configuration turned into the Snapshot's [`Image`] (with secrets masked), so the
//! image rules judge it as they judge an image from the engine.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockaudit_scan::image::{scan_archive, scan_layout, ImageScan, LayoutDir, ScanLimits, SCANNER};
use dockaudit_snapshot::contents::ImageContents;
use dockaudit_snapshot::{Fact, Gap, HistoryEntry, Image, ImageInspect, Redaction, Snapshot};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

use crate::connect::EngineClient;
use crate::image_cache::{CacheKey, ImageCache};
use crate::redact_value::redact_value;

/// Batches of the engine's stream in flight between the network and the reader (each about
/// [`BATCH_BYTES`], so at most a few MiB are held whatever the image's size).
const CHANNEL_BATCHES: usize = 4;

/// Bytes of the engine's stream gathered before they are handed to the reader. The engine sends
/// 32 KiB chunks; handing each over on its own woke the reader's thread 13 000 times for a 430 MB
/// image (a futex wake and an eventfd write each), which cost more CPU than reading the bytes.
const BATCH_BYTES: usize = 1 << 20;

/// The slowest average rate an image export may arrive at, after a grace of twice `stall_timeout`: a
/// stream that trickles (a byte a second never trips the inactivity deadline) ends when it falls
/// behind. 256 KiB/s is far below any local engine and a slow remote link alike.
pub const EXPORT_MIN_RATE: u64 = 256 << 10;

/// How images are scanned.
#[derive(Debug, Clone)]
pub struct ImageScanOptions {
    /// Bounds on reading one image.
    pub limits: ScanLimits,
    /// Images read at once (each takes a CPU for decompression).
    pub concurrency: usize,
    /// How long the engine's stream may send nothing before the scan gives up; the whole export
    /// must also keep an average of [`EXPORT_MIN_RATE`] after twice this time. `Duration::ZERO`:
    /// no limit.
    pub stall_timeout: Duration,
    /// Where results are cached; `None` for no cache.
    pub cache: Option<ImageCache>,
    /// The vulnerability database's version, part of the cache key (normally `None`: the cache
    /// holds contents before matching, see [`crate::vulns`]).
    pub db_version: Option<String>,
    /// Match the packages against the vulnerability database after reading the contents.
    pub match_vulnerabilities: bool,
    /// Where the vulnerability database is; `None` (or no file there) records that there is none.
    pub vulndb: Option<PathBuf>,
}

impl Default for ImageScanOptions {
    fn default() -> Self {
        ImageScanOptions {
            limits: ScanLimits::default(),
            concurrency: 2,
            stall_timeout: Duration::from_secs(60),
            cache: None,
            db_version: None,
            match_vulnerabilities: false,
            vulndb: None,
        }
    }
}

impl ImageScanOptions {
    fn key(&self) -> CacheKey {
        CacheKey {
            scanner: SCANNER.to_owned(),
            db_version: self.db_version.clone(),
        }
    }
}

/// What the progress callback hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanProgress {
    /// Scanning starts; this many images.
    Started {
        /// Images to scan.
        total: usize,
    },
    /// One image is done.
    Finished {
        /// Its display name.
        image: String,
        /// It came from the cache.
        cached: bool,
    },
}

/// One image's result and how it was obtained.
#[derive(Debug)]
pub struct ScannedImage {
    /// The contents, or why they could not be read.
    pub contents: Fact<ImageContents>,
    /// It came from the cache.
    pub cached: bool,
    /// Wall time spent.
    pub elapsed: Duration,
}

/// Scans the images with these ids (normally those the audited containers use) and attaches the
/// results to `snapshot.images[..].contents`; an image that cannot be read gets
/// `Fact::Missing` with the reason, and a gap.
pub async fn scan_images(
    client: &EngineClient,
    snapshot: &mut Snapshot,
    ids: &[String],
    options: &ImageScanOptions,
    progress: &(dyn Fn(ScanProgress) + Sync),
) {
    let mut wanted: Vec<String> = ids.to_vec();
    wanted.sort();
    wanted.dedup();
    wanted.retain(|id| snapshot.image_by_id(id).is_some());
    let names: BTreeMap<String, String> = wanted
        .iter()
        .filter_map(|id| Some((id.clone(), snapshot.image_by_id(id)?.display_name())))
        .collect();
    progress(ScanProgress::Started {
        total: wanted.len(),
    });
    let results: Vec<(String, ScannedImage)> = stream::iter(wanted)
        .map(|id| {
            let names = &names;
            async move {
                let scanned = scan_image(client, &id, options).await;
                progress(ScanProgress::Finished {
                    image: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                    cached: scanned.cached,
                });
                (id, scanned)
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    for (id, scanned) in results {
        if let Fact::Missing(why) = &scanned.contents {
            snapshot.gaps.push(Gap {
                what: format!(
                    "contents of image {}",
                    names.get(&id).map(String::as_str).unwrap_or(&id)
                ),
                why: why.clone(),
            });
        }
        if let Some(image) = snapshot.images.iter_mut().find(|i| i.inspect.id == id) {
            image.contents = Some(scanned.contents);
        }
    }
    snapshot.gaps.sort();
    snapshot.gaps.dedup();
}

/// Scans one image from the engine, through the cache.
pub async fn scan_image(
    client: &EngineClient,
    id: &str,
    options: &ImageScanOptions,
) -> ScannedImage {
    let started = Instant::now();
    let key = options.key();
    if let Some(cache) = &options.cache {
        let (cache, id, key) = (cache.clone(), id.to_owned(), key.clone());
        if let Ok(Some(hit)) = tokio::task::spawn_blocking(move || cache.get(&id, &key)).await {
            return ScannedImage {
                contents: with_vulnerabilities(hit, options).await,
                cached: true,
                elapsed: started.elapsed(),
            };
        }
    }
    let contents = match export_and_scan(client, id, &options.limits, options.stall_timeout).await {
        Ok(scan) => {
            if let Some(cache) = &options.cache {
                let (cache, id, contents) = (cache.clone(), id.to_owned(), scan.contents.clone());
                // A cache that cannot be written costs the next run a scan, nothing more.
                let _ = tokio::task::spawn_blocking(move || cache.put(&id, &key, &contents)).await;
            }
            with_vulnerabilities(scan.contents, options).await
        }
        Err(why) => Fact::Missing(format!("the image's layers could not be read: {why}")),
    };
    ScannedImage {
        contents,
        cached: false,
        elapsed: started.elapsed(),
    }
}

/// The contents, matched against the vulnerability database when the options ask for it.
async fn with_vulnerabilities(
    contents: ImageContents,
    options: &ImageScanOptions,
) -> Fact<ImageContents> {
    if options.match_vulnerabilities {
        crate::vulns::match_on_blocking_thread(options.vulndb.clone(), contents).await
    } else {
        Fact::Value(contents)
    }
}

/// A `Read` over batches of chunks sent from the async side.
struct ChannelReader<B> {
    rx: tokio::sync::mpsc::Receiver<io::Result<Vec<B>>>,
    batch: std::vec::IntoIter<B>,
    chunk: Option<B>,
    pos: usize,
}

impl<B> ChannelReader<B> {
    fn new(rx: tokio::sync::mpsc::Receiver<io::Result<Vec<B>>>) -> Self {
        ChannelReader {
            rx,
            batch: Vec::new().into_iter(),
            chunk: None,
            pos: 0,
        }
    }
}

impl<B: AsRef<[u8]>> Read for ChannelReader<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(chunk) = &self.chunk {
                let bytes = chunk.as_ref();
                if self.pos < bytes.len() {
                    let n = buf.len().min(bytes.len() - self.pos);
                    buf[..n].copy_from_slice(&bytes[self.pos..self.pos + n]);
                    self.pos += n;
                    return Ok(n);
                }
            }
            self.pos = 0;
            self.chunk = self.batch.next();
            if self.chunk.is_some() {
                continue;
            }
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(batch)) => self.batch = batch.into_iter(),
                Some(Err(e)) => return Err(e),
            }
        }
    }
}

/// Streams `GET /images/{image}/get` into the scanner. The scan runs on a blocking thread, handed
/// the stream in batches of about [`BATCH_BYTES`]; the channel between them holds a few batches, so
/// memory stays small whatever the image's size.
///
/// Two deadlines bound the stream (unless `stall_timeout` is zero): nothing for `stall_timeout`
/// ends it, and so does an overall deadline that grows with what arrived, twice `stall_timeout`
/// plus the time the bytes received would take at [`EXPORT_MIN_RATE`].
pub async fn export_and_scan(
    client: &EngineClient,
    image: &str,
    limits: &ScanLimits,
    stall_timeout: Duration,
) -> Result<ImageScan, String> {
    let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_BATCHES);
    let limits = *limits;
    let reference = image.to_owned();
    let reader = tokio::task::spawn_blocking(move || {
        let r = ChannelReader::new(rx);
        scan_archive(
            io::BufReader::with_capacity(256 << 10, r),
            Some(&reference),
            &limits,
        )
    });
    let mut body = client.docker.export_image(image);
    let started = Instant::now();
    let mut received: u64 = 0;
    let mut batch = Vec::new();
    let mut batched = 0usize;
    loop {
        let next = if stall_timeout.is_zero() {
            Ok(body.next().await)
        } else {
            // A grace of twice the inactivity deadline, so that a stream that stalls from the
            // start reads as a stall, not as slow.
            let overall = 2 * stall_timeout
                + Duration::from_secs_f64(received as f64 / EXPORT_MIN_RATE as f64);
            let left = overall.saturating_sub(started.elapsed());
            tokio::time::timeout(stall_timeout.min(left), body.next())
                .await
                .map_err(|_| {
                    let why = if left <= stall_timeout {
                        format!(
                            "the engine sent {received} bytes in {}, slower than {} KiB/s",
                            crate::bounded::seconds(started.elapsed()),
                            EXPORT_MIN_RATE >> 10
                        )
                    } else {
                        format!(
                            "the engine sent nothing for {}",
                            crate::bounded::seconds(stall_timeout)
                        )
                    };
                    io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("GET /images/{}/get timed out: {why}", short_id(image)),
                    )
                })
        };
        // (the stream ended, how it failed if it did)
        let (ended, failure) = match next {
            Err(timed_out) => (true, Some(timed_out)),
            Ok(None) => (true, None),
            Ok(Some(Ok(chunk))) => {
                received += chunk.len() as u64;
                batched += chunk.len();
                batch.push(chunk);
                if batched < BATCH_BYTES {
                    continue;
                }
                (false, None)
            }
            Ok(Some(Err(e))) => (true, Some(io::Error::other(crate::bounded::describe(&e)))),
        };
        // What arrived before the end (or a failure) is read first.
        if !batch.is_empty() {
            batched = 0;
            // The reader stops early only when it has failed; its error is what we report.
            if tx.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                break;
            }
        }
        if let Some(e) = failure {
            let _ = tx.send(Err(e)).await;
        }
        if ended {
            break;
        }
    }
    drop(tx);
    drop(body);
    reader
        .await
        .map_err(|e| format!("the image reader stopped: {e}"))?
        .map_err(|e| e.to_string())
}

fn short_id(id: &str) -> &str {
    dockaudit_snapshot::engine::short_image_id(id)
}

/// The current time, RFC 3339 in UTC, as snapshots record `collected_at`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Inspects one image and reads its history (`GET /images/{name}/json`, `…/history`), masking
/// secrets as collection does; the contents are not read (see [`scan_image`]).
pub async fn inspect_image(
    client: &EngineClient,
    reference: &str,
) -> Result<(Image, Vec<Redaction>), String> {
    let docker = &client.docker;
    let answer = client
        .within(
            format!("GET /images/{reference}/json"),
            docker.inspect_image(reference),
        )
        .await
        .map_err(|e| {
            if e.is_not_found() {
                format!("no image {reference:?} on this engine")
            } else {
                format!("image {reference:?} could not be inspected: {e}")
            }
        })?;
    let mut value = serde_json::to_value(&answer).unwrap_or(Value::Null);
    let id = value
        .get("Id")
        .and_then(Value::as_str)
        .unwrap_or(reference)
        .to_owned();
    let mut redactions = redact_value(&mut value, "image", &id);
    let inspect: ImageInspect = serde_json::from_value(value)
        .map_err(|e| format!("unexpected shape of image inspect: {e}"))?;
    let history = match client
        .within(
            format!("GET /images/{}/history", short_id(&id)),
            docker.image_history(&id),
        )
        .await
    {
        Ok(layers) => {
            let mut value = serde_json::to_value(&layers).unwrap_or(Value::Null);
            redactions.extend(redact_value(&mut value, "image", &id));
            match serde_json::from_value::<Vec<HistoryEntry>>(value) {
                Ok(h) => Fact::Value(h),
                Err(e) => Fact::Missing(format!("unexpected shape of image history: {e}")),
            }
        }
        Err(e) => Fact::Missing(format!("history could not be read: {e}")),
    };
    Ok((
        Image {
            inspect,
            history: Some(history),
            contents: None,
        },
        redactions,
    ))
}

/// Reads an image from a `docker save` archive (plain or compressed), an OCI layout tar, or a
/// directory holding either unpacked. `reference` picks the image when there are several.
pub fn scan_archive_path(
    path: &Path,
    reference: Option<&str>,
    limits: &ScanLimits,
) -> Result<ImageScan, String> {
    let shown = path.display();
    if path.is_dir() {
        let mut layout = LayoutDir::new(path).map_err(|e| format!("cannot open {e}"))?;
        return scan_layout(&mut layout, reference, limits).map_err(|e| format!("{shown}: {e}"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
    scan_archive(
        io::BufReader::with_capacity(1 << 20, file),
        reference,
        limits,
    )
    .map_err(|e| format!("{shown}: {e}"))
}

/// The Snapshot's view of an image read from an archive: its configuration as the engine's inspect
/// would show it, the history (newest first), and the contents; secrets in the configuration and
/// history are masked (and listed in the returned redactions), as collection does for the engine's
/// answers.
pub fn image_from_scan(scan: ImageScan, reference: &str) -> (Image, Vec<Redaction>) {
    let config = scan.config.clone().unwrap_or(Value::Null);
    let id = scan
        .id
        .clone()
        .unwrap_or_else(|| format!("archive:{reference}"));
    let tags = if scan.repo_tags.is_empty() {
        vec![reference.to_owned()]
    } else {
        scan.repo_tags.clone()
    };
    let field = |k: &str| config.get(k).cloned().unwrap_or(Value::Null);
    let mut inspect = json!({
        "Id": id,
        "RepoTags": tags,
        "Created": field("created"),
        "Os": field("os"),
        "Architecture": field("architecture"),
        "Config": field("config"),
    });
    let mut redactions = redact_value(&mut inspect, "image", &id);
    let inspect: ImageInspect = serde_json::from_value(inspect).unwrap_or_default();
    let mut history: Vec<Value> = config
        .get("history")
        .and_then(Value::as_array)
        .map(|h| {
            h.iter()
                .map(|e| {
                    let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                    let created = time::OffsetDateTime::parse(
                        &text("created"),
                        &time::format_description::well_known::Rfc3339,
                    )
                    .map(|t| t.unix_timestamp())
                    .unwrap_or(0);
                    json!({
                        "Id": "<missing>",
                        "Created": created,
                        "CreatedBy": text("created_by"),
                        "Comment": text("comment"),
                        "Size": 0,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    history.reverse();
    let mut history = Value::from(history);
    redactions.extend(redact_value(&mut history, "image", &id));
    let history: Vec<HistoryEntry> = serde_json::from_value(history).unwrap_or_default();
    let image = Image {
        inspect,
        history: Some(Fact::Value(history)),
        contents: Some(Fact::Value(scan.contents)),
    };
    (image, redactions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_reader_reads_batches_in_order_then_the_failure() {
        let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Vec<&'static [u8]>>>(4);
        tx.try_send(Ok(vec![b"ab", b"", b"cde"])).unwrap();
        tx.try_send(Ok(vec![])).unwrap();
        tx.try_send(Ok(vec![b"f"])).unwrap();
        tx.try_send(Err(io::Error::other("stream broke"))).unwrap();
        drop(tx);
        let mut r = ChannelReader::new(rx);
        let mut got = Vec::new();
        let mut buf = [0u8; 2];
        let err = loop {
            match r.read(&mut buf) {
                Ok(0) => panic!("ended without the failure: {got:?}"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break e,
            }
        };
        assert_eq!(got, b"abcdef");
        assert_eq!(err.to_string(), "stream broke");
    }

    #[test]
    fn channel_reader_ends_when_the_sender_is_gone() {
        let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Vec<Vec<u8>>>>(2);
        tx.try_send(Ok(vec![vec![7u8; 3000], vec![8u8; 5]]))
            .unwrap();
        drop(tx);
        let mut got = Vec::new();
        ChannelReader::new(rx).read_to_end(&mut got).unwrap();
        assert_eq!(got.len(), 3005);
        assert_eq!(&got[2998..], &[7, 7, 8, 8, 8, 8, 8]);
    }

    #[test]
    fn archive_configs_become_inspect_and_history_with_secrets_masked() {
        let scan = ImageScan {
            id: Some(format!("sha256:{}", "a".repeat(64))),
            repo_tags: vec![],
            config: Some(json!({
                "created": "2024-01-02T03:04:05Z", "os": "linux", "architecture": "amd64",
                "config": {"User": "", "Env": ["API_SECRET=planted-image-secret-987", "PATH=/bin"]},
                "history": [
                    {"created": "2024-01-01T00:00:00Z", "created_by": "ADD rootfs /"},
                    {"created": "2024-01-02T03:04:05Z", "created_by": "ENV API_SECRET=planted-image-secret-987", "empty_layer": true},
                ],
            })),
            contents: ImageContents::default(),
        };
        let (image, redactions) = image_from_scan(scan, "app:1");
        assert_eq!(image.inspect.repo_tags, vec!["app:1"]);
        assert_eq!(image.inspect.os, "linux");
        let text = serde_json::to_string(&image).unwrap();
        assert!(!text.contains("planted-image-secret-987"), "{text}");
        assert!(text.contains("PATH=/bin"));
        let Some(Fact::Value(h)) = &image.history else {
            panic!("history");
        };
        assert_eq!(h.len(), 2);
        assert!(
            h[0].created_by.starts_with("ENV API_SECRET="),
            "newest first"
        );
        assert_eq!(h[1].created, 1_704_067_200);
        let fields: Vec<&str> = redactions.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(fields, vec!["Config.Env", "history"]);
    }
}
