//! End of life of distribution releases, from a dated table embedded in the binary
//! (`src/eol.json`: an `as_of` date, and for each distribution its source and releases).
//!
//! [`facts`] gives an [`OsInfo`]'s entry as the snapshot keeps it ([`EolFacts`]), and [`eol_status`]
//! judges it on a day the caller gives (rules never read the clock): past the end of life, within
//! [`ENDING_SOON_DAYS`] of it, or supported; `None` when the table does not list the distribution or
//! release, or the release files name no release. There is one date and end-of-life model: the
//! snapshot's ([`EolFacts::status_on`]), which the rules use on stored facts and this module on the
//! table's, so the scanner and the rules cannot disagree about a boundary.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{format_description::BorrowedFormatItem, macros::format_description, Date};

use crate::os::OsInfo;

pub use dockaudit_snapshot::contents::{EolFacts, EolStatus, ENDING_SOON_DAYS};

const TABLE_JSON: &str = include_str!("eol.json");
const DATE_FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The whole table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EolTable {
    /// The day the table's entries were last checked.
    #[serde(with = "date")]
    pub as_of: Date,
    /// What the dates mean.
    pub note: String,
    /// One entry per distribution.
    pub distros: Vec<DistroEol>,
}

/// One distribution's releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistroEol {
    /// Its id in the table (`debian`, `ubuntu`, …, `centos-stream`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where the dates come from.
    pub source: String,
    /// What its dates mean, when that needs saying.
    #[serde(default)]
    pub note: Option<String>,
    /// Its releases.
    pub releases: Vec<ReleaseEol>,
}

/// One release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseEol {
    /// The release as the table keys it (`12`, `18.04`, `3.15`, `8`, `2023`).
    pub version: String,
    /// Its code name, when it has one.
    #[serde(default)]
    pub codename: Option<String>,
    /// End of free, public security updates; `None` when not announced.
    #[serde(default, with = "opt_date")]
    pub eol: Option<Date>,
    /// End of paid extended support (Ubuntu Pro ESM, RHEL ELS), when there is one.
    #[serde(default, with = "opt_date")]
    pub extended_eol: Option<Date>,
    /// Where this entry's dates come from, when not the distribution's source.
    #[serde(default)]
    pub source: Option<String>,
}

/// The embedded table.
pub fn table() -> &'static EolTable {
    static TABLE: OnceLock<EolTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The JSON is part of the source and a unit test parses it: this cannot fail at run time.
        serde_json::from_str(TABLE_JSON).expect("src/eol.json is valid (checked by the eol tests)")
    })
}

/// The table's distribution and release for an OS, when it lists them.
pub fn lookup(os: &OsInfo) -> Option<(&'static DistroEol, &'static ReleaseEol)> {
    let (distro_id, key) = release_key(os)?;
    let distro = table().distros.iter().find(|d| d.id == distro_id)?;
    let release = distro
        .releases
        .iter()
        .find(|r| r.version == key)
        .or_else(|| {
            let codename = os.codename.as_deref()?;
            // Only a release without a number is looked up by code name, and never a development one
            // (`trixie/sid`), which has no end of life.
            let development = os
                .pretty_name
                .as_deref()
                .is_some_and(|p| p.contains("/sid"));
            (os.version_id.is_none() && !development)
                .then(|| {
                    distro
                        .releases
                        .iter()
                        .find(|r| r.codename.as_deref() == Some(codename))
                })
                .flatten()
        })?;
    Some((distro, release))
}

/// The table's entry for an OS as the snapshot records it, when the table lists the release.
pub fn facts(os: &OsInfo) -> Option<EolFacts> {
    let (distro, release) = lookup(os)?;
    Some(EolFacts {
        distro: distro.name.clone(),
        release: release.version.clone(),
        codename: release.codename.clone(),
        eol: release.eol.map(day),
        extended_eol: release.extended_eol.map(day),
        source: release
            .source
            .clone()
            .unwrap_or_else(|| distro.source.clone()),
        table_as_of: day(table().as_of),
    })
}

/// The support status on `today`, by the end of free security updates (Ubuntu's standard support);
/// `None` when the table does not list the release.
pub fn eol_status(os: &OsInfo, today: Date) -> Option<EolStatus> {
    facts(os)?.status_on(&day(today))
}

/// The support status on `today` for users of paid extended support (Ubuntu Pro ESM, RHEL ELS):
/// the extended date where the table has one, the regular one otherwise.
pub fn eol_status_extended(os: &OsInfo, today: Date) -> Option<EolStatus> {
    let mut facts = facts(os)?;
    facts.eol = facts.extended_eol.take().or(facts.eol);
    facts.status_on(&day(today))
}

/// `YYYY-MM-DD`, as the snapshot stores dates.
fn day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Which table entry and release key an OS maps to.
fn release_key(os: &OsInfo) -> Option<(&'static str, String)> {
    let version = os.version_id.as_deref().unwrap_or("");
    let parts: Vec<&str> = version.split('.').collect();
    let major = parts
        .first()
        .copied()
        .filter(|m| !m.is_empty() && m.bytes().all(|c| c.is_ascii_digit()));
    let major_minor = || {
        let minor = parts
            .get(1)
            .copied()
            .filter(|m| !m.is_empty() && m.bytes().all(|c| c.is_ascii_digit()))?;
        Some(format!("{}.{minor}", major?))
    };
    let stream = os
        .name
        .iter()
        .chain(&os.pretty_name)
        .any(|n| n.contains("Stream"));
    match os.id.as_str() {
        "debian" => Some(("debian", major.unwrap_or("").to_owned())),
        "ubuntu" => Some(("ubuntu", major_minor()?)),
        "alpine" => {
            let edge = version.contains('_')
                || os
                    .pretty_name
                    .as_deref()
                    .is_some_and(|p| p.contains("edge"));
            (!edge)
                .then(|| major_minor().map(|k| ("alpine", k)))
                .flatten()
        }
        "centos" if stream => Some(("centos-stream", major?.to_owned())),
        "rhel" => Some(("rhel", major?.to_owned())),
        "centos" => Some(("centos", major?.to_owned())),
        "rocky" => Some(("rocky", major?.to_owned())),
        "almalinux" => Some(("almalinux", major?.to_owned())),
        "fedora" => Some(("fedora", major?.to_owned())),
        "amzn" => match major? {
            m if m.len() == 4 && parts.len() > 1 => Some(("amzn", "1".to_owned())),
            m => Some(("amzn", m.to_owned())),
        },
        "opensuse-leap" | "opensuse" => Some(("opensuse-leap", major_minor()?)),
        _ => None,
    }
}

mod date {
    //! `YYYY-MM-DD` strings for dates in JSON.
    use super::*;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        let text = d.format(DATE_FORMAT).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text, DATE_FORMAT).map_err(serde::de::Error::custom)
    }
}

mod opt_date {
    //! `YYYY-MM-DD` strings or `null` for optional dates in JSON.
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::date::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| Date::parse(&text, DATE_FORMAT).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_and_is_sane() {
        let t: EolTable = serde_json::from_str(TABLE_JSON).expect("valid JSON");
        assert!(t.distros.len() >= 10);
        for d in &t.distros {
            assert!(!d.source.is_empty(), "{} has no source", d.id);
            let mut seen = std::collections::HashSet::new();
            for r in &d.releases {
                assert!(seen.insert(&r.version), "{} {} twice", d.id, r.version);
                if let (Some(e), Some(x)) = (r.eol, r.extended_eol) {
                    assert!(x > e, "{} {}: extended before regular", d.id, r.version);
                }
            }
        }
    }
}
