//! Matching an image's installed packages against the database.
//!
//! Advisories are per source package, so packages are grouped by (source name, source version) and
//! each group is looked up once for the image's (distribution, release). For one vulnerability the
//! records of a package (one per channel: the public archive and Ubuntu Pro's pockets) are judged by
//! [`evaluate`]:
//!
//! 1. a not-affected record anywhere means not affected (Canonical's VEX states it for a pocket when
//!    the code is absent from the release's version, which holds for the release's other pockets);
//! 2. a fixed record whose version the installed one reaches means fixed (the image has the fix, from
//!    whichever pocket);
//! 3. otherwise the package is affected, and the record shown is the public archive's where there is
//!    one (Pro's where only Pro has news: its note says the fix needs Ubuntu Pro).
//!
//! Versions compare by the distribution's own rules (dpkg for Debian and Ubuntu, apk for Alpine).
//!
//! **Module streams** (RHEL 8+ modularity): an installed build of a stream (its rpm
//! `MODULARITYLABEL`, `ruby:3.1:…`) is judged only against the records of that stream (channel
//! `module:ruby:3.1`, [`module_channel`]), and every other package only against records of no
//! stream, so one stream's fix is never compared with another stream's build. A modular build
//! whose stream is not known, or whose feed keeps no stream records ([`Distro::matches_module_streams`]),
//! is left unjudged and named in [`MatchReport::skipped_modular_packages`].

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::{Advisory, Distro, Severity, Status};
use crate::severity::{effective, CveInfo, Cvss, Epss, KnownExploited};
use crate::store::VulnDb;
use crate::VulnDbError;
use dockaudit_scan::inventory::{Package, PackageFormat};
use dockaudit_scan::os::OsInfo;

/// Filters on what is reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Drop vulnerabilities with no fix to install (affected-unfixed, will-not-fix, deferred).
    pub ignore_unfixed: bool,
    /// Report only these severities (`None`: all).
    pub severities: Option<Vec<Severity>>,
}

/// One vulnerability of one installed source package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The vulnerability (`CVE-2021-3782`).
    pub id: String,
    /// Other ids of it (`UBUNTU-CVE-2021-3782`, `USN-5614-1`, `DSA-5970-1`).
    pub aliases: Vec<String>,
    /// The source package.
    pub package: String,
    /// The installed binary packages built from it.
    pub binaries: Vec<String>,
    /// The installed source version.
    pub installed_version: String,
    /// The first fixed version, when there is a fix.
    pub fixed_version: Option<String>,
    /// The distribution's status for it.
    pub status: Status,
    /// The effective severity (see [`crate::severity`] for the order): what `--severity`,
    /// `--fail-on` and the score use.
    pub severity: Severity,
    /// Where [`Vulnerability::severity`] came from (`debian-tracker`, `nvd@nist.gov`, `cisa-kev`).
    pub severity_source: String,
    /// The distribution's own severity.
    pub vendor_severity: Severity,
    /// Every CVSS score known for it, with its source.
    pub cvss: Vec<Cvss>,
    /// Its entry in CISA's known-exploited catalogue.
    pub known_exploited: Option<KnownExploited>,
    /// Its EPSS score.
    pub epss: Option<Epss>,
    /// The distribution's own word for the severity.
    pub rating: Option<String>,
    /// The feed that says so.
    pub source: String,
    /// The Ubuntu Pro pocket the record is about, if not the public archive.
    pub channel: Option<String>,
    /// The distribution's remark (why it will not be fixed, that the fix needs Ubuntu Pro).
    pub note: Option<String>,
    /// The distribution's page about it.
    pub url: Option<String>,
    /// What it is.
    pub description: Option<String>,
}

