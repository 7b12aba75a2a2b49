//! Shared by the host collector tests: fixture host trees made real (ownership, permission bits,
//! sockets, directories git cannot keep) in a temporary copy, and firewall captures turned into
//! facts with the collector's own parsers.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use dockaudit_collect::host::firewall::{iptables_dump, nft_ruleset};
use dockaudit_snapshot::firewall::FirewallCapture;
use dockaudit_snapshot::Fact;

/// `crates/collect/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Whether the tests run as root (needed to give fixture files their owners).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory under the system's temporary directory.
    pub fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("dockaudit-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).expect("readlink");
            std::os::unix::fs::symlink(link, &target).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A copy of fixture tree `name` (`host-weak`) with `name.modes` applied: modes always, owners when
/// running as root. Returns the directory and whether owners were applied.
pub fn build_tree(name: &str) -> (TempDir, bool) {
    let dir = TempDir::new(name);
    let root = dir.0.join("root");
    copy_tree(&fixtures().join(name), &root);
    let manifest =
        std::fs::read_to_string(fixtures().join(format!("{name}.modes"))).expect("modes manifest");
    let root_user = is_root();
    let mut entries: Vec<(u32, u32, u32, String, String)> = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 5, "bad manifest line: {line}");
        let mode = u32::from_str_radix(f[0], 8).expect("octal mode");
        entries.push((
            mode,
            f[1].parse().expect("uid"),
            f[2].parse().expect("gid"),
            f[3].to_string(),
            f[4].to_string(),
        ));
    }
    // Create first, then set modes deepest last-first, so a strict directory mode never stops
    // the setup of what is inside it.
    for (_, _, _, kind, path) in &entries {
        let local = root.join(path.trim_start_matches('/'));
        match kind.as_str() {
            "dir" => std::fs::create_dir_all(&local).expect("mkdir"),
            "socket" => {
                std::fs::create_dir_all(local.parent().expect("parent")).expect("mkdir");
                // Binding makes the socket file; dropping the listener leaves it in place.
                drop(std::os::unix::net::UnixListener::bind(&local).expect("bind socket"));
            }
            "file" => assert!(local.is_file(), "{path} is not in the fixture tree"),
            other => panic!("unknown kind {other} for {path}"),
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.4.matches('/').count()));
    for (mode, uid, gid, _, path) in &entries {
        let local = root.join(path.trim_start_matches('/'));
        if root_user {
            std::os::unix::fs::chown(&local, Some(*uid), Some(*gid)).expect("chown");
        }
        std::fs::set_permissions(&local, std::fs::Permissions::from_mode(*mode)).expect("chmod");
    }
    (dir, root_user)
}

/// The root of a tree made by [`build_tree`].
pub fn tree_root(dir: &TempDir) -> PathBuf {
    dir.0.join("root")
}

/// The firewall capture of `fixtures/firewall/VARIANT/`, parsed as a live run would be.
pub fn firewall_fixture(variant: &str) -> FirewallCapture {
    let dir = fixtures().join("firewall").join(variant);
    let read = |file: &str| -> Fact<(String, bool)> {
        match std::fs::read_to_string(dir.join(file)) {
            Ok(text) => Fact::Value((text, false)),
            Err(e) => Fact::Missing(format!("{file}: {e}")),
        }
    };
    let iptables = [
        ("iptables-legacy-save", "ipv4"),
        ("iptables-nft-save", "ipv4"),
        ("ip6tables-legacy-save", "ipv6"),
        ("ip6tables-nft-save", "ipv6"),
    ]
    .into_iter()
    .map(|(tool, family)| iptables_dump(tool, family, read(&format!("{tool}.txt"))))
    .collect();
    let ip_forward = match std::fs::read_to_string(dir.join("ip_forward")) {
        Ok(v) => Fact::Value(v.trim() == "1"),
        Err(e) => Fact::Missing(e.to_string()),
    };
    FirewallCapture {
        iptables,
        nftables: nft_ruleset(read("nft.json")),
        ip_forward,
    }
}
