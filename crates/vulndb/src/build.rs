//! Writing the database: the [`DbBuilder`] that stores records (merging the Ubuntu feeds), the
//! layout of feeds on disk ([`FeedSet`]), and [`build`], which imports a feed set into a temporary
//! file beside the target, validates it and only then renames it over the old database.
//!
//! Feeds on disk (`dockaudit db build --from DIR`), each part optional but not all:
//!
//! ```text
//! DIR/debian/tracker.json                 the security tracker JSON
//! DIR/debian/DSA-list, DIR/debian/DLA-list  (or DSA/list, DLA/list) advisory lists, for aliases
//! DIR/alpine/v3.15/main.json              secdb, per release and repository (.json, .yaml or .yml)
//! DIR/ubuntu/osv-all.tar.xz or DIR/ubuntu/osv/   Canonical's OSV records (cve/, usn/)
//! DIR/ubuntu/vex-all.tar.xz or DIR/ubuntu/vex/   Canonical's OpenVEX documents
//! ```
//!
//! A failing feed fails the whole build and leaves the old database as it was: the new one is
//! written to `.NAME.build-PID-N.tmp` in the target's directory and renamed only after SQLite's
//! `quick_check`, a metadata read-back and a non-empty count per feed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::schema::{Advisory, Distro, Status};
use crate::severity::{Cvss, Epss, KnownExploited};
use crate::store::{ReleaseCounts, SourceInfo, VulnDb};
use crate::{
    alpine, amazon, azurelinux, cve5, debian, epss, kev, nvd, oracle, redhat, rhel_osv, suse,
    ubuntu, wolfi,
};
use crate::{FeedError, FeedLimits, ImportStats, VulnDbError, FORMAT, SCHEMA_VERSION};

