//! CVE JSON 5 records (the CVE program's cvelistV5): the rejected state, and the CVSS metrics of
//! the CNA container and of the ADP containers (CISA's vulnrichment scores where the CNA gave none).

use serde::Deserialize;

use crate::severity::{severity_of_score, severity_of_word, Cvss, CvssOrigin};
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "cve5";

/// What a CVE 5 record says.
#[derive(Debug, Clone, PartialEq)]
pub struct Cve5Record {
    /// The CVE id.
    pub id: String,
    /// `cveMetadata.state` is `REJECTED`.
    pub rejected: bool,
    /// CVSS scores of the CNA and ADP containers.
    pub cvss: Vec<Cvss>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    data_type: Option<String>,
    cve_metadata: Metadata,
    #[serde(default)]
    containers: Option<Containers>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    cve_id: String,
    #[serde(default)]
    state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Containers {
    #[serde(default)]
    cna: Option<Container>,
    #[serde(default)]
    adp: Vec<Container>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Container {
    #[serde(default)]
    provider_metadata: Option<Provider>,
    #[serde(default)]
    metrics: Vec<MetricEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Provider {
    #[serde(default)]
    short_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MetricEntry {
    #[serde(rename = "cvssV4_0", default)]
    v40: Option<Score>,
    #[serde(rename = "cvssV3_1", default)]
    v31: Option<Score>,
    #[serde(rename = "cvssV3_0", default)]
    v30: Option<Score>,
    #[serde(rename = "cvssV2_0", default)]
    v20: Option<Score>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Score {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    base_score: Option<f64>,
    #[serde(default)]
    vector_string: Option<String>,
    #[serde(default)]
    base_severity: Option<String>,
}

/// Reads one CVE 5 record.
pub fn parse(bytes: &[u8], origin: &str) -> Result<(Cve5Record, ImportStats), FeedError> {
    let record: Record = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(origin, format!("not a CVE JSON 5 record: {e}")))?;
    if record.data_type.as_deref() != Some("CVE_RECORD") {
        return Err(FeedError::new(
            origin,
            "not a CVE JSON 5 record (dataType is not CVE_RECORD)",
        ));
    }
    let id = record.cve_metadata.cve_id;
    let rejected = record
        .cve_metadata
        .state
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("REJECTED"));
    let mut stats = ImportStats::default();
    let mut cvss = Vec::new();
    let containers = record.containers.unwrap_or_default();
    let tagged = containers
        .cna
        .into_iter()
        .map(|c| (CvssOrigin::Cve5Cna, "cna", c))
        .chain(
            containers
                .adp
                .into_iter()
                .map(|c| (CvssOrigin::Cve5Adp, "adp", c)),
        );
    for (origin_kind, prefix, container) in tagged {
        let who = container
            .provider_metadata
            .and_then(|p| p.short_name)
            .unwrap_or_else(|| "unknown".to_owned());
        for entry in container.metrics {
            for (default_version, score) in [
                ("4.0", entry.v40),
                ("3.1", entry.v31),
                ("3.0", entry.v30),
                ("2.0", entry.v20),
            ] {
                let Some(score) = score else { continue };
                let Some(value) = score.base_score.filter(|s| (0.0..=10.0).contains(s)) else {
                    stats.skip(format!("{id}: a CVSS metric without a base score in 0-10"));
                    continue;
                };
                let version = score.version.unwrap_or_else(|| default_version.to_owned());
                let severity = score
                    .base_severity
                    .as_deref()
                    .and_then(severity_of_word)
                    .unwrap_or_else(|| severity_of_score(&version, value));
                cvss.push(Cvss {
                    source: format!("{prefix}:{who}"),
                    origin: origin_kind,
                    version,
                    vector: score.vector_string,
                    score: value,
                    severity,
                });
            }
        }
    }
    stats.records = 1;
    Ok((Cve5Record { id, rejected, cvss }, stats))
}
