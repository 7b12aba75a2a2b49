//! Unused volumes measured on the host's disk: the engine gives a volume's size only through
//! `/system/df`, which sizes every container and volume at once (seconds on some storage drivers).
//! A local volume's data is a plain directory (its `Mountpoint`), so when the engine is local (or
//! its host is mounted, `--host-root`) and the directory readable, dockaudit walks it itself, with
//! bounds: a number of entries and a time budget, symlinks never followed, other filesystems never
//! entered. What cannot be measured is a missing fact with the reason.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockaudit_snapshot::{Fact, MeasuredSize, Volume};

use crate::host::rootfs::HostRoot;

/// Bounds of one collection's volume walks, shared by all its volumes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WalkBounds {
    /// Entries (files, directories, links…) read per volume.
    pub max_entries: u64,
    /// When every walk stops, whatever it has read.
    pub deadline: Instant,
}

impl WalkBounds {
    /// 200 000 entries per volume and 2 seconds in all: enough for most volumes, and a bound on
    /// what an audit spends on a huge one (the figures then say "at least").
    pub(crate) fn standard() -> WalkBounds {
        WalkBounds {
            max_entries: 200_000,
            deadline: Instant::now() + Duration::from_secs(2),
        }
    }
}

/// The size of an unused volume, or why it cannot be measured here. `host` is the engine's host
/// root, or why its files cannot be read (a remote engine). Blocking.
pub(crate) fn measure_volume(
    host: Result<&HostRoot, &str>,
    volume: &Volume,
    bounds: WalkBounds,
) -> Fact<MeasuredSize> {
    let host = match host {
        Ok(host) => host,
        Err(why) => return Fact::Missing(why.to_string()),
    };
    if volume.driver != "local" {
        return Fact::Missing(format!(
            "volume driver `{}` keeps its data elsewhere; only `local` volumes are measured",
            volume.driver
        ));
    }
    // `--opt type=nfs,device=…` (or `o=bind`): the data is mounted only while a container uses the
    // volume; its directory is empty now and would read as 0 bytes. (The device is not named: a
    // CIFS one may carry a password.)
    let options = volume.extra.get("Options");
    if options.and_then(|o| o.get("device")).is_some() {
        let kind = options
            .and_then(|o| o.get("type"))
            .and_then(|t| t.as_str())
            .unwrap_or("a device");
        return Fact::Missing(format!(
            "its data is mounted ({kind}) only while a container uses it"
        ));
    }
    if volume.mountpoint.is_empty() {
        return Fact::Missing("the engine gave no mount point".to_string());
    }
    let dir = host.local(&volume.mountpoint);
    match measure_dir(&dir, bounds) {
        Ok(size) => Fact::Value(size),
        Err(e) => Fact::Missing(format!("{}: {e}", dir.display())),
    }
}

/// Walks `root` (not following symlinks, staying on its filesystem) and adds up its regular
/// files. Fails only when `root` itself cannot be read; a subdirectory that cannot be, or a bound
/// reached, makes the result incomplete.
pub(crate) fn measure_dir(root: &Path, bounds: WalkBounds) -> std::io::Result<MeasuredSize> {
    let top = std::fs::symlink_metadata(root)?;
    if !top.is_dir() {
        return Err(std::io::Error::other("not a directory"));
    }
    // Read it once now, so an unreadable root is an error and not an empty volume.
    let first = std::fs::read_dir(root)?;
    let device = top.dev();
    let mut size = MeasuredSize {
        complete: true,
        ..Default::default()
    };
    let mut linked: HashSet<u64> = HashSet::new();
    let mut entries: u64 = 0;
    let mut todo: Vec<PathBuf> = Vec::new();
    let mut pending = Some(first);
    loop {
        let listing = match pending.take() {
            Some(listing) => listing,
            None => match todo.pop() {
                Some(dir) => match std::fs::read_dir(&dir) {
                    Ok(listing) => listing,
                    Err(e) => {
                        stop(&mut size, format!("{}: {e}", dir.display()));
                        continue;
                    }
                },
                None => break,
            },
        };
        for entry in listing {
            entries += 1;
            if entries > bounds.max_entries {
                stop(
                    &mut size,
                    format!("stopped after {} entries", bounds.max_entries),
                );
                return Ok(size);
            }
            if entries % 1024 == 0 && Instant::now() >= bounds.deadline {
                stop(&mut size, "stopped at the time budget".to_string());
                return Ok(size);
            }
            let Ok(entry) = entry else {
                stop(&mut size, "an entry could not be read".to_string());
                continue;
            };
            // `symlink_metadata`: a symlink is counted as itself, never followed.
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                if meta.dev() == device {
                    todo.push(entry.path());
                }
            } else if meta.is_file() {
                // A file with several links inside the volume is one file.
                if meta.nlink() > 1 && !linked.insert(meta.ino()) {
                    continue;
                }
                size.files += 1;
                size.bytes += meta.len();
            }
        }
    }
    Ok(size)
}