const SCHEMA_SQL: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE source (
    name TEXT PRIMARY KEY, distro TEXT NOT NULL, url TEXT NOT NULL, fetched_at TEXT NOT NULL,
    bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, records INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE vulnerability (
    vid INTEGER PRIMARY KEY, distro TEXT NOT NULL, id TEXT NOT NULL, description TEXT, url TEXT,
    UNIQUE (distro, id)
);
CREATE TABLE advisory (
    distro TEXT NOT NULL, release TEXT NOT NULL, package TEXT NOT NULL, vid INTEGER NOT NULL,
    channel TEXT NOT NULL, status TEXT NOT NULL, fixed_version TEXT, severity TEXT NOT NULL,
    rating TEXT, aliases TEXT, source TEXT NOT NULL, note TEXT, affected_through TEXT,
    PRIMARY KEY (distro, release, package, vid, channel)
) WITHOUT ROWID;
CREATE INDEX vulnerability_by_id ON vulnerability (id);
CREATE TABLE cve (
    id TEXT PRIMARY KEY, rejected INTEGER NOT NULL DEFAULT 0, kev_added TEXT, kev_ransomware INTEGER,
    epss REAL, epss_percentile REAL, epss_date TEXT
) WITHOUT ROWID;
CREATE TABLE cvss (
    id TEXT NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL, version TEXT NOT NULL,
    vector TEXT, score REAL NOT NULL, severity TEXT NOT NULL,
    PRIMARY KEY (id, origin, source, version)
) WITHOUT ROWID;
CREATE TABLE release_count (
    distro TEXT NOT NULL, release TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (distro, release, status)
) WITHOUT ROWID;
";

/// Writes records into a new database file. Everything happens in one transaction; a builder that
/// is dropped without [`DbBuilder::finish`] leaves an unusable file, which [`build`] deletes.
pub struct DbBuilder {
    conn: Connection,
    path: PathBuf,
    vids: HashMap<(Distro, String), (i64, bool)>,
    sources: Vec<SourceInfo>,
    /// CVEs the OSV records name (as id or alias): their severity data is kept too.
    osv_cves: HashSet<String>,
    /// Records that repeated a key already stored (the first one is kept).
    pub duplicates: u64,
}

impl DbBuilder {
    /// Creates the database file at `path`, which must not exist yet.
    pub fn create(path: &Path) -> Result<Self, VulnDbError> {
        if path.exists() {
            return Err(VulnDbError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::AlreadyExists, "the file exists"),
            ));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(VulnDbError::sqlite(path))?;
        // A private file that is renamed into place only when complete: no journal, no syncs until
        // the end.
        conn.execute_batch(
            "PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
        )
        .map_err(VulnDbError::sqlite(path))?;
        conn.execute_batch(SCHEMA_SQL)
            .map_err(VulnDbError::sqlite(path))?;
        conn.execute_batch(crate::osv::SCHEMA_SQL)
            .map_err(VulnDbError::sqlite(path))?;
        conn.execute_batch("BEGIN")
            .map_err(VulnDbError::sqlite(path))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            vids: HashMap::new(),
            sources: Vec::new(),
            osv_cves: HashSet::new(),
            duplicates: 0,
        })
    }

    fn vid(&mut self, adv: &Advisory) -> Result<i64, VulnDbError> {
        let key = (adv.distro, adv.id.clone());
        match self.vids.get(&key) {
            Some(&(vid, true)) => return Ok(vid),
            Some(&(vid, false)) if adv.description.is_none() => return Ok(vid),
            _ => {}
        }
        let vid: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO vulnerability (distro, id, description, url) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (distro, id) DO UPDATE SET
                   description = COALESCE(vulnerability.description, excluded.description),
                   url = COALESCE(vulnerability.url, excluded.url)
                 RETURNING vid",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![adv.distro.as_str(), adv.id, adv.description, adv.url],
                    |r| r.get(0),
                )
            })
            .map_err(VulnDbError::sqlite(&self.path))?;
        self.vids.insert(key, (vid, adv.description.is_some()));
        Ok(vid)
    }

    /// Stores a record; a record whose key (distribution, release, package, id, channel) is already
    /// stored is counted in [`DbBuilder::duplicates`] and dropped. Returns whether it was stored.
    pub fn insert(&mut self, adv: &Advisory) -> Result<bool, VulnDbError> {
        let vid = self.vid(adv)?;
        let aliases = (!adv.aliases.is_empty()).then(|| adv.aliases.join(" "));
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO advisory (distro, release, package, vid, channel, status,
                    fixed_version, severity, rating, aliases, source, note, affected_through)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    adv.distro.as_str(),
                    adv.release,
                    adv.package,
                    vid,
                    adv.channel.as_deref().unwrap_or(""),
                    adv.status.as_str(),
                    adv.fixed_version,
                    adv.severity.as_str(),
                    adv.rating,
                    aliases,
                    adv.source,
                    adv.note,
                    adv.affected_through,
                ])
            })
            .map_err(VulnDbError::sqlite(&self.path))?;
        if n == 0 {
            self.duplicates += 1;
        }
        Ok(n == 1)
    }

    /// Adds a record's aliases to the stored record with its key, or stores it when there is none
    /// (how USN records join the CVE records). Returns whether it was stored new.
    pub fn add_aliases_or_insert(&mut self, adv: &Advisory) -> Result<bool, VulnDbError> {
        let vid = self.vid(adv)?;
        let channel = adv.channel.as_deref().unwrap_or("");
        let key = params![adv.distro.as_str(), adv.release, adv.package, vid, channel];
        let existing: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT aliases FROM advisory
                 WHERE distro = ?1 AND release = ?2 AND package = ?3 AND vid = ?4 AND channel = ?5",
            )
            .and_then(|mut s| s.query_row(key, |r| r.get(0)).optional())
            .map_err(VulnDbError::sqlite(&self.path))?;
        let Some(existing) = existing else {
            return self.insert(adv);
        };
        let mut aliases: Vec<String> = existing
            .as_deref()
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let before = aliases.len();
        for a in &adv.aliases {
            if !aliases.contains(a) {
                aliases.push(a.clone());
            }
        }
        if aliases.len() != before {
            self.conn
                .prepare_cached(
                    "UPDATE advisory SET aliases = ?6
                     WHERE distro = ?1 AND release = ?2 AND package = ?3 AND vid = ?4 AND channel = ?5",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        adv.distro.as_str(),
                        adv.release,
                        adv.package,
                        vid,
                        channel,
                        aliases.join(" ")
                    ])
                })
                .map_err(VulnDbError::sqlite(&self.path))?;
        }
        Ok(false)
    }

    /// Lays a secondary statement (Ubuntu VEX) over what is stored: a will-not-fix record turns a
    /// stored affected-unfixed record will-not-fix; any record is stored where none has its key;
    /// nothing else changes (the primary feed's word wins). Returns whether anything changed.
    pub fn overlay(&mut self, adv: &Advisory) -> Result<bool, VulnDbError> {
        if adv.status == Status::WillNotFix {
            let vid = self.vid(adv)?;
            let n = self
                .conn
                .prepare_cached(
                    "UPDATE advisory SET status = 'will-not-fix', note = COALESCE(?6, note)
                     WHERE distro = ?1 AND release = ?2 AND package = ?3 AND vid = ?4 AND channel = ?5
                       AND status = 'affected-unfixed'",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        adv.distro.as_str(),
                        adv.release,
                        adv.package,
                        vid,
                        adv.channel.as_deref().unwrap_or(""),
                        adv.note
                    ])
                })
                .map_err(VulnDbError::sqlite(&self.path))?;
            if n > 0 {
                return Ok(true);
            }
        }
        let before = self.duplicates;
        let stored = self.insert(adv)?;
        // A statement that repeats a stored key is expected here, not a duplicate.
        self.duplicates = before;
        Ok(stored)
    }

    /// Records CVSS scores and the rejected state of a CVE some distribution or OSV record names
    /// (others are not stored: the database keeps what matching can use). Returns whether it was stored.
    pub fn add_cve_scores(
        &mut self,
        id: &str,
        rejected: bool,
        cvss: &[Cvss],
    ) -> Result<bool, VulnDbError> {
        if !self.names_cve(id)? {
            return Ok(false);
        }
        let err = VulnDbError::sqlite(&self.path);
        self.conn
            .prepare_cached(
                "INSERT INTO cve (id, rejected) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET rejected = max(rejected, excluded.rejected)",
            )
            .and_then(|mut st| st.execute(params![id, rejected]))
            .map_err(err)?;
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT OR REPLACE INTO cvss (id, origin, source, version, vector, score, severity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(VulnDbError::sqlite(&self.path))?;
        for c in cvss {
            let origin = serde_json::to_value(c.origin)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            st.execute(params![
                id,
                origin,
                c.source,
                c.version,
                c.vector,
                c.score,
                c.severity.as_str()
            ])
            .map_err(VulnDbError::sqlite(&self.path))?;
        }
        Ok(true)
    }

    /// Marks a CVE some distribution or OSV record names as known-exploited.
    pub fn set_known_exploited(
        &mut self,
        id: &str,
        kev: &KnownExploited,
    ) -> Result<bool, VulnDbError> {
        if !self.names_cve(id)? {
            return Ok(false);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO cve (id, kev_added, kev_ransomware) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET kev_added = excluded.kev_added,
                                                kev_ransomware = excluded.kev_ransomware",
            )
            .and_then(|mut st| st.execute(params![id, kev.date_added, kev.ransomware]))
            .map_err(VulnDbError::sqlite(&self.path))?;
        Ok(true)
    }

    /// Records the EPSS score of a CVE some distribution or OSV record names.
    pub fn set_epss(&mut self, id: &str, e: &Epss) -> Result<bool, VulnDbError> {
        if !self.names_cve(id)? {
            return Ok(false);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO cve (id, epss, epss_percentile, epss_date) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET epss = excluded.epss,
                     epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date",
            )
            .and_then(|mut st| st.execute(params![id, e.score, e.percentile, e.date]))
            .map_err(VulnDbError::sqlite(&self.path))?;
        Ok(true)
    }

    /// Keeps the severity data (NVD, CVE 5, KEV, EPSS) of these CVEs too: the ones the OSV records
    /// of application packages name. Call it before the severity feeds are imported.
    pub fn keep_cves(&mut self, ids: impl IntoIterator<Item = String>) {
        self.osv_cves.extend(ids);
    }

    /// Whether a distribution record or an OSV record ([`DbBuilder::keep_cves`]) names this
    /// vulnerability id.
    fn names_cve(&self, id: &str) -> Result<bool, VulnDbError> {
        if self.osv_cves.contains(id) {
            return Ok(true);
        }
        self.conn
            .prepare_cached("SELECT 1 FROM vulnerability WHERE id = ?1 LIMIT 1")
            .and_then(|mut st| st.exists(params![id]))
            .map_err(VulnDbError::sqlite(&self.path))
    }

    /// The connection, for importers with tables of their own ([`crate::osv`]).
    pub(crate) fn connection(&self) -> (&Connection, &Path) {
        (&self.conn, &self.path)
    }

    /// Records a feed's provenance.
    pub fn add_source(&mut self, source: SourceInfo) {
        self.sources.push(source);
    }

    /// Writes the metadata and the per-release counts, commits, and closes the file.
    pub fn finish(self, built_at: OffsetDateTime, built_by: &str) -> Result<(), VulnDbError> {
        let path = self.path.clone();
        let err = VulnDbError::sqlite(&path);
        let built_at = built_at
            .format(&Rfc3339)
            .map_err(|e| VulnDbError::Invalid(format!("build time: {e}")))?;
        let eol = dockaudit_scan::eol::table();
        let eol_json = serde_json::to_string(eol)
            .map_err(|e| VulnDbError::Invalid(format!("end-of-life table: {e}")))?;
        let eol_as_of = eol
            .as_of
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap_or_default();
        let mut meta = vec![
            ("format", FORMAT.to_owned()),
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("built_at", built_at),
            ("built_by", built_by.to_owned()),
            ("eol_table_as_of", eol_as_of),
            ("eol_table", eol_json),
        ];
        {
            let mut stmt = self
                .conn
                .prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")
                .map_err(err)?;
            for (k, v) in meta.drain(..) {
                stmt.execute(params![k, v])
                    .map_err(VulnDbError::sqlite(&path))?;
            }
            let mut stmt = self
                .conn
                .prepare(
                    "INSERT OR REPLACE INTO source (name, distro, url, fetched_at, bytes, sha256, records)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(VulnDbError::sqlite(&path))?;
            for s in &self.sources {
                stmt.execute(params![
                    s.name,
                    s.distro.map_or("", Distro::as_str),
                    s.url,
                    s.fetched_at,
                    i64::try_from(s.bytes).unwrap_or(i64::MAX),
                    s.sha256,
                    i64::try_from(s.records).unwrap_or(i64::MAX),
                ])
                .map_err(VulnDbError::sqlite(&path))?;
            }
        }
        self.conn
            .execute_batch(
                "INSERT INTO release_count (distro, release, status, n)
                   SELECT distro, release, status, COUNT(*) FROM advisory GROUP BY distro, release, status;
                 COMMIT;
                 PRAGMA journal_mode = DELETE;",
            )
            .map_err(VulnDbError::sqlite(&path))?;
        self.conn
            .close()
            .map_err(|(_, e)| VulnDbError::Sqlite { path, source: e })
    }
}

/// A feed file (or directory) and what is known of its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Where it came from, when downloaded (else a `file://` URL of `path` is recorded).
    pub url: Option<String>,
    /// When it was downloaded (else the file's modification time is recorded).
    pub fetched_at: Option<OffsetDateTime>,
    /// Its size and SHA-256 when already known (the download computes them on the way).
    pub digest: Option<(u64, String)>,
}

