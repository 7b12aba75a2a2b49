//! Ubuntu: Canonical's OSV records (`osv/cve/**/UBUNTU-CVE-*.json`, `osv/usn/USN-*.json`) and its
//! OpenVEX statements (`vex/cve/**/CVE-*.json`), from `https://security-metadata.canonical.com`
//! (`osv/osv-all.tar.xz`, `vex/vex-all.tar.xz`) or the ubuntu-security-notices repository's tree.
//!
//! **CVE records** give, per affected source package and release, the first fixed version (a
//! `fixed` event) or none (affected, unfixed). Releases come from the ecosystem
//! (`Ubuntu:22.04:LTS`, `Ubuntu:25.10`); Ubuntu Pro's plain ESM ecosystems (`Ubuntu:Pro:16.04:LTS`)
//! are kept with their pocket as the record's channel (`esm-infra`, `esm-apps`, `esm-infra-legacy`,
//! from the purl's `distro=`), and Pro's FIPS and Realtime builds, which are different packages, are
//! skipped. Withdrawn records are skipped. The record's `Ubuntu` severity is Canonical's priority.
//!
//! **USN records** add their id as an alias to the (release, package, CVE) records they fix, and
//! supply the record when the CVE feed lacks it.
//!
//! **VEX statements** say what OSV cannot: OSV collapses Canonical's "needed", "deferred", "ignored"
//! and "no longer supported" into one unfixed shape. `affected` with an action statement saying
//! Canonical "decided to not fix it" or that the package "is no longer supported" makes an unfixed
//! record will-not-fix; `not_affected` (`vulnerable_code_not_present`) adds a not-affected record;
//! `component_not_present` (the release has no such package) and `fixed` (its product version is the
//! current one, not the first fixed) add nothing. OSV's word wins where both speak.

use dockaudit_scan::sbom::percent_decode;
use serde::Deserialize;

