//! Which files the analysers ask for, decided from a tar entry's path (and, for setuid/setgid,
//! its header): the reader keeps the content of a few, records metadata of some, scans the text of
//! small candidate files for secrets without keeping it, and streams past everything else.

use super::path::{file_name, parent};
use crate::inventory::app::{classify, AppFile};
use crate::inventory::DATABASE_PATHS;
use crate::os::RELEASE_FILES;

/// Why a file's content is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// An OS release file.
    Release,
    /// A package database.
    PackageDb,
    /// One package's entry of a package database kept as one file per package (distroless
    /// images' `var/lib/dpkg/status.d/`).
    PackageEntry,
    /// `/etc/passwd`, `/etc/shadow`, `/etc/group`.
    Accounts,
    /// A file whose name makes it a credential candidate (`id_rsa`, `.aws/credentials`, `.env`).
    Credential,
}

impl Purpose {
    /// The largest content kept for this purpose, given the configured bounds.
    pub(crate) fn limit(self, limits: &super::ScanLimits) -> u64 {
        match self {
            Purpose::Release => 64 << 10,
            Purpose::PackageDb => limits.max_database_bytes,
            Purpose::PackageEntry => limits.max_package_entry_bytes,
            Purpose::Accounts => 4 << 20,
            Purpose::Credential => 256 << 10,
        }
    }
}

/// What the reader does with an entry at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Interest {
    /// Keep the content, for this purpose.
    pub keep: Option<Purpose>,
    /// Record the entry's metadata (path, size, mode) without content.
    pub meta: bool,
    /// Scan the text for secrets (content not kept).
    pub scan: bool,
    /// Read the application packages it describes (content not kept).
    pub app: Option<AppFile>,
}

/// Paths of SSH servers.
pub(crate) const SSHD_PATHS: &[&str] = &[
    "usr/sbin/sshd",
    "sbin/sshd",
    "usr/local/sbin/sshd",
    "usr/sbin/dropbear",
    "usr/bin/dropbear",
    "usr/local/sbin/dropbear",
];

/// Package-manager caches: a directory (with `*` standing for one component, a user's home) and
/// the manager it belongs to. Files in them are counted; `lock` files and `partial/` downloads are not.
pub(crate) const CACHE_DIRS: &[(&str, &str)] = &[
    ("var/cache/apt", "apt"),
    ("var/lib/apt/lists", "apt"),
    ("var/cache/apk", "apk"),
    ("etc/apk/cache", "apk"),
    ("var/cache/yum", "yum"),
    ("var/cache/dnf", "dnf"),
    ("var/cache/zypp", "zypper"),
    ("root/.cache/pip", "pip"),
    ("home/*/.cache/pip", "pip"),
    ("root/.npm/_cacache", "npm"),
    ("home/*/.npm/_cacache", "npm"),
    ("usr/local/share/.cache/yarn", "yarn"),
    ("root/.cache/yarn", "yarn"),
];

/// File names that are credentials wherever they are.
const CREDENTIAL_NAMES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "id_ecdsa_sk",
    "id_ed25519_sk",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".netrc",
    "_netrc",
    ".pgpass",
    ".env",
];

/// `.env.*` variants that are templates, not credentials.
const ENV_TEMPLATES: &[&str] = &[
    "example", "sample", "template", "dist", "defaults", "default", "tmpl", "schema",
];

/// Keystore extensions: binary credential containers (recorded by name, content not read).
pub(crate) const KEYSTORE_EXTENSIONS: &[&str] = &["p12", "pfx", "jks", "keystore"];

/// Directories whose files are not secret-scanned: what the distribution ships (binaries,
/// libraries, documentation, certificates, package metadata) and caches. Credentials planted by an
/// image's author live elsewhere (`/app`, `/root`, `/home`, `/etc`, `/opt`, `/usr/local/bin`).
const SCAN_SKIP_PREFIXES: &[&str] = &[
    "bin/",
    "sbin/",
    "lib/",
    "lib32/",
    "lib64/",
    "libx32/",
    "usr/bin/",
    "usr/sbin/",
    "usr/lib/",
    "usr/lib32/",
    "usr/lib64/",
    "usr/libx32/",
    "usr/libexec/",
    "usr/include/",
    "usr/share/",
    "usr/src/",
    "usr/local/lib/",
    "usr/local/include/",
    "usr/local/share/",
    "var/lib/dpkg/",
    "var/lib/apt/",
    "var/lib/rpm/",
    "var/lib/yum/",
    "var/lib/dnf/",
    "var/cache/",
    "etc/ssl/certs/",
    "etc/pki/",
    "etc/ca-certificates/",
    "etc/alternatives/",
    "boot/",
    "proc/",
    "sys/",
    "dev/",
];