impl FeedFile {
    /// A feed file read from disk.
    pub fn local(path: PathBuf) -> Self {
        Self {
            path,
            url: None,
            fetched_at: None,
            digest: None,
        }
    }

    pub(crate) fn origin(&self) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// One feed to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// The Debian security tracker JSON.
    DebianTracker(FeedFile),
    /// A Debian advisory list: `name` is `debian-dsa` or `debian-dla`.
    DebianList {
        /// The source name.
        name: String,
        /// The file.
        file: FeedFile,
    },
    /// One Alpine secdb file.
    Alpine {
        /// The release directory's name (`v3.15`, `edge`).
        release: String,
        /// The repository (`main`, `community`).
        repository: String,
        /// The file.
        file: FeedFile,
    },
    /// Canonical's OSV records: a `.tar.xz` (or `.tar`) archive, or a directory tree.
    UbuntuOsv(FeedFile),
    /// Canonical's OpenVEX documents: an archive or a directory tree.
    UbuntuVex(FeedFile),
    /// Wolfi's secdb (`security.json`).
    Wolfi(FeedFile),
    /// Chainguard's secdb (`security.json`).
    Chainguard(FeedFile),
    /// AlmaLinux's OSV errata: a directory of `.json` records (or a tar of them).
    Alma(FeedFile),
    /// Rocky Linux's OSV errata: a directory of `.json` records (or a tar of them).
    Rocky(FeedFile),
    /// Red Hat's CSAF VEX (or RHSA) documents: a directory tree of `.json` files, or a tar of them
    /// (zstd-compressed as Red Hat ships `csaf_vex_YYYY-MM-DD.tar.zst`, xz, or plain).
    RedHat(FeedFile),
    /// One Azure Linux / CBL-Mariner OVAL file.
    AzureLinux {
        /// The release it covers (`2.0`, `3.0`).
        release: String,
        /// The file.
        file: FeedFile,
    },
    /// One Amazon Linux release's ALAS advisories: the file is its `alas.rss`, the pages are in
    /// `html/` beside it.
    Amazon {
        /// The release (`2`, `2023`).
        release: String,
        /// The RSS list.
        file: FeedFile,
    },
    /// An Oracle Linux ELSA OVAL file (`.xml` or `.xml.bz2`), any releases.
    Oracle(FeedFile),
    /// A SUSE OVAL file (`.xml` or `.xml.gz`): SLES (releases from the definitions) or one
    /// openSUSE Leap release.
    Suse {
        /// [`Distro::Sles`] or [`Distro::OpensuseLeap`].
        distro: Distro,
        /// A Leap file's release (`15.6`); `None` for SLES.
        release: Option<String>,
        /// The file.
        file: FeedFile,
    },
    /// NVD CVE API 2.0 records: a directory of `.json` files, or fkie-cad's `CVE-all.json.xz`.
    Nvd(FeedFile),
    /// CVE JSON 5 records: a directory of `.json` files (or a tar archive of them).
    Cve5(FeedFile),
    /// CISA's KEV catalogue JSON.
    Kev(FeedFile),
    /// FIRST's EPSS CSV (plain or gzip).
    Epss(FeedFile),
}

impl Feed {
    /// The feed's source name in the database.
    pub fn source_name(&self) -> String {
        match self {
            Feed::DebianTracker(_) => debian::TRACKER_SOURCE.to_owned(),
            Feed::DebianList { name, .. } => name.clone(),
            Feed::Alpine {
                release,
                repository,
                ..
            } => format!("{}/{release}/{repository}", alpine::SOURCE),
            Feed::UbuntuOsv(_) => ubuntu::OSV_SOURCE.to_owned(),
            Feed::UbuntuVex(_) => ubuntu::VEX_SOURCE.to_owned(),
            Feed::AzureLinux { release, .. } => format!("{}/{release}", azurelinux::SOURCE),
            Feed::Wolfi(_) => wolfi::WOLFI_SOURCE.to_owned(),
            Feed::Alma(_) => rhel_osv::ALMA_SOURCE.to_owned(),
            Feed::Rocky(_) => rhel_osv::ROCKY_SOURCE.to_owned(),
            Feed::RedHat(_) => redhat::SOURCE.to_owned(),
            Feed::Chainguard(_) => wolfi::CHAINGUARD_SOURCE.to_owned(),
            Feed::Amazon { release, .. } => format!("{}/{release}", amazon::SOURCE),
            Feed::Oracle(f) => format!("{}/{}", oracle::SOURCE, oval_stem(&f.path)),
            Feed::Suse { file, .. } => format!("{}/{}", suse::SOURCE, oval_stem(&file.path)),
            Feed::Nvd(_) => nvd::SOURCE.to_owned(),
            Feed::Cve5(_) => cve5::SOURCE.to_owned(),
            Feed::Kev(_) => kev::SOURCE.to_owned(),
            Feed::Epss(_) => epss::SOURCE.to_owned(),
        }
    }

    /// The distribution it is about; `None` for the severity feeds (NVD, CVE 5, KEV, EPSS).
    pub fn distro(&self) -> Option<Distro> {
        match self {
            Feed::DebianTracker(_) | Feed::DebianList { .. } => Some(Distro::Debian),
            Feed::Alpine { .. } => Some(Distro::Alpine),
            Feed::UbuntuOsv(_) | Feed::UbuntuVex(_) => Some(Distro::Ubuntu),
            Feed::AzureLinux { .. } => Some(Distro::Azurelinux),
            Feed::Wolfi(_) => Some(Distro::Wolfi),
            Feed::Alma(_) => Some(Distro::Almalinux),
            Feed::Rocky(_) => Some(Distro::Rocky),
            Feed::RedHat(_) => Some(Distro::Redhat),
            Feed::Chainguard(_) => Some(Distro::Chainguard),
            Feed::Amazon { .. } => Some(Distro::Amazon),
            Feed::Oracle(_) => Some(Distro::Oracle),
            Feed::Suse { distro, .. } => Some(*distro),
            Feed::Nvd(_) | Feed::Cve5(_) | Feed::Kev(_) | Feed::Epss(_) => None,
        }
    }

    /// Its file.
    pub fn file(&self) -> &FeedFile {
        match self {
            Feed::DebianTracker(f)
            | Feed::DebianList { file: f, .. }
            | Feed::Alpine { file: f, .. }
            | Feed::AzureLinux { file: f, .. }
            | Feed::Amazon { file: f, .. }
            | Feed::Oracle(f)
            | Feed::Suse { file: f, .. }
            | Feed::Wolfi(f)
            | Feed::Alma(f)
            | Feed::Rocky(f)
            | Feed::RedHat(f)
            | Feed::Chainguard(f)
            | Feed::UbuntuOsv(f)
            | Feed::UbuntuVex(f)
            | Feed::Nvd(f)
            | Feed::Cve5(f)
            | Feed::Kev(f)
            | Feed::Epss(f) => f,
        }
    }

