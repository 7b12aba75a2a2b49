//! Debian package versions, `[epoch:]upstream_version[-debian_revision]`, ordered as
//! `dpkg --compare-versions` orders them.
//!
//! The order (Debian Policy §5.6.12, dpkg's `verrevcmp`): epochs compare as numbers; then the upstream
//! versions, then the revisions, each compared as alternating runs of non-digits and digits. In a
//! non-digit run `~` sorts before everything, even the end of the string, then the end of the run,
//! then ASCII letters, then every other character (by byte value); digit runs compare as numbers.
//! So `1.0~rc1 < 1.0 < 1.0a < 1.0+b1 < 1.0.1`. A missing revision equals `0`.
//!
//! [`DpkgVersion::parse`] applies dpkg's own syntax checks (`parseversion` in libdpkg) and quotes its
//! messages. [`compare`] accepts any string: what dpkg would refuse is split the same way as far as it
//! can be (an epoch only if the text before the first colon is all digits), so a damaged version still
//! sorts deterministically.

use std::cmp::Ordering;
use std::fmt;

use super::{cmp_digit_runs, VersionError};

const SCHEME: &str = "dpkg";

/// A Debian version that dpkg accepts.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    epoch: u32,
    upstream: String,
    revision: String,
    text: String,
}

impl DpkgVersion {
    /// Parses a version with dpkg's syntax checks, warnings included (a version that dpkg would only
    /// warn about, such as `1.0#2` or `a1.0`, is refused here too; see [`Self::parse_with_warning`]).
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        match Self::parse_with_warning(s)? {
            (v, None) => Ok(v),
            (_, Some(warning)) => Err(warning),
        }
    }

    /// Parses a version as dpkg does when it reads its database: errors refuse the version, while
    /// what dpkg only warns about (an upstream version not starting with a digit, characters outside
    /// the allowed set) gives the version together with the warning.
    pub fn parse_with_warning(s: &str) -> Result<(Self, Option<VersionError>), VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, s, reason);
        let trimmed = s.trim_matches(|c| c == ' ' || c == '\t');
        if trimmed.is_empty() {
            return Err(err("version string is empty"));
        }
        if trimmed.contains([' ', '\t']) {
            return Err(err("version string has embedded spaces"));
        }
        let (epoch, rest) = match trimmed.find(':') {
            Some(colon) => {
                let digits = &trimmed[..colon];
                let unsigned = digits.strip_prefix('+').unwrap_or(digits);
                if digits.starts_with('-')
                    && digits.len() > 1
                    && digits[1..].bytes().all(|c| c.is_ascii_digit())
                {
                    return Err(err("epoch in version is negative"));
                }
                if unsigned.is_empty() || !unsigned.as_bytes()[0].is_ascii_digit() {
                    return Err(err("epoch in version is empty"));
                }
                if !unsigned.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(err("epoch in version is not number"));
                }
                let epoch = unsigned
                    .parse::<u32>()
                    .ok()
                    .filter(|&e| e <= i32::MAX as u32)
                    .ok_or_else(|| err("epoch in version is too big"))?;
                let rest = &trimmed[colon + 1..];
                if rest.is_empty() {
                    return Err(err("nothing after colon in version number"));
                }
                (epoch, rest)
            }
            None => (0, trimmed),
        };
        let (upstream, revision) = match rest.rfind('-') {
            Some(hyphen) => {
                let revision = &rest[hyphen + 1..];
                if revision.is_empty() {
                    return Err(err("revision number is empty"));
                }
                (&rest[..hyphen], revision)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err("version number is empty"));
        }
        let version = Self {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
            text: trimmed.to_owned(),
        };
        let warning = if !upstream.as_bytes()[0].is_ascii_digit() {
            Some("version number does not start with digit")
        } else if !upstream
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-+~:".contains(&c))
        {
            Some("invalid character in version number")
        } else if !revision
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".+~".contains(&c))
        {
            Some("invalid character in revision number")
        } else {
            None
        };
        Ok((version, warning.map(err)))
    }

    /// The epoch (0 when the version has none).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version: between the epoch's colon and the last hyphen.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision after the last hyphen, empty when there is none.
    pub fn revision(&self) -> &str {
        &self.revision
    }

    /// The version as it was written (surrounding blanks removed).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equality is dpkg's: `1.0` equals `1.00`, `0:1.0` and `1.0-0`.
impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