/// Path components below which nothing is secret-scanned: third-party code and test data.
const SCAN_SKIP_COMPONENTS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    "vendor",
    "testdata",
    "__pycache__",
];

/// Extensions of files that are not text worth scanning.
const BINARY_EXTENSIONS: &[&str] = &[
    "so", "a", "o", "ko", "pyc", "pyo", "class", "jar", "war", "ear", "zip", "gz", "tgz", "bz2",
    "xz", "zst", "lz4", "7z", "rar", "tar", "png", "jpg", "jpeg", "gif", "ico", "bmp", "webp",
    "svg", "woff", "woff2", "ttf", "otf", "eot", "pdf", "mo", "gmo", "db", "sqlite", "bin", "wasm",
    "exe", "dll", "deb", "rpm", "whl", "egg", "mp3", "mp4", "map", "p12", "pfx", "jks", "keystore",
];

/// Whether a path is a package database [`crate::inventory`] reads.
pub(crate) fn is_package_db(path: &str) -> bool {
    DATABASE_PATHS.iter().any(|p| match p.strip_suffix('/') {
        Some(dir) => {
            parent(path) == dir && crate::inventory::dpkg::is_status_d_entry(file_name(path))
        }
        None => path == *p,
    })
}

/// Whether a file name is a credential candidate, given its directory's name.
pub(crate) fn is_credential_name(path: &str) -> bool {
    let name = file_name(path);
    let dir = file_name(parent(path));
    if CREDENTIAL_NAMES.contains(&name) {
        return true;
    }
    if let Some(variant) = name.strip_prefix(".env.") {
        return !ENV_TEMPLATES.contains(&variant.to_ascii_lowercase().as_str());
    }
    (dir == ".aws" && name == "credentials") || (dir == ".docker" && name == "config.json")
}

