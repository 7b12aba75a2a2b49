//! Application-package vulnerabilities from OSV (<https://ossf.github.io/osv-schema/>): the records
//! of GitHub's advisory database (GHSA), Go's vulnerability database (GO) and the other sources OSV
//! publishes per ecosystem (`https://osv-vulnerabilities.storage.googleapis.com/ECOSYSTEM/all.zip`).
//!
//! - import: an `all.zip` or a directory of `*.json` records; withdrawn records are dropped; each
//!   `affected` entry of a known ecosystem ([`ECOSYSTEMS`]) is stored with its `ranges` (`SEMVER`
//!   and `ECOSYSTEM`; `GIT` ranges name commits, not versions, and are skipped) and explicit
//!   `versions`; the record's rating is computed from its CVSS v3 vector (the base score's
//!   rating), else taken from its `database_specific.severity` (GHSA's word); the CVEs it names
//!   are kept so the severity feeds (NVD, CVE 5, KEV, EPSS) keep their data too;
//! - store: three tables beside the distributions' ([`SCHEMA_SQL`]), created in every new database;
//!   a database built before them simply has no application data;
//! - match ([`match_app_packages`]): a package is affected when its version is in one of the
//!   explicit versions or inside a range (OSV's evaluation: events in version order, `introduced`
//!   opens, `fixed` and `last_affected` close, `limit` caps), ordered by the ecosystem's own
//!   comparator ([`dockaudit_scan::version::ecosystem`]). Records that share an id or alias (a GHSA
//!   and a GO record of the same CVE) become one finding, named by the CVE; its effective severity
//!   is [`crate::severity::effective`]'s with the records' rating in the vendor's place.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde::Deserialize;

use dockaudit_scan::inventory::app::python::normalize_name;
use dockaudit_scan::version::ecosystem::compare;
use dockaudit_snapshot::contents::AppPackage;

use crate::build::FeedFile;
use crate::schema::Severity;
use crate::severity::{effective, severity_of_score, Cvss, CvssOrigin, Epss, KnownExploited};
use crate::store::VulnDb;
use crate::{FeedError, FeedLimits, ImportStats, VulnDbError};

pub use dockaudit_scan::version::ecosystem::ECOSYSTEMS;

/// The tables of OSV data.
pub const SCHEMA_SQL: &str = "
CREATE TABLE osv_source (
    name TEXT PRIMARY KEY, url TEXT NOT NULL, fetched_at TEXT NOT NULL, bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL, records INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE osv_vuln (
    ovid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, aliases TEXT NOT NULL, summary TEXT,
    severity TEXT NOT NULL, cvss TEXT, url TEXT
);
CREATE TABLE osv_affected (
    ecosystem TEXT NOT NULL, package TEXT NOT NULL, ovid INTEGER NOT NULL, ranges TEXT NOT NULL,
    versions TEXT NOT NULL
);
CREATE INDEX osv_affected_package ON osv_affected (ecosystem, package);
";

/// Where OSV publishes each ecosystem's records.
pub const DOWNLOAD_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// One ecosystem's records to import: `DIR/osv/ECOSYSTEM/` (an `all.zip` in it, or its `*.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsvFeed {
    /// The directory's name (`PyPI`, `Go`, …); the source is named `osv/NAME`.
    pub name: String,
    /// The `all.zip` or the directory of records.
    pub file: FeedFile,
}

impl OsvFeed {
    /// The source name in the database.
    pub fn source_name(&self) -> String {
        format!("osv/{}", self.name)
    }

