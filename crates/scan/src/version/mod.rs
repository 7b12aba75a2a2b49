//! Version comparison for the three package formats dockaudit reads: Debian's dpkg, Red Hat's rpm and
//! Alpine's apk; and for the application ecosystems ([`ecosystem`]: PEP 440, SemVer, Maven, Go,
//! RubyGems, NuGet, Composer).
//!
//! Each submodule has a parsed type (strict: it refuses what the package manager refuses) and a
//! `compare(a, b) -> Ordering` over plain strings that never fails and never panics, so a matcher can
//! order whatever a database or a feed holds. `compare` is a total preorder on all strings
//! (reflexive, antisymmetric up to `Equal`, transitive), which the property tests check.

use std::cmp::Ordering;

pub mod apk;
pub mod dpkg;
pub mod ecosystem;
pub mod maven;
pub mod pep440;
pub mod rpm;
pub mod semver;

/// A version string that its package manager would refuse, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {version:?}: {reason}")]
pub struct VersionError {
    /// Which package manager's syntax was applied.
    pub scheme: &'static str,
    /// The version as given.
    pub version: String,
    /// What is wrong with it, in the package manager's own words where it has them.
    pub reason: String,
}

impl VersionError {
    pub(crate) fn new(scheme: &'static str, version: &str, reason: impl Into<String>) -> Self {
        Self {
            scheme,
            version: version.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Compares two runs of ASCII digits as the numbers they spell, whatever their length (no overflow):
/// leading zeros are ignored, then the longer number is the larger, then the digits decide.
pub(crate) fn cmp_digit_runs(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_leading_zeros(a);
    let b = strip_leading_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_leading_zeros(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| c != b'0').unwrap_or(s.len());
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_compare_as_numbers() {
        assert_eq!(cmp_digit_runs(b"10", b"9"), Ordering::Greater);
        assert_eq!(cmp_digit_runs(b"007", b"7"), Ordering::Equal);
        assert_eq!(cmp_digit_runs(b"", b"0"), Ordering::Equal);
        assert_eq!(
            cmp_digit_runs(
                b"123456789012345678901234567890",
                b"123456789012345678901234567891"
            ),
            Ordering::Less
        );
    }
}
