//! Debian: the security tracker's JSON feed, and the DSA and DLA lists for advisory ids.
//!
//! The tracker feed (`https://security-tracker.debian.org/tracker/data/json`) maps
//! source package → issue id → `releases` → code name → `{status, fixed_version, urgency, nodsa,
//! nodsa_reason, repositories}`. It is about 80 MB, so it is read as a stream: one source package is
//! held at a time and its records go straight to the sink.
//!
//! Statuses, as the tracker means them:
//!
//! | tracker | here |
//! |---|---|
//! | `resolved` with `fixed_version "0"` | not-affected (the release never shipped the bug) |
//! | `resolved` with a version | fixed in that version |
//! | `open` / `undetermined` with urgency `end-of-life` | end-of-life (no security support left) |
//! | `open` / `undetermined` with `nodsa_reason: "postponed"` | deferred |
//! | `open` / `undetermined` with `nodsa` (`no-dsa`) or `nodsa_reason: "ignored"` | will-not-fix |
//! | `open` / `undetermined` otherwise | affected-unfixed |
//!
//! Severity is the release's `urgency`: `unimportant` → negligible, `low`/`medium`/`high` (a trailing
//! `**` marks an urgency taken from NVD and is dropped), `not yet assigned` and `end-of-life` →
//! unknown (`end-of-life` says the package lost security support in that release: noted on the record).
//!
//! The DSA and DLA lists (`data/DSA/list`, `data/DLA/list` in the tracker's repository) name the
//! advisories that fixed each (release, package, CVE); their ids become the records' aliases.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::schema::{clip_description, debian_release, Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// The source name of the tracker feed in the database.
pub const TRACKER_SOURCE: &str = "debian-tracker";
/// The tracker feed's address.
pub const TRACKER_URL: &str = "https://security-tracker.debian.org/tracker/data/json";
/// The DSA list's address (Debian Security Advisories: stable releases).
pub const DSA_LIST_URL: &str =
    "https://salsa.debian.org/security-tracker-team/security-tracker/raw/master/data/DSA/list";
/// The DLA list's address (Debian LTS Advisories).
pub const DLA_LIST_URL: &str =
    "https://salsa.debian.org/security-tracker-team/security-tracker/raw/master/data/DLA/list";

/// One release of one issue in one package, as the tracker states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TrackerRelease {
    /// `resolved`, `open` or `undetermined`.
    #[serde(default)]
    pub status: Option<String>,
    /// The first fixed version (`"0"`: never affected), for `resolved`.
    #[serde(default)]
    pub fixed_version: Option<String>,
    /// `unimportant`, `low`, `medium`, `high` (with `**` when taken from NVD), `not yet assigned`,
    /// `end-of-life`.
    #[serde(default)]
    pub urgency: Option<String>,
    /// Why no DSA will be issued (present for `no-dsa` issues).
    #[serde(default)]
    pub nodsa: Option<String>,
    /// `postponed`, `ignored`, or empty for plain `no-dsa`.
    #[serde(default)]
    pub nodsa_reason: Option<String>,
}

/// One issue in one package: its description and its releases.
#[derive(Debug, Clone, Default, Deserialize)]
struct TrackerIssue {
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "releases_map_or_empty_list")]
    releases: BTreeMap<String, TrackerRelease>,
}

/// `releases` is an object, or `[]` for an issue no release carries (as the feed writes it).
fn releases_map_or_empty_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, TrackerRelease>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<String, TrackerRelease>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of releases or an empty list")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, TrackerRelease>()? {
                out.insert(k, v);
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::custom("releases is a non-empty list"));
            }
            Ok(BTreeMap::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
    }
    d.deserialize_any(V)
}

/// The status a tracker release entry means, with its fixed version; an error names what is wrong.
pub fn tracker_status(release: &TrackerRelease) -> Result<(Status, Option<String>), String> {
    match release.status.as_deref() {
        Some("resolved") => match release.fixed_version.as_deref().map(str::trim) {
            Some("0") => Ok((Status::NotAffected, None)),
            Some(v) if !v.is_empty() => {
                // dpkg only warns about some oddities, but a fixed version must start with a digit.
                let parsed = dockaudit_scan::version::dpkg::DpkgVersion::parse_with_warning(v)
                    .map_err(|e| format!("fixed_version: {e}"))?
                    .0;
                if !parsed.upstream().starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(format!("fixed_version {v:?} is not a version"));
                }
                Ok((Status::Fixed, Some(v.to_owned())))
            }
            _ => Err("resolved without a fixed_version".to_owned()),
        },
        Some("open") | Some("undetermined") => {
            let reason = release.nodsa_reason.as_deref().unwrap_or("").trim();
            let status = if release.urgency.as_deref().map(str::trim) == Some("end-of-life") {
                Status::EndOfLife
            } else if reason == "postponed" {
                Status::Deferred
            } else if reason == "ignored" || release.nodsa.is_some() {
                Status::WillNotFix
            } else {
                Status::AffectedUnfixed
            };
            Ok((status, None))
        }
        Some(other) => Err(format!("unknown status {other:?}")),
        None => Err("no status".to_owned()),
    }
}