    fn order(&self) -> u8 {
        match self {
            Feed::DebianList { .. } => 0,
            Feed::DebianTracker(_) => 1,
            Feed::Alpine { .. } => 2,
            Feed::UbuntuOsv(_) => 3,
            Feed::UbuntuVex(_) => 4,
            Feed::AzureLinux { .. } => 5,
            Feed::Wolfi(_) => 6,
            Feed::Chainguard(_) => 7,
            Feed::Alma(_) => 8,
            Feed::Rocky(_) => 9,
            Feed::RedHat(_) => 9,
            Feed::Amazon { .. } => 14,
            Feed::Oracle(_) => 15,
            Feed::Suse { .. } => 16,
            // After every distribution feed: they store scores only for the CVEs those name.
            Feed::Nvd(_) => 30,
            Feed::Cve5(_) => 31,
            Feed::Kev(_) => 32,
            Feed::Epss(_) => 33,
        }
    }
}

/// The feeds to build a database from, in import order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedSet {
    /// The feeds.
    pub feeds: Vec<Feed>,
    /// OSV's application-package records, one feed per ecosystem (`DIR/osv/ECOSYSTEM/`).
    pub osv: Vec<crate::osv::OsvFeed>,
}

impl FeedSet {
    /// Adds a feed.
    pub fn push(&mut self, feed: Feed) {
        self.feeds.push(feed);
        self.feeds.sort_by_key(Feed::order);
    }

    /// Finds the feeds in a directory laid out as the module documentation shows.
    pub fn discover(dir: &Path) -> Result<Self, VulnDbError> {
        if !dir.is_dir() {
            return Err(VulnDbError::io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            ));
        }
        let mut set = FeedSet::default();
        let first =
            |candidates: &[&str]| candidates.iter().map(|c| dir.join(c)).find(|p| p.exists());
        if let Some(p) = first(&["debian/tracker.json", "debian/json"]) {
            set.push(Feed::DebianTracker(FeedFile::local(p)));
        }
        for (name, candidates) in [
            ("debian-dsa", ["debian/DSA-list", "debian/DSA/list"]),
            ("debian-dla", ["debian/DLA-list", "debian/DLA/list"]),
        ] {
            if let Some(p) = first(&candidates) {
                set.push(Feed::DebianList {
                    name: name.to_owned(),
                    file: FeedFile::local(p),
                });
            }
        }
        let alpine_dir = dir.join("alpine");
        if alpine_dir.is_dir() {
            let mut releases: Vec<_> = std::fs::read_dir(&alpine_dir)
                .map_err(|e| VulnDbError::io(&alpine_dir, e))?
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|n| alpine::release_key(n).is_some())
                .collect();
            releases.sort();
            for release in releases {
                for repo in alpine::REPOSITORIES {
                    let found = ["json", "yaml", "yml"]
                        .iter()
                        .map(|ext| alpine_dir.join(&release).join(format!("{repo}.{ext}")))
                        .find(|p| p.is_file());
                    if let Some(p) = found {
                        set.push(Feed::Alpine {
                            release: release.clone(),
                            repository: (*repo).to_owned(),
                            file: FeedFile::local(p),
                        });
                    }
                }
            }
        }
        if let Some(p) = first(&["ubuntu/osv-all.tar.xz", "ubuntu/osv-all.tar", "ubuntu/osv"]) {
            set.push(Feed::UbuntuOsv(FeedFile::local(p)));
        }
        if let Some(p) = first(&["ubuntu/vex-all.tar.xz", "ubuntu/vex-all.tar", "ubuntu/vex"]) {
            set.push(Feed::UbuntuVex(FeedFile::local(p)));
        }
        let azure_dir = dir.join("azurelinux");
        if azure_dir.is_dir() {
            let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&azure_dir)
                .map_err(|e| VulnDbError::io(&azure_dir, e))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter_map(|p| {
                    let release = azurelinux::release_of_file(p.file_name()?.to_str()?)?;
                    Some((release.to_owned(), p))
                })
                .collect();
            files.sort();
            for (release, p) in files {
                set.push(Feed::AzureLinux {
                    release,
                    file: FeedFile::local(p),
                });
            }
        }
        if let Some(p) = first(&["alma/all.zip", "alma/osv", "alma"]) {
            set.push(Feed::Alma(FeedFile::local(p)));
        }
        if let Some(p) = first(&["rocky/all.zip", "rocky/osv", "rocky"]) {
            set.push(Feed::Rocky(FeedFile::local(p)));
        }
        discover_amazon_oracle_suse(dir, &mut set)?;
        if let Some(p) = redhat_feed(&dir.join("redhat"))? {
            set.push(Feed::RedHat(FeedFile::local(p)));
        }
        if let Some(p) = first(&["wolfi/security.json"]) {
            set.push(Feed::Wolfi(FeedFile::local(p)));
        }
        if let Some(p) = first(&["chainguard/security.json"]) {
            set.push(Feed::Chainguard(FeedFile::local(p)));
        }
        if let Some(p) = first(&["nvd/CVE-all.json.xz", "nvd"]) {
            set.push(Feed::Nvd(FeedFile::local(p)));
        }
        if let Some(p) = first(&["cve5"]) {
            set.push(Feed::Cve5(FeedFile::local(p)));
        }
        if let Some(p) = newest_file(&dir.join("kev"), &[".json"])? {
            set.push(Feed::Kev(FeedFile::local(p)));
        }
        if let Some(p) = newest_file(&dir.join("epss"), &[".csv", ".csv.gz"])? {
            set.push(Feed::Epss(FeedFile::local(p)));
        }
        set.osv = crate::osv::OsvFeed::discover(dir);
        if set.feeds.iter().all(|f| f.distro().is_none()) && set.osv.is_empty() {
            return Err(VulnDbError::NoFeeds {
                dir: dir.to_path_buf(),
            });
        }
        Ok(set)
    }
}

/// An OVAL file's name without `.xml`, `.xml.bz2`, `.xml.gz` (`com.oracle.elsa-ol9`).
fn oval_stem(path: &Path) -> &str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("oval");
    let name = name
        .strip_suffix(".bz2")
        .or_else(|| name.strip_suffix(".gz"))
        .unwrap_or(name);
    name.strip_suffix(".xml").unwrap_or(name)
}

/// The files of `dir` (none when it is missing), sorted.
fn files_in(dir: &Path) -> Result<Vec<PathBuf>, VulnDbError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| VulnDbError::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    out.sort();
    Ok(out)
}

/// `amazon/RELEASE/alas.rss` (with `html/`), `oracle/*.xml[.bz2]`, `suse/*.xml[.gz]`.
fn discover_amazon_oracle_suse(dir: &Path, set: &mut FeedSet) -> Result<(), VulnDbError> {
    let name_of = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    for p in files_in(&dir.join("amazon"))? {
        let rss = p.join("alas.rss");
        if let (Some(release), true) = (amazon::release_of_dir(&name_of(&p)), rss.is_file()) {
            set.push(Feed::Amazon {
                release: release.to_owned(),
                file: FeedFile::local(rss),
            });
        }
    }
    for p in files_in(&dir.join("oracle"))? {
        let name = name_of(&p);
        if p.is_file() && (name.ends_with(".xml") || name.ends_with(".xml.bz2")) {
            set.push(Feed::Oracle(FeedFile::local(p)));
        }
    }
    for p in files_in(&dir.join("suse"))? {
        if let (Some((distro, release)), true) = (suse::product_of_file(&name_of(&p)), p.is_file())
        {
            set.push(Feed::Suse {
                distro,
                release,
                file: FeedFile::local(p),
            });
        }
    }
    Ok(())
}

