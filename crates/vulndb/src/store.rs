//! Opening a built database read-only, telling it from files that are not one, and reading it:
//! its metadata (schema version, build time, sources with URL, fetch time, size, checksum and record
//! count, the end-of-life table it carries), counts per release, and the records of one package.
//!
//! The layout (schema version [`crate::SCHEMA_VERSION`]):
//!
//! ```sql
//! meta(key PRIMARY KEY, value)            -- format, schema_version, built_at, built_by, eol_table_as_of, eol_table
//! source(name PRIMARY KEY, distro, url, fetched_at, bytes, sha256, records)
//! vulnerability(vid PRIMARY KEY, distro, id, description, url, UNIQUE(distro, id))
//! advisory(distro, release, package, vid, channel, status, fixed_version, severity, rating,
//!          aliases, source, note, affected_through,
//!          PRIMARY KEY(distro, release, package, vid, channel)) WITHOUT ROWID
//! release_count(distro, release, status, n)
//! cve(id PRIMARY KEY, rejected, kev_added, kev_ransomware, epss, epss_percentile, epss_date)
//! cvss(id, origin, source, version, vector, score, severity, PRIMARY KEY(id, origin, source, version))
//! ```
//!
//! `cve` and `cvss` hold only CVEs some distribution or OSV record names (what matching can use).
//!
//! `channel` is `''` for a release's public archive; `aliases` is space-separated.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::schema::{Advisory, Distro, Severity, Status};
use crate::severity::{CveInfo, Cvss, CvssOrigin, Epss, KnownExploited};
use crate::{VulnDbError, FORMAT, SCHEMA_VERSION, STALE_AFTER_DAYS};
use dockaudit_scan::eol::EolTable;

/// One feed the database was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The source's name (`debian-tracker`, `alpine-secdb/v3.15/main`, `ubuntu-osv`, …).
    pub name: String,
    /// The distribution it is about; `None` for the severity feeds (NVD, CVE 5, KEV, EPSS).
    pub distro: Option<Distro>,
    /// Where it was fetched from (a `file://` URL for feeds read from disk).
    pub url: String,
    /// When it was fetched (RFC 3339; for feeds on disk, the file's modification time).
    pub fetched_at: String,
    /// Its size in bytes, as fetched (compressed where it is).
    pub bytes: u64,
    /// The SHA-256 of those bytes (for a directory of records: of their sorted paths and contents).
    pub sha256: String,
    /// The records it contributed.
    pub records: u64,
}

/// What a database says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbMetadata {
    /// The layout version.
    pub schema_version: u32,
    /// When it was built (RFC 3339).
    pub built_at: String,
    /// Which program built it (`dockaudit 0.1.0`).
    pub built_by: String,
    /// The `as_of` date of the end-of-life table it carries.
    pub eol_table_as_of: Option<String>,
    /// The feeds it was built from.
    pub sources: Vec<SourceInfo>,
}

impl DbMetadata {
    /// The build time, parsed.
    pub fn built_at_time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.built_at, &Rfc3339).ok()
    }

    /// A short identifier of this database's contents, for cache keys: the schema version, the
    /// build time and a digest of the feeds' checksums (`1:2026-06-01T12:00:00Z:3ae30b511a0e`).
    /// Two builds of the same feeds at different times differ; that is deliberate and cheap.
    pub fn version_id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let mut sources: Vec<&SourceInfo> = self.sources.iter().collect();
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        for s in sources {
            hasher.update(s.name.as_bytes());
            hasher.update([0]);
            hasher.update(s.sha256.as_bytes());
            hasher.update([0]);
        }
        let digest = crate::build::hex(&hasher.finalize());
        format!(
            "{}:{}:{}",
            self.schema_version,
            self.built_at,
            &digest[..12]
        )
    }
}

/// How many records a release has, by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseCounts {
    /// The distribution.
    pub distro: Distro,
    /// The release.
    pub release: String,
    /// All records.
    pub total: u64,
    /// Records per status.
    pub by_status: BTreeMap<Status, u64>,
}

