//! Sizes measured on the host's disk: unused volumes, and stopped containers' writable layers. The
//! engine gives a volume's size only through `/system/df`, which sizes every container and volume
//! at once, and a container's through `size=1`, which on some storage drivers costs it a
//! comparison of the mounted layers (fuse-overlayfs: ~0.2 s a container). A local volume's data and
//! an overlay layer's changes are plain directories (`Mountpoint`, `GraphDriver.Data.UpperDir`),
//! so when the engine is local (or its host is mounted, `--host-root`) and the directory readable,
//! dockaudit walks it itself, with bounds: a number of entries and a time budget, symlinks never
//! followed, other filesystems never entered. A volume that cannot be measured is a missing fact
//! with the reason; a layer is then asked of the engine.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockaudit_snapshot::{Fact, MeasuredSize, Volume};

use crate::host::rootfs::HostRoot;

/// Bounds of one collection's volume walks, shared by all its volumes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WalkBounds {
    /// Entries (files, directories, links…) read per directory.
    pub max_entries: u64,
    /// When every walk stops, whatever it has read.
    pub deadline: Instant,
}

impl WalkBounds {
    /// 200 000 entries per directory and 2 seconds in all: enough for most volumes and layers,
    /// and a bound on what an audit spends on a huge one (a volume's figures then say "at
    /// least"; a layer is asked of the engine).
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

/// Storage drivers whose `GraphDriver.Data.UpperDir` is the container's writable layer as a plain
/// directory: the engine's own `SizeRw` for them is that directory's size (overlay2), or a costlier
/// comparison of the mounted layers giving the same figure (fuse-overlayfs: ~0.2 s a container).
const UPPER_DIR_DRIVERS: &[&str] = &["overlay2", "overlay", "fuse-overlayfs"];

/// A stopped container's writable-layer size measured on the host's disk from its inspect's
/// `GraphDriver` (see [`UPPER_DIR_DRIVERS`]), or why it cannot be (then the engine is asked).
/// Blocking.
pub(crate) fn measure_writable_layer(
    host: &HostRoot,
    graph_driver: Option<&serde_json::Value>,
    bounds: WalkBounds,
) -> Result<i64, String> {
    let driver = graph_driver
        .and_then(|g| g.get("Name"))
        .and_then(|n| n.as_str())
        .unwrap_or_default();
    if !UPPER_DIR_DRIVERS.contains(&driver) {
        return Err(format!("storage driver `{driver}` has no upper directory"));
    }
    let upper = graph_driver
        .and_then(|g| g.get("Data"))
        .and_then(|d| d.get("UpperDir"))
        .and_then(|u| u.as_str())
        .filter(|u| u.starts_with('/'))
        .ok_or_else(|| "the engine gave no UpperDir".to_string())?;
    let dir = host.local(upper);
    let size = measure_dir(&dir, bounds).map_err(|e| format!("{}: {e}", dir.display()))?;
    match size.stopped {
        Some(why) => Err(format!("{}: {why}", dir.display())),
        None => Ok(i64::try_from(size.bytes).unwrap_or(i64::MAX)),
    }
}

/// Walks `root` (not following symlinks, staying on its filesystem) and adds up what is not a
/// directory, as the engine's own measure does (a symlink counts the length of its target; a file
/// with several links counts once); `files` counts the regular files. Fails only when `root`
/// itself cannot be read; a subdirectory that cannot be, or a bound reached, makes the result
/// incomplete.
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
            if entries.is_multiple_of(1024) && Instant::now() >= bounds.deadline {
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
                continue;
            }
            // A file with several links inside the tree is one file.
            if meta.nlink() > 1 && !linked.insert(meta.ino()) {
                continue;
            }
            size.files += u64::from(meta.is_file());
            size.bytes += meta.len();
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
        // The two symlinks count their targets' path lengths, as the engine's measure does.
        let links = [dir.path().join("outside"), dir.path().to_path_buf()]
            .iter()
            .map(|p| p.as_os_str().len() as u64)
            .sum::<u64>();
        assert_eq!(
            size,
            MeasuredSize {
                bytes: 1024 + links,
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
    fn a_writable_layer_is_measured_from_its_upper_directory() {
        let dir = tempfile::tempdir().unwrap();
        let host = HostRoot::new(dir.path());
        let upper = "/var/lib/docker/overlay2/abc/diff";
        std::fs::create_dir_all(host.local(upper).join("etc")).unwrap();
        std::fs::write(host.local(upper).join("etc/app.conf"), vec![b'x'; 300]).unwrap();
        let driver = |name: &str| serde_json::json!({"Name": name, "Data": {"UpperDir": upper, "LowerDir": "/x"}});
        let overlay = driver("overlay2");
        assert_eq!(
            measure_writable_layer(&host, Some(&overlay), bounds()),
            Ok(300)
        );
        let fuse = driver("fuse-overlayfs");
        assert_eq!(
            measure_writable_layer(&host, Some(&fuse), bounds()),
            Ok(300)
        );
        let vfs = driver("vfs");
        let why = measure_writable_layer(&host, Some(&vfs), bounds()).unwrap_err();
        assert!(why.contains("`vfs`"), "{why}");
        assert!(measure_writable_layer(&host, None, bounds()).is_err());
        // A layer that could only be read in part is not a size: the engine is asked instead.
        let tight = WalkBounds {
            max_entries: 1,
            ..bounds()
        };
        let why = measure_writable_layer(&host, Some(&overlay), tight).unwrap_err();
        assert!(why.contains("stopped after 1 entries"), "{why}");
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
        assert!(
            why.contains("volumes/v/_data") && why.contains("No such file"),
            "{why}"
        );
        assert_eq!(
            missing(measure_volume(
                Err("the engine is remote"),
                &volume,
                bounds()
            )),
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