/// Red Hat's feed under `DIR/redhat/`: the newest `csaf_vex_*.tar.zst` (or `.tar.xz`, `.tar`)
/// archive there, else the directory itself when it holds `.json` documents.
fn redhat_feed(dir: &Path) -> Result<Option<PathBuf>, VulnDbError> {
    if !dir.is_dir() {
        return Ok(None);
    }
    if let Some(p) = newest_file(dir, &[".tar.zst", ".tar.xz", ".tar"])? {
        return Ok(Some(p));
    }
    let mut files = Vec::new();
    walk_json(dir, dir, 0, &FeedLimits::default(), &mut files)?;
    Ok((!files.is_empty()).then(|| dir.to_path_buf()))
}

/// The last (by name: EPSS files are dated) file in `dir` whose name ends with one of `suffixes`.
fn newest_file(dir: &Path, suffixes: &[&str]) -> Result<Option<PathBuf>, VulnDbError> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| VulnDbError::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
        })
        .collect();
    names.sort();
    Ok(names.pop())
}

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The build time recorded in the database.
    pub built_at: OffsetDateTime,
    /// The program recorded as its builder (`dockaudit 0.1.0`).
    pub built_by: String,
    /// Bounds on the feeds.
    pub limits: FeedLimits,
    /// Replace the target even when it is not a dockaudit database.
    pub force: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// The database written.
    pub path: PathBuf,
    /// The feeds, with their record counts.
    pub sources: Vec<SourceInfo>,
    /// Records stored.
    pub records: u64,
    /// Feed entries skipped, and a sample of why.
    pub skipped: ImportStats,
    /// Records that repeated a key (the first was kept).
    pub duplicates: u64,
    /// Counts per release.
    pub releases: Vec<ReleaseCounts>,
    /// The new file's size.
    pub file_bytes: u64,
    /// How long the import and checks took.
    pub elapsed: std::time::Duration,
    /// Things worth a look that did not stop the build (a release that shrank sharply).
    pub warnings: Vec<String>,
    /// The OSV sources imported (`osv/PyPI`, …), with the affected packages each stored.
    pub osv_sources: Vec<(String, u64)>,
}