    /// The feed at `dir` (an ecosystem's directory): its `all.zip` when there is one, else the
    /// directory itself; `None` when it holds neither a zip nor any JSON.
    pub fn at(dir: &Path) -> Option<Self> {
        let name = dir.file_name()?.to_str()?.to_owned();
        let zip = dir.join("all.zip");
        let path = if zip.is_file() {
            zip
        } else {
            let has_json = std::fs::read_dir(dir)
                .ok()?
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "json") || e.path().is_dir());
            if !has_json {
                return None;
            }
            dir.to_path_buf()
        };
        Some(OsvFeed {
            name,
            file: FeedFile::local(path),
        })
    }

    /// The feeds under `dir`: `dir` itself when it is an ecosystem's directory (its parent is named
    /// `osv`), else every directory of `dir/osv/`.
    pub fn discover(dir: &Path) -> Vec<Self> {
        if dir
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "osv")
        {
            return Self::at(dir).into_iter().collect();
        }
        let root = dir.join("osv");
        let Ok(entries) = std::fs::read_dir(&root) else {
            return Vec::new();
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs.iter().filter_map(|d| Self::at(d)).collect()
    }
}

/// An OSV record, as far as matching needs it (unknown fields are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct OsvRecord {
    /// `GHSA-…`, `GO-…`, `PYSEC-…`.
    pub id: String,
    /// Other ids of the same vulnerability (`CVE-…`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// When set, the record was withdrawn.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// One line about it.
    #[serde(default)]
    pub summary: Option<String>,
    /// Severity vectors.
    #[serde(default)]
    pub severity: Vec<OsvSeverity>,
    /// The affected packages.
    #[serde(default)]
    pub affected: Vec<OsvAffected>,
    /// Links.
    #[serde(default)]
    pub references: Vec<OsvReference>,
    /// Source-specific fields (GHSA's `severity` word).
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A `severity` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvSeverity {
    /// `CVSS_V3`, `CVSS_V4`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector.
    pub score: String,
}

/// A reference link.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvReference {
    /// `ADVISORY`, `WEB`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The link.
    #[serde(default)]
    pub url: String,
}

/// One affected package.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvAffected {
    /// The package.
    #[serde(default)]
    pub package: Option<OsvPackage>,
    /// Version ranges.
    #[serde(default)]
    pub ranges: Vec<OsvRange>,
    /// Explicitly affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// A package name in an ecosystem.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvPackage {
    /// `PyPI`, `Go`, … (possibly with a `:suffix`, such as `Debian:12`).
    #[serde(default)]
    pub ecosystem: String,
    /// The name.
    #[serde(default)]
    pub name: String,
}

/// A range of versions.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct OsvRange {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The events.
    #[serde(default)]
    pub events: Vec<OsvEvent>,
}

/// One event of a range: exactly one field is set.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct OsvEvent {
    /// Affected from this version on (`0`: from the start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// Not affected from this version on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// Affected up to and including this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// Nothing from this version on is in the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// The package name as stored and looked up: PEP 503 for PyPI; lower case for the ecosystems
/// whose names are case-insensitive (NuGet, Packagist); as written elsewhere.
pub fn lookup_name(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => normalize_name(name),
        "NuGet" | "Packagist" => name.to_ascii_lowercase(),
        _ => name.to_owned(),
    }
}

/// The rating of a CVSS v3.x base score (`critical` from 9.0, `high` from 7.0, `medium` from 4.0,
/// `low` above 0), or `None` when the vector is not a valid v3 base vector.
pub fn cvss3_rating(vector: &str) -> Option<(&'static str, f64)> {
    let mut parts = vector.split('/');
    let head = parts.next()?;
    if head != "CVSS:3.0" && head != "CVSS:3.1" {
        return None;
    }
    let metrics: BTreeMap<&str, &str> = parts.filter_map(|p| p.split_once(':')).collect();
    let get = |k: &str| metrics.get(k).copied();
    let scope_changed = match get("S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match get("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match get("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (get("PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match get("UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |k: &str| match get(k)? {
        "H" => Some(0.56),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let score = if impact <= 0.0 {
        0.0
    } else if scope_changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    };
    let rating = match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    };
    Some((rating, score))
}

/// CVSS 3.1's Roundup: the smallest one-decimal number at or above `x`, computed on integers.
fn roundup(x: f64) -> f64 {
    let int = (x * 100_000.0).round() as i64;
    if int % 10_000 == 0 {
        int as f64 / 100_000.0
    } else {
        ((int / 10_000) + 1) as f64 / 10.0
    }
}

/// The record's severity on dockaudit's scale and the vector it came from.
fn severity_of(record: &OsvRecord) -> (String, Option<String>) {
    for s in &record.severity {
        if let Some((rating, _)) = cvss3_rating(&s.score) {
            return (rating.to_owned(), Some(s.score.clone()));
        }
    }
    let word = record
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(|s| match s.to_ascii_uppercase().as_str() {
            "CRITICAL" => "critical",
            "HIGH" => "high",
            "MODERATE" | "MEDIUM" => "medium",
            "LOW" => "low",
            _ => "unknown",
        })
        .unwrap_or("unknown");
    (
        word.to_owned(),
        record.severity.first().map(|s| s.score.clone()),
    )
}

/// Parses one record; `Ok(None)` for a withdrawn record.
pub fn parse_record(bytes: &[u8], origin: &str) -> Result<Option<OsvRecord>, FeedError> {
    let record: OsvRecord = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(origin, format!("not an OSV record: {e}")))?;
    if record.withdrawn.is_some() {
        return Ok(None);
    }
    Ok(Some(record))
}

