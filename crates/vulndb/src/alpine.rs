//! Alpine: the secdb, one file per release and repository
//! (`https://secdb.alpinelinux.org/v3.NN/{main,community}.json`, also served as `.yaml`).
//!
//! Each file lists packages (by origin, i.e. source, name) with `secfixes`: fixed version → the ids
//! fixed in it. The key `0` lists ids that never affected Alpine's package (not-affected). The secdb
//! has no unfixed issues and no severities: every record here is fixed or not-affected, with
//! severity unknown. An id line may hold several ids (`CVE-2018-1000 XSA-123`): each CVE becomes a
//! record and the other ids its aliases.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::schema::{Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "alpine-secdb";
/// The secdb's address; release files are under `v3.NN/`.
pub const SECDB_URL: &str = "https://secdb.alpinelinux.org";
/// The repositories a release has.
pub const REPOSITORIES: &[&str] = &["main", "community"];

/// The two forms the secdb is published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecdbFormat {
    /// `main.json`.
    Json,
    /// `main.yaml`.
    Yaml,
}

impl SecdbFormat {
    /// The form a file name's extension says, if any.
    pub fn from_file_name(name: &str) -> Option<Self> {
        if name.ends_with(".json") {
            Some(Self::Json)
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            Some(Self::Yaml)
        } else {
            None
        }
    }

    /// The form of some bytes: JSON when the first non-blank byte is `{`.
    pub fn sniff(bytes: &[u8]) -> Self {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::Json,
            _ => Self::Yaml,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Secdb {
    #[serde(default)]
    distroversion: Option<Scalar>,
    #[serde(default)]
    packages: Option<Vec<PackageEntry>>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry {
    pkg: Package,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: Scalar,
    #[serde(default)]
    secfixes: Option<BTreeMap<Scalar, Option<Vec<Option<Scalar>>>>>,
}

/// A YAML or JSON scalar read as text whatever its type (`0:` is an integer key in YAML).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads one secdb file. `release_hint` (from the file's place, `v3.15` or `3.15`) is used when the
/// file does not say its `distroversion`. A file that is not JSON/YAML of the secdb's shape, or names
/// no release, is an error; a fixed version apk would refuse is skipped and counted.
pub fn parse_secdb(
    bytes: &[u8],
    origin: &str,
    format: SecdbFormat,
    release_hint: Option<&str>,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let doc = read_secdb(bytes, origin, format)?;
    let release = doc
        .distroversion
        .as_ref()
        .map(|s| s.0.as_str())
        .or(release_hint)
        .and_then(release_key)
        .ok_or_else(|| {
            FeedError::new(
                origin,
                format!(
                    "no usable release (distroversion {:?})",
                    doc.distroversion.as_ref().map(|s| &s.0)
                ),
            )
        })?;
    secdb_records(
        doc,
        origin,
        &SecdbOf {
            distro: Distro::Alpine,
            release,
            source: SOURCE,
            url: |id| format!("https://security.alpinelinux.org/vuln/{id}"),
        },
    )
}

/// Whose secdb a file is: Alpine's, or one in Alpine's format (Wolfi's, Chainguard's).
pub struct SecdbOf {
    /// The distribution the records are about.
    pub distro: Distro,
    /// The release they are keyed under.
    pub release: String,
    /// The source name in the database.
    pub source: &'static str,
    /// The page about an id.
    pub url: fn(&str) -> String,
}

/// Reads a secdb file in Alpine's format for another distribution (Wolfi and Chainguard publish
/// theirs so: one rolling release, no `distroversion`).
pub fn parse_secdb_of(
    bytes: &[u8],
    origin: &str,
    of: &SecdbOf,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let doc = read_secdb(bytes, origin, SecdbFormat::sniff(bytes))?;
    secdb_records(doc, origin, of)
}

fn read_secdb(bytes: &[u8], origin: &str, format: SecdbFormat) -> Result<Secdb, FeedError> {
    Ok(match format {
        SecdbFormat::Json => serde_json::from_slice(bytes)
            .map_err(|e| FeedError::new(origin, format!("not a valid secdb JSON file: {e}")))?,
        SecdbFormat::Yaml => {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| FeedError::new(origin, format!("not UTF-8: {e}")))?;
            serde_saphyr::from_str(text)
                .map_err(|e| FeedError::new(origin, format!("not a valid secdb YAML file: {e}")))?
        }
    })
}

fn secdb_records(
    doc: Secdb,
    origin: &str,
    of: &SecdbOf,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let Some(packages) = doc.packages else {
        return Err(FeedError::new(origin, "no `packages` list"));
    };
    let mut stats = ImportStats::default();
    let mut out = Vec::new();
    for entry in packages {
        let name = entry.pkg.name.0.trim().to_owned();
        if name.is_empty() {
            stats.skip("a package without a name");
            continue;
        }
        for (version, lines) in entry.pkg.secfixes.unwrap_or_default() {
            let version = version.0.trim();
            let (status, fixed_version) = if version == "0" {
                (Status::NotAffected, None)
            } else if let Err(e) = dockaudit_scan::version::apk::ApkVersion::parse(version) {
                stats.skip(format!("{name} {version}: {e}"));
                continue;
            } else {
                (Status::Fixed, Some(version.to_owned()))
            };
            for line in lines.unwrap_or_default().into_iter().flatten() {
                let ids: Vec<&str> = line
                    .0
                    .split_whitespace()
                    .filter(|t| looks_like_id(t))
                    .collect();
                let cves: Vec<&str> = ids
                    .iter()
                    .copied()
                    .filter(|t| t.starts_with("CVE-"))
                    .collect();
                let primaries = if cves.is_empty() {
                    ids.first().copied().into_iter().collect()
                } else {
                    cves
                };
                if primaries.is_empty() {
                    stats.skip(format!("{name} {version}: no id in {:?}", line.0));
                    continue;
                }
                for id in &primaries {
                    let aliases = ids
                        .iter()
                        .filter(|t| !primaries.contains(t))
                        .map(|t| (*t).to_owned())
                        .collect();
                    out.push(Advisory {
                        distro: of.distro,
                        release: of.release.clone(),
                        package: name.clone(),
                        id: (*id).to_owned(),
                        channel: None,
                        status,
                        fixed_version: fixed_version.clone(),
                        affected_through: None,
                        severity: Severity::Unknown,
                        rating: None,
                        aliases,
                        description: None,
                        url: Some((of.url)(id)),
                        source: of.source.to_owned(),
                        note: None,
                    });
                    stats.records += 1;
                }
            }
        }
    }
    Ok((out, stats))
}

/// `CVE-2022-1271`, `XSA-123`, `GHSA-xxxx-…`: upper-case letters, a dash, then no parentheses.
fn looks_like_id(token: &str) -> bool {
    let Some((prefix, rest)) = token.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && prefix.as_bytes()[0].is_ascii_uppercase()
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b':'))
}