/// The vulnerabilities of one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchReport {
    /// The distribution matched against.
    pub distro: Distro,
    /// Its release.
    pub release: String,
    /// When the database was built.
    pub db_built_at: String,
    /// Installed packages looked at.
    pub packages: usize,
    /// Distinct (source package, source version) pairs looked up.
    pub source_packages: usize,
    /// What was found, most severe first, then by package and id.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Found but dropped by `ignore_unfixed`.
    pub dropped_unfixed: usize,
    /// Found but dropped by the severity filter.
    pub dropped_by_severity: usize,
    /// Found but dropped because NVD or the CVE program rejected the CVE.
    pub dropped_rejected: usize,
    /// Installed packages of a module stream (`.module+el8…` releases) left unjudged, since the
    /// feed's other records are about other builds: all of them on AlmaLinux, Rocky and Oracle
    /// (whose module-stream records are not stored), on Red Hat those whose stream is not known
    /// (no `MODULARITYLABEL`); a Red Hat build saying its stream is judged against that stream's
    /// records ([`Distro::matches_module_streams`]).
    #[serde(default)]
    pub skipped_modular: usize,
    /// Those packages, `name version`, in the order given, so the reports can name them.
    #[serde(default)]
    pub skipped_modular_packages: Vec<String>,
}

/// One installed package as the matcher needs it: borrowed, so any inventory type can lend it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installed<'a> {
    /// The binary package's name.
    pub name: &'a str,
    /// Its source package.
    pub source_name: &'a str,
    /// Its source version.
    pub source_version: &'a str,
    /// The module stream it was built for, when it is a module stream's build: rpm's
    /// `MODULARITYLABEL` (`ruby:3.1:8090020240311122605:a75119d5`).
    pub module: Option<&'a str>,
}

/// Why an image could not be matched.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The database holds no feed for this distribution.
    #[error(
        "no vulnerability data for {id} images (the database covers Debian, Ubuntu, Alpine, Azure Linux, CBL-Mariner, Wolfi, Chainguard, AlmaLinux, Rocky Linux, Red Hat Enterprise Linux, CentOS, Amazon Linux, Oracle Linux, SLES and openSUSE Leap)"
    )]
    UnsupportedOs {
        /// The os-release `ID`.
        id: String,
    },
    /// The release files do not say which release it is.
    #[error("cannot tell which {distro} release this is ({detail})")]
    UnknownRelease {
        /// The distribution.
        distro: Distro,
        /// What is missing.
        detail: String,
    },
    /// The database has nothing for this release (too old, too new, or the feed was skipped).
    #[error("the vulnerability database has no data for {distro} {release}{}", missing_feed(*distro))]
    NoData {
        /// The distribution.
        distro: Distro,
        /// The release.
        release: String,
    },
    /// The database could not be read.
    #[error(transparent)]
    Db(#[from] VulnDbError),
}

/// For [`MatchError::NoData`]: which feed the database would need, for the distributions whose
/// feeds `db update` may leave out.
fn missing_feed(distro: Distro) -> &'static str {
    match distro {
        Distro::Amazon => " (Amazon's ALAS feed, amazon/RELEASE/ in `db build --from`)",
        Distro::Oracle => " (Oracle's ELSA OVAL feed, oracle/ in `db build --from`)",
        Distro::Sles | Distro::OpensuseLeap => {
            " (SUSE's OVAL feed for this release, suse/ in `db build --from`)"
        }
        _ => "",
    }
}

/// The major release in a `VERSION_ID` (`8.9` → `8`), when it is a number.
fn major_of(version: &str) -> Option<String> {
    let major = version.split('.').next().unwrap_or("");
    (!major.is_empty() && major.bytes().all(|c| c.is_ascii_digit())).then(|| major.to_owned())
}