/// The severity an urgency means.
pub fn urgency_severity(urgency: &str) -> Severity {
    match urgency.trim().trim_end_matches('*').trim() {
        "unimportant" => Severity::Negligible,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        _ => Severity::Unknown,
    }
}

fn note_for(release: &TrackerRelease, status: Status) -> Option<String> {
    let mut notes = Vec::new();
    if status.is_unfixed() {
        let reason = release.nodsa_reason.as_deref().unwrap_or("").trim();
        let word = match (status, reason) {
            (Status::Deferred, _) => Some("postponed"),
            (Status::WillNotFix, "ignored") => Some("ignored"),
            (Status::WillNotFix, _) => Some("no-dsa"),
            _ => None,
        };
        if let Some(word) = word {
            match release
                .nodsa
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(why) => notes.push(format!("{word}: {why}")),
                None => notes.push(word.to_owned()),
            }
        }
    }
    if release.urgency.as_deref().map(str::trim) == Some("end-of-life") {
        notes.push("end-of-life: Debian no longer supports this package in this release".into());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// The advisories (DSA, DLA) that fixed each (release, source package, CVE).
#[derive(Debug, Clone, Default)]
pub struct AdvisoryIndex {
    by_key: HashMap<(String, String, String), Vec<String>>,
    /// How many advisories the lists held.
    pub advisories: usize,
}

impl AdvisoryIndex {
    /// The advisory ids for a (release, package, CVE), oldest first.
    pub fn get(&self, release: &str, package: &str, cve: &str) -> &[String] {
        self.by_key
            .get(&(release.to_owned(), package.to_owned(), cve.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Adds one list's advisories.
    pub fn add(&mut self, list: &[ListedAdvisory]) {
        self.advisories += list.len();
        for adv in list {
            for fix in &adv.fixed_in {
                for cve in &adv.cves {
                    let ids = self
                        .by_key
                        .entry((fix.release.clone(), fix.package.clone(), cve.clone()))
                        .or_default();
                    if !ids.contains(&adv.id) {
                        ids.push(adv.id.clone());
                    }
                }
            }
        }
    }
}

/// One advisory of a DSA or DLA list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAdvisory {
    /// `DSA-5970-1`.
    pub id: String,
    /// The date as the list writes it (`31 Jul 2025`).
    pub date: String,
    /// The package in the header line.
    pub package: String,
    /// The CVEs it fixes (taken from the first advisory of its series when this one lists none, as
    /// regression updates do).
    pub cves: Vec<String>,
    /// Where it was fixed.
    pub fixed_in: Vec<ListedFix>,
}

/// A `[release] - package version` line of an advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFix {
    /// The release key (`12`), from the code name in brackets.
    pub release: String,
    /// The source package.
    pub package: String,
    /// The fixed version, when the line has one.
    pub version: Option<String>,
}

/// Parses a DSA or DLA list. The first non-blank line must be an advisory header (a page of HTML
/// from a captive portal is refused, not read as an empty list); lines that fit no pattern inside an
/// advisory are ignored, as the tracker's own tools do.
pub fn parse_advisory_list(text: &str, origin: &str) -> Result<Vec<ListedAdvisory>, FeedError> {
    let mut out: Vec<ListedAdvisory> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if !raw.starts_with(char::is_whitespace) {
            match parse_header(line) {
                Some(adv) => out.push(adv),
                None if out.is_empty() => {
                    return Err(FeedError::new(
                        origin,
                        format!(
                            "line {}: expected an advisory header like `[31 Jul 2025] DSA-5970-1 sope - security update`",
                            i + 1
                        ),
                    ))
                }
                None => {}
            }
            continue;
        }
        let Some(current) = out.last_mut() else {
            return Err(FeedError::new(
                origin,
                format!("line {}: indented line before any advisory", i + 1),
            ));
        };
        let body = line.trim();
        if let Some(inner) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
            current
                .cves
                .extend(inner.split_whitespace().map(str::to_owned));
            continue;
        }
        let body = body.strip_prefix("NOTE:").map(str::trim).unwrap_or(body);
        if let Some(fix) = parse_fixed_in(body) {
            current.fixed_in.push(fix);
        }
    }
    if out.is_empty() && !text.trim().is_empty() {
        return Err(FeedError::new(origin, "no advisories found"));
    }
    // Regression updates (DSA-2808-2) list no CVEs: they fix what their series' first one fixed.
    let mut series_cves: HashMap<String, Vec<String>> = HashMap::new();
    for adv in &out {
        if !adv.cves.is_empty() {
            series_cves
                .entry(series(&adv.id).to_owned())
                .or_insert_with(|| adv.cves.clone());
        }
    }
    for adv in &mut out {
        if adv.cves.is_empty() {
            if let Some(cves) = series_cves.get(series(&adv.id)) {
                adv.cves = cves.clone();
            }
        }
    }
    Ok(out)
}

