//! What is inside an image, as plain data: its OS and that release's end-of-life dates, its
//! installed packages, and the file facts the contents rules judge (setuid/setgid files, secrets
//! found in files, credential files, accounts with empty passwords or shared ids, an SSH server,
//! `.git` directories, package-manager caches).
//!
//! `dockaudit-scan` fills it by reading the image's layers (no unpacking to disk); this module holds
//! only the data, so the rules can judge it without the scanner's heavy dependencies. Secret values
//! never enter it: a secret is stored as where it is, what kind it is and a masked form
//! (`AK****EY`), masked at collection with [`crate::redact`]. Password hashes are never stored,
//! only the names of accounts that have none.
//!
//! End-of-life dates are looked up in the scanner's embedded table *at collection* and stored in
//! [`EolFacts`]; the rules compare them with the snapshot's `collected_at` ([`EolFacts::status_on`]),
//! so an audit never reads the clock and an old snapshot is judged with the dates it was collected
//! with.

use serde::{Deserialize, Serialize};

/// How close to its end of life a release is reported as ending soon, in days.
pub const ENDING_SOON_DAYS: i64 = 90;

/// Everything the scanner found inside one image.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ImageContents {
    /// Which scanner produced this (`dockaudit-scan 0.1.0`); a cached result from another
    /// scanner is not reused.
    pub scanner: String,
    /// The distribution the image says it is; `None` when no release file says.
    pub os: Option<OsRelease>,
    /// Why the OS could not be told (a malformed release file, none at all).
    pub os_problem: Option<String>,
    /// End of life of that release; `None` when the table does not list it.
    pub eol: Option<EolFacts>,
    /// Installed packages, from every package database found, in database order.
    pub packages: Vec<InstalledPackage>,
    /// The package databases read (`var/lib/dpkg/status`, …).
    pub package_databases: Vec<String>,
    /// Application packages (Python, Node.js, Go, Java, Ruby, PHP, .NET), each where it was found,
    /// sorted by path then name.
    pub app_packages: Vec<AppPackage>,
    /// `/etc/passwd`, `/etc/shadow`, `/etc/group` facts.
    pub accounts: AccountFacts,
    /// Regular files with the setuid or setgid bit, sorted by path.
    pub special_files: Vec<SpecialFile>,
    /// Secrets found in files by provider pattern or by a high-entropy value next to a secret
    /// keyword; masked.
    pub secrets: Vec<SecretInFile>,
    /// Files whose name and content make them credentials (SSH keys, cloud and registry logins).
    pub credential_files: Vec<CredentialFile>,
    /// Evidence that an SSH server is installed: file paths and package names.
    pub sshd: Vec<String>,
    /// `.git` directories (paths of the directories themselves).
    pub git_dirs: Vec<String>,
    /// Package-manager caches left with files in them.
    pub package_caches: Vec<PackageCache>,
    /// Known vulnerabilities of the installed packages, matched at collection against the
    /// vulnerability database, all of them (filters such as `--ignore-unfixed` apply when judging);
    /// `Missing` with the reason when there is no database or it does not cover the OS; `None`
    /// when matching was not attempted (a result straight from the image cache).
    pub vulnerabilities: Option<crate::Fact<Vec<VulnerabilityMatch>>>,
    /// Known vulnerabilities of the application packages (OSV records: GHSA, Go, …), matched at
    /// collection like `vulnerabilities`, each with the package's `ecosystem` and `path`; `Missing`
    /// with the reason when there is no database or it holds no OSV data; `None` when not attempted.
    pub app_vulnerabilities: Option<crate::Fact<Vec<VulnerabilityMatch>>>,
    /// Installed packages the OS package matching left unjudged while judging the others (a
    /// module stream's builds on Red Hat-family images), grouped by why: `vulnerabilities` says
    /// nothing about them, so the rules skip rather than pass them.
    pub vulnerabilities_unjudged: Vec<UnjudgedPackages>,
    /// The vulnerability database used (`DbMetadata::version_id`), when there was one.
    pub vulnerability_db: Option<String>,
    /// What the reader had to skip, cut or could not read (paths escaping the root, truncated
    /// layers, bounds reached, unreadable databases); the rest of the result stands.
    pub problems: Vec<String>,
    /// How much was read.
    pub stats: ScanStats,
}