/// Marks a walk incomplete, keeping the first reason.
fn stop(size: &mut MeasuredSize, why: String) {
    size.complete = false;
    size.stopped.get_or_insert(why);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> WalkBounds {
        WalkBounds {
            max_entries: 1_000,
            deadline: Instant::now() + Duration::from_secs(60),
        }
    }

    #[test]
    fn files_are_added_up_once_and_links_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("one"), vec![0u8; 1000]).unwrap();
        std::fs::write(root.join("a/b/two"), vec![0u8; 24]).unwrap();
        std::fs::hard_link(root.join("one"), root.join("a/one-again")).unwrap();
        // A big file outside, reached by a symlink to it and to its directory: not counted.
        std::fs::write(dir.path().join("outside"), vec![0u8; 5000]).unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("dirlink")).unwrap();
        let size = measure_dir(&root, bounds()).unwrap();
        assert_eq!(
            size,
            MeasuredSize {
                bytes: 1024,
                files: 2,
                complete: true,
                stopped: None
            }
        );
    }

    #[test]
    fn a_bound_makes_the_figures_a_lower_bound() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..50 {
            std::fs::write(dir.path().join(format!("f{i}")), b"x").unwrap();
        }
        let size = measure_dir(
            dir.path(),
            WalkBounds {
                max_entries: 10,
                ..bounds()
            },
        )
        .unwrap();
        assert!(!size.complete);
        assert_eq!(size.files, 10);
        assert_eq!(size.stopped.as_deref(), Some("stopped after 10 entries"));
    }

    #[test]
    fn what_cannot_be_measured_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let host = HostRoot::new(dir.path());
        let mut volume = Volume {
            name: "v".into(),
            driver: "local".into(),
            mountpoint: "/var/lib/docker/volumes/v/_data".into(),
            ..Default::default()
        };
        let missing = |fact: Fact<MeasuredSize>| match fact {
            Fact::Missing(why) => why,
            Fact::Value(v) => panic!("measured {v:?}"),
        };
        let why = missing(measure_volume(Ok(&host), &volume, bounds()));
        assert!(why.contains("volumes/v/_data") && why.contains("No such file"), "{why}");
        assert_eq!(
            missing(measure_volume(Err("the engine is remote"), &volume, bounds())),
            "the engine is remote"
        );
        volume.extra.insert(
            "Options".into(),
            serde_json::json!({"type": "nfs", "device": ":/export"}),
        );
        let why = missing(measure_volume(Ok(&host), &volume, bounds()));
        assert!(why.contains("(nfs)") && !why.contains(":/export"), "{why}");
        volume.driver = "rexray".into();
        assert!(missing(measure_volume(Ok(&host), &volume, bounds())).contains("rexray"));
        // Measured when it is there.
        volume.driver = "local".into();
        volume.extra.clear();
        std::fs::create_dir_all(host.local(&volume.mountpoint)).unwrap();
        std::fs::write(host.local(&volume.mountpoint).join("db"), b"12345").unwrap();
        match measure_volume(Ok(&host), &volume, bounds()) {
            Fact::Value(size) => assert_eq!((size.bytes, size.files, size.complete), (5, 1, true)),
            Fact::Missing(why) => panic!("{why}"),
        }
    }
}