/// `DSA-2808-2` → `DSA-2808`.
fn series(id: &str) -> &str {
    let mut parts = id.splitn(3, '-');
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
        return id;
    };
    &id[..a.len() + 1 + b.len()]
}

/// `[31 Jul 2025] DSA-5970-1 sope - security update`
fn parse_header(line: &str) -> Option<ListedAdvisory> {
    let rest = line.strip_prefix('[')?;
    let (date, rest) = rest.split_once(']')?;
    let mut words = rest.split_whitespace();
    let id = words.next()?;
    if !(id.starts_with("DSA-") || id.starts_with("DLA-") || id.starts_with("DTSA-")) {
        return None;
    }
    let package = words.next().unwrap_or("").to_owned();
    Some(ListedAdvisory {
        id: id.to_owned(),
        date: date.trim().to_owned(),
        package,
        cves: Vec::new(),
        fixed_in: Vec::new(),
    })
}

/// `[bookworm] - sope 5.8.0-1+deb12u1`
fn parse_fixed_in(body: &str) -> Option<ListedFix> {
    let rest = body.strip_prefix('[')?;
    let (codename, rest) = rest.split_once(']')?;
    let rest = rest.trim_start().strip_prefix('-')?.trim();
    let mut words = rest.split_whitespace();
    let package = words.next()?.to_owned();
    let version = words
        .next()
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_owned);
    Some(ListedFix {
        release: debian_release(codename),
        package,
        version,
    })
}

/// Reads a tracker feed from `reader` and hands each record to `sink`, one source package at a time.
/// `origin` (the URL or path) names the feed in every error. A feed that is not JSON, is cut short,
/// or has the wrong shape is an error; a single release entry that makes no sense (an unknown
/// status, a fixed version dpkg would refuse) is skipped and counted in the returned stats.
pub fn import_tracker<R: Read>(
    reader: R,
    origin: &str,
    advisories: &AdvisoryIndex,
    sink: &mut dyn FnMut(Advisory) -> Result<(), FeedError>,
) -> Result<ImportStats, FeedError> {
    let mut ctx = Ctx {
        advisories,
        sink,
        stats: ImportStats::default(),
        sink_error: None,
    };
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, reader));
    let result = TopSeed { ctx: &mut ctx }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(e) = ctx.sink_error.take() {
        return Err(e);
    }
    result.map_err(|e| FeedError::new(origin, format!("not a valid tracker JSON feed: {e}")))?;
    if ctx.stats.records == 0 {
        return Err(FeedError::new(origin, "the feed holds no records"));
    }
    Ok(ctx.stats)
}

struct Ctx<'a, 'b> {
    advisories: &'a AdvisoryIndex,
    sink: &'b mut dyn FnMut(Advisory) -> Result<(), FeedError>,
    stats: ImportStats,
    sink_error: Option<FeedError>,
}

impl Ctx<'_, '_> {
    fn package(
        &mut self,
        package: &str,
        issues: BTreeMap<String, TrackerIssue>,
    ) -> Result<(), FeedError> {
        for (id, issue) in issues {
            if !(id.starts_with("CVE-") || id.starts_with("TEMP-")) {
                self.stats
                    .skip(format!("{package} {id}: not a CVE or TEMP id"));
                continue;
            }
            let description = issue.description.as_deref().and_then(clip_description);
            for (codename, rel) in &issue.releases {
                let (status, fixed_version) = match tracker_status(rel) {
                    Ok(s) => s,
                    Err(why) => {
                        self.stats.skip(format!("{package} {id} {codename}: {why}"));
                        continue;
                    }
                };
                let release = debian_release(codename);
                let aliases = self.advisories.get(&release, package, &id).to_vec();
                let urgency = rel
                    .urgency
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty());
                let adv = Advisory {
                    distro: Distro::Debian,
                    release,
                    package: package.to_owned(),
                    id: id.clone(),
                    channel: None,
                    status,
                    fixed_version,
                    affected_through: None,
                    severity: urgency.map(urgency_severity).unwrap_or(Severity::Unknown),
                    rating: urgency.map(str::to_owned),
                    aliases,
                    description: description.clone(),
                    url: Some(format!("https://security-tracker.debian.org/tracker/{id}")),
                    source: TRACKER_SOURCE.to_owned(),
                    note: note_for(rel, status),
                };
                (self.sink)(adv)?;
                self.stats.records += 1;
            }
        }
        Ok(())
    }
}

