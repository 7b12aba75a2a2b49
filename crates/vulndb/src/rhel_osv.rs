//! AlmaLinux and Rocky Linux: their errata as OSV records (ALSA from AlmaLinux's osv-database,
//! RLSA from Rocky's Apollo), ecosystem `AlmaLinux:8`, `Rocky Linux:9`.
//!
//! Each affected package is a *binary* rpm name with the first fixed EVR; each CVE the erratum
//! names becomes a record (the erratum id its alias), rated by the erratum's Red Hat severity word
//! (Critical, Important → high, Moderate → medium, Low). Modular packages (a fixed version with
//! `.module+` / `.module_`) are skipped and counted: which module stream an image has enabled is
//! not known, so matching them would guess.

use serde::Deserialize;

use crate::schema::{Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// AlmaLinux's source name in the database.
pub const ALMA_SOURCE: &str = "almalinux-osv";
/// Rocky's source name in the database.
pub const ROCKY_SOURCE: &str = "rocky-osv";
/// AlmaLinux's errata as OSV publishes them in one zip (imported there from AlmaLinux's
/// osv-database).
pub const ALMA_OSV_URL: &str =
    "https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip";
/// Rocky Linux's errata as OSV publishes them in one zip (imported there from Rocky's Apollo).
pub const ROCKY_OSV_URL: &str =
    "https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip";

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    affected: Vec<Affected>,
}

#[derive(Debug, Deserialize)]
struct Affected {
    package: Pkg,
    #[serde(default)]
    ranges: Vec<Range>,
}

#[derive(Debug, Deserialize)]
struct Pkg {
    ecosystem: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct Range {
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Red Hat's severity words, as the errata's summaries start (`Moderate: …`).
fn red_hat_severity(summary: &str) -> Option<(Severity, String)> {
    let word = summary.split(':').next()?.trim();
    let sev = match word.to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "important" => Severity::High,
        "moderate" => Severity::Medium,
        "low" => Severity::Low,
        _ => return None,
    };
    Some((sev, word.to_owned()))
}

/// Reads one OSV erratum of AlmaLinux (`distro` Almalinux) or Rocky Linux (`distro` Rocky).
pub fn parse(
    bytes: &[u8],
    origin: &str,
    distro: Distro,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let (prefix, source) = match distro {
        Distro::Rocky => ("Rocky Linux:", ROCKY_SOURCE),
        _ => ("AlmaLinux:", ALMA_SOURCE),
    };
    let record: Record = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(origin, format!("not an OSV record: {e}")))?;
    let mut stats = ImportStats::default();
    if record.withdrawn.is_some() {
        stats.skip(format!("{}: withdrawn", record.id));
        return Ok((Vec::new(), stats));
    }
    let mut cves: Vec<String> = record
        .related
        .iter()
        .chain(&record.aliases)
        .filter(|i| i.starts_with("CVE-"))
        .cloned()
        .collect();
    cves.sort();
    cves.dedup();
    if cves.is_empty() {
        cves.push(record.id.clone());
    }
    let rating = record.summary.as_deref().and_then(red_hat_severity);
    let mut out = Vec::new();
    for a in &record.affected {
        let Some(release) = a.package.ecosystem.strip_prefix(prefix) else {
            stats.skip(format!(
                "{}: ecosystem {:?}",
                record.id, a.package.ecosystem
            ));
            continue;
        };
        let release = release
            .split(':')
            .next()
            .unwrap_or(release)
            .trim()
            .to_owned();
        let fixed = a
            .ranges
            .iter()
            .flat_map(|r| &r.events)
            .find_map(|e| e.get("fixed").and_then(|v| v.as_str()))
            .map(str::to_owned);
        let Some(fixed) = fixed else {
            stats.skip(format!(
                "{} {}: no fixed version",
                record.id, a.package.name
            ));
            continue;
        };
        if fixed.contains(".module+") || fixed.contains(".module_") {
            stats.skip(format!(
                "{} {} {fixed}: a modular package (module streams are not handled)",
                record.id, a.package.name
            ));
            continue;
        }
        if let Err(e) = dockaudit_scan::version::rpm::RpmVersion::parse(&fixed) {
            stats.skip(format!("{} {}: {fixed:?}: {e}", record.id, a.package.name));
            continue;
        }
        for cve in &cves {
            out.push(Advisory {
                distro,
                release: release.clone(),
                package: a.package.name.clone(),
                id: cve.clone(),
                channel: None,
                status: Status::Fixed,
                fixed_version: Some(fixed.clone()),
                affected_through: None,
                severity: rating.as_ref().map_or(Severity::Unknown, |r| r.0),
                rating: rating.as_ref().map(|r| r.1.clone()),
                aliases: vec![record.id.clone()],
                description: record
                    .details
                    .as_deref()
                    .and_then(crate::schema::clip_description),
                url: Some(format!("https://access.redhat.com/security/cve/{cve}")),
                source: source.to_owned(),
                note: None,
            });
        }
    }
    stats.records = out.len() as u64;
    Ok((out, stats))
}