/// The database's (distribution, release) key for an image's OS: Debian by major version
/// (`12`; a testing image, which has only a code name, by that code name's number; unstable as
/// `sid`), Ubuntu by `VERSION_ID` (`22.04`), Alpine by major.minor (`3.15`; development snapshots
/// as `edge`).
pub fn release_for(os: &OsInfo) -> Result<(Distro, String), MatchError> {
    let version = os.version_id.as_deref().map(str::trim).unwrap_or("");
    match os.id.as_str() {
        "debian" => {
            let major = version.split('.').next().unwrap_or("");
            if !major.is_empty() && major.bytes().all(|c| c.is_ascii_digit()) {
                return Ok((Distro::Debian, major.to_owned()));
            }
            let sid = os.codename.as_deref() == Some("sid")
                || os
                    .pretty_name
                    .as_deref()
                    .is_some_and(|p| p.ends_with("/sid") && os.codename.is_none());
            if sid {
                return Ok((Distro::Debian, "sid".to_owned()));
            }
            match os.codename.as_deref() {
                Some(c) => Ok((Distro::Debian, crate::schema::debian_release(c))),
                None => Err(MatchError::UnknownRelease {
                    distro: Distro::Debian,
                    detail: "no VERSION_ID or VERSION_CODENAME".into(),
                }),
            }
        }
        "ubuntu" => {
            let mut parts = version.split('.');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => {
                    Ok((Distro::Ubuntu, format!("{a}.{b}")))
                }
                _ => match os
                    .codename
                    .as_deref()
                    .and_then(crate::schema::ubuntu_release)
                {
                    Some(r) => Ok((Distro::Ubuntu, r)),
                    None => Err(MatchError::UnknownRelease {
                        distro: Distro::Ubuntu,
                        detail: format!("VERSION_ID {version:?}"),
                    }),
                },
            }
        }
        "alpine" => {
            let edge = version.contains('_')
                || os
                    .pretty_name
                    .as_deref()
                    .is_some_and(|p| p.contains("edge"));
            if edge {
                return Ok((Distro::Alpine, "edge".to_owned()));
            }
            crate::alpine::release_key(version)
                .or_else(|| {
                    // `3.15.4`: keep major.minor.
                    let mut p = version.split('.');
                    crate::alpine::release_key(&format!("{}.{}", p.next()?, p.next()?))
                })
                .map(|r| (Distro::Alpine, r))
                .ok_or_else(|| MatchError::UnknownRelease {
                    distro: Distro::Alpine,
                    detail: format!("VERSION_ID {version:?}"),
                })
        }
        // AlmaLinux and Rocky Linux by major release.
        "almalinux" | "rocky" => {
            let distro = if os.id == "rocky" {
                Distro::Rocky
            } else {
                Distro::Almalinux
            };
            let major = version.split('.').next().unwrap_or("");
            if !major.is_empty() && major.bytes().all(|c| c.is_ascii_digit()) {
                Ok((distro, major.to_owned()))
            } else {
                Err(MatchError::UnknownRelease {
                    distro,
                    detail: format!("VERSION_ID {version:?}"),
                })
            }
        }
        // Amazon Linux by VERSION_ID (`2`, `2023`); Amazon Linux 1's `2018.03` is release `1`.
        "amzn" => {
            match version {
                v if v.len() == 7 && v.starts_with("20") && v.contains('.') => {
                    Ok((Distro::Amazon, "1".to_owned()))
                }
                v => major_of(v).map(|r| (Distro::Amazon, r)).ok_or_else(|| {
                    MatchError::UnknownRelease {
                        distro: Distro::Amazon,
                        detail: format!("VERSION_ID {version:?}"),
                    }
                }),
            }
        }
        // Oracle Linux by major release.
        "ol" => major_of(version)
            .map(|r| (Distro::Oracle, r))
            .ok_or_else(|| MatchError::UnknownRelease {
                distro: Distro::Oracle,
                detail: format!("VERSION_ID {version:?}"),
            }),
        // SLES by service pack (`15.5` is 15 SP5, `15` the first release); SLE HPC images are
        // SLES. openSUSE Leap by major.minor.
        "sles" | "sle_hpc" | "opensuse-leap" => {
            let distro = if os.id == "opensuse-leap" {
                Distro::OpensuseLeap
            } else {
                Distro::Sles
            };
            let parts: Vec<&str> = version.split('.').collect();
            let numeric = parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
            match parts.len() {
                1 | 2 if numeric && (distro == Distro::Sles || parts.len() == 2) => {
                    Ok((distro, version.to_owned()))
                }
                _ => Err(MatchError::UnknownRelease {
                    distro,
                    detail: format!("VERSION_ID {version:?}"),
                }),
            }
        }
        // Red Hat Enterprise Linux (UBI images too) and CentOS (7, 8, Stream 8, 9, 10): Red Hat's
        // data for the major release, as trivy does; see [`data_note`].
        "rhel" | "centos" => {
            let major = version.split('.').next().unwrap_or("");
            if !major.is_empty() && major.bytes().all(|c| c.is_ascii_digit()) {
                Ok((Distro::Redhat, major.to_owned()))
            } else {
                Err(MatchError::UnknownRelease {
                    distro: Distro::Redhat,
                    detail: format!("VERSION_ID {version:?}"),
                })
            }
        }
        // Rolling distributions: one release.
        "wolfi" => Ok((Distro::Wolfi, crate::wolfi::RELEASE.to_owned())),
        "chainguard" => Ok((Distro::Chainguard, crate::wolfi::RELEASE.to_owned())),
        // CBL-Mariner 2.0 (`mariner`) and its successor Azure Linux 3.0 (`azurelinux`): one feed.
        "mariner" | "azurelinux" => {
            let mut p = version.split('.');
            match (p.next(), p.next()) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => {
                    Ok((Distro::Azurelinux, format!("{a}.{b}")))
                }
                _ => Err(MatchError::UnknownRelease {
                    distro: Distro::Azurelinux,
                    detail: format!("VERSION_ID {version:?}"),
                }),
            }
        }
        other => Err(MatchError::UnsupportedOs {
            id: other.to_owned(),
        }),
    }
}