/// The extension of a file name, lower-cased (`key` for `a.KEY`); empty when none.
pub(crate) fn extension(path: &str) -> String {
    let name = file_name(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Whether a path is outside the directories the secret scan skips.
pub(crate) fn scannable_place(path: &str) -> bool {
    if SCAN_SKIP_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return false;
    }
    let mut components = path.split('/').peekable();
    while let Some(c) = components.next() {
        if SCAN_SKIP_COMPONENTS.contains(&c) {
            return false;
        }
        // Git's object store is compressed: nothing to read there.
        if c == ".git" && components.peek() == Some(&"objects") {
            return false;
        }
    }
    true
}

/// The package-manager cache a path is in: `(cache directory, manager)`, for files below it.
pub(crate) fn cache_of(path: &str) -> Option<(String, &'static str)> {
    for (pattern, manager) in CACHE_DIRS {
        let pattern_parts: Vec<&str> = pattern.split('/').collect();
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() <= pattern_parts.len() {
            continue;
        }
        let matches = pattern_parts
            .iter()
            .zip(&parts)
            .all(|(want, got)| *want == "*" || want == got);
        if !matches {
            continue;
        }
        let rest = &parts[pattern_parts.len()..];
        // What the package managers keep there that is not a cache: locks, the `partial/`
        // download directory, apt's `auxfiles/` and lists `lock`.
        let name = rest[rest.len() - 1];
        if name == "lock" || rest.iter().any(|c| *c == "partial" || *c == "auxfiles") {
            return None;
        }
        return Some((parts[..pattern_parts.len()].join("/"), manager));
    }
    None
}

/// Whether a path is the root of a `.git` directory, or inside one: the root's path.
pub(crate) fn git_root(path: &str) -> Option<&str> {
    let mut end = 0;
    for c in path.split('/') {
        end += c.len();
        if c == ".git" {
            return Some(&path[..end]);
        }
        end += 1;
    }
    None
}

/// What to do with a regular file at `path` of `size` bytes and permission bits `mode` (the
/// application inventory reads executables).
pub(crate) fn file_interest(
    path: &str,
    size: u64,
    mode: u32,
    limits: &super::ScanLimits,
) -> Interest {
    let mut i = interest(path, size, limits);
    if i.keep.is_none() && size > 0 {
        i.app = classify(path, mode).filter(|k| size <= k.limit(limits.max_app_file_bytes));
    }
    i
}

/// What to do with a regular file (or a link) at `path` of `size` bytes.
pub(crate) fn interest(path: &str, size: u64, limits: &super::ScanLimits) -> Interest {
    let mut i = Interest::default();
    if RELEASE_FILES.contains(&path) {
        i.keep = Some(Purpose::Release);
    } else if is_package_db(path) {
        // Listed paths are whole databases; the others are entries of a directory database.
        i.keep = Some(if !DATABASE_PATHS.contains(&path) {
            Purpose::PackageEntry
        } else {
            Purpose::PackageDb
        });
    } else if matches!(path, "etc/passwd" | "etc/shadow" | "etc/group") {
        i.keep = Some(Purpose::Accounts);
    } else if is_credential_name(path) && scannable_place(path) {
        i.keep = Some(Purpose::Credential);
    }
    if SSHD_PATHS.contains(&path) || cache_of(path).is_some() {
        i.meta = true;
    }
    let ext = extension(path);
    if KEYSTORE_EXTENSIONS.contains(&ext.as_str()) && scannable_place(path) {
        i.meta = true;
    }
    if i.keep.is_none()
        && size > 0
        && size <= limits.max_scan_file_bytes
        && scannable_place(path)
        && !BINARY_EXTENSIONS.contains(&ext.as_str())
        && !file_name(path).ends_with(".min.js")
    {
        i.scan = true;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::ScanLimits;

    #[test]
    fn kept_files_by_purpose() {
        let l = ScanLimits::default();
        let keep = |p: &str| interest(p, 100, &l).keep;
        assert_eq!(keep("etc/os-release"), Some(Purpose::Release));
        assert_eq!(keep("var/lib/dpkg/status"), Some(Purpose::PackageDb));
        assert_eq!(
            keep("var/lib/dpkg/status.d/libc6"),
            Some(Purpose::PackageEntry)
        );
        assert_eq!(keep("var/lib/dpkg/status.d/.hidden"), None);
        assert_eq!(keep("var/lib/dpkg/status-old"), None);
        assert_eq!(keep("etc/shadow"), Some(Purpose::Accounts));
        assert_eq!(keep("root/.ssh/id_rsa"), Some(Purpose::Credential));
        assert_eq!(keep("root/.ssh/id_rsa.pub"), None);
        assert_eq!(keep("home/u/.aws/credentials"), Some(Purpose::Credential));
        assert_eq!(keep("app/credentials"), None);
        assert_eq!(keep("root/.docker/config.json"), Some(Purpose::Credential));
        assert_eq!(keep("app/.env"), Some(Purpose::Credential));
        assert_eq!(keep("app/.env.production"), Some(Purpose::Credential));
        assert_eq!(keep("app/.env.example"), None);
        assert_eq!(keep("usr/lib/node_modules/x/.env"), None);
    }

    #[test]
    fn scanned_and_skipped_places() {
        let l = ScanLimits::default();
        assert!(interest("app/config.yml", 100, &l).scan);
        assert!(interest("usr/local/bin/deploy.sh", 100, &l).scan);
        assert!(!interest("usr/share/doc/x/README", 100, &l).scan);
        assert!(!interest("app/node_modules/x/index.js", 100, &l).scan);
        assert!(!interest("app/logo.png", 100, &l).scan);
        assert!(!interest("app/big.txt", l.max_scan_file_bytes + 1, &l).scan);
        assert!(!interest("app/.git/objects/ab/cdef", 100, &l).scan);
        assert!(interest("app/.git/config", 100, &l).scan);
    }

    #[test]
    fn caches_git_and_sshd() {
        assert_eq!(
            cache_of("var/cache/apt/archives/x_1_all.deb"),
            Some(("var/cache/apt".into(), "apt"))
        );
        assert_eq!(cache_of("var/cache/apt/archives/lock"), None);
        assert_eq!(cache_of("var/cache/apt/archives/partial/x"), None);
        assert_eq!(cache_of("var/cache/apt"), None);
        assert_eq!(
            cache_of("home/bob/.cache/pip/http/a/b"),
            Some(("home/bob/.cache/pip".into(), "pip"))
        );
        assert_eq!(git_root("app/.git"), Some("app/.git"));
        assert_eq!(git_root("app/.git/HEAD"), Some("app/.git"));
        assert_eq!(git_root(".git/HEAD"), Some(".git"));
        assert_eq!(git_root("app/.gitignore"), None);
        assert!(interest("usr/sbin/sshd", 10, &ScanLimits::default()).meta);
    }
}
