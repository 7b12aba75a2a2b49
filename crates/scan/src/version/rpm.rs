//! RPM versions, `[epoch:]version[-release]`, ordered as rpm orders them (`rpmvercmp` for each part,
//! `rpm.vercmp` in rpm's Lua for the whole).
//!
//! `rpmvercmp` walks both strings segment by segment. Characters that are neither ASCII letters nor
//! digits nor `~` nor `^` only separate segments (so `1.0`, `1_0` and `1-0` are equal). A digit segment
//! compares as a number and beats a letter segment; letter segments compare as bytes. `~` sorts before
//! everything, even the end of the string (`1.0~rc1 < 1.0`); `^` sorts after the end of the string but
//! before anything else (`1.0 < 1.0^git1 < 1.0.1`). When all segments are equal, the string with
//! segments left over is the newer.
//!
//! The epoch is the run of digits before a colon (missing means 0), the release is what follows the
//! last hyphen. Epochs, then versions, then releases are compared; a missing release sorts before
//! any release, as rpm 4.18's `rpm.vercmp` has it (`1.0 < 1.0-1`).

use std::cmp::Ordering;
use std::fmt;

use super::{cmp_digit_runs, VersionError};

const SCHEME: &str = "rpm";

/// An RPM epoch-version-release.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: Option<String>,
    version: String,
    release: Option<String>,
    text: String,
}

impl RpmVersion {
    /// Parses `[epoch:]version[-release]` as rpm's `rpmverParse` splits it. Refused: an empty version,
    /// an empty release after a hyphen, and an epoch that does not fit in 32 bits.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, s, reason);
        let (epoch, version, release) = split(s);
        if version.is_empty() {
            return Err(err("version is empty"));
        }
        if release == Some("") {
            return Err(err("release after '-' is empty"));
        }
        if let Some(e) = epoch {
            if e.parse::<u32>().is_err() && !e.is_empty() {
                return Err(err("epoch does not fit in 32 bits"));
            }
        }
        Ok(Self {
            epoch: epoch.map(|e| {
                if e.is_empty() {
                    "0".to_owned()
                } else {
                    e.to_owned()
                }
            }),
            version: version.to_owned(),
            release: release.map(str::to_owned),
            text: s.to_owned(),
        })
    }

    /// Builds a version from its parts, as an RPM header stores them.
    pub fn from_parts(epoch: Option<u32>, version: &str, release: Option<&str>) -> Self {
        let mut text = String::new();
        if let Some(e) = epoch {
            text.push_str(&format!("{e}:"));
        }
        text.push_str(version);
        if let Some(r) = release {
            text.push('-');
            text.push_str(r);
        }
        Self {
            epoch: epoch.map(|e| e.to_string()),
            version: version.to_owned(),
            release: release.map(str::to_owned),
            text,
        }
    }

    /// The epoch as written, `None` when there is none (it then counts as 0).
    pub fn epoch(&self) -> Option<&str> {
        self.epoch.as_deref()
    }

    /// The version part.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The release part, `None` when there is none.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }

    /// The text this was parsed from (or built as `[epoch:]version[-release]`).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(
            (
                self.epoch.as_deref(),
                &self.version,
                self.release.as_deref(),
            ),
            (
                other.epoch.as_deref(),
                &other.version,
                other.release.as_deref(),
            ),
        )
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equality is rpm's: `1.0` equals `1_0` and `0:1.0`.
impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

/// Compares two `[epoch:]version[-release]` strings as rpm does; any string is accepted.
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_parts(split(a), split(b))
}

type Parts<'a> = (Option<&'a str>, &'a str, Option<&'a str>);

fn cmp_parts(a: Parts<'_>, b: Parts<'_>) -> Ordering {
    let epoch =
        |e: Option<&str>| -> String { e.filter(|e| !e.is_empty()).unwrap_or("0").to_owned() };
    rpmvercmp(&epoch(a.0), &epoch(b.0))
        .then_with(|| rpmvercmp(a.1, b.1))
        .then_with(|| rpmvercmp(a.2.unwrap_or(""), b.2.unwrap_or("")))
}

/// rpm's `rpmverParse`: the epoch is a run of digits ended by a colon, the release follows the last
/// hyphen after it.
fn split(s: &str) -> Parts<'_> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = if s.as_bytes().get(digits) == Some(&b':') {
        (Some(&s[..digits]), &s[digits + 1..])
    } else {
        (None, s)
    };
    match rest.rfind('-') {
        Some(h) => (epoch, &rest[..h], Some(&rest[h + 1..])),
        None => (epoch, rest, None),
    }
}

/// rpm's `rpmvercmp` on one part (epoch, version or release).
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let separator = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(separator) {
            i += 1;
        }
        while b.get(j).is_some_and(separator) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(first), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = first.is_ascii_digit();
        let in_segment = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let end_a = i + a[i..].iter().take_while(|c| in_segment(c)).count();
        let end_b = j + b[j..].iter().take_while(|c| in_segment(c)).count();
        let (seg_a, seg_b) = (&a[i..end_a], &b[j..end_b]);
        if seg_b.is_empty() {
            // Segments of different kinds: a number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let by_segment = if numeric {
            cmp_digit_runs(seg_a, seg_b)
        } else {
            seg_a.cmp(seg_b)
        };
        if by_segment != Ordering::Equal {
            return by_segment;
        }
        i = end_a;
        j = end_b;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, _) => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn rpm_examples() {
        // From rpm's own test suite (tests/rpmvercmp.at).
        assert_eq!(rpmvercmp("1.0", "1.0"), Equal);
        assert_eq!(rpmvercmp("1.0", "2.0"), Less);
        assert_eq!(rpmvercmp("2.0.1a", "2.0.1"), Greater);
        assert_eq!(rpmvercmp("5.5p1", "5.5p2"), Less);
        assert_eq!(rpmvercmp("10xyz", "10.1xyz"), Less);
        assert_eq!(rpmvercmp("xyz10", "xyz10.1"), Less);
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Less);
        assert_eq!(rpmvercmp("1.0~rc1", "1.0~rc2"), Less);
        assert_eq!(rpmvercmp("1.0^", "1.0"), Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.01"), Less);
        assert_eq!(rpmvercmp("1.0^git1~pre", "1.0^git1"), Less);
        assert_eq!(rpmvercmp("a", "1"), Less);
        assert_eq!(rpmvercmp("1.0.", "1.0"), Equal);
    }

    #[test]
    fn evr() {
        assert_eq!(compare("1:1.0-1", "2.0-1"), Greater);
        assert_eq!(compare("0:1.0-1", "1.0-1"), Equal);
        assert_eq!(compare("1.0", "1.0-1"), Less);
        let v = RpmVersion::parse("2:1.2.3-4.el9").expect("valid");
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            (Some("2"), "1.2.3", Some("4.el9"))
        );
        assert_eq!(
            RpmVersion::from_parts(Some(1), "2.0.0", Some("1.cm2")).as_str(),
            "1:2.0.0-1.cm2"
        );
        assert!(RpmVersion::parse("1.0-").is_err());
        assert!(RpmVersion::parse("").is_err());
    }
}