use crate::schema::{clip_description, ubuntu_release, Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// The source name of the OSV feed in the database.
pub const OSV_SOURCE: &str = "ubuntu-osv";
/// The source name of the VEX feed in the database.
pub const VEX_SOURCE: &str = "ubuntu-vex";
/// The OSV tarball's address.
pub const OSV_URL: &str = "https://security-metadata.canonical.com/osv/osv-all.tar.xz";
/// The VEX tarball's address.
pub const VEX_URL: &str = "https://security-metadata.canonical.com/vex/vex-all.tar.xz";

#[derive(Debug, Deserialize)]
struct Osv {
    id: String,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
    #[serde(default)]
    withdrawn: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct OsvAffected {
    package: OsvPackage,
    #[serde(default)]
    ranges: Vec<OsvRange>,
    #[serde(default)]
    ecosystem_specific: Option<EcosystemSpecific>,
    #[serde(default)]
    database_specific: Option<DatabaseSpecific>,
}

#[derive(Debug, Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<OsvEvent>,
}

#[derive(Debug, Deserialize)]
struct OsvEvent {
    #[serde(default)]
    fixed: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct EcosystemSpecific {
    #[serde(default)]
    availability: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct DatabaseSpecific {
    #[serde(default)]
    cves_map: Option<CvesMap>,
}

#[derive(Debug, Deserialize)]
struct CvesMap {
    #[serde(default)]
    cves: Vec<CvesMapEntry>,
}

#[derive(Debug, Deserialize)]
struct CvesMapEntry {
    id: String,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
}

/// What kind of OSV record a file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsvKind {
    /// `UBUNTU-CVE-*`: the primary records.
    Cve,
    /// `USN-*`: aliases, and records the CVE feed lacks.
    Usn,
    /// Withdrawn by Canonical: nothing imported.
    Withdrawn,
    /// Anything else (Livepatch notices `LSN-*`): nothing imported.
    Other,
}

/// What one OSV file gave.
#[derive(Debug, Clone)]
pub struct OsvParsed {
    /// Its kind.
    pub kind: OsvKind,
    /// The record's id (`UBUNTU-CVE-2021-3782`, `USN-5614-1`).
    pub id: String,
    /// Its records.
    pub advisories: Vec<Advisory>,
    /// What was skipped.
    pub stats: ImportStats,
}

/// Reads one OSV record. A file that is not an OSV record is an error naming `origin`; an affected
/// entry that cannot be used (a Pro FIPS build, an unknown ecosystem, a fixed version dpkg refuses)
/// is skipped and counted.
pub fn parse_osv(bytes: &[u8], origin: &str) -> Result<OsvParsed, FeedError> {
    let osv: Osv = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(origin, format!("not a valid OSV record: {e}")))?;
    let mut stats = ImportStats::default();
    let kind = if osv.withdrawn.is_some() {
        OsvKind::Withdrawn
    } else if osv.id.starts_with("UBUNTU-CVE-") {
        OsvKind::Cve
    } else if osv.id.starts_with("USN-") {
        OsvKind::Usn
    } else {
        OsvKind::Other
    };
    let mut advisories = Vec::new();
    if matches!(kind, OsvKind::Withdrawn | OsvKind::Other) {
        return Ok(OsvParsed {
            kind,
            id: osv.id,
            advisories,
            stats,
        });
    }
    let record_severity = ubuntu_priority(&osv.severity);
    let cve_id = osv
        .upstream
        .iter()
        .find(|u| u.starts_with("CVE-"))
        .cloned()
        .or_else(|| osv.id.strip_prefix("UBUNTU-").map(str::to_owned))
        .unwrap_or_else(|| osv.id.clone());
    let description = osv
        .details
        .as_deref()
        .or(osv.summary.as_deref())
        .and_then(clip_description);
    for affected in &osv.affected {
        let pkg = &affected.package;
        let (release, channel) = match ecosystem_release(&pkg.ecosystem, pkg.purl.as_deref()) {
            Ok(rc) => rc,
            Err(why) => {
                stats.skip(format!("{} {} {}: {why}", osv.id, pkg.ecosystem, pkg.name));
                continue;
            }
        };
        let fixed = affected
            .ranges
            .iter()
            .filter(|r| r.kind == "ECOSYSTEM")
            .flat_map(|r| r.events.iter().filter_map(|e| e.fixed.clone()))
            .max_by(|a, b| dockaudit_scan::version::dpkg::compare(a, b));
        if let Some(v) = &fixed {
            if let Err(e) = dockaudit_scan::version::dpkg::DpkgVersion::parse_with_warning(v) {
                stats.skip(format!("{} {} {}: {e}", osv.id, pkg.ecosystem, pkg.name));
                continue;
            }
        }
        let note = channel.as_ref().map(|c| {
            if fixed.is_some() {
                affected
                    .ecosystem_specific
                    .as_ref()
                    .and_then(|e| e.availability.clone())
                    .unwrap_or_else(|| format!("fix available with Ubuntu Pro ({c})"))
            } else {
                format!("tracked in Ubuntu Pro ({c}); no fix published yet")
            }
        });
        let base = Advisory {
            distro: Distro::Ubuntu,
            release,
            package: pkg.name.clone(),
            id: cve_id.clone(),
            channel,
            status: if fixed.is_some() {
                Status::Fixed
            } else {
                Status::AffectedUnfixed
            },
            fixed_version: fixed,
            affected_through: None,
            severity: record_severity.0,
            rating: record_severity.1.clone(),
            aliases: Vec::new(),
            description: description.clone(),
            url: None,
            source: OSV_SOURCE.to_owned(),
            note,
        };
        match kind {
            OsvKind::Cve => {
                let mut adv = base;
                adv.aliases = vec![osv.id.clone()];
                adv.url = Some(format!("https://ubuntu.com/security/{}", adv.id));
                advisories.push(adv);
                stats.records += 1;
            }
            _ => {
                if base.fixed_version.is_none() {
                    stats.skip(format!(
                        "{} {}: a notice without a fixed version",
                        osv.id, pkg.name
                    ));
                    continue;
                }
                let mapped: Vec<(String, (Severity, Option<String>))> = match affected
                    .database_specific
                    .as_ref()
                    .and_then(|d| d.cves_map.as_ref())
                {
                    Some(map) if !map.cves.is_empty() => map
                        .cves
                        .iter()
                        .map(|c| (c.id.clone(), ubuntu_priority(&c.severity)))
                        .collect(),
                    _ => osv
                        .upstream
                        .iter()
                        .map(|u| {
                            (
                                u.strip_prefix("UBUNTU-").unwrap_or(u).to_owned(),
                                record_severity.clone(),
                            )
                        })
                        .collect(),
                };
                for (cve, (severity, rating)) in mapped {
                    if !cve.starts_with("CVE-") {
                        continue;
                    }
                    let mut adv = base.clone();
                    adv.url = Some(format!("https://ubuntu.com/security/{cve}"));
                    adv.id = cve;
                    adv.severity = severity;
                    adv.rating = rating;
                    adv.aliases = vec![osv.id.clone()];
                    adv.description = None;
                    advisories.push(adv);
                    stats.records += 1;
                }
            }
        }
    }
    Ok(OsvParsed {
        kind,
        id: osv.id,
        advisories,
        stats,
    })
}

/// Canonical's priority from an OSV `severity` list (the entry of type `Ubuntu`).
fn ubuntu_priority(list: &[OsvSeverity]) -> (Severity, Option<String>) {
    match list.iter().find(|s| s.kind == "Ubuntu") {
        Some(s) => {
            let word = s.score.trim().to_ascii_lowercase();
            let sev = match word.as_str() {
                "negligible" => Severity::Negligible,
                "low" => Severity::Low,
                "medium" => Severity::Medium,
                "high" => Severity::High,
                "critical" => Severity::Critical,
                _ => Severity::Unknown,
            };
            (sev, Some(word))
        }
        None => (Severity::Unknown, None),
    }
}

/// The release and Pro channel of an OSV ecosystem: `Ubuntu:22.04:LTS` → (`22.04`, none);
/// `Ubuntu:Pro:16.04:LTS` with purl `distro=esm-infra/xenial` → (`16.04`, `esm-infra`). Pro's
/// FIPS, FIPS-updates, Realtime and other product lines are refused (their packages are other builds).
pub fn ecosystem_release(
    ecosystem: &str,
    purl: Option<&str>,
) -> Result<(String, Option<String>), String> {
    let parts: Vec<&str> = ecosystem.split(':').collect();
    let is_version = |s: &str| {
        s.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && (a.bytes().chain(b.bytes())).all(|c| c.is_ascii_digit())
        })
    };
    match parts.as_slice() {
        ["Ubuntu", v, rest @ ..] if is_version(v) && rest.iter().all(|r| *r == "LTS") => {
            Ok(((*v).to_owned(), None))
        }
        ["Ubuntu", "Pro", v, rest @ ..] if is_version(v) && rest.iter().all(|r| *r == "LTS") => {
            let channel = purl
                .and_then(purl_distro)
                .and_then(|d| pocket(&d).ok())
                .and_then(|(_, c)| c)
                .unwrap_or_else(|| "pro".to_owned());
            Ok(((*v).to_owned(), Some(channel)))
        }
        ["Ubuntu", "Pro", kind, ..] => Err(format!("Ubuntu Pro {kind} builds are other packages")),
        _ => Err(format!("unknown ecosystem {ecosystem:?}")),
    }
}

