//! Matching an image's installed packages against the vulnerability database, at collection, after
//! its contents are read (from the layers or from the cache: matching is cheap, about 10 ms an
//! image, so the cache holds contents without vulnerabilities and needs no database version in its
//! key). Every match is kept in the snapshot, which is the evidence; `--ignore-unfixed` and
//! `--severity` filter when judging.

use std::path::{Path, PathBuf};

use dockaudit_scan::os::OsInfo;
use dockaudit_snapshot::contents::{
    CvssScore, EpssScore, ImageContents, UnjudgedPackages, VulnerabilityMatch,
};
use dockaudit_snapshot::Fact;
use dockaudit_vulndb::{release_for, Installed, MatchError, MatchOptions, VulnDb, VulnDbError};

/// Why vulnerabilities are missing when there is no database.
pub const NO_DATABASE: &str = "no vulnerability database: run `dockaudit db update`";

/// Why application vulnerabilities are missing when the database has no OSV records.
pub const NO_OSV_DATA: &str = "the vulnerability database holds no OSV records of application packages: run `dockaudit db update`, or `dockaudit db build --from DIR` with DIR/osv/ECOSYSTEM/";

/// The database opened once for a collection, or why it could not be.
pub struct VulnMatcher {
    db: Result<VulnDb, String>,
}

impl VulnMatcher {
    /// Opens the database at `path`; `None` (no path could be told) or a missing file gives a
    /// matcher that records [`NO_DATABASE`] on every image.
    pub fn open(path: Option<&Path>) -> Self {
        let db = match path {
            None => Err(NO_DATABASE.to_owned()),
            Some(p) => VulnDb::open(p).map_err(|e| match e {
                VulnDbError::Missing { .. } => NO_DATABASE.to_owned(),
                e => format!("the vulnerability database could not be read: {e}"),
            }),
        };
        Self { db }
    }

    /// The database's version, when it is open.
    pub fn version(&self) -> Option<String> {
        self.db.as_ref().ok().map(|db| db.metadata().version_id())
    }

    /// Matches one image's packages and records the result (or why there is none) in `contents`.
    pub fn apply(&self, contents: &mut ImageContents) {
        contents.vulnerability_db = self.version();
        let (vulnerabilities, unjudged) = self.matches(contents);
        contents.vulnerabilities = Some(vulnerabilities);
        contents.vulnerabilities_unjudged = unjudged;
        contents.app_vulnerabilities = Some(self.app_matches(contents));
    }

    /// The application packages' vulnerabilities, from the database's OSV records.
    fn app_matches(&self, contents: &ImageContents) -> Fact<Vec<VulnerabilityMatch>> {
        let db = match &self.db {
            Ok(db) => db,
            Err(why) => return Fact::Missing(why.clone()),
        };
        if contents.app_packages.is_empty() {
            return Fact::Value(Vec::new());
        }
        if dockaudit_vulndb::osv::sources(db).is_empty() {
            return Fact::Missing(NO_OSV_DATA.to_owned());
        }
        match dockaudit_vulndb::osv::match_app_packages(db, &contents.app_packages) {
            Ok(found) => Fact::Value(
                found
                    .into_iter()
                    .map(|v| VulnerabilityMatch {
                        status: if v.fixed_version.is_some() {
                            "fixed".to_owned()
                        } else {
                            "affected-unfixed".to_owned()
                        },
                        id: v.id,
                        aliases: v.aliases,
                        package: v.package.name,
                        binaries: Vec::new(),
                        installed_version: v.package.version,
                        fixed_version: v.fixed_version,
                        severity: v.severity,
                        // The records' rating first (their CVSS vector, else GitHub's word),
                        // then NVD's and the others', with KEV's floor: as for OS packages.
                        severity_source: Some(v.severity_source),
                        vendor_severity: Some(v.vendor_severity),
                        cvss: v.scores.into_iter().map(cvss_score).collect(),
                        known_exploited: v.known_exploited.is_some(),
                        known_exploited_since: v.known_exploited.map(|k| k.date_added),
                        epss: v.epss.map(epss_score),
                        rating: v.cvss,
                        source: format!("osv: {}", v.records.join(" ")),
                        channel: None,
                        note: v.summary,
                        url: v.url,
                        ecosystem: Some(v.package.ecosystem),
                        path: Some(v.package.path),
                    })
                    .collect(),
            ),
            Err(e) => Fact::Missing(format!("the vulnerability database could not be read: {e}")),
        }
    }