impl ImageContents {
    /// Whether the reader saw the whole image: no layer was cut short and no bound was reached.
    pub fn is_complete(&self) -> bool {
        !self.stats.incomplete
    }
}

/// A release file's view of the OS.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct OsRelease {
    /// `debian`, `ubuntu`, `alpine`, `rhel`, …
    pub id: String,
    /// `12`, `18.04`, `3.15.4`.
    pub version_id: Option<String>,
    /// `bookworm`, `bionic`.
    pub codename: Option<String>,
    /// `Ubuntu 18.04.6 LTS`.
    pub pretty_name: Option<String>,
    /// The file it was read from (`etc/os-release`).
    pub source: String,
}

impl OsRelease {
    /// The name to show: the pretty name, else `id version`.
    pub fn display(&self) -> String {
        match (&self.pretty_name, &self.version_id) {
            (Some(p), _) if !p.is_empty() => p.clone(),
            (_, Some(v)) => format!("{} {v}", self.id),
            _ => self.id.clone(),
        }
    }
}

/// A release's end-of-life dates, as the scanner's table gave them at collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct EolFacts {
    /// The distribution as the table names it (`Ubuntu`).
    pub distro: String,
    /// The release as the table keys it (`18.04`).
    pub release: String,
    /// Its code name, when it has one.
    pub codename: Option<String>,
    /// End of free, public security updates, `YYYY-MM-DD`; `None` when not announced.
    pub eol: Option<String>,
    /// End of paid extended support (Ubuntu Pro ESM, RHEL ELS), `YYYY-MM-DD`, when there is one.
    pub extended_eol: Option<String>,
    /// Where the dates come from.
    pub source: String,
    /// The day the table was last checked, `YYYY-MM-DD`.
    pub table_as_of: String,
}

/// A release's support on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EolStatus {
    /// Supported; the end-of-life date when announced.
    Supported(Option<String>),
    /// At most [`ENDING_SOON_DAYS`] days left: the date and the days left.
    EndingSoon(String, i64),
    /// Past its end of life (on the date itself it is still supported): the date and days since.
    EndOfLife(String, i64),
}

impl EolFacts {
    /// The status on `today` (an RFC 3339 timestamp or a `YYYY-MM-DD` date, as in a snapshot's
    /// `collected_at`); `None` when `today` or the stored date cannot be read.
    pub fn status_on(&self, today: &str) -> Option<EolStatus> {
        let Some(eol) = &self.eol else {
            return Some(EolStatus::Supported(None));
        };
        let left = days_between(today, eol)?;
        Some(if left < 0 {
            EolStatus::EndOfLife(eol.clone(), -left)
        } else if left <= ENDING_SOON_DAYS {
            EolStatus::EndingSoon(eol.clone(), left)
        } else {
            EolStatus::Supported(Some(eol.clone()))
        })
    }
}

/// Days from `from` to `to` (both `YYYY-MM-DD…`: only the first ten characters are read);
/// negative when `to` is earlier. `None` when either is not a date.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    Some(day_number(to)? - day_number(from)?)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD…` string (the proleptic Gregorian calendar).
fn day_number(date: &str) -> Option<i64> {
    let date = date.get(..10)?;
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// One installed package.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct InstalledPackage {
    /// The binary package's name.
    pub name: String,
    /// Its version in the package manager's notation.
    pub version: String,
    /// The architecture, when recorded.
    pub arch: Option<String>,
    /// The source package (advisories are per source package).
    pub source_name: String,
    /// The source package's version.
    pub source_version: String,
    /// `dpkg`, `apk` or `rpm`.
    pub format: String,
    /// The module stream an rpm was built for (its `MODULARITYLABEL`,
    /// `ruby:3.1:8090020240311122605:a75119d5`); `None` for other packages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// One application package: a library or program installed by a language's package manager or
/// built into a binary, found by its metadata in the image.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default)]
pub struct AppPackage {
    /// The ecosystem, as OSV names it: `PyPI`, `npm`, `Go`, `Maven`, `RubyGems`, `Packagist`,
    /// `NuGet`, `crates.io`.
    pub ecosystem: String,
    /// The name as the ecosystem writes it (`group:artifact` for Maven, the module path for Go,
    /// `@scope/name` for npm).
    pub name: String,
    /// The version as the metadata writes it.
    pub version: String,
    /// Where it was found, without the leading `/`: the metadata file, or the binary or archive
    /// (a nested archive as `outer.jar!/BOOT-INF/lib/inner.jar`).
    pub path: String,
    /// Its package URL (`pkg:pypi/requests@2.31.0`).
    pub purl: String,
}

/// Account facts from `/etc/passwd`, `/etc/shadow` and `/etc/group`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AccountFacts {
    /// `/etc/passwd` is present.
    pub passwd: bool,
    /// `/etc/shadow` is present.
    pub shadow: bool,
    /// `/etc/group` is present.
    pub group: bool,
    /// Accounts that log in without a password (an empty password field).
    pub empty_passwords: Vec<EmptyPassword>,
    /// UIDs that more than one account has.
    pub duplicate_uids: Vec<DuplicateId>,
    /// GIDs that more than one group has.
    pub duplicate_gids: Vec<DuplicateId>,
}