/// Builds a database from `feeds` and puts it at `target`, replacing the database there only when
/// the new one is complete and valid. `progress` hears one line per step.
pub fn build(
    feeds: &FeedSet,
    target: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildSummary, VulnDbError> {
    let previous = check_target(target, options.force)?;
    let dir = parent_dir(target);
    std::fs::create_dir_all(&dir).map_err(|e| VulnDbError::io(&dir, e))?;
    remove_stale_temps(target);
    let tmp = TempPath::new(target, "build")?;
    let started = Instant::now();
    let mut builder = DbBuilder::create(tmp.path())?;
    let mut skipped = ImportStats::default();
    let mut sources = Vec::new();
    // OSV first: the severity feeds keep the data of the CVEs its records name.
    let mut osv_records = 0;
    let mut osv_sources = Vec::new();
    for feed in &feeds.osv {
        let name = feed.source_name();
        progress(&format!("importing {name} from {}", feed.file.origin()));
        let (conn, db_path) = builder.connection();
        let mut cves = HashSet::new();
        let (records, stats) = crate::osv::import(conn, db_path, feed, &options.limits, &mut cves)?;
        let (bytes, sha256) = match &feed.file.digest {
            Some(d) => d.clone(),
            None => digest_path(&feed.file.path)?,
        };
        let info = SourceInfo {
            name,
            distro: None, // OSV sources have a table of their own
            url: feed
                .file
                .url
                .clone()
                .unwrap_or_else(|| file_url(&feed.file.path)),
            fetched_at: fetched_at(&feed.file)?,
            bytes,
            sha256,
            records,
        };
        progress(&format!(
            "  {records} affected packages{}",
            if stats.skipped > 0 {
                format!(", {} records skipped", stats.skipped)
            } else {
                String::new()
            }
        ));
        crate::osv::add_source(conn, db_path, &info)?;
        builder.keep_cves(cves);
        osv_records += records;
        osv_sources.push((info.name.clone(), records));
        skipped.absorb(ImportStats {
            records: 0,
            ..stats
        });
    }
    let mut debian_aliases = debian::AdvisoryIndex::default();
    for feed in &feeds.feeds {
        let name = feed.source_name();
        let file = feed.file();
        progress(&format!("importing {name} from {}", file.origin()));
        let (records, stats) =
            import_feed(feed, &mut builder, &mut debian_aliases, &options.limits)?;
        let (bytes, sha256) = match &file.digest {
            Some(d) => d.clone(),
            None => digest_path(&file.path)?,
        };
        let info = SourceInfo {
            name,
            distro: feed.distro(),
            url: file.url.clone().unwrap_or_else(|| file_url(&file.path)),
            fetched_at: fetched_at(file)?,
            bytes,
            sha256,
            records,
        };
        progress(&format!(
            "  {} records{}",
            info.records,
            if stats.skipped > 0 {
                format!(", {} entries skipped", stats.skipped)
            } else {
                String::new()
            }
        ));
        skipped.absorb(ImportStats {
            records: 0,
            ..stats
        });
        builder.add_source(info.clone());
        sources.push(info);
    }
    let duplicates = builder.duplicates;
    builder.finish(options.built_at, &options.built_by)?;

    // Read it back as a reader would, before it replaces anything.
    let db = VulnDb::open(tmp.path())?;
    db.quick_check()?;
    let releases = db.release_counts()?;
    let records: u64 = releases.iter().map(|r| r.total).sum::<u64>() + osv_records;
    if records == 0 {
        return Err(VulnDbError::Invalid("no records were imported".to_owned()));
    }
    drop(db);
    let warnings = previous
        .map(|old| shrink_warnings(&old, &releases))
        .unwrap_or_default();
    let file_bytes = tmp.persist(target)?;
    Ok(BuildSummary {
        path: target.to_path_buf(),
        sources,
        records,
        skipped,
        duplicates,
        releases,
        file_bytes,
        elapsed: started.elapsed(),
        warnings,
        osv_sources,
    })
}

/// What is at the target now: nothing, or an old database (its counts, for comparison). A file that
/// is not a dockaudit database is refused unless `force`.
pub(crate) fn check_target(
    target: &Path,
    force: bool,
) -> Result<Option<Vec<ReleaseCounts>>, VulnDbError> {
    match VulnDb::open(target) {
        Ok(db) => Ok(db.release_counts().ok()),
        Err(VulnDbError::Missing { .. }) | Err(VulnDbError::SchemaVersion { .. }) => Ok(None),
        Err(_) if force => Ok(None),
        Err(VulnDbError::NotADatabase { reason, .. }) => Err(VulnDbError::Refused {
            path: target.to_path_buf(),
            reason: format!(
                "it is not a dockaudit vulnerability database ({reason}); move it away or pass --force"
            ),
        }),
        Err(e) => Err(e),
    }
}

/// Warns about each release that lost more than half its records since the previous database: a
/// mirror serving a partial (but well-formed) feed looks like this.
fn shrink_warnings(old: &[ReleaseCounts], new: &[ReleaseCounts]) -> Vec<String> {
    let mut out = Vec::new();
    for o in old {
        let now = new
            .iter()
            .find(|n| n.distro == o.distro && n.release == o.release)
            .map_or(0, |n| n.total);
        if o.total >= 100 && now * 2 < o.total {
            out.push(format!(
                "{} {}: {now} records, the previous database had {}; check the feed or mirror",
                o.distro, o.release, o.total
            ));
        }
    }
    out
}

fn import_feed(
    feed: &Feed,
    builder: &mut DbBuilder,
    debian_aliases: &mut debian::AdvisoryIndex,
    limits: &FeedLimits,
) -> Result<(u64, ImportStats), VulnDbError> {
    let file = feed.file();
    let origin = file.origin();
    match feed {
        Feed::DebianList { .. } => {
            let bytes = read_bounded(&file.path, &origin, limits.max_entry_bytes)?;
            let text = String::from_utf8_lossy(&bytes);
            let list = debian::parse_advisory_list(&text, &origin)?;
            debian_aliases.add(&list);
            Ok((list.len() as u64, ImportStats::default()))
        }
        Feed::DebianTracker(_) => {
            let f = open_bounded(&file.path, &origin, limits.max_file_bytes)?;
            let mut sink_error = None;
            let stats = {
                let mut sink = |adv: Advisory| -> Result<(), FeedError> {
                    match builder.insert(&adv) {
                        Ok(_) => Ok(()),
                        Err(e) => {
                            let msg = e.to_string();
                            sink_error = Some(e);
                            Err(FeedError::new(&origin, msg))
                        }
                    }
                };
                debian::import_tracker(f, &origin, debian_aliases, &mut sink)
            };
            if let Some(e) = sink_error {
                return Err(e);
            }
            let stats = stats?;
            Ok((stats.records, stats))
        }
        Feed::Alpine { release, .. } => {
            let bytes = read_bounded(&file.path, &origin, limits.max_entry_bytes)?;
            let format = file
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(alpine::SecdbFormat::from_file_name)
                .unwrap_or_else(|| alpine::SecdbFormat::sniff(&bytes));
            let (advisories, stats) = alpine::parse_secdb(&bytes, &origin, format, Some(release))?;
            for adv in &advisories {
                builder.insert(adv)?;
            }
            Ok((advisories.len() as u64, stats))
        }
        Feed::UbuntuOsv(_) => {
            let mut stats = ImportStats::default();
            let mut notices: Vec<Advisory> = Vec::new();
            let mut records = 0u64;
            for_each_json(&file.path, &origin, limits, &mut |member, bytes| {
                let parsed = ubuntu::parse_osv(bytes, &member_origin(&origin, member))?;
                match parsed.kind {
                    ubuntu::OsvKind::Cve => {
                        for adv in &parsed.advisories {
                            builder.insert(adv)?;
                        }
                        records += parsed.advisories.len() as u64;
                    }
                    // USN records join the CVE records once all of those are in (archive order is
                    // not guaranteed).
                    ubuntu::OsvKind::Usn => notices.extend(parsed.advisories),
                    ubuntu::OsvKind::Withdrawn => stats.skip(format!("{}: withdrawn", parsed.id)),
                    ubuntu::OsvKind::Other => {}
                }
                stats.absorb(ImportStats {
                    records: 0,
                    ..parsed.stats
                });
                Ok(())
            })?;
            for adv in &notices {
                if builder.add_aliases_or_insert(adv)? {
                    records += 1;
                }
            }
            if records == 0 {
                return Err(FeedError::new(origin, "the feed holds no CVE records").into());
            }
            stats.records = records;
            Ok((records, stats))
        }
        Feed::UbuntuVex(_) => {
            let mut stats = ImportStats::default();
            let mut changed = 0u64;
            let mut documents = 0u64;
            for_each_json(&file.path, &origin, limits, &mut |member, bytes| {
                let (advisories, s) = ubuntu::parse_vex(bytes, &member_origin(&origin, member))?;
                documents += 1;
                for adv in &advisories {
                    if builder.overlay(adv)? {
                        changed += 1;
                    }
                }
                stats.absorb(ImportStats { records: 0, ..s });
                Ok(())
            })?;
            if documents == 0 {
                return Err(FeedError::new(origin, "the feed holds no VEX documents").into());
            }
            stats.records = changed;
            Ok((changed, stats))
        }
        Feed::Alma(_) | Feed::Rocky(_) => {
            let distro = feed.distro().unwrap_or(Distro::Almalinux);
            let mut stats = ImportStats::default();
            let mut stored = 0u64;
            for_each_json(&file.path, &origin, limits, &mut |member, bytes| {
                let (advisories, s) =
                    rhel_osv::parse(bytes, &member_origin(&origin, member), distro)?;
                stats.absorb(ImportStats { records: 0, ..s });
                for adv in &advisories {
                    if builder.insert(adv)? {
                        stored += 1;
                    }
                }
                Ok(())
            })?;
            stats.records = stored;
            Ok((stored, stats))
        }
        Feed::RedHat(_) => {
            let mut stats = ImportStats::default();
            let mut documents = 0u64;
            let (mut modular, mut extended) = (0u64, 0u64);
            // (release, package, CVE, stream) → record: a CVE's fixes can come from several
            // advisories; a module stream's records are kept apart from the others'.
            type Key = (String, String, String, Option<String>);
            let mut records: BTreeMap<Key, (Advisory, bool)> = BTreeMap::new();
            for_each_json(&file.path, &origin, limits, &mut |member, bytes| {
                let parsed = redhat::parse(bytes, &member_origin(&origin, member))?;
                documents += 1;
                modular += parsed.modular_skipped;
                extended += parsed.extended_stream_skipped;
                stats.absorb(ImportStats {
                    records: 0,
                    ..parsed.stats
                });
                for adv in parsed.advisories {
                    let key = (
                        adv.release.clone(),
                        adv.package.clone(),
                        adv.id.clone(),
                        adv.channel.clone(),
                    );
                    match records.get_mut(&key) {
                        Some((old, old_src)) => {
                            redhat::merge_into(old, *old_src, adv, true);
                            *old_src = true;
                        }
                        None => {
                            records.insert(key, (adv, true));
                        }
                    }
                }
                Ok(())
            })?;
            if documents == 0 {
                return Err(FeedError::new(origin, "the feed holds no CSAF documents").into());
            }
            if extended > 0 {
                stats.skip(format!(
                    "{extended} product entries of extended RHEL streams (EUS, AUS, TUS, E4S, ELS) skipped: mainline releases only"
                ));
                stats.skipped += extended - 1;
            }
            if modular > 0 {
                stats.skip(format!(
                    "{modular} product entries of module streams skipped: no stream named, or the module itself rather than an rpm"
                ));
                stats.skipped += modular - 1;
            }
            let mut stored = 0u64;
            for (adv, _) in records.values() {
                if builder.insert(adv)? {
                    stored += 1;
                }
            }
            stats.records = stored;
            Ok((stored, stats))
        }
        Feed::Wolfi(_) | Feed::Chainguard(_) => {
            let bytes = read_bounded(&file.path, &origin, limits.max_entry_bytes)?;
            let distro = feed.distro().unwrap_or(Distro::Wolfi);
            let (advisories, stats) = wolfi::parse(&bytes, &origin, distro)?;
            for adv in &advisories {
                builder.insert(adv)?;
            }
            Ok((advisories.len() as u64, stats))
        }
        Feed::AzureLinux { release, .. } => {
            let input = crate::oval::open_xml_file(
                &file.path,
                &origin,
                limits.max_entry_bytes,
                limits.max_entry_bytes,
            )?;
            let (advisories, stats) = azurelinux::read_oval(input, &origin, release)?;
            for adv in &advisories {
                builder.insert(adv)?;
            }
            Ok((advisories.len() as u64, stats))
        }
        Feed::Amazon { release, .. } => {
            let dir = parent_dir(&file.path);
            let (advisories, stats) = amazon::import_dir(&dir, release, limits)?;
            for adv in &advisories {
                builder.insert(adv)?;
            }
            Ok((advisories.len() as u64, stats))
        }
        Feed::Oracle(_) | Feed::Suse { .. } => {
            // Read as a stream, unpacked on the way: memory holds records, not the document.
            let input = crate::oval::open_xml_file(
                &file.path,
                &origin,
                limits.max_file_bytes,
                limits.max_file_bytes,
            )?;
            // Each record goes into the database as it is read (a failure fails the whole build,
            // so nothing half-read is kept).
            let mut sink_error = None;
            let stats = {
                let mut sink = |adv: Advisory| -> Result<(), FeedError> {
                    builder.insert(&adv).map(drop).map_err(|e| {
                        let msg = e.to_string();
                        sink_error = Some(e);
                        FeedError::new(&origin, msg)
                    })
                };
                match feed {
                    Feed::Suse {
                        distro, release, ..
                    } => suse::import_oval(input, &origin, *distro, release.as_deref(), &mut sink),
                    _ => oracle::import_oval(input, &origin, &mut sink),
                }
            };
            if let Some(e) = sink_error {
                return Err(e);
            }
            let stats = stats?;
            Ok((stats.records, stats))
        }
        Feed::Nvd(_) => {
            let mut stats = ImportStats::default();
            let mut stored = 0u64;
            let mut take = |records: Vec<nvd::NvdRecord>,
                            builder: &mut DbBuilder|
             -> Result<(), VulnDbError> {
                for r in records {
                    if builder.add_cve_scores(&r.id, r.rejected, &r.cvss)? {
                        stored += 1;
                    }
                }
                Ok(())
            };
            if file.path.is_dir() {
                for_each_json(&file.path, &origin, limits, &mut |member, bytes| {
                    let (records, s) = nvd::parse(bytes, &member_origin(&origin, member))?;
                    stats.absorb(ImportStats { records: 0, ..s });
                    take(records, builder)
                })?;
            } else {
                let f = open_bounded(&file.path, &origin, limits.max_file_bytes)?;
                let mut reader = BufReader::with_capacity(1 << 16, f);
                let is_xz = reader
                    .fill_buf()
                    .map_err(|e| VulnDbError::io(&file.path, e))?
                    .starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0]);
                let inner: Box<dyn Read> = if is_xz {
                    Box::new(lzma_rust2::XzReader::new(reader, true))
                } else {
                    Box::new(reader)
                };
                let bounded = BufReader::new(Bounded {
                    inner,
                    left: limits.max_unpacked_bytes,
                });
                let (records, s) = nvd::parse(bounded, &origin)?;
                stats.absorb(ImportStats { records: 0, ..s });
                take(records, builder)?;
            }
            stats.records = stored;
            Ok((stored, stats))
        }
        Feed::Cve5(_) => {
            let mut stats = ImportStats::default();
            let mut stored = 0u64;
            for_each_json(&file.path, &origin, limits, &mut |member, bytes| {
                let member_origin = member_origin(&origin, member);
                // cvelistV5 holds other JSON (delta logs): only CVE records are read.
                if !member
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with("CVE-"))
                {
                    return Ok(());
                }
                match cve5::parse(bytes, &member_origin) {
                    Ok((r, s)) => {
                        stats.absorb(ImportStats { records: 0, ..s });
                        if builder.add_cve_scores(&r.id, r.rejected, &r.cvss)? {
                            stored += 1;
                        }
                    }
                    Err(e) => stats.skip(e.to_string()),
                }
                Ok(())
            })?;
            stats.records = stored;
            Ok((stored, stats))
        }
        Feed::Kev(_) => {
            let bytes = read_bounded(&file.path, &origin, limits.max_entry_bytes)?;
            let (entries, _version, mut stats) = kev::parse(&bytes, &origin)?;
            let mut stored = 0u64;
            for (id, entry) in &entries {
                if builder.set_known_exploited(id, entry)? {
                    stored += 1;
                }
            }
            stats.records = stored;
            Ok((stored, stats))
        }
        Feed::Epss(_) => {
            let bytes = read_bounded(&file.path, &origin, limits.max_file_bytes)?;
            let (scores, mut stats) =
                epss::parse(&bytes, &origin, limits.max_entry_bytes.max(1 << 30))?;
            let mut stored = 0u64;
            for (id, e) in &scores {
                if builder.set_epss(id, e)? {
                    stored += 1;
                }
            }
            stats.records = stored;
            Ok((stored, stats))
        }
    }
}