/// `db status`: the metadata, the file, counts per release, and whether it is stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbStatus {
    /// The database file.
    pub path: PathBuf,
    /// Its size.
    pub file_bytes: u64,
    /// Its metadata.
    pub metadata: DbMetadata,
    /// Counts per release, by distribution then release.
    pub releases: Vec<ReleaseCounts>,
    /// Whole days since it was built, by the `now` given.
    pub age_days: i64,
    /// Older than [`STALE_AFTER_DAYS`] days.
    pub stale: bool,
}

/// A built vulnerability database, open read-only.
#[derive(Debug)]
pub struct VulnDb {
    conn: Connection,
    path: PathBuf,
    meta: DbMetadata,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl VulnDb {
    /// Opens the database at `path` read-only. A missing file, a file that is not SQLite, an SQLite
    /// file of something else, and a database of another schema version each give their own error.
    pub fn open(path: &Path) -> Result<Self, VulnDbError> {
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VulnDbError::Missing {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => return Err(VulnDbError::io(path, e)),
        };
        let mut head = [0u8; 16];
        let n = read_up_to(&mut file, &mut head).map_err(|e| VulnDbError::io(path, e))?;
        if n < head.len() || &head != SQLITE_MAGIC {
            return Err(not_a_db(
                path,
                if n == 0 {
                    "the file is empty".to_owned()
                } else {
                    "it is not an SQLite file".to_owned()
                },
            ));
        }
        drop(file);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not_a_db(path, format!("SQLite cannot open it: {e}")))?;
        let meta = read_metadata(&conn, path)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            meta,
        })
    }

    /// The open connection, for the modules that read tables of their own ([`crate::osv`]).
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The database's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its metadata.
    pub fn metadata(&self) -> &DbMetadata {
        &self.meta
    }

    /// What the severity feeds say about a CVE (`None` when they say nothing).
    pub fn cve_info(&self, id: &str) -> Result<Option<CveInfo>, VulnDbError> {
        Ok(self.cve_infos(&[id])?.remove(id))
    }

    /// What the severity feeds say about each of `ids` (absent: nothing), in one query.
    pub fn cve_infos(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, CveInfo>, VulnDbError> {
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, c.rejected, c.kev_added, c.kev_ransomware, c.epss, c.epss_percentile,
                        c.epss_date, s.origin, s.source, s.version, s.vector, s.score, s.severity
                 FROM cve c LEFT JOIN cvss s ON s.id = c.id
                 WHERE c.id IN (SELECT value FROM json_each(?1))",
            )
            .map_err(VulnDbError::sqlite(&self.path))?;
        let mut rows = stmt
            .query(params![list])
            .map_err(VulnDbError::sqlite(&self.path))?;
        while let Some(r) = rows.next().map_err(VulnDbError::sqlite(&self.path))? {
            let read = || -> rusqlite::Result<(String, CveInfo, Option<Cvss>)> {
                let head = CveInfo {
                    rejected: r.get(1)?,
                    cvss: Vec::new(),
                    known_exploited: r.get::<_, Option<String>>(2)?.map(|date_added| {
                        KnownExploited {
                            date_added,
                            ransomware: r.get::<_, Option<bool>>(3).ok().flatten().unwrap_or(false),
                        }
                    }),
                    epss: match (r.get::<_, Option<f64>>(4)?, r.get::<_, Option<f64>>(5)?) {
                        (Some(score), Some(percentile)) => Some(Epss {
                            score,
                            percentile,
                            date: r.get(6)?,
                        }),
                        _ => None,
                    },
                };
                let origin = match r.get::<_, Option<String>>(7)?.as_deref() {
                    Some("nvd-primary") => Some(CvssOrigin::NvdPrimary),
                    Some("nvd-secondary") => Some(CvssOrigin::NvdSecondary),
                    Some("cve5-cna") => Some(CvssOrigin::Cve5Cna),
                    Some("cve5-adp") => Some(CvssOrigin::Cve5Adp),
                    _ => None,
                };
                let cvss = match (origin, r.get::<_, Option<String>>(12)?) {
                    (Some(origin), Some(severity)) => Some(Cvss {
                        origin,
                        source: r.get(8)?,
                        version: r.get(9)?,
                        vector: r.get(10)?,
                        score: r.get(11)?,
                        severity: severity.parse().unwrap_or(Severity::Unknown),
                    }),
                    _ => None,
                };
                Ok((r.get(0)?, head, cvss))
            };
            let (id, head, cvss) = read().map_err(VulnDbError::sqlite(&self.path))?;
            out.entry(id).or_insert(head).cvss.extend(cvss);
        }
        // Newest CVSS version first within each scorer, as the effective choice reads them.
        for info in out.values_mut() {
            info.cvss.sort_by(|a, b| {
                (a.origin, &a.source)
                    .cmp(&(b.origin, &b.source))
                    .then_with(|| b.version.cmp(&a.version))
            });
        }
        Ok(out)
    }

    /// The end-of-life table it carries (the one embedded in the dockaudit that built it).
    pub fn eol_table(&self) -> Result<Option<EolTable>, VulnDbError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'eol_table'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(VulnDbError::sqlite(&self.path))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Counts per release, from the table the build wrote.
    pub fn release_counts(&self) -> Result<Vec<ReleaseCounts>, VulnDbError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT distro, release, status, n FROM release_count ORDER BY distro, release",
            )
            .map_err(VulnDbError::sqlite(&self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(VulnDbError::sqlite(&self.path))?;
        let mut out: Vec<ReleaseCounts> = Vec::new();
        for row in rows {
            let (distro, release, status, n) = row.map_err(VulnDbError::sqlite(&self.path))?;
            let (Ok(distro), Ok(status)) = (distro.parse::<Distro>(), status.parse::<Status>())
            else {
                continue;
            };
            let n = u64::try_from(n).unwrap_or(0);
            match out.last_mut() {
                Some(last) if last.distro == distro && last.release == release => {
                    last.total += n;
                    *last.by_status.entry(status).or_default() += n;
                }
                _ => out.push(ReleaseCounts {
                    distro,
                    release,
                    total: n,
                    by_status: BTreeMap::from([(status, n)]),
                }),
            }
        }
        out.sort_by(|a, b| {
            (a.distro, release_order(&a.release)).cmp(&(b.distro, release_order(&b.release)))
        });
        Ok(out)
    }

    /// Whether the database has any record for a release.
    pub fn has_release(&self, distro: Distro, release: &str) -> Result<bool, VulnDbError> {
        self.conn
            .query_row(
                "SELECT 1 FROM advisory WHERE distro = ?1 AND release = ?2 LIMIT 1",
                params![distro.as_str(), release],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(VulnDbError::sqlite(&self.path))
    }

    /// Everything the database says about one source package in one release.
    pub fn advisories(
        &self,
        distro: Distro,
        release: &str,
        package: &str,
    ) -> Result<Vec<Advisory>, VulnDbError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.id, a.channel, a.status, a.fixed_version, a.severity, a.rating, a.aliases,
                        v.description, v.url, a.source, a.note, a.affected_through
                 FROM advisory a JOIN vulnerability v ON v.vid = a.vid
                 WHERE a.distro = ?1 AND a.release = ?2 AND a.package = ?3",
            )
            .map_err(VulnDbError::sqlite(&self.path))?;
        let rows = stmt
            .query_map(params![distro.as_str(), release, package], |r| {
                Ok(RawRow {
                    id: r.get(0)?,
                    channel: r.get(1)?,
                    status: r.get(2)?,
                    fixed_version: r.get(3)?,
                    severity: r.get(4)?,
                    rating: r.get(5)?,
                    aliases: r.get(6)?,
                    description: r.get(7)?,
                    url: r.get(8)?,
                    source: r.get(9)?,
                    note: r.get(10)?,
                    affected_through: r.get(11)?,
                })
            })
            .map_err(VulnDbError::sqlite(&self.path))?;
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(VulnDbError::sqlite(&self.path))?;
            let Ok(status) = row.status.parse::<Status>() else {
                continue;
            };
            out.push(Advisory {
                distro,
                release: release.to_owned(),
                package: package.to_owned(),
                id: row.id,
                channel: Some(row.channel).filter(|c| !c.is_empty()),
                status,
                fixed_version: row.fixed_version,
                affected_through: row.affected_through,
                severity: row.severity.parse().unwrap_or(Severity::Unknown),
                rating: row.rating,
                aliases: row
                    .aliases
                    .map(|a| {
                        a.split(' ')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                description: row.description,
                url: row.url,
                source: row.source,
                note: row.note,
            });
        }
        Ok(out)
    }

    /// The database's status on `now`: metadata, file size, counts, age and staleness.
    pub fn status(&self, now: OffsetDateTime) -> Result<DbStatus, VulnDbError> {
        let file_bytes = std::fs::metadata(&self.path)
            .map_err(|e| VulnDbError::io(&self.path, e))?
            .len();
        let age_days = self
            .meta
            .built_at_time()
            .map(|t| (now - t).whole_days())
            .unwrap_or(i64::MAX);
        Ok(DbStatus {
            path: self.path.clone(),
            file_bytes,
            metadata: self.meta.clone(),
            releases: self.release_counts()?,
            age_days,
            stale: age_days > STALE_AFTER_DAYS,
        })
    }

    /// Runs SQLite's `quick_check` (page structure, no index contents): `Ok` when it says ok.
    pub fn quick_check(&self) -> Result<(), VulnDbError> {
        let answer: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(VulnDbError::sqlite(&self.path))?;
        if answer == "ok" {
            Ok(())
        } else {
            Err(VulnDbError::Invalid(format!(
                "SQLite quick_check: {answer}"
            )))
        }
    }
}