/// An account with an empty password field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct EmptyPassword {
    /// The account.
    pub user: String,
    /// Where the empty field is (`etc/shadow` or `etc/passwd`).
    pub file: String,
}

/// An id shared by several accounts or groups.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DuplicateId {
    /// The id.
    pub id: u32,
    /// The names that have it, in file order.
    pub names: Vec<String>,
}

/// A regular file with the setuid or setgid bit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SpecialFile {
    /// Its path in the image, without the leading `/`.
    pub path: String,
    /// Its permission bits (`0o4755`).
    pub mode: u32,
    /// Its owner's uid.
    pub uid: u64,
    /// Its group's gid.
    pub gid: u64,
}

impl SpecialFile {
    /// Whether the setuid bit is set.
    pub fn setuid(&self) -> bool {
        self.mode & 0o4000 != 0
    }

    /// Whether the setgid bit is set.
    pub fn setgid(&self) -> bool {
        self.mode & 0o2000 != 0
    }
}

/// A secret found in a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SecretInFile {
    /// The file's path in the image, without the leading `/`.
    pub path: String,
    /// The 1-based line where it starts.
    pub line: usize,
    /// What it is: a provider's token kind (`AWS access key id`) or the key it is assigned to.
    pub key: String,
    /// Why it was judged a secret.
    pub reason: String,
    /// The masked form (`AK****EY`); never the value.
    pub masked: String,
}

/// A file that holds credentials by its nature.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct CredentialFile {
    /// Its path in the image, without the leading `/`.
    pub path: String,
    /// What it is (`SSH private key`, `AWS credentials`, `Docker registry credentials`).
    pub kind: String,
    /// What in it makes it a credential (profile names, registries, variable names); never a value.
    pub detail: String,
}

/// A package-manager cache that still has files.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PackageCache {
    /// The cache directory, without the leading `/`.
    pub path: String,
    /// Which package manager (`apt`, `apk`, `dnf`, `yum`, `zypper`, `pip`, `npm`).
    pub manager: String,
    /// Files in it.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// Installed packages the vulnerability matching could not judge, and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct UnjudgedPackages {
    /// Why (`module streams not matched: …`).
    pub reason: String,
    /// The packages, `name version`, in database order.
    pub packages: Vec<String>,
}