/// Compares two Debian versions as `dpkg --compare-versions` does; any string is accepted.
pub fn compare(a: &str, b: &str) -> Ordering {
    let a = split_lenient(a);
    let b = split_lenient(b);
    cmp_digit_runs(a.0, b.0)
        .then_with(|| verrevcmp(a.1, b.1))
        .then_with(|| verrevcmp(a.2, b.2))
}

/// Splits into (epoch digits, upstream, revision) without refusing anything.
fn split_lenient(s: &str) -> (&[u8], &[u8], &[u8]) {
    let s = s.trim_matches(|c| c == ' ' || c == '\t').as_bytes();
    let (epoch, rest): (&[u8], &[u8]) = match s.iter().position(|&c| c == b':') {
        Some(colon) if colon > 0 && s[..colon].iter().all(u8::is_ascii_digit) => {
            (&s[..colon], &s[colon + 1..])
        }
        _ => (b"", s),
    };
    match rest.iter().rposition(|&c| c == b'-') {
        Some(hyphen) => (epoch, &rest[..hyphen], &rest[hyphen + 1..]),
        None => (epoch, rest, b""),
    }
}

/// The weight of one character in a non-digit run (dpkg's `order`); `None` is the end of the run.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        // dpkg computes `c + 256` on a (signed, on the usual platforms) `char`, so bytes above 0x7f
        // weigh 128..255: after the letters, before ASCII punctuation.
        Some(c) => i32::from(c as i8) + 256,
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(|c| !c.is_ascii_digit())
            || b.get(j).is_some_and(|c| !c.is_ascii_digit())
        {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        let da = digit_run(a, i);
        let db = digit_run(b, j);
        let by_value = cmp_digit_runs(&a[i..da], &b[j..db]);
        if by_value != Ordering::Equal {
            return by_value;
        }
        i = da;
        j = db;
    }
    Ordering::Equal
}

fn digit_run(s: &[u8], from: usize) -> usize {
    let from = from.min(s.len());
    from + s[from..].iter().take_while(|c| c.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn policy_examples() {
        assert_eq!(compare("1.0~rc1", "1.0"), Less);
        assert_eq!(compare("1.0~~", "1.0~"), Less);
        assert_eq!(compare("1.0", "1.0a"), Less);
        assert_eq!(compare("1.0a", "1.0+"), Less);
        assert_eq!(compare("1.0", "1.0-0"), Equal);
        assert_eq!(compare("0:1.0", "1.0"), Equal);
        assert_eq!(compare("1:0.1", "2.0"), Greater);
        assert_eq!(compare("1.01", "1.1"), Equal);
        assert_eq!(compare("2.31.1-0.4ubuntu3.1", "2.31.1-0.4ubuntu3"), Greater);
    }

    #[test]
    fn parse_splits_and_checks() {
        let v = DpkgVersion::parse("1:2.31.1-0.4ubuntu3.1").expect("valid");
        assert_eq!(
            (v.epoch(), v.upstream(), v.revision()),
            (1, "2.31.1", "0.4ubuntu3.1")
        );
        let v = DpkgVersion::parse("5.1.1alpha+20120614-2").expect("valid");
        assert_eq!(
            (v.epoch(), v.upstream(), v.revision()),
            (0, "5.1.1alpha+20120614", "2")
        );
        let v = DpkgVersion::parse("1.2-3-4").expect("valid");
        assert_eq!((v.upstream(), v.revision()), ("1.2-3", "4"));
        for (bad, why) in [
            ("", "version string is empty"),
            ("1 2", "version string has embedded spaces"),
            ("a:1", "epoch in version is empty"),
            ("1a:1", "epoch in version is not number"),
            ("99999999999:1", "epoch in version is too big"),
            ("1:", "nothing after colon in version number"),
            ("1.0-", "revision number is empty"),
            ("1:-1", "version number is empty"),
            ("1:5.#", "invalid character in version number"),
            ("a1.0", "version number does not start with digit"),
            ("1.0-a_b", "invalid character in revision number"),
        ] {
            let e = DpkgVersion::parse(bad).expect_err(bad);
            assert_eq!(e.reason, why, "{bad}");
        }
        let (v, warning) = DpkgVersion::parse_with_warning("1:5.#").expect("only a warning");
        assert_eq!(v.epoch(), 1);
        assert!(warning.is_some());
    }

    #[test]
    fn parsed_order_matches_compare() {
        let a = DpkgVersion::parse("1:1.0-1").expect("valid");
        let b = DpkgVersion::parse("1:1.0-1ubuntu1").expect("valid");
        assert!(a < b);
        assert_eq!(a.cmp(&b), compare(a.as_str(), b.as_str()));
    }
}