    /// The OS packages' vulnerabilities (or why there are none), and the packages left unjudged.
    fn matches(
        &self,
        contents: &ImageContents,
    ) -> (Fact<Vec<VulnerabilityMatch>>, Vec<UnjudgedPackages>) {
        let db = match &self.db {
            Ok(db) => db,
            Err(why) => return (Fact::Missing(why.clone()), Vec::new()),
        };
        let Some(os) = &contents.os else {
            return (
                Fact::Missing("OS not covered: the image's OS release cannot be told".into()),
                Vec::new(),
            );
        };
        let info = OsInfo {
            id: os.id.clone(),
            version_id: os.version_id.clone(),
            codename: os.codename.clone(),
            pretty_name: os.pretty_name.clone(),
            name: None,
            id_like: Vec::new(),
            source: os.source.clone(),
        };
        let not_covered = |e: MatchError| Fact::Missing(format!("OS not covered: {e}"));
        let (distro, release) = match release_for(&info) {
            Ok(r) => r,
            Err(e) => return (not_covered(e), Vec::new()),
        };
        let installed: Vec<Installed<'_>> = contents
            .packages
            .iter()
            .map(|p| Installed {
                name: &p.name,
                source_name: if p.source_name.is_empty() {
                    &p.name
                } else {
                    &p.source_name
                },
                source_version: if p.source_version.is_empty() {
                    &p.version
                } else {
                    &p.source_version
                },
                module: p.module.as_deref(),
            })
            .collect();
        let report = match db.match_release(distro, &release, &installed, &MatchOptions::default())
        {
            Ok(report) => report,
            Err(MatchError::Db(e)) => {
                return (
                    Fact::Missing(format!("the vulnerability database could not be read: {e}")),
                    Vec::new(),
                )
            }
            Err(e) => return (not_covered(e), Vec::new()),
        };
        // A missing fact is a skip with a reason, never a pass: the packages the matcher left
        // unjudged are named, so the rules and the reports can say so.
        let unjudged = if report.skipped_modular_packages.is_empty() {
            Vec::new()
        } else {
            vec![UnjudgedPackages {
                reason: dockaudit_vulndb::matcher::modular_skip_reason(distro),
                packages: report.skipped_modular_packages.clone(),
            }]
        };
        let found = Fact::Value(
            report
                .vulnerabilities
                .into_iter()
                .map(|v| VulnerabilityMatch {
                    id: v.id,
                    aliases: v.aliases,
                    package: v.package,
                    binaries: v.binaries,
                    installed_version: v.installed_version,
                    fixed_version: v.fixed_version,
                    status: v.status.as_str().to_owned(),
                    severity: v.severity.as_str().to_owned(),
                    severity_source: Some(v.severity_source),
                    vendor_severity: Some(v.vendor_severity.as_str().to_owned()),
                    cvss: v.cvss.into_iter().map(cvss_score).collect(),
                    known_exploited: v.known_exploited.is_some(),
                    known_exploited_since: v.known_exploited.map(|k| k.date_added),
                    epss: v.epss.map(epss_score),
                    rating: v.rating,
                    // CentOS matched against RHEL's data says so.
                    source: match dockaudit_vulndb::matcher::data_note(&info) {
                        Some(note) => format!("{} ({note})", v.source),
                        None => v.source,
                    },
                    channel: v.channel,
                    note: v.note,
                    url: v.url,
                    ecosystem: None,
                    path: None,
                })
                .collect(),
        );
        (found, unjudged)
    }
}

/// An EPSS score as the snapshot keeps it.
fn epss_score(e: dockaudit_vulndb::severity::Epss) -> EpssScore {
    EpssScore {
        score: e.score,
        percentile: e.percentile,
        date: e.date,
    }
}

/// One CVSS score as the snapshot keeps it.
fn cvss_score(c: dockaudit_vulndb::severity::Cvss) -> CvssScore {
    CvssScore {
        source: c.source,
        version: c.version,
        vector: c.vector,
        score: c.score,
        severity: c.severity.as_str().to_owned(),
    }
}

/// Opens the database at `path` and matches one image's contents, on a blocking thread (SQLite).
pub async fn match_on_blocking_thread(
    path: Option<PathBuf>,
    mut contents: ImageContents,
) -> Fact<ImageContents> {
    let task = tokio::task::spawn_blocking(move || {
        VulnMatcher::open(path.as_deref()).apply(&mut contents);
        contents
    });
    match task.await {
        Ok(contents) => Fact::Value(contents),
        Err(e) => Fact::Missing(format!("vulnerability matching failed: {e}")),
    }
}