fn member_origin(origin: &str, member: &str) -> String {
    if member.is_empty() {
        origin.to_owned()
    } else {
        format!("{origin} ({member})")
    }
}

/// What [`for_each_json`] calls with each member's name and bytes.
pub(crate) type OnMember<'a> = dyn FnMut(&str, &[u8]) -> Result<(), VulnDbError> + 'a;

/// Calls `f` with each `.json` member of an archive (xz- or zstd-compressed or plain tar, told by
/// the magic bytes) or each `.json` file under a directory, in a stable order for directories.
pub(crate) fn for_each_json(
    path: &Path,
    origin: &str,
    limits: &FeedLimits,
    f: &mut OnMember<'_>,
) -> Result<(), VulnDbError> {
    if path.is_dir() {
        let mut files = Vec::new();
        walk_json(path, path, 0, limits, &mut files)?;
        files.sort();
        for rel in files {
            let full = path.join(&rel);
            let bytes = read_bounded(&full, &full.display().to_string(), limits.max_entry_bytes)?;
            f(&rel, &bytes)?;
        }
        return Ok(());
    }
    let damaged = |e: std::io::Error| {
        VulnDbError::from(FeedError::new(
            origin,
            format!("archive damaged or cut short: {e}"),
        ))
    };
    if path.extension().is_some_and(|e| e == "zip") {
        return for_each_zip_json(path, origin, limits, f);
    }
    let file = open_bounded(path, origin, limits.max_file_bytes)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let is_xz = reader
        .fill_buf()
        .map_err(|e| VulnDbError::io(path, e))?
        .starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0]);
    let is_zstd = reader
        .fill_buf()
        .map_err(|e| VulnDbError::io(path, e))?
        .starts_with(&[0x28, 0xB5, 0x2F, 0xFD]);
    let inner: Box<dyn Read> = if is_xz {
        Box::new(lzma_rust2::XzReader::new(reader, true))
    } else if is_zstd {
        Box::new(zstd::stream::read::Decoder::with_buffer(reader).map_err(damaged)?)
    } else {
        Box::new(reader)
    };
    let mut archive = tar::Archive::new(Bounded {
        inner,
        left: limits.max_unpacked_bytes,
    });
    let mut count = 0u64;
    let mut json_members = 0u64;
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        count += 1;
        if count > limits.max_entries {
            return Err(FeedError::new(
                origin,
                format!("more than {} archive members", limits.max_entries),
            )
            .into());
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(damaged)?
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let size = entry.header().size().map_err(damaged)?;
        if size > limits.max_entry_bytes {
            return Err(FeedError::new(
                member_origin(origin, &name),
                format!(
                    "{size} bytes is over the {}-byte limit for one record",
                    limits.max_entry_bytes
                ),
            )
            .into());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        entry.read_to_end(&mut bytes).map_err(damaged)?;
        json_members += 1;
        f(&name, &bytes)?;
    }
    // Read to the end of the compressed stream: its index and checksums are there, so a file cut
    // short after the last tar member is caught too.
    let mut rest = archive.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(damaged)?;
    if json_members == 0 {
        return Err(FeedError::new(origin, "the archive holds no .json records").into());
    }
    Ok(())
}