/// Stores one record; returns how many affected packages were stored.
fn store(conn: &Connection, record: &OsvRecord) -> rusqlite::Result<u64> {
    let affected: Vec<&OsvAffected> = record
        .affected
        .iter()
        .filter(|a| {
            a.package
                .as_ref()
                .is_some_and(|p| ECOSYSTEMS.contains(&p.ecosystem.as_str()) && !p.name.is_empty())
        })
        .collect();
    if affected.is_empty() {
        return Ok(0);
    }
    let (severity, cvss) = severity_of(record);
    let url = record
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY")
        .or(record.references.first())
        .map(|r| r.url.clone());
    let ovid: i64 = conn
        .prepare_cached(
            "INSERT INTO osv_vuln (id, aliases, summary, severity, cvss, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases RETURNING ovid",
        )?
        .query_row(
            params![
                record.id,
                record.aliases.join(" "),
                record.summary,
                severity,
                cvss,
                url
            ],
            |r| r.get(0),
        )?;
    let mut n = 0;
    for a in affected {
        let package = a.package.as_ref().expect("filtered");
        let ranges: Vec<&OsvRange> = a
            .ranges
            .iter()
            .filter(|r| r.kind == "SEMVER" || r.kind == "ECOSYSTEM")
            .collect();
        if ranges.is_empty() && a.versions.is_empty() {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO osv_affected (ecosystem, package, ovid, ranges, versions) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            package.ecosystem,
            lookup_name(&package.ecosystem, &package.name),
            ovid,
            serde_json::to_string(&ranges).unwrap_or_default(),
            serde_json::to_string(&a.versions).unwrap_or_default(),
        ])?;
        n += 1;
    }
    Ok(n)
}

