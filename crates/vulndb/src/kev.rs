//! CISA's Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`): a CVE
//! in it is at least high and marked as known-exploited.

use serde::Deserialize;

use crate::severity::KnownExploited;
use crate::{FeedError, ImportStats};

/// The source name in the database (and the effective severity's source when the KEV floor raised it).
pub const SOURCE: &str = "cisa-kev";
/// The catalogue's address.
pub const URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    #[serde(default)]
    catalog_version: Option<String>,
    vulnerabilities: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    date_added: Option<String>,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

/// The catalogue's entries: (CVE id, entry).
pub type KevEntries = Vec<(String, KnownExploited)>;

/// Reads the catalogue: its entries, and its version.
pub fn parse(
    bytes: &[u8],
    origin: &str,
) -> Result<(KevEntries, Option<String>, ImportStats), FeedError> {
    let catalog: Catalog = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(origin, format!("not CISA's KEV catalogue: {e}")))?;
    let mut stats = ImportStats::default();
    let mut out = Vec::with_capacity(catalog.vulnerabilities.len());
    for e in catalog.vulnerabilities {
        let id = e.cve_id.trim().to_owned();
        if !id.starts_with("CVE-") {
            stats.skip(format!("{origin}: {id:?} is not a CVE id"));
            continue;
        }
        out.push((
            id,
            KnownExploited {
                date_added: e.date_added.unwrap_or_default(),
                ransomware: e
                    .known_ransomware_campaign_use
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("known")),
            },
        ));
    }
    stats.records = out.len() as u64;
    Ok((out, catalog.catalog_version, stats))
}
