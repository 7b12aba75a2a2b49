//! dockaudit-vulndb: the vulnerability database. The distributions' own security feeds, normalised
//! into one SQLite file, and the matcher that finds an image's packages (as `dockaudit-scan`'s
//! inventories read them, ordered by its version comparators) in it.
//!
//! - [`schema`]: the normalised [`Advisory`] record (distribution, release, source package,
//!   vulnerability id, status, fixed version, the distribution's severity, aliases) and its words;
//! - importers, one per feed: [`debian`] (security tracker JSON, DSA/DLA lists), [`alpine`] (secdb,
//!   JSON or YAML), [`ubuntu`] (Canonical's OSV records, CVE and USN, and its OpenVEX statements),
//!   [`azurelinux`] (Microsoft's OVAL for Azure Linux 3.0 and CBL-Mariner 2.0), [`wolfi`] (Wolfi's
//!   and Chainguard's secdb, Alpine's format), [`rhel_osv`] (AlmaLinux's and Rocky's OSV errata),
//!   [`redhat`] (Red Hat's CSAF VEX files, per major release; module streams stored per stream),
//!   [`amazon`] (Amazon Linux 2 and 2023: ALAS RSS lists and advisory pages), [`oracle`] (Oracle
//!   Linux: ELSA OVAL), [`suse`] (SLES and openSUSE Leap: SUSE's OVAL); the OVAL importers share
//!   one reader (`oval`);
//! - [`build`]: writes the database (merging the Ubuntu feeds) from feeds on disk (air-gapped:
//!   [`build::FeedSet::discover`]) or from the download in `fetch` (feature `fetch`), always into a
//!   temporary file that replaces the old database only once it is complete and valid;
//! - [`store`]: opens a database read-only, refusing files that are not one, and reports its status;
//! - severity feeds, one module each: [`nvd`] (CVE API 2.0 records: CVSS and the rejected status),
//!   [`cve5`] (CVE JSON 5 records: CNA and CISA ADP metrics), [`kev`] (CISA's known-exploited
//!   catalogue), [`epss`] (FIRST's exploit prediction scores); [`severity`] holds the model and the
//!   rule that picks one effective severity per finding;
//! - [`matcher`]: a release's installed source packages against the database;
//! - [`osv`]: application packages (PyPI, npm, Go, Maven, RubyGems, crates.io, Packagist, NuGet)
//!   against OSV's records, imported into tables of their own in the same database.
//!
//! Nothing here reads the clock: build and fetch times are arguments. Only [`fetch`] uses the network.
#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

pub mod alpine;
pub mod amazon;
pub mod azurelinux;
pub mod build;
pub mod cve5;
pub mod debian;
pub mod epss;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod kev;
pub mod matcher;
pub mod nvd;
pub mod oracle;
pub mod osv;
mod oval;
pub mod redhat;
pub mod rhel_osv;
pub mod schema;
pub mod severity;
pub mod store;
pub mod suse;
pub mod ubuntu;
pub mod wolfi;

pub use matcher::{release_for, Installed, MatchError, MatchOptions, MatchReport, Vulnerability};
pub use schema::{Advisory, Distro, Severity, Status};
pub use store::{DbMetadata, DbStatus, ReleaseCounts, SourceInfo, VulnDb};

/// The `format` value in a dockaudit database's metadata table: what tells it from other SQLite files.
pub const FORMAT: &str = "dockaudit-vulndb";
/// The layout version this code reads and writes. A database of another version is refused with a
/// message to rebuild it.
/// 3: Red Hat's module-stream records are stored (channel `module:NAME:STREAM`); a version 2
/// database lacks them, and its matches of modular packages would be silent passes.
pub const SCHEMA_VERSION: u32 = 3;
/// A database older than this many days is reported as stale by `db status`.
pub const STALE_AFTER_DAYS: i64 = 7;
/// The database's file name under the data directory.
pub const DB_FILE_NAME: &str = "vulndb.sqlite";

/// Where the database lives by default: `$XDG_DATA_HOME/dockaudit/vulndb.sqlite`, or
/// `$HOME/.local/share/dockaudit/vulndb.sqlite` when `XDG_DATA_HOME` is unset, empty or relative
/// (as the XDG base directory specification asks). `None` when neither variable helps. The caller
/// passes the variables' values, so this stays free of the process environment.
pub fn default_db_path(xdg_data_home: Option<&OsStr>, home: Option<&OsStr>) -> Option<PathBuf> {
    let base = match xdg_data_home.map(Path::new) {
        Some(p) if p.is_absolute() => p.to_path_buf(),
        _ => {
            let home = home.map(Path::new).filter(|h| h.is_absolute())?;
            home.join(".local").join("share")
        }
    };
    Some(base.join("dockaudit").join(DB_FILE_NAME))
}

/// A feed that could not be read: which one (its URL or path) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct FeedError {
    /// The feed's URL or path (with the member's name inside an archive).
    pub origin: String,
    /// What is wrong, with the line and column where the parser gives them.
    pub message: String,
}

impl FeedError {
    pub(crate) fn new(origin: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            message: message.into(),
        }
    }
}

