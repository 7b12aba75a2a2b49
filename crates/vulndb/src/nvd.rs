//! NVD: CVE API 2.0 `cve` objects, for CVSS scores (v4.0, v3.1, v3.0, v2.0, each with its scorer)
//! and the rejected status.
//!
//! Three shapes are read, told apart by their fields: one `cve` object per file (the API's object,
//! as fkie-cad/nvd-json-data-feeds mirrors it), an API response page (`{"vulnerabilities":
//! [{"cve": …}]}`), and fkie-cad's release files (`{"cve_items": [ … ]}`, `CVE-all.json.xz`). Only
//! the fields used are kept, so a large file streams through serde without being held whole.

use serde::Deserialize;

use crate::schema::Severity;
use crate::severity::{severity_of_score, severity_of_word, Cvss, CvssOrigin};
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "nvd";
/// fkie-cad's mirror of the NVD API: every CVE in one xz-compressed file, updated daily.
pub const CVE_ALL_URL: &str =
    "https://github.com/fkie-cad/nvd-json-data-feeds/releases/latest/download/CVE-all.json.xz";
/// The e-mail NVD's own analysts score under.
pub const NVD_SCORER: &str = "nvd@nist.gov";

/// What NVD says about one CVE.
#[derive(Debug, Clone, PartialEq)]
pub struct NvdRecord {
    /// The CVE id.
    pub id: String,
    /// `vulnStatus` is `Rejected`.
    pub rejected: bool,
    /// Its CVSS scores.
    pub cvss: Vec<Cvss>,
}

#[derive(Debug, Deserialize)]
struct Document {
    #[serde(default)]
    vulnerabilities: Option<Vec<Wrapped>>,
    #[serde(default)]
    cve_items: Option<Vec<Cve>>,
    #[serde(flatten)]
    single: Option<Cve>,
}

#[derive(Debug, Deserialize)]
struct Wrapped {
    cve: Cve,
}

#[derive(Debug, Deserialize)]
struct Cve {
    id: String,
    #[serde(rename = "vulnStatus", default)]
    vuln_status: Option<String>,
    #[serde(default)]
    metrics: Option<Metrics>,
}

#[derive(Debug, Default, Deserialize)]
struct Metrics {
    #[serde(rename = "cvssMetricV40", default)]
    v40: Vec<Metric>,
    #[serde(rename = "cvssMetricV31", default)]
    v31: Vec<Metric>,
    #[serde(rename = "cvssMetricV30", default)]
    v30: Vec<Metric>,
    #[serde(rename = "cvssMetricV2", default)]
    v2: Vec<Metric>,
}

#[derive(Debug, Deserialize)]
struct Metric {
    #[serde(default)]
    source: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(rename = "cvssData", default)]
    data: Option<CvssData>,
    /// v2 keeps its severity beside `cvssData`.
    #[serde(rename = "baseSeverity", default)]
    base_severity: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CvssData {
    #[serde(default)]
    version: Option<String>,
    #[serde(rename = "vectorString", default)]
    vector: Option<String>,
    #[serde(rename = "baseScore", default)]
    score: Option<f64>,
    #[serde(rename = "baseSeverity", default)]
    base_severity: Option<String>,
}

/// Reads NVD records from one file's bytes (any of the three shapes).
pub fn parse(
    reader: impl std::io::Read,
    origin: &str,
) -> Result<(Vec<NvdRecord>, ImportStats), FeedError> {
    let doc: Document = serde_json::from_reader(reader)
        .map_err(|e| FeedError::new(origin, format!("not an NVD CVE API 2.0 document: {e}")))?;
    let mut cves: Vec<Cve> = Vec::new();
    if let Some(v) = doc.vulnerabilities {
        cves.extend(v.into_iter().map(|w| w.cve));
    }
    if let Some(items) = doc.cve_items {
        cves.extend(items);
    }
    if let Some(one) = doc.single {
        cves.push(one);
    }
    let mut stats = ImportStats::default();
    let mut out = Vec::with_capacity(cves.len());
    for cve in cves {
        if !cve.id.starts_with("CVE-") {
            stats.skip(format!("{origin}: {:?} is not a CVE id", cve.id));
            continue;
        }
        let rejected = cve
            .vuln_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("rejected"));
        let mut cvss = Vec::new();
        let metrics = cve.metrics.unwrap_or_default();
        for (default_version, list) in [
            ("4.0", metrics.v40),
            ("3.1", metrics.v31),
            ("3.0", metrics.v30),
            ("2.0", metrics.v2),
        ] {
            for m in list {
                let Some(data) = m.data else {
                    stats.skip(format!("{}: a metric without cvssData", cve.id));
                    continue;
                };
                let Some(score) = data.score.filter(|s| (0.0..=10.0).contains(s)) else {
                    stats.skip(format!("{}: a metric without a base score in 0-10", cve.id));
                    continue;
                };
                let version = data.version.unwrap_or_else(|| default_version.to_owned());
                let severity = data
                    .base_severity
                    .or(m.base_severity)
                    .as_deref()
                    .and_then(severity_of_word)
                    .unwrap_or_else(|| severity_of_score(&version, score));
                let source = m.source.unwrap_or_else(|| "unknown".to_owned());
                let primary = m.kind.as_deref() == Some("Primary") && source == NVD_SCORER;
                cvss.push(Cvss {
                    source,
                    origin: if primary {
                        CvssOrigin::NvdPrimary
                    } else {
                        CvssOrigin::NvdSecondary
                    },
                    version,
                    vector: data.vector,
                    score,
                    severity: if severity == Severity::Unknown {
                        severity_of_score(default_version, score)
                    } else {
                        severity
                    },
                });
            }
        }
        stats.records += 1;
        out.push(NvdRecord {
            id: cve.id,
            rejected,
            cvss,
        });
    }
    Ok((out, stats))
}