/// One known vulnerability of one installed source package, as the vulnerability database's
/// matcher found it at collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct VulnerabilityMatch {
    /// The vulnerability (`CVE-2021-3782`).
    pub id: String,
    /// Other ids of it (`UBUNTU-CVE-2021-3782`, `USN-5614-1`).
    pub aliases: Vec<String>,
    /// The source package.
    pub package: String,
    /// The installed binary packages built from it.
    pub binaries: Vec<String>,
    /// The installed source version.
    pub installed_version: String,
    /// The first fixed version, when there is a fix.
    pub fixed_version: Option<String>,
    /// The distribution's status: `fixed`, `affected-unfixed`, `will-not-fix`, `deferred`,
    /// `end-of-life` (no security support left for the package in that release).
    pub status: String,
    /// The effective severity on dockaudit's scale (`critical`, `high`, `medium`, `low`,
    /// `negligible`, `unknown`): the distribution's rating first, then NVD's CVSS, then other
    /// scorers'; at least `high` when CISA lists it as known-exploited. `--severity`, `--fail-on`
    /// and the score use it.
    pub severity: String,
    /// Where `severity` came from: the distribution feed (`debian-tracker`), a CVSS scorer
    /// (`nvd@nist.gov`, `adp:CISA-ADP`), or `cisa-kev` when the known-exploited floor raised it.
    /// `None` in snapshots from before severities had sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_source: Option<String>,
    /// The distribution's own severity, when the effective one came from elsewhere or equals it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_severity: Option<String>,
    /// Every CVSS score known for it, with who scored it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<CvssScore>,
    /// CISA lists it in its Known Exploited Vulnerabilities catalogue.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub known_exploited: bool,
    /// When CISA added it to the catalogue (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_exploited_since: Option<String>,
    /// FIRST's EPSS score for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssScore>,
    /// The distribution's own word for it, when it differs.
    pub rating: Option<String>,
    /// The feed that says so.
    pub source: String,
    /// The Ubuntu Pro pocket the record is about, if not the public archive.
    pub channel: Option<String>,
    /// The distribution's remark (why it will not be fixed, that the fix needs Ubuntu Pro).
    pub note: Option<String>,
    /// The distribution's page about it.
    pub url: Option<String>,
    /// For an application package: its ecosystem (`PyPI`, `Go`, …); `None` for an OS package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    /// For an application package: where it is in the image (without the leading `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// One CVSS score of a vulnerability.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CvssScore {
    /// Who scored it (`nvd@nist.gov`, the CNA as NVD names it, `cna:redhat`, `adp:CISA-ADP`).
    pub source: String,
    /// The CVSS version (`2.0`, `3.0`, `3.1`, `4.0`).
    pub version: String,
    /// The vector string.
    pub vector: Option<String>,
    /// The base score, 0.0 to 10.0.
    pub score: f64,
    /// The base severity on dockaudit's scale.
    pub severity: String,
}

/// FIRST's EPSS score of a vulnerability.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct EpssScore {
    /// The probability of exploitation in the next 30 days, 0.0 to 1.0.
    pub score: f64,
    /// Its percentile among all scored CVEs, 0.0 to 1.0.
    pub percentile: f64,
    /// The day it was scored (`YYYY-MM-DD`).
    pub date: Option<String>,
}

impl VulnerabilityMatch {
    /// Whether there is no fix to install (affected-unfixed, will-not-fix, deferred).
    pub fn is_unfixed(&self) -> bool {
        self.status != "fixed"
    }
}

/// How much the reader read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ScanStats {
    /// Layers applied.
    pub layers: usize,
    /// Tar entries read across all layers.
    pub entries: u64,
    /// Uncompressed layer bytes read.
    pub bytes_read: u64,
    /// Files whose content was kept for the analysers.
    pub files_kept: u64,
    /// Bytes of those files.
    pub bytes_kept: u64,
    /// A layer was cut short or a bound was reached: absent findings prove less.
    pub incomplete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_match_the_calendar() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(days_between("2023-02-28", "2023-03-01"), Some(1));
        assert_eq!(
            days_between("2026-11-28T09:18:03Z", "2023-05-31"),
            Some(-1277)
        );
        assert_eq!(days_between("nonsense", "2023-05-31"), None);
        assert_eq!(days_between("2023-13-01", "2023-05-31"), None);
        assert_eq!(days_between("2023-01-0", "2023-05-31"), None);
    }

    #[test]
    fn status_by_collection_day() {
        let eol = EolFacts {
            eol: Some("2026-08-31".into()),
            ..EolFacts::default()
        };
        assert_eq!(
            eol.status_on("2026-09-01T00:00:00Z"),
            Some(EolStatus::EndOfLife("2026-08-31".into(), 1))
        );
        assert_eq!(
            eol.status_on("2026-08-31"),
            Some(EolStatus::EndingSoon("2026-08-31".into(), 0))
        );
        assert_eq!(
            eol.status_on("2026-06-02"),
            Some(EolStatus::EndingSoon("2026-08-31".into(), 90))
        );
        assert_eq!(
            eol.status_on("2026-06-01"),
            Some(EolStatus::Supported(Some("2026-08-31".into())))
        );
        let unannounced = EolFacts::default();
        assert_eq!(
            unannounced.status_on("2026-06-01"),
            Some(EolStatus::Supported(None))
        );
        assert_eq!(eol.status_on(""), None);
    }
}