/// A purl's `distro=` qualifier, percent-decoded.
fn purl_distro(purl: &str) -> Option<String> {
    let (_, query) = purl.split_once('?')?;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("distro="))
        .map(percent_decode)
}

/// A Canonical pocket (`jammy`, `esm-infra/xenial`, `trusty/esm`, `esm-infra-legacy/trusty`) as a
/// release and channel. FIPS and Realtime pockets, and unknown code names, are refused.
pub fn pocket(distro: &str) -> Result<(String, Option<String>), String> {
    let (channel, codename) = match distro.split_once('/') {
        None => (None, distro),
        // The oldest ESM pocket is written both ways round.
        Some((codename, "esm")) => (Some("esm-infra-legacy"), codename),
        Some((channel @ ("esm-infra" | "esm-apps" | "esm-infra-legacy"), codename)) => {
            (Some(channel), codename)
        }
        Some((other, _)) => return Err(format!("pocket {other:?} holds other builds")),
    };
    let release =
        ubuntu_release(codename).ok_or_else(|| format!("unknown Ubuntu release {codename:?}"))?;
    Ok((release, channel.map(str::to_owned)))
}

/// A deb purl's source package, version and pocket, when it names a source package
/// (`pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.24?arch=source&distro=jammy`).
pub fn source_purl(purl: &str) -> Option<(String, String, String)> {
    let rest = purl.strip_prefix("pkg:deb/ubuntu/")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut arch_source = false;
    let mut distro = None;
    for kv in query.split('&') {
        match kv.split_once('=') {
            Some(("arch", "source")) => arch_source = true,
            Some(("distro", d)) => distro = Some(percent_decode(d)),
            _ => {}
        }
    }
    if !arch_source {
        return None;
    }
    let (name, version) = path.split_once('@')?;
    Some((percent_decode(name), percent_decode(version), distro?))
}

#[derive(Debug, Deserialize)]
struct VexDocument {
    #[serde(default)]
    statements: Vec<VexStatement>,
}