/// What an import did: records handed on, and records skipped with why (a sample is kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Records produced.
    pub records: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Why, for the first [`ImportStats::SAMPLE`] skipped records.
    pub skipped_sample: Vec<String>,
}

impl ImportStats {
    /// How many skip reasons are kept.
    pub const SAMPLE: usize = 20;

    pub(crate) fn skip(&mut self, why: impl Into<String>) {
        self.skipped += 1;
        if self.skipped_sample.len() < Self::SAMPLE {
            self.skipped_sample.push(why.into());
        }
    }

    pub(crate) fn absorb(&mut self, other: ImportStats) {
        self.records += other.records;
        self.skipped += other.skipped;
        for s in other.skipped_sample {
            if self.skipped_sample.len() < Self::SAMPLE {
                self.skipped_sample.push(s);
            }
        }
    }
}

/// Bounds on what the importers and the download accept. Real feeds are far below them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedLimits {
    /// The largest feed file (downloaded or on disk, compressed where it is): 1 GiB. The Debian
    /// tracker JSON was about 80 MB and Canonical's tarballs under 100 MB in 2026.
    pub max_file_bytes: u64,
    /// The largest member of an archive, or single record file: 64 MiB.
    pub max_entry_bytes: u64,
    /// The most members read from one archive: 2 million.
    pub max_entries: u64,
    /// The most bytes unpacked from one archive: 64 GiB (stops a decompression bomb).
    pub max_unpacked_bytes: u64,
}

impl Default for FeedLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 1 << 30,
            max_entry_bytes: 64 << 20,
            max_entries: 2_000_000,
            max_unpacked_bytes: 64 << 30,
        }
    }
}

/// Why the database could not be built, opened or read.
#[derive(Debug, thiserror::Error)]
pub enum VulnDbError {
    /// A feed is missing, truncated or malformed.
    #[error("feed {0}")]
    Feed(#[from] FeedError),
    /// There is no database at the path.
    #[error("no vulnerability database at {}: run `dockaudit db update` (or `dockaudit db build --from DIR` offline)", path.display())]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// The file is not a dockaudit vulnerability database.
    #[error("{} is not a dockaudit vulnerability database: {reason}", path.display())]
    NotADatabase {
        /// The path.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// The database was written by a dockaudit with another layout.
    #[error("{} has database schema version {found}, this dockaudit reads version {expected}: rebuild it with `dockaudit db update`", path.display())]
    SchemaVersion {
        /// The path.
        path: PathBuf,
        /// The version in the file.
        found: String,
        /// The version this code reads.
        expected: u32,
    },
    /// An update would replace a file that is not a dockaudit database.
    #[error("refusing to replace {}: {reason}", path.display())]
    Refused {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A freshly built database failed its checks (the old one is kept).
    #[error("the new database failed validation: {0}")]
    Invalid(String),
    /// `db build --from DIR` found no feed.
    #[error("no feeds found in {}: expected debian/tracker.json, alpine/v*/{{main,community}}.{{json,yaml}}, ubuntu/osv/, ubuntu/osv-all.tar.xz, azurelinux/*-oval.xml, redhat/, alma/, rocky/, amazon/RELEASE/alas.rss, oracle/*.xml[.bz2] or suse/*.xml[.gz] (nvd/, cve5/, kev/ and epss/ only add severities to those)", dir.display())]
    NoFeeds {
        /// The directory.
        dir: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("{}: database error: {source}", path.display())]
    Sqlite {
        /// The database's path.
        path: PathBuf,
        /// The error.
        source: rusqlite::Error,
    },
}

impl VulnDbError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn sqlite(path: &Path) -> impl FnOnce(rusqlite::Error) -> Self + '_ {
        move |source| Self::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Formats a byte count for people (`78.1 MB`).
pub fn human_bytes(n: u64) -> String {
    struct H(u64);
    impl fmt::Display for H {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let n = self.0 as f64;
            if self.0 < 1000 {
                write!(f, "{} B", self.0)
            } else if n < 1e6 {
                write!(f, "{:.1} kB", n / 1e3)
            } else if n < 1e9 {
                write!(f, "{:.1} MB", n / 1e6)
            } else {
                write!(f, "{:.2} GB", n / 1e9)
            }
        }
    }
    H(n).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg() {
        let p = |x: Option<&str>, h: Option<&str>| {
            default_db_path(x.map(OsStr::new), h.map(OsStr::new))
        };
        assert_eq!(
            p(Some("/data"), Some("/home/u")),
            Some(PathBuf::from("/data/dockaudit/vulndb.sqlite"))
        );
        assert_eq!(
            p(Some(""), Some("/home/u")),
            Some(PathBuf::from(
                "/home/u/.local/share/dockaudit/vulndb.sqlite"
            ))
        );
        assert_eq!(
            p(Some("relative"), Some("/home/u")),
            Some(PathBuf::from(
                "/home/u/.local/share/dockaudit/vulndb.sqlite"
            ))
        );
        assert_eq!(p(None, None), None);
        assert_eq!(p(None, Some("rel")), None);
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(78_100_000), "78.1 MB");
    }
}
