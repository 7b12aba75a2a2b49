//! The normalised advisory record every importer produces, and the words it is made of: which
//! distribution, the status of a package in a release, and the distribution's own severity.
//!
//! One [`Advisory`] says what one distribution says about one vulnerability in one source package of
//! one release: fixed (in which version), still affected, will not be fixed, deferred, or not affected.
//! Releases are keyed the way `/etc/os-release` numbers them (`12`, `18.04`, `3.15`), with the code
//! names the feeds use mapped by [`debian_release`] and [`ubuntu_release`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use dockaudit_scan::inventory::PackageFormat;

/// A distribution whose own security feed the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    /// Alpine, from the secdb.
    Alpine,
    /// Debian, from the security tracker.
    Debian,
    /// Ubuntu, from Canonical's OSV (and VEX) records.
    Ubuntu,
    /// Azure Linux and CBL-Mariner (os-release `azurelinux`, `mariner`), from Microsoft's OVAL.
    Azurelinux,
    /// Wolfi (rolling), from its secdb in Alpine's format.
    Wolfi,
    /// Chainguard's images (rolling), from its secdb in Alpine's format.
    Chainguard,
    /// AlmaLinux, from its OSV errata (binary package names).
    Almalinux,
    /// Rocky Linux, from its OSV errata (binary package names).
    Rocky,
    /// Amazon Linux 2 and 2023 (os-release `amzn`), from Amazon's ALAS advisories (source
    /// package names).
    #[serde(rename = "amzn")]
    Amazon,
    /// Oracle Linux (os-release `ol`), from Oracle's ELSA OVAL (binary package names).
    #[serde(rename = "ol")]
    Oracle,
    /// SUSE Linux Enterprise Server, from SUSE's OVAL (binary package names).
    Sles,
    /// openSUSE Leap, from SUSE's OVAL (binary package names).
    #[serde(rename = "opensuse-leap")]
    OpensuseLeap,
    /// Red Hat Enterprise Linux (os-release `rhel`, and CentOS matched against it), from Red Hat's
    /// CSAF VEX files (source package names), keyed by major release.
    #[serde(rename = "rhel")]
    Redhat,
}

impl Distro {
    /// Every distribution, in the order `db status` lists them.
    pub const ALL: [Distro; 13] = [
        Distro::Almalinux,
        Distro::Alpine,
        Distro::Amazon,
        Distro::Azurelinux,
        Distro::Chainguard,
        Distro::Debian,
        Distro::Oracle,
        Distro::OpensuseLeap,
        Distro::Redhat,
        Distro::Rocky,
        Distro::Sles,
        Distro::Ubuntu,
        Distro::Wolfi,
    ];

    /// The lower-case name, as `/etc/os-release` spells its `ID`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debian => "debian",
            Self::Ubuntu => "ubuntu",
            Self::Alpine => "alpine",
            Self::Azurelinux => "azurelinux",
            Self::Wolfi => "wolfi",
            Self::Chainguard => "chainguard",
            Self::Almalinux => "almalinux",
            Self::Rocky => "rocky",
            Self::Amazon => "amzn",
            Self::Oracle => "ol",
            Self::Sles => "sles",
            Self::OpensuseLeap => "opensuse-leap",
            Self::Redhat => "rhel",
        }
    }

    /// How this distribution orders versions: dpkg for Debian and Ubuntu, apk for Alpine, rpm for
    /// Azure Linux.
    pub fn version_scheme(self) -> PackageFormat {
        match self {
            Self::Debian | Self::Ubuntu => PackageFormat::Dpkg,
            Self::Alpine | Self::Wolfi | Self::Chainguard => PackageFormat::Apk,
            Self::Azurelinux
            | Self::Almalinux
            | Self::Rocky
            | Self::Redhat
            | Self::Amazon
            | Self::Oracle
            | Self::Sles
            | Self::OpensuseLeap => PackageFormat::Rpm,
        }
    }
}

impl Distro {
    /// Whether the feed names binary packages (AlmaLinux's and Rocky's errata, Oracle's and
    /// SUSE's OVAL) rather than source packages: the matcher then looks installed packages up by
    /// their own name.
    pub fn advisories_name_binaries(self) -> bool {
        matches!(
            self,
            Self::Almalinux | Self::Rocky | Self::Oracle | Self::Sles | Self::OpensuseLeap
        )
    }

    /// Whether installed modular packages (`.module+el8…` releases, or a `MODULARITYLABEL`) are
    /// set apart from the feed's other records (Red Hat, AlmaLinux, Rocky, Oracle): judged against
    /// their own stream's records where the database holds them ([`Self::matches_module_streams`]),
    /// else left unjudged and named in the match report.
    pub fn skips_modular(self) -> bool {
        matches!(
            self,
            Self::Redhat | Self::Almalinux | Self::Rocky | Self::Oracle
        )
    }