#[derive(Debug, Deserialize)]
struct VexStatement {
    vulnerability: VexVulnerability,
    #[serde(default)]
    products: Vec<VexProduct>,
    status: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    action_statement: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VexVulnerability {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VexProduct {
    #[serde(rename = "@id")]
    id: String,
}

/// The action statements (their openings) by which Canonical says a package will not be fixed.
const WONT_FIX_OPENINGS: &[(&str, &str)] = &[
    (
        "This package (for the given release) is vulnerable to the CVE, the problem is understood, but the Ubuntu Security Team decided to not fix it",
        "Canonical decided not to fix it in this release",
    ),
    (
        "This package (for the given release) is no longer supported",
        "the package is no longer supported in this release",
    ),
];

/// Reads one OpenVEX document into records (see the module documentation for what each statement
/// becomes). Only products naming a source package (`arch=source`) count.
pub fn parse_vex(bytes: &[u8], origin: &str) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let doc: VexDocument = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(origin, format!("not a valid OpenVEX document: {e}")))?;
    let mut stats = ImportStats::default();
    let mut out = Vec::new();
    for st in &doc.statements {
        let id = st.vulnerability.name.trim();
        let (status, note) = match st.status.as_str() {
            "not_affected" if st.justification.as_deref() == Some("component_not_present") => {
                continue
            }
            "not_affected" => (Status::NotAffected, None),
            "affected" => {
                let action = st.action_statement.as_deref().unwrap_or("");
                match WONT_FIX_OPENINGS
                    .iter()
                    .find(|(opening, _)| action.starts_with(opening))
                {
                    Some((opening, why)) if opening.contains("no longer supported") => {
                        (Status::EndOfLife, Some((*why).to_owned()))
                    }
                    Some((_, why)) => (Status::WillNotFix, Some((*why).to_owned())),
                    None => (Status::AffectedUnfixed, None),
                }
            }
            "under_investigation" => (
                Status::AffectedUnfixed,
                Some("under investigation by Canonical".to_owned()),
            ),
            "fixed" => continue,
            other => {
                stats.skip(format!("{id}: unknown status {other:?}"));
                continue;
            }
        };
        let description = st
            .vulnerability
            .description
            .as_deref()
            .and_then(clip_description);
        for product in &st.products {
            let Some((package, _version, distro)) = source_purl(&product.id) else {
                continue;
            };
            let (release, channel) = match pocket(&distro) {
                Ok(rc) => rc,
                Err(why) => {
                    stats.skip(format!("{id} {package}: {why}"));
                    continue;
                }
            };
            out.push(Advisory {
                distro: Distro::Ubuntu,
                release,
                package,
                id: id.to_owned(),
                channel,
                status,
                fixed_version: None,
                affected_through: None,
                severity: Severity::Unknown,
                rating: None,
                aliases: Vec::new(),
                description: description.clone(),
                url: Some(format!("https://ubuntu.com/security/{id}")),
                source: VEX_SOURCE.to_owned(),
                note: note.clone(),
            });
            stats.records += 1;
        }
    }
    Ok((out, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_and_pockets() {
        assert_eq!(
            ecosystem_release("Ubuntu:22.04:LTS", None),
            Ok(("22.04".into(), None))
        );
        assert_eq!(
            ecosystem_release("Ubuntu:25.10", None),
            Ok(("25.10".into(), None))
        );
        assert_eq!(
            ecosystem_release(
                "Ubuntu:Pro:16.04:LTS",
                Some("pkg:deb/ubuntu/wayland@1.12.0-1~ubuntu16.04.3+esm1?arch=source&distro=esm-infra/xenial")
            ),
            Ok(("16.04".into(), Some("esm-infra".into())))
        );
        assert_eq!(
            ecosystem_release(
                "Ubuntu:Pro:14.04:LTS",
                Some("pkg:deb/ubuntu/unzip@6.0?arch=source&distro=trusty/esm")
            ),
            Ok(("14.04".into(), Some("esm-infra-legacy".into())))
        );
        assert_eq!(
            ecosystem_release("Ubuntu:Pro:14.04:LTS", None),
            Ok(("14.04".into(), Some("pro".into())))
        );
        assert!(ecosystem_release("Ubuntu:Pro:FIPS-updates:20.04:LTS", None).is_err());
        assert!(ecosystem_release("Debian:12", None).is_err());
        assert_eq!(
            pocket("esm-infra-legacy/trusty"),
            Ok(("14.04".into(), Some("esm-infra-legacy".into())))
        );
        assert!(pocket("fips-updates/focal").is_err());
        assert!(pocket("nosuchname").is_err());
    }

    #[test]
    fn purls() {
        assert_eq!(
            source_purl(
                "pkg:deb/ubuntu/netty@1%3A4.1.48-9ubuntu0.1~esm1?arch=source&distro=esm-apps/noble"
            ),
            Some((
                "netty".into(),
                "1:4.1.48-9ubuntu0.1~esm1".into(),
                "esm-apps/noble".into()
            ))
        );
        assert_eq!(
            source_purl("pkg:deb/ubuntu/curl@7.81?arch=amd64&distro=jammy"),
            None
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