/// When an image is matched against another distribution's data (CentOS against Red Hat
/// Enterprise Linux's), what to add to each finding's source, with the release's end of life from
/// the end-of-life table (a fix RHEL published after it never reached that CentOS):
/// `RHEL 8 data applied to CentOS Linux 8; its end of life: 2021-12-31`.
pub fn data_note(os: &OsInfo) -> Option<String> {
    let (distro, release) = release_for(os).ok()?;
    if distro != Distro::Redhat || os.id == "rhel" {
        return None;
    }
    let eol = dockaudit_scan::eol::lookup(os);
    let name = eol.map_or("CentOS", |(d, _)| d.name.as_str());
    let mut note = format!("RHEL {release} data applied to {name} {release}");
    if let Some(date) = eol.and_then(|(_, r)| r.eol) {
        note.push_str(&format!(
            "; its end of life: {:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ));
    }
    Some(note)
}

/// Why installed packages of a module stream are left unjudged, as the reports say it.
pub fn modular_skip_reason(distro: Distro) -> String {
    if distro.matches_module_streams() {
        "module streams not matched: no module stream (rpm MODULARITYLABEL) is recorded for these modular builds, so their stream's records cannot be chosen".to_owned()
    } else {
        format!(
            "module streams not matched: the {distro} feed's module-stream records are not in the database, and its other records are about other builds"
        )
    }
}

/// The channel a module stream's records are stored under: `module:NAME:STREAM`, from a
/// `MODULARITYLABEL` (`ruby:3.1:8090020240311122605:a75119d5`) or a feed's stream (`ruby:3.1`).
/// `None` when it does not name both.
pub fn module_channel(label: &str) -> Option<String> {
    let mut parts = label.split(':');
    let name = parts.next().filter(|n| !n.is_empty())?;
    let stream = parts.next().filter(|s| !s.is_empty())?;
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
    };
    (plain(name) && plain(stream)).then(|| format!("module:{name}:{stream}"))
}

/// Whether an installed rpm version is a module stream's build (`…-1.module+el8.9.0+…`,
/// `…module_el8…`).
pub fn is_modular_version(version: &str) -> bool {
    version.contains(".module+") || version.contains(".module_")
}

/// Judges one installed version against the records of one vulnerability in one package (see the
/// module documentation), giving the record that makes it vulnerable, or `None`.
pub fn evaluate<'a>(
    scheme: PackageFormat,
    installed: &str,
    records: &[&'a Advisory],
) -> Option<&'a Advisory> {
    if records.iter().any(|r| r.status == Status::NotAffected) {
        return None;
    }
    let reaches = |fixed: &str| scheme.compare_versions(installed, fixed) != Ordering::Less;
    if records
        .iter()
        .any(|r| r.status == Status::Fixed && r.fixed_version.as_deref().is_some_and(reaches))
    {
        return None;
    }
    // A fixed record without a version cannot be judged; the importers never make one. An unfixed
    // record bounded by a last affected version does not apply past it.
    let candidates = records
        .iter()
        .copied()
        .filter(|r| r.status != Status::Fixed || r.fixed_version.is_some())
        .filter(|r| {
            r.affected_through
                .as_deref()
                .is_none_or(|last| scheme.compare_versions(installed, last) != Ordering::Greater)
        });
    candidates.min_by(|a, b| {
        let rank = |r: &Advisory| (r.channel.is_some(), r.status != Status::Fixed);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| match (&a.fixed_version, &b.fixed_version) {
                (Some(x), Some(y)) => scheme.compare_versions(x, y),
                _ => Ordering::Equal,
            })
    })
}