/// Imports one ecosystem's records into the database being built; returns the affected packages
/// stored and what was skipped (unreadable records, with a sample of why), and adds the CVEs the
/// stored records name to `cves`.
pub(crate) fn import(
    conn: &Connection,
    db_path: &Path,
    feed: &OsvFeed,
    limits: &FeedLimits,
    cves: &mut std::collections::HashSet<String>,
) -> Result<(u64, ImportStats), VulnDbError> {
    let origin = feed.file.origin();
    let mut stats = ImportStats::default();
    let mut stored = 0u64;
    let mut handle =
        |bytes: &[u8], member: &str, stats: &mut ImportStats| -> Result<(), VulnDbError> {
            match parse_record(bytes, member) {
                Ok(Some(record)) => {
                    let n = store(conn, &record).map_err(VulnDbError::sqlite(db_path))?;
                    if n > 0 {
                        // The CVEs it names: their NVD, CVE 5, KEV and EPSS data is kept.
                        cves.extend(
                            std::iter::once(&record.id)
                                .chain(&record.aliases)
                                .filter(|i| i.starts_with("CVE-"))
                                .cloned(),
                        );
                    }
                    stored += n;
                }
                Ok(None) => {}
                Err(e) => stats.skip(e.to_string()),
            }
            Ok(())
        };
    let path = &feed.file.path;
    if path.is_dir() {
        let mut files = Vec::new();
        crate::build::walk_json(path, path, 0, limits, &mut files)?;
        files.sort();
        for rel in files {
            let member = format!("{origin}/{rel}");
            let bytes =
                crate::build::read_bounded(&path.join(&rel), &member, limits.max_entry_bytes)?;
            handle(&bytes, &member, &mut stats)?;
        }
    } else {
        let bytes = crate::build::read_bounded(path, &origin, limits.max_file_bytes)?;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| FeedError::new(&origin, format!("not a zip archive: {e}")))?;
        if zip.len() as u64 > limits.max_entries {
            return Err(FeedError::new(
                &origin,
                format!("more than {} members", limits.max_entries),
            )
            .into());
        }
        let mut unpacked = 0u64;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| FeedError::new(&origin, format!("member {i}: {e}")))?;
            let member = format!("{origin}!/{}", entry.name());
            if entry.is_dir() || !entry.name().ends_with(".json") {
                continue;
            }
            if entry.size() > limits.max_entry_bytes {
                stats.skip(format!(
                    "{member}: over the {}-byte limit",
                    limits.max_entry_bytes
                ));
                continue;
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            (&mut entry)
                .take(limits.max_entry_bytes)
                .read_to_end(&mut bytes)
                .map_err(|e| FeedError::new(&member, format!("cannot unpack: {e}")))?;
            unpacked += bytes.len() as u64;
            if unpacked > limits.max_unpacked_bytes {
                return Err(FeedError::new(&origin, "unpacks to more than the limit").into());
            }
            handle(&bytes, &member, &mut stats)?;
        }
    }
    Ok((stored, stats))
}

/// Records an OSV source in the database being built.
pub(crate) fn add_source(
    conn: &Connection,
    db_path: &Path,
    source: &crate::store::SourceInfo,
) -> Result<(), VulnDbError> {
    conn.execute(
        "INSERT OR REPLACE INTO osv_source (name, url, fetched_at, bytes, sha256, records) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            source.name,
            source.url,
            source.fetched_at,
            i64::try_from(source.bytes).unwrap_or(i64::MAX),
            source.sha256,
            i64::try_from(source.records).unwrap_or(i64::MAX)
        ],
    )
    .map(|_| ())
    .map_err(VulnDbError::sqlite(db_path))
}

/// One OSV source of a database: (name, url, fetched_at, bytes, sha256, records).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OsvSourceInfo {
    /// `osv/PyPI`.
    pub name: String,
    /// Where it came from.
    pub url: String,
    /// When.
    pub fetched_at: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// Affected packages stored from it.
    pub records: u64,
}