/// [`for_each_json`] for a zip archive (OSV's `all.zip`): each `.json` member, in the zip's order.
fn for_each_zip_json(
    path: &Path,
    origin: &str,
    limits: &FeedLimits,
    f: &mut OnMember<'_>,
) -> Result<(), VulnDbError> {
    let bytes = read_bounded(path, origin, limits.max_file_bytes)?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| FeedError::new(origin, format!("not a zip archive: {e}")))?;
    if zip.len() as u64 > limits.max_entries {
        return Err(FeedError::new(
            origin,
            format!("more than {} archive members", limits.max_entries),
        )
        .into());
    }
    let mut json_members = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| FeedError::new(origin, format!("archive damaged: {e}")))?;
        let name = entry.name().to_owned();
        if !entry.is_file() || !name.ends_with(".json") {
            continue;
        }
        if entry.size() > limits.max_entry_bytes {
            return Err(FeedError::new(
                member_origin(origin, &name),
                format!(
                    "{} bytes is over the {}-byte limit for one record",
                    entry.size(),
                    limits.max_entry_bytes
                ),
            )
            .into());
        }
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        (&mut entry)
            .take(limits.max_entry_bytes + 1)
            .read_to_end(&mut data)
            .map_err(|e| {
                FeedError::new(
                    member_origin(origin, &name),
                    format!("archive damaged: {e}"),
                )
            })?;
        json_members += 1;
        f(&name, &data)?;
    }
    if json_members == 0 {
        return Err(FeedError::new(origin, "the archive holds no .json records").into());
    }
    Ok(())
}

pub(crate) fn walk_json(
    root: &Path,
    dir: &Path,
    depth: usize,
    limits: &FeedLimits,
    out: &mut Vec<String>,
) -> Result<(), VulnDbError> {
    if depth > 8 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| VulnDbError::io(dir, e))? {
        let entry = entry.map_err(|e| VulnDbError::io(dir, e))?;
        let kind = entry
            .file_type()
            .map_err(|e| VulnDbError::io(&entry.path(), e))?;
        let path = entry.path();
        if kind.is_dir() {
            walk_json(root, &path, depth + 1, limits, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "json") {
            if out.len() as u64 >= limits.max_entries {
                return Err(FeedError::new(
                    root.display().to_string(),
                    format!("more than {} files", limits.max_entries),
                )
                .into());
            }
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// A reader that fails once more than `left` bytes have come through (a decompression bomb).
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "unpacks to more than the limit",
            )
        })?;
        Ok(n)
    }
}

pub(crate) fn open_bounded(path: &Path, origin: &str, max: u64) -> Result<File, VulnDbError> {
    let file = File::open(path).map_err(|e| VulnDbError::io(path, e))?;
    let len = file.metadata().map_err(|e| VulnDbError::io(path, e))?.len();
    if len > max {
        return Err(
            FeedError::new(origin, format!("{len} bytes is over the {max}-byte limit")).into(),
        );
    }
    Ok(file)
}

pub(crate) fn read_bounded(path: &Path, origin: &str, max: u64) -> Result<Vec<u8>, VulnDbError> {
    let mut bytes = Vec::new();
    open_bounded(path, origin, max)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| VulnDbError::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(FeedError::new(origin, format!("over the {max}-byte limit")).into());
    }
    Ok(bytes)
}

/// Size and SHA-256 of a file, or of a directory's `.json` files (sorted relative paths and contents).
pub(crate) fn digest_path(path: &Path) -> Result<(u64, String), VulnDbError> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    if path.is_dir() {
        let mut files = Vec::new();
        walk_json(path, path, 0, &FeedLimits::default(), &mut files)?;
        files.sort();
        for rel in files {
            let bytes = std::fs::read(path.join(&rel)).map_err(|e| VulnDbError::io(path, e))?;
            hasher.update(rel.as_bytes());
            hasher.update([0]);
            hasher.update(&bytes);
            total += bytes.len() as u64;
        }
    } else {
        let mut file = File::open(path).map_err(|e| VulnDbError::io(path, e))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf).map_err(|e| VulnDbError::io(path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            total += n as u64;
        }
    }
    Ok((total, hex(&hasher.finalize())))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn fetched_at(file: &FeedFile) -> Result<String, VulnDbError> {
    let when = match file.fetched_at {
        Some(t) => t,
        None => std::fs::metadata(&file.path)
            .and_then(|m| m.modified())
            .map(OffsetDateTime::from)
            .map_err(|e| VulnDbError::io(&file.path, e))?,
    };
    when.format(&Rfc3339)
        .map_err(|e| VulnDbError::Invalid(format!("time: {e}")))
}

pub(crate) fn file_url(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", abs.display())
}

pub(crate) fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes what an interrupted build or update left beside `target` (`.NAME.build-*.tmp`,
/// `.NAME.feeds-*.tmp`) once it is more than six hours old, so a killed update cannot fill the disk
/// over time. Errors are ignored: this is housekeeping.
pub(crate) fn remove_stale_temps(target: &Path) {
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent_dir(target)) else {
        return;
    };
    let six_hours = std::time::Duration::from_secs(6 * 3600);
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let ours = n.ends_with(".tmp")
            && [".build-", ".feeds-"]
                .iter()
                .any(|tag| n.starts_with(&format!(".{name}{tag}")));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > six_hours);
        if ours && old {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// A temporary file or directory beside a target, removed when dropped unless persisted.
pub(crate) struct TempPath {
    path: PathBuf,
    keep: bool,
}

impl TempPath {
    /// `.NAME.TAG-PID-N.tmp` in the target's directory (not created).
    pub(crate) fn new(target: &Path, tag: &str) -> Result<Self, VulnDbError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("vulndb.sqlite");
        let dir = parent_dir(target);
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{name}.{tag}-{}-{n}.tmp", std::process::id()));
            if !path.exists() {
                return Ok(Self { path, keep: false });
            }
        }
        Err(VulnDbError::io(
            &dir,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free temporary name"),
        ))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk and renames it over `target` (atomically: same directory).
    /// Returns its size.
    fn persist(mut self, target: &Path) -> Result<u64, VulnDbError> {
        let file = File::open(&self.path).map_err(|e| VulnDbError::io(&self.path, e))?;
        file.sync_all()
            .map_err(|e| VulnDbError::io(&self.path, e))?;
        let size = file
            .metadata()
            .map_err(|e| VulnDbError::io(&self.path, e))?
            .len();
        drop(file);
        std::fs::rename(&self.path, target).map_err(|e| VulnDbError::io(target, e))?;
        self.keep = true;
        // Make the rename itself durable; a failure here leaves a complete database in place.
        if let Ok(dir) = File::open(parent_dir(target)) {
            let _ = dir.sync_all();
        }
        Ok(size)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        if self.path.is_dir() {
            let _ = std::fs::remove_dir_all(&self.path);
        } else {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