struct RawRow {
    id: String,
    channel: String,
    status: String,
    fixed_version: Option<String>,
    severity: String,
    rating: Option<String>,
    aliases: Option<String>,
    description: Option<String>,
    url: Option<String>,
    source: String,
    note: Option<String>,
    affected_through: Option<String>,
}

/// Releases in numeric order (`3.9` before `3.15`), names (`edge`, `sid`) after numbers.
fn release_order(release: &str) -> (u8, Vec<u64>, String) {
    let numbers: Option<Vec<u64>> = release.split('.').map(|p| p.parse().ok()).collect();
    match numbers {
        Some(n) => (0, n, String::new()),
        None => (1, Vec::new(), release.to_owned()),
    }
}

fn not_a_db(path: &Path, reason: String) -> VulnDbError {
    VulnDbError::NotADatabase {
        path: path.to_path_buf(),
        reason,
    }
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn read_metadata(conn: &Connection, path: &Path) -> Result<DbMetadata, VulnDbError> {
    let get = |key: &str| -> Result<Option<String>, rusqlite::Error> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    let format = get("format").map_err(|e| {
        let reason = match &e {
            rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("no such table") => {
                "it is an SQLite database of something else (no dockaudit metadata)".to_owned()
            }
            _ => format!("cannot read its metadata: {e}"),
        };
        not_a_db(path, reason)
    })?;
    if format.as_deref() != Some(FORMAT) {
        return Err(not_a_db(
            path,
            format!("its metadata names format {format:?}, not {FORMAT:?}"),
        ));
    }
    let version = get("schema_version")
        .map_err(VulnDbError::sqlite(path))?
        .unwrap_or_default();
    if version != SCHEMA_VERSION.to_string() {
        return Err(VulnDbError::SchemaVersion {
            path: path.to_path_buf(),
            found: version,
            expected: SCHEMA_VERSION,
        });
    }
    let mut stmt = conn
        .prepare("SELECT name, distro, url, fetched_at, bytes, sha256, records FROM source ORDER BY name")
        .map_err(VulnDbError::sqlite(path))?;
    let sources = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })
        .map_err(VulnDbError::sqlite(path))?
        .filter_map(|row| {
            let (name, distro, url, fetched_at, bytes, sha256, records) = row.ok()?;
            Some(SourceInfo {
                name,
                distro: distro.parse().ok(),
                url,
                fetched_at,
                bytes: u64::try_from(bytes).unwrap_or(0),
                sha256,
                records: u64::try_from(records).unwrap_or(0),
            })
        })
        .collect();
    Ok(DbMetadata {
        schema_version: SCHEMA_VERSION,
        built_at: get("built_at")
            .map_err(VulnDbError::sqlite(path))?
            .unwrap_or_default(),
        built_by: get("built_by")
            .map_err(VulnDbError::sqlite(path))?
            .unwrap_or_default(),
        eol_table_as_of: get("eol_table_as_of").map_err(VulnDbError::sqlite(path))?,
        sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_sort_as_numbers() {
        let mut r = vec!["3.15", "edge", "3.9", "10", "sid", "9"];
        r.sort_by_key(|r| release_order(r));
        assert_eq!(r, ["3.9", "3.15", "9", "10", "edge", "sid"]);
    }
}
