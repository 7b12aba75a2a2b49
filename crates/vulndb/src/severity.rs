//! Severity beyond the distributions' own ratings: CVSS scores (from NVD and CVE 5 records), CISA's
//! Known Exploited Vulnerabilities catalogue, FIRST's EPSS, and the rule that picks one effective
//! severity per finding.
//!
//! **The order** ([`effective`]), as trivy does it (vendor first, then NVD):
//!
//! 1. the distribution's own rating, when it has one ([`Severity::Unknown`] is none);
//! 2. else NVD's own score (`nvd@nist.gov`, "Primary"), newest CVSS version first (4.0, 3.1, 3.0, 2.0);
//! 3. else another scorer's CVSS as NVD carries it ("Secondary": the CNA, CISA's ADP), newest
//!    version first;
//! 4. else the CVE 5 record's CNA metrics, then its ADP metrics (CISA's vulnrichment);
//! 5. else unknown.
//!
//! Then a CVE in CISA's KEV catalogue is at least [`Severity::High`], and marked as known-exploited.
//! Every score is kept with its source, so a reader sees what the choice was made from.

use serde::{Deserialize, Serialize};

use crate::schema::Severity;

/// Who scored a CVSS vector, in the order [`effective`] consults them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CvssOrigin {
    /// NVD's own analysis (`nvd@nist.gov`, type "Primary").
    NvdPrimary,
    /// Another scorer as NVD carries it (type "Secondary": the CNA, CISA's ADP).
    NvdSecondary,
    /// The CVE 5 record's CNA container.
    Cve5Cna,
    /// A CVE 5 record's ADP container (CISA's vulnrichment).
    Cve5Adp,
    /// An OSV record's own vector (an application package's advisory, such as GitHub's). It
    /// stands in the vendor's place, so [`effective`] never ranks it among the others; it is
    /// never stored in the database's CVSS table.
    Osv,
}

/// One CVSS score of a vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// Who scored it: `nvd@nist.gov`, a CNA's e-mail or UUID as NVD names it, `cna:redhat`,
    /// `adp:CISA-ADP`.
    pub source: String,
    /// Which record kind it came from (how [`effective`] ranks it).
    pub origin: CvssOrigin,
    /// The CVSS version: `2.0`, `3.0`, `3.1`, `4.0`.
    pub version: String,
    /// The vector string.
    pub vector: Option<String>,
    /// The base score, 0.0 to 10.0.
    pub score: f64,
    /// The base severity on dockaudit's scale (from the record, else from the score).
    pub severity: Severity,
}

impl Cvss {
    /// The rank of the CVSS version: 4.0 above 3.1 above 3.0 above 2.0.
    fn version_rank(&self) -> u8 {
        match self.version.as_str() {
            "4.0" => 4,
            "3.1" => 3,
            "3.0" => 2,
            "2.0" => 1,
            _ => 0,
        }
    }
}

/// The severity a CVSS base score means: v3 and v4 bands (none 0.0, low < 4, medium < 7, high < 9,
/// critical), v2 bands (low < 4, medium < 7, high). A score of 0.0 is [`Severity::Negligible`].
pub fn severity_of_score(version: &str, score: f64) -> Severity {
    if !score.is_finite() || score <= 0.0 {
        return Severity::Negligible;
    }
    if score < 4.0 {
        Severity::Low
    } else if score < 7.0 {
        Severity::Medium
    } else if version.starts_with('2') || score < 9.0 {
        Severity::High
    } else {
        Severity::Critical
    }
}

/// A record's `baseSeverity` word on dockaudit's scale (`NONE` is negligible).
pub(crate) fn severity_of_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Some(Severity::Critical),
        "HIGH" => Some(Severity::High),
        "MEDIUM" | "MODERATE" => Some(Severity::Medium),
        "LOW" => Some(Severity::Low),
        "NONE" => Some(Severity::Negligible),
        _ => None,
    }
}

/// A CVE's entry in CISA's Known Exploited Vulnerabilities catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownExploited {
    /// When CISA added it (`YYYY-MM-DD`).
    pub date_added: String,
    /// Whether CISA knows it to be used in ransomware campaigns.
    pub ransomware: bool,
}