struct TopSeed<'c, 'a, 'b> {
    ctx: &'c mut Ctx<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of source packages")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(package) = map.next_key::<String>()? {
            let issues: BTreeMap<String, TrackerIssue> = map.next_value()?;
            if let Err(e) = self.ctx.package(&package, issues) {
                self.ctx.sink_error = Some(e);
                return Err(de::Error::custom(
                    "stopped: the database could not take a record",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(
        status: &str,
        fixed: Option<&str>,
        nodsa: Option<&str>,
        reason: Option<&str>,
    ) -> TrackerRelease {
        TrackerRelease {
            status: Some(status.into()),
            fixed_version: fixed.map(Into::into),
            urgency: None,
            nodsa: nodsa.map(Into::into),
            nodsa_reason: reason.map(Into::into),
        }
    }

    #[test]
    fn statuses_mean_what_the_tracker_means() {
        let cases = [
            (
                rel("resolved", Some("0"), None, None),
                Status::NotAffected,
                None,
            ),
            (
                rel("resolved", Some("1.2-3"), None, None),
                Status::Fixed,
                Some("1.2-3"),
            ),
            (rel("open", None, None, None), Status::AffectedUnfixed, None),
            (
                rel("undetermined", None, None, None),
                Status::AffectedUnfixed,
                None,
            ),
            (
                rel("open", None, Some("Minor issue"), Some("")),
                Status::WillNotFix,
                None,
            ),
            (
                rel("open", None, Some("Minor issue"), None),
                Status::WillNotFix,
                None,
            ),
            (
                rel("open", None, Some("x"), Some("ignored")),
                Status::WillNotFix,
                None,
            ),
            (
                rel("open", None, None, Some("ignored")),
                Status::WillNotFix,
                None,
            ),
            (
                rel("open", None, Some("Revisit"), Some("postponed")),
                Status::Deferred,
                None,
            ),
            // A fix that already landed wins over an old no-dsa mark.
            (
                rel("resolved", Some("2.0-1"), Some("Minor issue"), None),
                Status::Fixed,
                Some("2.0-1"),
            ),
        ];
        for (r, status, fixed) in cases {
            assert_eq!(
                tracker_status(&r),
                Ok((status, fixed.map(str::to_owned))),
                "{r:?}"
            );
        }
        assert!(tracker_status(&rel("resolved", None, None, None)).is_err());
        assert!(tracker_status(&rel("resolved", Some("undetermined"), None, None)).is_err());
        assert!(tracker_status(&rel("fixed?", None, None, None)).is_err());
        assert!(tracker_status(&TrackerRelease::default()).is_err());
    }

    #[test]
    fn urgencies() {
        assert_eq!(urgency_severity("high**"), Severity::High);
        assert_eq!(urgency_severity("low*"), Severity::Low);
        assert_eq!(urgency_severity("unimportant"), Severity::Negligible);
        assert_eq!(urgency_severity("not yet assigned"), Severity::Unknown);
        assert_eq!(urgency_severity("end-of-life"), Severity::Unknown);
    }

    #[test]
    fn advisory_lists() {
        let text = "[16 Dec 2013] DSA-2808-1 openjpeg - several\n\t{CVE-2013-1 CVE-2013-2}\n\t[wheezy] - openjpeg 1.3+dfsg-4.7\n\
                    [22 Apr 2014] DSA-2808-2 openjpeg - regression update\n\t[squeeze] - openjpeg 1.3+dfsg-4+squeeze3\n\
                    \tNOTE: [wheezy] - openjpeg 1.3+dfsg-4.8\n[07 Jun 2015] DSA-3281-1 Debian Security Team PGP/GPG key change notice\n";
        let list = parse_advisory_list(text, "x").expect("ok");
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].cves, ["CVE-2013-1", "CVE-2013-2"]);
        assert_eq!(list[1].fixed_in.len(), 2);
        assert_eq!(list[1].fixed_in[0].release, "6");
        assert_eq!(list[1].fixed_in[1].version.as_deref(), Some("1.3+dfsg-4.8"));
        let mut index = AdvisoryIndex::default();
        index.add(&list);
        assert_eq!(
            index.get("7", "openjpeg", "CVE-2013-2"),
            ["DSA-2808-1", "DSA-2808-2"]
        );
        assert!(parse_advisory_list("<html><body>captive portal</body></html>", "u").is_err());
        assert!(parse_advisory_list("", "u").expect("empty").is_empty());
    }
}