/// `v3.15` / `3.15` → `3.15`; `edge` → `edge`; anything else → `None`.
pub fn release_key(text: &str) -> Option<String> {
    let t = text.trim().trim_end_matches('/');
    if t == "edge" {
        return Some("edge".to_owned());
    }
    let t = t.strip_prefix('v').unwrap_or(t);
    let (major, minor) = t.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    (digits(major) && digits(minor)).then(|| format!("{major}.{minor}"))
}

/// The releases an index page of the secdb links to (`href="v3.15/"`, `href="edge/"`), as the
/// directory names (`v3.15`, `edge`), sorted and without repeats.
pub fn parse_index(html: &str) -> Vec<String> {
    let mut out: Vec<String> = html
        .split("href=")
        .skip(1)
        .filter_map(|rest| {
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let inner = rest[1..].split(quote).next()?;
            let name = inner.trim_start_matches("./").trim_end_matches('/');
            (!name.contains('/') && release_key(name).is_some()).then(|| name.to_owned())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_read_the_same() {
        let yaml = "distroversion: v3.99\npackages:\n- pkg:\n    name: zlib\n    secfixes:\n      0:\n      - CVE-2000-1\n      1.2.12-r0:\n      - CVE-2018-25032 XSA-7\n      1.2.13-r0:\n";
        let json = r#"{"distroversion":"v3.99","packages":[{"pkg":{"name":"zlib","secfixes":{"0":["CVE-2000-1"],"1.2.12-r0":["CVE-2018-25032 XSA-7"],"1.2.13-r0":null}}}]}"#;
        let (a, sa) = parse_secdb(yaml.as_bytes(), "y", SecdbFormat::Yaml, None).expect("yaml");
        let (b, sb) = parse_secdb(json.as_bytes(), "j", SecdbFormat::Json, None).expect("json");
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].status, Status::NotAffected);
        assert_eq!(a[0].release, "3.99");
        assert_eq!(a[1].fixed_version.as_deref(), Some("1.2.12-r0"));
        assert_eq!(a[1].aliases, ["XSA-7"]);
    }

    #[test]
    fn bad_versions_are_skipped_and_bad_files_refused() {
        let json = r#"{"distroversion":"v3.1","packages":[{"pkg":{"name":"x","secfixes":{"not a version":["CVE-1-2"]}}}]}"#;
        let (a, s) = parse_secdb(json.as_bytes(), "j", SecdbFormat::Json, None).expect("ok");
        assert!(a.is_empty());
        assert_eq!(s.skipped, 1);
        assert!(parse_secdb(b"{\"packages\": [", "t", SecdbFormat::Json, Some("v3.1")).is_err());
        assert!(
            parse_secdb(b"packages: [] ", "t", SecdbFormat::Yaml, None).is_err(),
            "no release"
        );
        assert!(parse_secdb(b"<html>", "t", SecdbFormat::Yaml, Some("v3.1")).is_err());
    }

    #[test]
    fn releases() {
        assert_eq!(release_key("v3.15").as_deref(), Some("3.15"));
        assert_eq!(release_key("edge").as_deref(), Some("edge"));
        assert_eq!(release_key("v3").as_deref(), None);
        let html = r#"<a href="../">../</a><a href="v3.15/">v3.15/</a> <a href='edge/'>edge</a><a href="v3.9/">x</a><a href="license.txt">l</a><a href="v3.15/">dup</a>"#;
        assert_eq!(parse_index(html), ["edge", "v3.15", "v3.9"]);
    }
}
