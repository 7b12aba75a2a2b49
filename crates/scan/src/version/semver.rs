//! Semantic Versioning 2.0 order, as npm (node-semver), Cargo, Go modules and NuGet apply it:
//! `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`; a prerelease sorts before its release; prerelease
//! identifiers compare numerically when both are numeric, numeric before alphanumeric, otherwise
//! in ASCII order, and a shorter list of equal prefix first; build metadata is ignored.
//!
//! [`compare`] is lenient the way node-semver's `loose` mode is (a leading `v` or `=`, missing
//! minor or patch read as 0), and orders strings that are not versions at all after every version,
//! among themselves by their text, so it stays a total order.

use std::cmp::Ordering;

use super::{cmp_digit_runs, VersionError};

/// A parsed semantic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer<'a> {
    /// Numeric release parts (three for SemVer; NuGet allows four).
    pub release: Vec<&'a str>,
    /// Prerelease identifiers (empty for a release).
    pub pre: Vec<&'a str>,
}

impl<'a> SemVer<'a> {
    /// Parses a version, allowing up to `max_parts` numeric parts (missing ones are 0) and a
    /// leading `v`, `V` or `=`.
    pub fn parse(text: &'a str, max_parts: usize) -> Result<Self, VersionError> {
        let err = |why: &str| VersionError::new("semver", text, why);
        let t = text.trim();
        let t = t.strip_prefix('=').unwrap_or(t);
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let t = t.split_once('+').map_or(t, |(v, _)| v);
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (t, None),
        };
        let release: Vec<&str> = core.split('.').collect();
        if release.is_empty() || release.len() > max_parts {
            return Err(err("wrong number of release parts"));
        }
        if release
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(err("release parts must be numbers"));
        }
        let pre: Vec<&str> = match pre {
            Some(p) => p.split('.').collect(),
            None => Vec::new(),
        };
        if pre
            .iter()
            .any(|i| i.is_empty() || !i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(err("bad prerelease identifier"));
        }
        Ok(SemVer { release, pre })
    }

    /// The order of two versions (`case_insensitive` prereleases for NuGet).
    pub fn cmp_with(&self, other: &Self, case_insensitive: bool) -> Ordering {
        let n = self.release.len().max(other.release.len());
        for i in 0..n {
            let a = self.release.get(i).copied().unwrap_or("0");
            let b = other.release.get(i).copied().unwrap_or("0");
            let o = cmp_digit_runs(a.as_bytes(), b.as_bytes());
            if o != Ordering::Equal {
                return o;
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let o = cmp_identifier(a, b, case_insensitive);
            if o != Ordering::Equal {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

fn cmp_identifier(a: &str, b: &str, case_insensitive: bool) -> Ordering {
    let num = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    match (num(a), num(b)) {
        (true, true) => cmp_digit_runs(a.as_bytes(), b.as_bytes()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) if case_insensitive => a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()),
        (false, false) => a.cmp(b),
    }
}

/// Compares two SemVer strings (three parts); never fails (see the module's comment).
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_parts(a, b, 3, false)
}

/// Compares with up to `max_parts` release parts; non-versions last, by text.
pub(crate) fn compare_parts(a: &str, b: &str, max_parts: usize, ci: bool) -> Ordering {
    match (SemVer::parse(a, max_parts), SemVer::parse(b, max_parts)) {
        (Ok(x), Ok(y)) => x.cmp_with(&y, ci),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_specs_example_order() {
        // semver.org §11's list, in order.
        let list = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in list.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(compare("v1.2.3+build.5", "1.2.3"), Ordering::Equal);
        assert_eq!(compare("1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(compare("not a version", "1.0.0"), Ordering::Greater);
    }

    proptest! {
        #[test]
        fn total_order(a in "[0-9v.a-z+-]{0,12}", b in "[0-9v.a-z+-]{0,12}", c in "[0-9v.a-z+-]{0,12}") {
            prop_assert_eq!(compare(&a, &a), Ordering::Equal);
            prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            if compare(&a, &b) != Ordering::Greater && compare(&b, &c) != Ordering::Greater {
                prop_assert_ne!(compare(&a, &c), Ordering::Greater);
            }
        }
    }
}
