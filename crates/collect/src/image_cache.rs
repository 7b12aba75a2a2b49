//! A cache of image scan results on the local disk, keyed by image id (content-addressed, so an
//! unchanged image gives the same result) together with the scanner's version and the
//! vulnerability database's version: a result from another scanner or database is not reused.
//!
//! One JSON file per image under `DIR/images/`, written atomically (a temporary file renamed). A
//! file that cannot be read or parsed is ignored and rewritten by the next scan. The cache is
//! bounded: after a write, the least recently used files go until at most
//! [`ImageCache::max_entries`] files and [`ImageCache::max_bytes`] bytes remain. Only complete
//! results are stored (a scan cut short by a bound or a broken stream is done again next time).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use dockaudit_snapshot::contents::ImageContents;
use serde::{Deserialize, Serialize};

/// Format of a cache file; bumped when its meaning changes.
const CACHE_FORMAT: u32 = 1;

/// The local cache of image scan results.
#[derive(Debug, Clone)]
pub struct ImageCache {
    dir: PathBuf,
    /// Most files kept.
    pub max_entries: usize,
    /// Most bytes kept, all files together.
    pub max_bytes: u64,
}

/// What a cached result must match to be reused, besides the image id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CacheKey {
    /// The scanner (`dockaudit-scan 0.1.0`).
    pub scanner: String,
    /// The vulnerability database's version, once there is one.
    pub db_version: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    image_id: String,
    key: CacheKey,
    contents: ImageContents,
}

impl ImageCache {
    /// A cache in `dir` (created on first write), with default bounds: 1 000 images, 256 MiB.
    pub fn new(dir: impl Into<PathBuf>) -> ImageCache {
        ImageCache {
            dir: dir.into(),
            max_entries: 1_000,
            max_bytes: 256 << 20,
        }
    }

    /// The user's cache directory for dockaudit: `$XDG_CACHE_HOME/dockaudit`, else
    /// `$HOME/.cache/dockaudit`; `None` when neither is set.
    pub fn default_dir(xdg_cache_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
        match (xdg_cache_home, home) {
            (Some(x), _) if Path::new(x).is_absolute() => Some(Path::new(x).join("dockaudit")),
            (_, Some(h)) if !h.is_empty() => Some(Path::new(h).join(".cache").join("dockaudit")),
            _ => None,
        }
    }

    /// Where the cache lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, image_id: &str) -> Option<PathBuf> {
        let hex = image_id.strip_prefix("sha256:").unwrap_or(image_id);
        // Only content ids name files: nothing from the engine reaches a path unchecked.
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.dir.join("images").join(format!("{hex}.json")))
    }

    /// The cached result for `image_id` under `key`, if there is a usable one.
    pub fn get(&self, image_id: &str, key: &CacheKey) -> Option<ImageContents> {
        let path = self.file(image_id)?;
        let bytes = std::fs::read(&path).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        if entry.format != CACHE_FORMAT || entry.image_id != image_id || &entry.key != key {
            return None;
        }
        // Marks it recently used, for the eviction order.
        if let Ok(f) = std::fs::File::options().append(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(entry.contents)
    }

    /// Stores a result (complete ones only; see the module documentation), then trims the cache.
    pub fn put(
        &self,
        image_id: &str,
        key: &CacheKey,
        contents: &ImageContents,
    ) -> std::io::Result<()> {
        let Some(path) = self.file(image_id) else {
            return Ok(());
        };
        if !contents.is_complete() {
            return Ok(());
        }
        let dir = self.dir.join("images");
        std::fs::create_dir_all(&dir)?;
        let entry = Entry {
            format: CACHE_FORMAT,
            image_id: image_id.to_owned(),
            key: key.clone(),
            contents: contents.clone(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        // Unique per write, not only per process: a fleet audit scans the same image id (pulled on
        // several hosts) at once, and two writers of one temporary file would rename a torn one.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        self.trim()
    }

    /// Removes the least recently used files beyond the bounds.
    fn trim(&self) -> std::io::Result<()> {
        let dir = self.dir.join("images");
        let mut files: Vec<(SystemTime, u64, PathBuf)> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, m.len(), e.path()))
            })
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        let mut total = 0u64;
        for (i, (_, len, path)) in files.iter().enumerate() {
            total += len;
            if i >= self.max_entries || total > self.max_bytes {
                let _ = std::fs::remove_file(path);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    fn key() -> CacheKey {
        CacheKey {
            scanner: "s 1".into(),
            db_version: None,
        }
    }

    fn contents(n: usize) -> ImageContents {
        ImageContents {
            scanner: "s 1".into(),
            sshd: vec!["x".repeat(n)],
            ..ImageContents::default()
        }
    }

    #[test]
    fn hits_misses_and_corrupt_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path());
        assert_eq!(cache.get(&id(1), &key()), None);
        cache.put(&id(1), &key(), &contents(3)).unwrap();
        assert_eq!(cache.get(&id(1), &key()), Some(contents(3)));
        // Another scanner or database version: not reused.
        let other = CacheKey {
            db_version: Some("2026-11-01".into()),
            ..key()
        };
        assert_eq!(cache.get(&id(1), &other), None);
        // A corrupt file is ignored, and rewritten by the next put.
        let file = cache.file(&id(1)).unwrap();
        std::fs::write(&file, b"{\"format\": 1, \"image_id\": tru").unwrap();
        assert_eq!(cache.get(&id(1), &key()), None);
        cache.put(&id(1), &key(), &contents(4)).unwrap();
        assert_eq!(cache.get(&id(1), &key()), Some(contents(4)));
        // Ids that are not content digests never name a file.
        assert!(cache.file("../../etc/passwd").is_none());
        cache.put("../x", &key(), &contents(1)).unwrap();
        // Incomplete results are not stored.
        let mut partial = contents(1);
        partial.stats.incomplete = true;
        cache.put(&id(2), &key(), &partial).unwrap();
        assert_eq!(cache.get(&id(2), &key()), None);
    }

    #[test]
    fn writers_of_the_same_image_at_once_each_store_a_whole_entry() {
        // A fleet audit scans an image pulled on several hosts at once, in one process.
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::new(dir.path());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..25 {
                        cache.put(&id(7), &key(), &contents(4096)).unwrap();
                        assert_eq!(cache.get(&id(7), &key()), Some(contents(4096)));
                    }
                });
            }
        });
        let left: Vec<_> = std::fs::read_dir(dir.path().join("images"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
    }

    #[test]
    fn the_cache_stays_within_its_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = ImageCache::new(dir.path());
        cache.max_entries = 3;
        for n in 0..6 {
            cache.put(&id(n), &key(), &contents(10)).unwrap();
            // Distinct modification times, oldest first.
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        let left = std::fs::read_dir(dir.path().join("images"))
            .unwrap()
            .count();
        assert_eq!(left, 3);
        assert!(cache.get(&id(5), &key()).is_some());
        assert!(cache.get(&id(0), &key()).is_none());
        cache.max_bytes = 1;
        cache.put(&id(9), &key(), &contents(10)).unwrap();
        let left = std::fs::read_dir(dir.path().join("images"))
            .unwrap()
            .count();
        assert_eq!(left, 0, "one entry is already over a 1-byte bound");
    }

    #[test]
    fn the_default_directory_follows_xdg() {
        assert_eq!(
            ImageCache::default_dir(Some("/x/cache"), Some("/home/u")),
            Some(PathBuf::from("/x/cache/dockaudit"))
        );
        assert_eq!(
            ImageCache::default_dir(Some("relative"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/dockaudit"))
        );
        assert_eq!(ImageCache::default_dir(None, None), None);
    }
}
