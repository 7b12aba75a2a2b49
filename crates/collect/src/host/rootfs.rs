//! Reading the host's files under a root directory (`/`, `/host`, or a test's fixture tree).
//!
//! Host paths are resolved component by component inside the root: a symlink's absolute target
//! (`/var/run -> /run`) is taken from the root again, never from the machine dockaudit runs on, so a
//! host mounted at `/host` is read as that host sees itself. Reads are bounded.

use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use dockaudit_snapshot::host::FileStat;
use dockaudit_snapshot::Fact;

use super::accounts::Accounts;

/// Symlinks followed in one resolution before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The host's filesystem, seen under a root directory.
#[derive(Debug, Clone)]
pub struct HostRoot {
    root: PathBuf,
    /// Whether the process reading is root (uid 0): permission errors are then real, not "not root".
    pub as_root: bool,
}

/// A host path resolved inside the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Where to read it on this machine (under the root).
    pub local: PathBuf,
    /// The host path after resolving symlinks (`/run/docker.sock` for `/var/run/docker.sock`).
    pub host: String,
    /// Whether a symlink was followed on the way.
    pub followed_link: bool,
}

impl HostRoot {
    /// The host as seen under `root`.
    pub fn new(root: impl Into<PathBuf>) -> HostRoot {
        HostRoot {
            root: root.into(),
            as_root: running_as_root(),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the root is this machine's `/`.
    pub fn is_slash(&self) -> bool {
        self.root == Path::new("/")
    }

    /// Where a host path lies under the root, without resolving symlinks.
    pub fn local(&self, host_path: &str) -> PathBuf {
        self.root.join(host_path.trim_start_matches('/'))
    }

    /// Resolves `host_path` inside the root, following symlinks (the last component's too).
    pub fn resolve(&self, host_path: &str) -> io::Result<Resolved> {
        let mut done: Vec<String> = Vec::new();
        let mut todo: Vec<String> = components(host_path);
        todo.reverse();
        let mut links = 0;
        let mut followed_link = false;
        while let Some(part) = todo.pop() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            done.push(part);
            let local = self.root.join(done.join("/"));
            let meta = std::fs::symlink_metadata(&local)?;
            if !meta.file_type().is_symlink() {
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(io::Error::other(format!(
                    "too many symlinks resolving {host_path}"
                )));
            }
            followed_link = true;
            let target = std::fs::read_link(&local)?;
            let target = target.to_string_lossy().into_owned();
            done.pop();
            if target.starts_with('/') {
                done.clear();
            }
            let mut more = components(&target);
            more.reverse();
            todo.extend(more);
        }
        Ok(Resolved {
            local: self.root.join(done.join("/")),
            host: format!("/{}", done.join("/")),
            followed_link,
        })
    }

    /// Reads at most `max` bytes of a host file as text; the flag says whether it was cut.
    pub fn read_text(&self, host_path: &str, max: usize) -> io::Result<(String, bool)> {
        let resolved = self.resolve(host_path)?;
        read_bounded_file(&resolved.local, max)
    }

    /// Reads a small host file whole (at most 64 KiB), trimmed.
    pub fn read_small(&self, host_path: &str) -> io::Result<String> {
        self.read_text(host_path, 64 * 1024)
            .map(|(text, _)| text.trim().to_string())
    }

    /// Whether a host path exists (symlinks followed).
    pub fn exists(&self, host_path: &str) -> bool {
        self.resolve(host_path)
            .and_then(|r| std::fs::metadata(r.local))
            .is_ok()
    }

    /// Ownership and mode of a host path: `Value(None)` when absent, `Missing` when it cannot be
    /// told (a directory on the way is not readable).
    pub fn stat(&self, host_path: &str, accounts: &Accounts) -> Fact<Option<FileStat>> {
        let result = self
            .resolve(host_path)
            .and_then(|r| std::fs::metadata(&r.local).map(|m| (r, m)));
        match result {
            Ok((resolved, meta)) => {
                let ft = meta.file_type();
                let kind = if ft.is_dir() {
                    "dir"
                } else if ft.is_file() {
                    "file"
                } else if ft.is_socket() {
                    "socket"
                } else {
                    "other"
                };
                Fact::Value(Some(FileStat {
                    kind: kind.to_string(),
                    mode: meta.mode() & 0o7777,
                    uid: meta.uid(),
                    gid: meta.gid(),
                    user: accounts.user_name(meta.uid()).map(str::to_string),
                    group: accounts.group_name(meta.gid()).map(str::to_string),
                    link_target: resolved.followed_link.then_some(resolved.host),
                }))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Fact::Value(None),
            Err(e) => Fact::Missing(self.why(host_path, &e)),
        }
    }

    /// A reason for a failed read, naming the host path and saying when not being root is why.
    pub fn why(&self, host_path: &str, e: &io::Error) -> String {
        match e.kind() {
            io::ErrorKind::PermissionDenied if !self.as_root => {
                format!("{host_path} is not readable: not root")
            }
            io::ErrorKind::NotFound => format!("{host_path} not found under {}", self.shown()),
            _ => format!("{host_path} could not be read: {e}"),
        }
    }

    /// The root as shown in messages.
    pub fn shown(&self) -> String {
        self.root.display().to_string()
    }
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn read_bounded_file(path: &Path, max: usize) -> io::Result<(String, bool)> {
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut buf)?;
    let truncated = buf.len() > max;
    buf.truncate(max);
    Ok((String::from_utf8_lossy(&buf).into_owned(), truncated))
}

/// Whether this process runs as root: `/proc/self` belongs to the process's effective user.
pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_symlinks_resolve_inside_the_root() {
        let dir = tempfile_dir();
        let root = dir.join("root");
        std::fs::create_dir_all(root.join("run")).unwrap();
        std::fs::create_dir_all(root.join("var")).unwrap();
        std::fs::write(root.join("run/docker.sock"), "").unwrap();
        std::os::unix::fs::symlink("/run", root.join("var/run")).unwrap();
        std::os::unix::fs::symlink("../run/docker.sock", root.join("var/sock")).unwrap();
        let host = HostRoot::new(&root);
        let r = host.resolve("/var/run/docker.sock").expect("resolves");
        assert_eq!(r.host, "/run/docker.sock");
        assert_eq!(r.local, root.join("run/docker.sock"));
        assert!(r.followed_link);
        assert_eq!(host.resolve("/var/sock").unwrap().host, "/run/docker.sock");
        assert_eq!(
            host.resolve("/var/run/../etc").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        // A loop is an error, not a hang.
        std::os::unix::fs::symlink("/loop", root.join("loop")).unwrap();
        assert!(host.resolve("/loop").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "dockaudit-rootfs-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