    /// Whether the database holds the feed's module-stream records, under the channel
    /// `module:NAME:STREAM` ([`crate::matcher::module_channel`]): Red Hat's CSAF names each
    /// component's stream (AlmaLinux's and Rocky's OSV records and Oracle's OVAL do not, and are
    /// skipped). An installed build that says its stream is judged against them.
    pub fn matches_module_streams(self) -> bool {
        self == Self::Redhat
    }
}

impl fmt::Display for Distro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Distro {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "debian" => Ok(Self::Debian),
            "ubuntu" => Ok(Self::Ubuntu),
            "alpine" => Ok(Self::Alpine),
            "azurelinux" => Ok(Self::Azurelinux),
            "wolfi" => Ok(Self::Wolfi),
            "chainguard" => Ok(Self::Chainguard),
            "almalinux" => Ok(Self::Almalinux),
            "rocky" => Ok(Self::Rocky),
            "rhel" => Ok(Self::Redhat),
            "amzn" => Ok(Self::Amazon),
            "ol" => Ok(Self::Oracle),
            "sles" => Ok(Self::Sles),
            "opensuse-leap" => Ok(Self::OpensuseLeap),
            other => Err(format!("unknown distribution {other:?}")),
        }
    }
}

/// What a distribution says about a package in a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Fixed in [`Advisory::fixed_version`]; older versions are affected.
    Fixed,
    /// Affected, and no fix published yet (Debian `open`/`undetermined`, Ubuntu "needs fixing").
    AffectedUnfixed,
    /// Affected, and the distribution decided not to fix it in this release (Debian `no-dsa` and
    /// `ignored`, Ubuntu "decided to not fix it" and "no longer supported").
    WillNotFix,
    /// Affected, fix postponed to a later update (Debian `postponed`).
    Deferred,
    /// Affected, and the package has no security support left in this release (Debian's
    /// `end-of-life` urgency, Ubuntu's "no longer supported"): no fix will come.
    EndOfLife,
    /// This release's package was never affected (Debian `fixed_version "0"`, Alpine `0`, Ubuntu VEX
    /// `vulnerable_code_not_present`). Stored so it can overrule, never reported.
    NotAffected,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Fixed,
        Status::AffectedUnfixed,
        Status::WillNotFix,
        Status::Deferred,
        Status::EndOfLife,
        Status::NotAffected,
    ];

    /// The kebab-case name stored in the database and printed in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::AffectedUnfixed => "affected-unfixed",
            Self::WillNotFix => "will-not-fix",
            Self::Deferred => "deferred",
            Self::EndOfLife => "end-of-life",
            Self::NotAffected => "not-affected",
        }
    }

    /// Affected with no fix to install: what `--ignore-unfixed` drops.
    pub fn is_unfixed(self) -> bool {
        matches!(
            self,
            Self::AffectedUnfixed | Self::WillNotFix | Self::Deferred | Self::EndOfLife
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown status {s:?}"))
    }
}

/// A distribution's own rating of a vulnerability (Debian's urgency, Ubuntu's priority), on one
/// scale. Alpine rates nothing: its records are [`Severity::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Not rated (Debian "not yet assigned", Alpine).
    Unknown,
    /// Debian `unimportant`, Ubuntu `negligible`.
    Negligible,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical (Ubuntu only; Debian's highest urgency is high).
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 6] = [
        Severity::Unknown,
        Severity::Negligible,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Negligible => "negligible",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    /// Case-insensitive, so `HIGH` (as trivy users type it) works.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "unknown severity {s:?} (expected one of: {})",
                    Self::ALL.map(Severity::as_str).join(", ")
                )
            })
    }
}

/// What one distribution says about one vulnerability in one source package of one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    /// The distribution.
    pub distro: Distro,
    /// The release, numbered as os-release does (`12`, `18.04`, `3.15`; `sid`, `edge`).
    pub release: String,
    /// The source package (Debian and Ubuntu source package, Alpine origin).
    pub package: String,
    /// The vulnerability: a CVE id where there is one, else the distribution's id (`TEMP-…`).
    pub id: String,
    /// Ubuntu Pro's pocket for records that apply only to Pro subscribers (`esm-infra`, `esm-apps`,
    /// `esm-infra-legacy`); `None` for the release's public archive.
    pub channel: Option<String>,
    /// The package's status in the release.
    pub status: Status,
    /// The first fixed version, for [`Status::Fixed`].
    pub fixed_version: Option<String>,
    /// For an unfixed record, the last affected version when the feed bounds it (Azure Linux's OVAL
    /// "less than or equal"): newer versions are not affected. `None`: every version is.
    #[serde(default)]
    pub affected_through: Option<String>,
    /// The distribution's rating on the common scale.
    pub severity: Severity,
    /// The distribution's own word for it (`low**`, `not yet assigned`, `end-of-life`, `medium`).
    pub rating: Option<String>,
    /// Other ids of the same issue here: advisories (DSA, DLA, USN) and the distribution's own id.
    pub aliases: Vec<String>,
    /// What the vulnerability is.
    pub description: Option<String>,
    /// The distribution's page about it.
    pub url: Option<String>,
    /// The feed this record came from (`debian-tracker`, `alpine-secdb`, `ubuntu-osv`, `ubuntu-vex`).
    pub source: String,
    /// Anything a reader needs to weigh the record (why it will not be fixed, where a fix is available).
    pub note: Option<String>,
}