impl VulnDb {
    /// Matches an image's packages. The OS picks the release ([`release_for`]); each package is
    /// looked up by its source name and judged by its source version.
    pub fn match_packages(
        &self,
        os: &OsInfo,
        packages: &[Package],
        options: &MatchOptions,
    ) -> Result<MatchReport, MatchError> {
        let (distro, release) = release_for(os)?;
        let installed: Vec<Installed<'_>> = packages
            .iter()
            .map(|p| Installed {
                name: &p.name,
                source_name: &p.source_name,
                source_version: &p.source_version,
                module: p.module.as_deref(),
            })
            .collect();
        let mut report = self.match_release(distro, &release, &installed, options)?;
        if let Some(note) = data_note(os) {
            for v in &mut report.vulnerabilities {
                v.source = format!("{} ({note})", v.source);
            }
        }
        Ok(report)
    }

    /// Matches installed packages against one release's records, for callers that hold packages
    /// in another type (the Snapshot's): the release comes from [`release_for`].
    pub fn match_release(
        &self,
        distro: Distro,
        release: &str,
        packages: &[Installed<'_>],
        options: &MatchOptions,
    ) -> Result<MatchReport, MatchError> {
        if !self.has_release(distro, release)? {
            return Err(MatchError::NoData {
                distro,
                release: release.to_owned(),
            });
        }
        let release = release.to_owned();
        let scheme = distro.version_scheme();
        // (source name, source version, module stream channel) → binaries.
        let mut groups: BTreeMap<(&str, &str, Option<String>), Vec<&str>> = BTreeMap::new();
        let mut skipped_modular_packages = Vec::new();
        for p in packages {
            let mut stream = None;
            if distro.skips_modular()
                && (p.module.is_some() || is_modular_version(p.source_version))
            {
                // Judged only against its own stream's records, when the database has them and
                // the package says its stream; else left unjudged, and named.
                stream = p
                    .module
                    .filter(|_| distro.matches_module_streams())
                    .and_then(module_channel);
                if stream.is_none() {
                    skipped_modular_packages.push(format!("{} {}", p.name, p.source_version));
                    continue;
                }
            }
            // An rpm's binary and source packages share epoch, version and release.
            let key = if distro.advisories_name_binaries() {
                (p.name, p.source_version)
            } else {
                (p.source_name, p.source_version)
            };
            groups
                .entry((key.0, key.1, stream))
                .or_default()
                .push(p.name);
        }
        let mut report = MatchReport {
            distro,
            release: release.clone(),
            db_built_at: self.metadata().built_at.clone(),
            packages: packages.len(),
            source_packages: groups.len(),
            vulnerabilities: Vec::new(),
            dropped_unfixed: 0,
            dropped_by_severity: 0,
            dropped_rejected: 0,
            skipped_modular: skipped_modular_packages.len(),
            skipped_modular_packages,
        };
        let mut cache: BTreeMap<&str, Vec<Advisory>> = BTreeMap::new();
        // Every source package's records first, then the hits, then the severity facts of all hit
        // CVEs in one query.
        for (source, _, _) in groups.keys() {
            if !cache.contains_key(source) {
                cache.insert(source, self.advisories(distro, &release, source)?);
            }
        }
        let mut hits: Vec<(&str, &str, &Vec<&str>, &Advisory)> = Vec::new();
        for ((source, version, stream), binaries) in &groups {
            let mut by_id: BTreeMap<&str, Vec<&Advisory>> = BTreeMap::new();
            // A stream's build against that stream's records only; any other package against
            // the records of no stream.
            let applies = |r: &&Advisory| match (stream, r.channel.as_deref()) {
                (Some(s), c) => c == Some(s.as_str()),
                (None, c) => !c.is_some_and(|c| c.starts_with("module:")),
            };
            for r in cache[source].iter().filter(applies) {
                by_id.entry(r.id.as_str()).or_default().push(r);
            }
            for (_, group) in by_id {
                if let Some(hit) = evaluate(scheme, version, &group) {
                    hits.push((source, version, binaries, hit));
                }
            }
        }
        let mut ids: Vec<&str> = hits.iter().map(|h| h.3.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let infos = self.cve_infos(&ids)?;
        for (source, version, binaries, hit) in hits {
            let info: Option<&CveInfo> = infos.get(&hit.id);
            if info.is_some_and(|i| i.rejected) {
                report.dropped_rejected += 1;
                continue;
            }
            if options.ignore_unfixed && hit.status.is_unfixed() {
                report.dropped_unfixed += 1;
                continue;
            }
            let chosen = effective(hit.severity, &hit.source, info);
            if let Some(wanted) = &options.severities {
                if !wanted.contains(&chosen.severity) {
                    report.dropped_by_severity += 1;
                    continue;
                }
            }
            let mut bins: Vec<String> = binaries.iter().map(|b| (*b).to_owned()).collect();
            bins.sort();
            bins.dedup();
            report.vulnerabilities.push(Vulnerability {
                id: hit.id.clone(),
                aliases: hit.aliases.clone(),
                package: source.to_owned(),
                binaries: bins,
                installed_version: version.to_owned(),
                fixed_version: hit.fixed_version.clone(),
                status: hit.status,
                severity: chosen.severity,
                severity_source: chosen.source,
                vendor_severity: hit.severity,
                cvss: info.map(|i| i.cvss.clone()).unwrap_or_default(),
                known_exploited: info.and_then(|i| i.known_exploited.clone()),
                epss: info.and_then(|i| i.epss.clone()),
                rating: hit.rating.clone(),
                source: hit.source.clone(),
                channel: hit.channel.clone(),
                note: hit.note.clone(),
                url: hit.url.clone(),
                description: hit.description.clone(),
            });
        }
        report.vulnerabilities.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.package.cmp(&b.package))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.installed_version.cmp(&b.installed_version))
        });
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_channels_from_labels_and_streams() {
        // CentOS 8's nodejs label (go-rpmdb's real header), a CSAF stream, and what is not one.
        assert_eq!(
            module_channel("nodejs:10:8020020200707141642:6a468ee4").as_deref(),
            Some("module:nodejs:10")
        );
        assert_eq!(
            module_channel("ruby:3.1").as_deref(),
            Some("module:ruby:3.1")
        );
        assert_eq!(module_channel("ruby"), None);
        assert_eq!(module_channel(":3.1"), None);
        assert_eq!(
            module_channel("ruby@3.1:8090020240311122605:a75119d5"),
            None
        );
    }

    fn adv(status: Status, fixed: Option<&str>, channel: Option<&str>) -> Advisory {
        Advisory {
            distro: Distro::Ubuntu,
            release: "16.04".into(),
            package: "p".into(),
            id: "CVE-1".into(),
            channel: channel.map(Into::into),
            status,
            fixed_version: fixed.map(Into::into),
            affected_through: None,
            severity: Severity::Medium,
            rating: None,
            aliases: vec![],
            description: None,
            url: None,
            source: "t".into(),
            note: None,
        }
    }

    #[test]
    fn evaluation_rules() {
        let d = PackageFormat::Dpkg;
        let std_fixed = adv(Status::Fixed, Some("1.2-1"), None);
        let pro_fixed = adv(Status::Fixed, Some("1.1-1+esm1"), Some("esm-infra"));
        let std_open = adv(Status::AffectedUnfixed, None, None);
        let na = adv(Status::NotAffected, None, Some("esm-infra"));
        assert!(evaluate(d, "1.2-1", &[&std_fixed]).is_none());
        assert!(evaluate(d, "1:0.1", &[&std_fixed]).is_none(), "epoch wins");
        assert_eq!(evaluate(d, "1.2~rc1-1", &[&std_fixed]), Some(&std_fixed));
        // The public archive's record is shown when both speak.
        assert_eq!(
            evaluate(d, "1.0-1", &[&pro_fixed, &std_fixed]),
            Some(&std_fixed)
        );
        // A Pro fix installed counts.
        assert!(evaluate(d, "1.1-1+esm1", &[&std_open, &pro_fixed]).is_none());
        // Only Pro has news: its record.
        assert_eq!(evaluate(d, "1.0-1", &[&pro_fixed]), Some(&pro_fixed));
        // Not-affected anywhere wins.
        assert!(evaluate(d, "0.1", &[&std_open, &na]).is_none());
        assert_eq!(evaluate(d, "9", &[&std_open]), Some(&std_open));
        assert!(evaluate(d, "9", &[]).is_none());
    }

    fn os(id: &str, version: Option<&str>, codename: Option<&str>, pretty: Option<&str>) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: version.map(Into::into),
            codename: codename.map(Into::into),
            pretty_name: pretty.map(Into::into),
            name: None,
            id_like: vec![],
            source: "etc/os-release".into(),
        }
    }

    #[test]
    fn releases_from_os_release() {
        let key = |o: OsInfo| {
            release_for(&o)
                .map(|(d, r)| format!("{d}:{r}"))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            key(os("debian", Some("12"), Some("bookworm"), None)),
            Ok("debian:12".into())
        );
        assert_eq!(
            key(os("debian", Some("11.9"), None, None)),
            Ok("debian:11".into())
        );
        assert_eq!(
            key(os(
                "debian",
                None,
                Some("trixie"),
                Some("Debian GNU/Linux trixie/sid")
            )),
            Ok("debian:13".into())
        );
        assert!(key(os("debian", None, None, Some("Debian GNU/Linux sid"))).is_err());
        assert_eq!(
            key(os("debian", None, Some("sid"), None)),
            Ok("debian:sid".into())
        );
        assert_eq!(
            key(os("ubuntu", Some("18.04"), Some("bionic"), None)),
            Ok("ubuntu:18.04".into())
        );
        assert_eq!(
            key(os("ubuntu", None, Some("jammy"), None)),
            Ok("ubuntu:22.04".into())
        );
        assert_eq!(
            key(os("alpine", Some("3.15.4"), None, None)),
            Ok("alpine:3.15".into())
        );
        assert_eq!(
            key(os("alpine", Some("3.16_alpha20220809"), None, None)),
            Ok("alpine:edge".into())
        );
        assert_eq!(
            key(os("rhel", Some("9.1"), None, None)),
            Ok("rhel:9".into())
        );
        assert_eq!(
            key(os("centos", Some("7"), None, None)),
            Ok("rhel:7".into())
        );
        assert!(key(os("rhel", None, None, None)).is_err());
        assert!(key(os("gentoo", Some("2.17"), None, None)).is_err());
    }
}
