//! Paths inside an image: tar entry names normalised to root-relative paths, and symlink targets
//! resolved the way the kernel resolves them inside a chroot (never above the root).
//!
//! A normalised path has no leading `/` or `./`, no empty, `.` or `..` components and no trailing
//! `/`; the image root itself is the empty string. A tar entry whose `..` components climb above the
//! root is refused ([`PathError::Escapes`]): the reader reports it and skips the entry.

use std::hash::{Hash, Hasher};

/// Why a tar entry name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// `..` components climb above the image root (`../etc/passwd`, `a/../../x`).
    #[error("path escapes the image root")]
    Escapes,
}

/// Normalises a tar entry name (`./etc/passwd`, `/etc//passwd/`, `etc/./passwd`) to `etc/passwd`.
/// Names that are not UTF-8 are read lossily (`\u{FFFD}` for bad bytes). `..` pops a component and
/// fails with [`PathError::Escapes`] at the root.
pub fn normalize(name: &[u8]) -> Result<String, PathError> {
    let name = String::from_utf8_lossy(name);
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathError::Escapes);
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Normalises a path that may climb above the root by clamping at the root (`/..` is `/`), as
/// path resolution does inside a chroot. Used for symlink targets, which are data, not entries.
pub fn clamp(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The path a symlink at `link` (normalised) pointing to `target` designates: an absolute target
/// from the root, a relative one from the link's directory; clamped at the root.
pub fn resolve_link(link: &str, target: &str) -> String {
    if target.starts_with('/') {
        clamp(target)
    } else {
        clamp(&format!("{}/{target}", parent(link)))
    }
}

/// The directory part of a normalised path (`etc` for `etc/passwd`, `` for `etc`).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The last component of a normalised path.
pub fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// The proper ancestors of a normalised path, nearest first (`a/b/c` gives `a/b`, `a`).
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || {
        let (dir, _) = rest.rsplit_once('/')?;
        rest = dir;
        Some(dir)
    })
}

/// Joins a normalised directory and a name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// A 64-bit hash of a normalised path, for the per-layer sets of every path a layer touches
/// (kept small: 8 bytes per entry, whatever the path's length).
pub fn path_hash(path: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_to_root_relative_paths() {
        for (name, want) in [
            ("./etc/passwd", "etc/passwd"),
            ("/etc//passwd/", "etc/passwd"),
            ("etc/./passwd", "etc/passwd"),
            ("usr/lib/../../etc/os-release", "etc/os-release"),
            ("./", ""),
            (".", ""),
            ("", ""),
        ] {
            assert_eq!(normalize(name.as_bytes()), Ok(want.to_owned()), "{name}");
        }
        for name in ["../etc/passwd", "a/../../x", "/..", "./../x"] {
            assert_eq!(
                normalize(name.as_bytes()),
                Err(PathError::Escapes),
                "{name}"
            );
        }
        assert_eq!(normalize(b"etc/\xffbad"), Ok("etc/\u{FFFD}bad".to_owned()));
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        assert_eq!(
            resolve_link("etc/os-release", "../usr/lib/os-release"),
            "usr/lib/os-release"
        );
        assert_eq!(
            resolve_link("etc/os-release", "/usr/lib/os-release"),
            "usr/lib/os-release"
        );
        assert_eq!(
            resolve_link("etc/x", "../../../../etc/shadow"),
            "etc/shadow"
        );
        assert_eq!(resolve_link("x", "y"), "y");
    }

    #[test]
    fn ancestors_and_parts() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), vec!["a/b", "a"]);
        assert_eq!(ancestors("a").count(), 0);
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(file_name("a/b/c"), "c");
        assert_eq!(join("", "x"), "x");
        assert_eq!(join("a", "x"), "a/x");
    }
}