/// A CVE's EPSS score: the probability of exploitation in the next 30 days, and its percentile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// The probability, 0.0 to 1.0.
    pub score: f64,
    /// The percentile among all scored CVEs, 0.0 to 1.0.
    pub percentile: f64,
    /// The day FIRST scored it (`YYYY-MM-DD`), when the file says.
    pub date: Option<String>,
}

/// What the database knows of one CVE beyond the distributions' feeds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CveInfo {
    /// NVD or the CVE program rejected it: it is not a vulnerability.
    pub rejected: bool,
    /// Its CVSS scores, every source.
    pub cvss: Vec<Cvss>,
    /// Its KEV entry.
    pub known_exploited: Option<KnownExploited>,
    /// Its EPSS score.
    pub epss: Option<Epss>,
}

/// The effective severity of a finding and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveSeverity {
    /// The severity `--severity`, `--fail-on` and the score use.
    pub severity: Severity,
    /// Where it came from: the distribution feed's source (`debian-tracker`, `ubuntu-osv`), or
    /// the CVSS source (`nvd@nist.gov`, `adp:CISA-ADP`); `cisa-kev` when the KEV floor raised it.
    pub source: String,
}

/// Picks the effective severity by the order in the module documentation.
pub fn effective(
    vendor: Severity,
    vendor_source: &str,
    info: Option<&CveInfo>,
) -> EffectiveSeverity {
    let mut chosen = EffectiveSeverity {
        severity: vendor,
        source: vendor_source.to_owned(),
    };
    let Some(info) = info else {
        return chosen;
    };
    if vendor == Severity::Unknown {
        let best = info
            .cvss
            .iter()
            .min_by_key(|c| (c.origin, std::cmp::Reverse(c.version_rank())));
        if let Some(c) = best {
            chosen = EffectiveSeverity {
                severity: c.severity,
                source: c.source.clone(),
            };
        }
    }
    if info.known_exploited.is_some() && chosen.severity < Severity::High {
        chosen = EffectiveSeverity {
            severity: Severity::High,
            source: crate::kev::SOURCE.to_owned(),
        };
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cvss(origin: CvssOrigin, version: &str, score: f64) -> Cvss {
        Cvss {
            source: format!("{origin:?}"),
            origin,
            version: version.into(),
            vector: None,
            score,
            severity: severity_of_score(version, score),
        }
    }

    #[test]
    fn score_bands() {
        assert_eq!(severity_of_score("3.1", 9.0), Severity::Critical);
        assert_eq!(severity_of_score("3.1", 8.9), Severity::High);
        assert_eq!(severity_of_score("2.0", 10.0), Severity::High);
        assert_eq!(severity_of_score("3.1", 4.0), Severity::Medium);
        assert_eq!(severity_of_score("3.1", 3.9), Severity::Low);
        assert_eq!(severity_of_score("3.1", 0.0), Severity::Negligible);
        assert_eq!(severity_of_score("4.0", f64::NAN), Severity::Negligible);
    }

    #[test]
    fn vendor_first_then_nvd_primary_newest_version_then_kev_floor() {
        let info = CveInfo {
            cvss: vec![
                cvss(CvssOrigin::Cve5Adp, "3.1", 9.8),
                cvss(CvssOrigin::NvdPrimary, "2.0", 5.0),
                cvss(CvssOrigin::NvdPrimary, "3.1", 7.5),
                cvss(CvssOrigin::NvdSecondary, "3.1", 9.1),
            ],
            ..CveInfo::default()
        };
        let e = effective(Severity::Low, "debian-tracker", Some(&info));
        assert_eq!(
            (e.severity, e.source.as_str()),
            (Severity::Low, "debian-tracker")
        );
        let e = effective(Severity::Unknown, "alpine-secdb", Some(&info));
        assert_eq!(
            (e.severity, e.source.as_str()),
            (Severity::High, "NvdPrimary")
        );
        let kev = CveInfo {
            known_exploited: Some(KnownExploited {
                date_added: "2021-12-10".into(),
                ransomware: true,
            }),
            ..info
        };
        let e = effective(Severity::Low, "debian-tracker", Some(&kev));
        assert_eq!(
            (e.severity, e.source.as_str()),
            (Severity::High, "cisa-kev")
        );
        let e = effective(Severity::Critical, "ubuntu-osv", Some(&kev));
        assert_eq!(e.severity, Severity::Critical);
        assert_eq!(
            effective(Severity::Unknown, "alpine-secdb", None).severity,
            Severity::Unknown
        );
    }
}