/// The longest description kept, in bytes; longer ones are cut at a character boundary with `…`.
pub const MAX_DESCRIPTION: usize = 2048;

/// Trims a description and cuts it to [`MAX_DESCRIPTION`].
pub(crate) fn clip_description(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() <= MAX_DESCRIPTION {
        return Some(text.to_owned());
    }
    let mut end = MAX_DESCRIPTION;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}…", &text[..end]))
}

/// Debian's code names and their release numbers (the security tracker keys releases by code name).
const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("buzz", "1.1"),
    ("rex", "1.2"),
    ("bo", "1.3"),
    ("hamm", "2.0"),
    ("slink", "2.1"),
    ("potato", "2.2"),
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4"),
    ("lenny", "5"),
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
];

/// Ubuntu's code names and their release numbers (Canonical's purls name releases by code name).
const UBUNTU_RELEASES: &[(&str, &str)] = &[
    ("precise", "12.04"),
    ("trusty", "14.04"),
    ("xenial", "16.04"),
    ("yakkety", "16.10"),
    ("zesty", "17.04"),
    ("artful", "17.10"),
    ("bionic", "18.04"),
    ("cosmic", "18.10"),
    ("disco", "19.04"),
    ("eoan", "19.10"),
    ("focal", "20.04"),
    ("groovy", "20.10"),
    ("hirsute", "21.04"),
    ("impish", "21.10"),
    ("jammy", "22.04"),
    ("kinetic", "22.10"),
    ("lunar", "23.04"),
    ("mantic", "23.10"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
    ("resolute", "26.04"),
];

/// The release key for a Debian code name: its number (`bookworm` → `12`), `sid` for unstable, and
/// the code name itself for a release this table does not know yet (so new releases still import).
pub fn debian_release(codename: &str) -> String {
    let codename = codename.trim().to_ascii_lowercase();
    if codename == "sid" || codename == "unstable" {
        return "sid".to_owned();
    }
    release_of_codename(DEBIAN_RELEASES, "debian", &codename).unwrap_or(codename)
}

/// The release number for an Ubuntu code name (`jammy` → `22.04`), when known.
pub fn ubuntu_release(codename: &str) -> Option<String> {
    let codename = codename.trim().to_ascii_lowercase();
    release_of_codename(UBUNTU_RELEASES, "ubuntu", &codename)
}

/// A lower-case code name's release number: from `known` (code name, number), else from the
/// end-of-life table's entries for `distro`, so a release the table knows imports before `known`
/// is updated.
fn release_of_codename(known: &[(&str, &str)], distro: &str, codename: &str) -> Option<String> {
    known
        .iter()
        .find(|(c, _)| *c == codename)
        .map(|(_, n)| (*n).to_owned())
        .or_else(|| {
            dockaudit_scan::eol::table()
                .distros
                .iter()
                .find(|d| d.id == distro)?
                .releases
                .iter()
                .find(|r| r.codename.as_deref() == Some(codename))
                .map(|r| r.version.clone())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_agree_with_the_eol_table() {
        for d in &dockaudit_scan::eol::table().distros {
            for r in &d.releases {
                let Some(c) = r.codename.as_deref() else {
                    continue;
                };
                match d.id.as_str() {
                    "debian" => assert_eq!(debian_release(c), r.version, "{c}"),
                    "ubuntu" => assert_eq!(ubuntu_release(c).as_deref(), Some(r.version.as_str())),
                    _ => {}
                }
            }
        }
        assert_eq!(debian_release("sid"), "sid");
        assert_eq!(debian_release("Bookworm"), "12");
        assert_eq!(debian_release("zzz-future"), "zzz-future");
        assert_eq!(ubuntu_release("resolute").as_deref(), Some("26.04"));
    }

    #[test]
    fn words_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).expect("json"),
                format!("\"{}\"", s.as_str())
            );
        }
        for s in Severity::ALL {
            assert_eq!(s.as_str().to_uppercase().parse::<Severity>(), Ok(s));
        }
        for d in Distro::ALL {
            assert_eq!(d.as_str().parse::<Distro>(), Ok(d));
        }
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn descriptions_are_clipped_on_a_character_boundary() {
        assert_eq!(clip_description("  \n"), None);
        let long = "é".repeat(MAX_DESCRIPTION);
        let clipped = clip_description(&long).expect("some");
        assert!(clipped.len() <= MAX_DESCRIPTION + '…'.len_utf8());
        assert!(clipped.ends_with('…'));
    }
}