/// The OSV sources of a database (none for one built without OSV data or before it existed).
pub fn sources(db: &VulnDb) -> Vec<OsvSourceInfo> {
    let conn = db.connection();
    let Ok(mut stmt) = conn.prepare(
        "SELECT name, url, fetched_at, bytes, sha256, records FROM osv_source ORDER BY name",
    ) else {
        return Vec::new();
    };
    stmt.query_map([], |r| {
        Ok(OsvSourceInfo {
            name: r.get(0)?,
            url: r.get(1)?,
            fetched_at: r.get(2)?,
            bytes: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            sha256: r.get(4)?,
            records: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        })
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

/// Whether `version` is inside `range` by OSV's evaluation, and the fix that ends it.
pub fn in_range(ecosystem: &str, version: &str, range: &OsvRange) -> (bool, Option<String>) {
    let cmp = |a: &str, b: &str| compare(ecosystem, a, b);
    let key = |e: &OsvEvent| -> Option<String> {
        e.introduced
            .clone()
            .or_else(|| e.fixed.clone())
            .or_else(|| e.last_affected.clone())
            .or_else(|| e.limit.clone())
    };
    let mut events: Vec<&OsvEvent> = range.events.iter().collect();
    // "0" is before every version; otherwise the ecosystem's order.
    events.sort_by(|a, b| {
        let (x, y) = (key(a).unwrap_or_default(), key(b).unwrap_or_default());
        match (x.as_str(), y.as_str()) {
            ("0", "0") => std::cmp::Ordering::Equal,
            ("0", _) => std::cmp::Ordering::Less,
            (_, "0") => std::cmp::Ordering::Greater,
            _ => cmp(&x, &y),
        }
    });
    let mut affected = false;
    let mut fix = None;
    for e in &events {
        if let Some(i) = &e.introduced {
            if i == "0" || cmp(version, i).is_ge() {
                affected = true;
                fix = None;
            }
        } else if let Some(f) = &e.fixed {
            if cmp(version, f).is_ge() {
                affected = false;
            } else if affected && fix.is_none() {
                fix = Some(f.clone());
            }
        } else if let Some(l) = &e.last_affected {
            if cmp(version, l).is_gt() {
                affected = false;
            }
        }
    }
    let limited = events
        .iter()
        .filter_map(|e| e.limit.as_deref())
        .any(|l| l != "*" && cmp(version, l).is_ge());
    (affected && !limited, if affected { fix } else { None })
}

/// A vulnerability of one application package.
#[derive(Debug, Clone, PartialEq)]
pub struct AppVulnerability {
    /// The id shown: the CVE when the records name one, else the first record's id.
    pub id: String,
    /// Every other id of it (GHSA, GO, PYSEC, CVE).
    pub aliases: Vec<String>,
    /// The package.
    pub package: AppPackage,
    /// The lowest fixed version above the installed one, when a fix exists.
    pub fixed_version: Option<String>,
    /// The effective severity (`critical`, `high`, `medium`, `low`, `negligible` or `unknown`),
    /// by [`crate::severity::effective`]'s order with the OSV records' rating in the vendor's
    /// place: the records' rating, else NVD's CVSS, else another scorer's; at least `high` when
    /// CISA lists the CVE as known-exploited.
    pub severity: String,
    /// Where [`AppVulnerability::severity`] came from: [`OSV_SEVERITY_SOURCE`] (the records),
    /// a CVSS scorer (`nvd@nist.gov`, `adp:CISA-ADP`) or `cisa-kev`.
    pub severity_source: String,
    /// The records' own rating: from their CVSS v3 vector, else GitHub's word; `unknown` when
    /// they give none.
    pub vendor_severity: String,
    /// The CVSS vector the records' rating came from.
    pub cvss: Option<String>,
    /// Every CVSS score known for it: the records' own v3 vector (source `osv:ID`), then NVD's
    /// and the CVE 5 records' (those of the CVE it is named by).
    pub scores: Vec<Cvss>,
    /// Its CVE's entry in CISA's known-exploited catalogue.
    pub known_exploited: Option<KnownExploited>,
    /// Its CVE's EPSS score.
    pub epss: Option<Epss>,
    /// One line about it.
    pub summary: Option<String>,
    /// The advisory's page.
    pub url: Option<String>,
    /// The records it was merged from (`GHSA-…`, `GO-…`).
    pub records: Vec<String>,
}

/// The severity source of an application finding rated by its OSV records.
pub const OSV_SEVERITY_SOURCE: &str = "osv";

struct Hit {
    id: String,
    aliases: Vec<String>,
    severity: String,
    cvss: Option<String>,
    summary: Option<String>,
    url: Option<String>,
    fix: Option<String>,
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// Matches application packages against the database's OSV records: one [`AppVulnerability`] per
/// package (ecosystem, name, version, path) and vulnerability, records sharing an id or alias merged.
pub fn match_app_packages(
    db: &VulnDb,
    packages: &[AppPackage],
) -> Result<Vec<AppVulnerability>, VulnDbError> {
    let conn = db.connection();
    let has_tables = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'osv_affected'",
            [],
            |_| Ok(()),
        )
        .is_ok();
    if !has_tables {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT v.id, v.aliases, v.summary, v.severity, v.cvss, v.url, a.ranges, a.versions
             FROM osv_affected a JOIN osv_vuln v ON v.ovid = a.ovid
             WHERE a.ecosystem = ?1 AND a.package = ?2",
        )
        .map_err(VulnDbError::sqlite(db.path()))?;
    let mut out = Vec::new();
    for package in packages {
        let name = lookup_name(&package.ecosystem, &package.name);
        let rows = stmt
            .query_map(params![package.ecosystem, name], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })
            .map_err(VulnDbError::sqlite(db.path()))?;
        let mut hits: Vec<Hit> = Vec::new();
        for row in rows {
            let (id, aliases, summary, severity, cvss, url, ranges, versions) =
                row.map_err(VulnDbError::sqlite(db.path()))?;
            let ranges: Vec<OsvRange> = serde_json::from_str(&ranges).unwrap_or_default();
            let versions: Vec<String> = serde_json::from_str(&versions).unwrap_or_default();
            let listed = versions
                .iter()
                .any(|v| compare(&package.ecosystem, v, &package.version).is_eq());
            let mut affected = listed;
            let mut fix: Option<String> = None;
            for r in &ranges {
                let (a, f) = in_range(&package.ecosystem, &package.version, r);
                if a {
                    affected = true;
                    if let Some(f) = f {
                        if fix
                            .as_ref()
                            .is_none_or(|g| compare(&package.ecosystem, &f, g).is_lt())
                        {
                            fix = Some(f);
                        }
                    }
                }
            }
            if affected {
                hits.push(Hit {
                    id,
                    aliases: aliases
                        .split(' ')
                        .filter(|a| !a.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    severity,
                    cvss,
                    summary,
                    url,
                    fix,
                });
            }
        }
        out.extend(merge_hits(package, hits));
    }
    add_severity_data(db, &mut out)?;
    Ok(out)
}

/// Gives each finding its CVE's severity data (NVD, CVE 5, KEV, EPSS) and the effective severity:
/// the records' rating in the vendor's place ([`crate::severity::effective`]).
fn add_severity_data(db: &VulnDb, found: &mut [AppVulnerability]) -> Result<(), VulnDbError> {
    let mut ids: Vec<&str> = found
        .iter()
        .filter(|v| v.id.starts_with("CVE-"))
        .map(|v| v.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let infos = db.cve_infos(&ids)?;
    for v in found.iter_mut() {
        let info = infos.get(&v.id);
        let vendor = v.vendor_severity.parse().unwrap_or(Severity::Unknown);
        let chosen = effective(vendor, OSV_SEVERITY_SOURCE, info);
        v.severity = chosen.severity.as_str().to_owned();
        v.severity_source = chosen.source;
        if let Some(info) = info {
            v.scores.extend(info.cvss.iter().cloned());
            v.known_exploited = info.known_exploited.clone();
            v.epss = info.epss.clone();
        }
    }
    Ok(())
}

/// Merges hits that share an id or alias into one vulnerability each.
fn merge_hits(package: &AppPackage, hits: Vec<Hit>) -> Vec<AppVulnerability> {
    let mut groups: Vec<(BTreeSet<String>, Vec<Hit>)> = Vec::new();
    for hit in hits {
        let mut ids: BTreeSet<String> = hit.aliases.iter().cloned().collect();
        ids.insert(hit.id.clone());
        let mut merged = (ids, vec![hit]);
        // Join every group it touches (a GHSA may bridge a GO record and a CVE).
        let mut i = 0;
        while i < groups.len() {
            if !groups[i].0.is_disjoint(&merged.0) {
                let (ids, hits) = groups.swap_remove(i);
                merged.0.extend(ids);
                merged.1.extend(hits);
            } else {
                i += 1;
            }
        }
        groups.push(merged);
    }
    let mut out: Vec<AppVulnerability> = groups
        .into_iter()
        .map(|(ids, mut hits)| {
            hits.sort_by(|a, b| a.id.cmp(&b.id));
            let id = ids
                .iter()
                .find(|i| i.starts_with("CVE-"))
                .cloned()
                .unwrap_or_else(|| hits[0].id.clone());
            let best = hits
                .iter()
                .max_by_key(|h| (severity_rank(&h.severity), h.cvss.is_some()))
                .expect("a group has a hit");
            let fix = hits
                .iter()
                .filter_map(|h| h.fix.clone())
                .min_by(|a, b| compare(&package.ecosystem, a, b));
            // The records' own v3 score, as a scorer beside NVD's.
            let scores = best
                .cvss
                .as_deref()
                .and_then(|vector| {
                    let (_, score) = cvss3_rating(vector)?;
                    let version = vector.get(5..8).unwrap_or_default().to_owned();
                    Some(Cvss {
                        source: format!("osv:{}", best.id),
                        origin: CvssOrigin::Osv,
                        severity: severity_of_score(&version, score),
                        version,
                        vector: Some(vector.to_owned()),
                        score,
                    })
                })
                .into_iter()
                .collect();
            AppVulnerability {
                aliases: ids.iter().filter(|i| **i != id).cloned().collect(),
                id,
                package: package.clone(),
                fixed_version: fix,
                severity: best.severity.clone(),
                severity_source: OSV_SEVERITY_SOURCE.to_owned(),
                vendor_severity: best.severity.clone(),
                cvss: best.cvss.clone(),
                scores,
                known_exploited: None,
                epss: None,
                summary: hits.iter().find_map(|h| h.summary.clone()),
                url: hits.iter().find_map(|h| h.url.clone()),
                records: hits.iter().map(|h| h.id.clone()).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(events: &[(&str, &str)]) -> OsvRange {
        OsvRange {
            kind: "ECOSYSTEM".into(),
            events: events
                .iter()
                .map(|(k, v)| {
                    let v = Some((*v).to_owned());
                    match *k {
                        "introduced" => OsvEvent {
                            introduced: v,
                            ..OsvEvent::default()
                        },
                        "fixed" => OsvEvent {
                            fixed: v,
                            ..OsvEvent::default()
                        },
                        "last_affected" => OsvEvent {
                            last_affected: v,
                            ..OsvEvent::default()
                        },
                        _ => OsvEvent {
                            limit: v,
                            ..OsvEvent::default()
                        },
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn range_events() {
        // Two windows in one range, given out of order: events are sorted first.
        let r = range(&[
            ("fixed", "1.20.1"),
            ("introduced", "1.20.0-0"),
            ("introduced", "0"),
            ("fixed", "1.19.6"),
        ]);
        let go = |v: &str| in_range("Go", v, &r);
        assert_eq!(go("go1.19.5"), (true, Some("1.19.6".into())));
        assert!(!go("go1.19.6").0);
        assert_eq!(go("go1.20.0"), (true, Some("1.20.1".into())));
        assert!(go("go1.20rc1").0, "a release candidate is after 1.20.0-0");
        assert!(!go("go1.21.0").0);
        let last = range(&[("introduced", "1.0"), ("last_affected", "1.4")]);
        assert_eq!(in_range("PyPI", "1.4", &last), (true, None));
        assert!(!in_range("PyPI", "1.4.post1", &last).0);
        assert!(!in_range("PyPI", "0.9", &last).0);
        let limited = range(&[("introduced", "0"), ("limit", "2.0")]);
        assert!(in_range("npm", "1.9.9", &limited).0);
        assert!(!in_range("npm", "2.0.0", &limited).0);
    }

    #[test]
    fn cvss3_scores_match_the_calculator() {
        // Scores from FIRST's CVSS 3.1 calculator.
        for (vector, rating, score) in [
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                "critical",
                10.0,
            ),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "high", 7.5),
            (
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N",
                "medium",
                5.3,
            ),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", "low", 3.3),
            ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "high", 7.2),
            (
                "CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
                "medium",
                5.4,
            ),
        ] {
            let (r, s) = cvss3_rating(vector).unwrap();
            assert_eq!((r, s), (rating, score), "{vector}");
        }
        assert!(cvss3_rating("CVSS:4.0/AV:N").is_none());
        assert!(cvss3_rating("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H").is_none());
    }
}
