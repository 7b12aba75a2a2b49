//! Version order per application ecosystem, by OSV's ecosystem name: PEP 440 for `PyPI`, SemVer
//! for `npm` and `crates.io`, Go module versions for `Go`, Maven's order for `Maven`, RubyGems'
//! `Gem::Version` for `RubyGems`, NuGet's for `NuGet`, Composer's for `Packagist`.
//!
//! Go module versions are SemVer with a `v`; pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`)
//! are prereleases and sort as such; `+incompatible` is build metadata and ignored. The Go
//! toolchain's own versions (`go1.21.3`, `go1.22rc1`, the `stdlib` package's) are read as
//! `1.21.3` and `1.22.0-rc.1`, as Go's vulnerability database writes them.

use std::cmp::Ordering;

use super::{cmp_digit_runs, maven, pep440, semver};

/// The ecosystems [`compare`] knows.
pub const ECOSYSTEMS: &[&str] = &[
    "PyPI",
    "npm",
    "Go",
    "Maven",
    "RubyGems",
    "crates.io",
    "Packagist",
    "NuGet",
];

/// Compares two versions of a package of `ecosystem`; never fails. An unknown ecosystem compares
/// the texts.
pub fn compare(ecosystem: &str, a: &str, b: &str) -> Ordering {
    match ecosystem {
        "PyPI" => pep440::compare(a, b),
        "npm" | "crates.io" => semver::compare(a, b),
        "Go" => semver::compare(&go_version(a), &go_version(b)),
        "Maven" => maven::compare(a, b),
        "RubyGems" => rubygems(a, b),
        "NuGet" => semver::compare_parts(a, b, 4, true),
        "Packagist" => composer(a, b),
        _ => a.cmp(b),
    }
}

/// A Go version as SemVer: `go1.21` → `1.21.0`, `go1.22rc1` → `1.22.0-rc.1`, `v1.2.3` as is.
pub fn go_version(v: &str) -> String {
    let Some(rest) = v.strip_prefix("go") else {
        return v.to_owned();
    };
    let split = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let (numbers, pre) = rest.split_at(split);
    let mut parts: Vec<&str> = numbers.split('.').collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut out = parts.join(".");
    if !pre.is_empty() {
        let digits = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        out.push('-');
        out.push_str(&pre[..digits]);
        if digits < pre.len() {
            out.push('.');
            out.push_str(&pre[digits..]);
        }
    }
    out
}

/// A RubyGems segment: numbers compare as numbers, letters (a prerelease) before any number.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GemSegment<'a> {
    Num(&'a str),
    Str(&'a str),
}

fn gem_segments(v: &str) -> Vec<GemSegment<'_>> {
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(GemSegment::Num(v[start..i].trim_start_matches('0')));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(GemSegment::Str(&v[start..i]));
        } else {
            i += 1;
        }
    }
    // Gem::Version#canonical_segments: trailing zeros dropped from the release part and from the
    // prerelease part.
    let string_start = out
        .iter()
        .position(|s| matches!(s, GemSegment::Str(_)))
        .unwrap_or(out.len());
    let mut strings = out.split_off(string_start);
    let zero = |s: &GemSegment<'_>| *s == GemSegment::Num("");
    while out.last().is_some_and(zero) {
        out.pop();
    }
    while strings.last().is_some_and(zero) {
        strings.pop();
    }
    out.extend(strings);
    out
}

/// `Gem::Version#<=>` (a `-` is `.pre.`, as `Gem::Version.new` rewrites it).
fn rubygems(a: &str, b: &str) -> Ordering {
    let a = a.trim().replace('-', ".pre.");
    let b = b.trim().replace('-', ".pre.");
    let (x, y) = (gem_segments(&a), gem_segments(&b));
    for i in 0..x.len().max(y.len()) {
        let l = x.get(i).cloned().unwrap_or(GemSegment::Num(""));
        let r = y.get(i).cloned().unwrap_or(GemSegment::Num(""));
        let o = match (&l, &r) {
            (GemSegment::Num(p), GemSegment::Num(q)) => cmp_digit_runs(p.as_bytes(), q.as_bytes()),
            (GemSegment::Str(_), GemSegment::Num(_)) => Ordering::Less,
            (GemSegment::Num(_), GemSegment::Str(_)) => Ordering::Greater,
            (GemSegment::Str(p), GemSegment::Str(q)) => p.cmp(q),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Composer's order: `v` dropped, up to four numeric parts, then the stability
/// (`dev` < `alpha`/`a` < `beta`/`b` < `RC` < stable < `patch`/`pl`/`p`) and its number.
fn composer(a: &str, b: &str) -> Ordering {
    fn key(v: &str) -> (Vec<String>, u8, String) {
        let v = v.trim().to_ascii_lowercase();
        let v = v.strip_prefix('v').unwrap_or(&v);
        let split = v
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(v.len());
        let (numbers, rest) = v.split_at(split);
        let mut parts: Vec<String> = numbers
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| p.trim_start_matches('0').to_owned())
            .collect();
        while parts.len() < 4 {
            parts.push(String::new());
        }
        let rest = rest.trim_start_matches(['-', '_', '.', '+']);
        let word_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let stability = match &rest[..word_end] {
            "" => 4,
            "dev" => 0,
            "alpha" | "a" => 1,
            "beta" | "b" => 2,
            "rc" => 3,
            "patch" | "pl" | "p" => 5,
            _ => 4,
        };
        let n: String = rest[word_end..]
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        (parts, stability, n.trim_start_matches('0').to_owned())
    }
    let (x, y) = (key(a), key(b));
    for (p, q) in x.0.iter().zip(&y.0) {
        let o = cmp_digit_runs(p.as_bytes(), q.as_bytes());
        if o != Ordering::Equal {
            return o;
        }
    }
    x.0.len()
        .cmp(&y.0.len())
        .then(x.1.cmp(&y.1))
        .then_with(|| cmp_digit_runs(x.2.as_bytes(), y.2.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn go_versions() {
        let list = [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.3.7",
            "v1.3.1-0.20190301021747-ccb9e902956d",
            "v1.3.1",
            "v1.9.1",
            "v2.0.0+incompatible",
        ];
        for w in list.windows(2) {
            assert_eq!(
                compare("Go", w[0], w[1]),
                Ordering::Less,
                "{} < {}",
                w[0],
                w[1]
            );
        }
        assert_eq!(
            compare("Go", "v2.0.0+incompatible", "2.0.0"),
            Ordering::Equal
        );
        assert_eq!(go_version("go1.21"), "1.21.0");
        assert_eq!(go_version("go1.22rc1"), "1.22.0-rc.1");
        assert_eq!(compare("Go", "go1.20.0", "1.20.0-0"), Ordering::Greater);
        assert_eq!(compare("Go", "go1.19.8", "1.19.6"), Ordering::Greater);
        assert_eq!(compare("Go", "go1.21rc2", "1.21.0"), Ordering::Less);
    }

    #[test]
    fn rubygems_composer_nuget() {
        for (a, b) in [
            ("1.0.0.pre1", "1.0.0"),
            ("1.0.a", "1.0"),
            ("6.1.7", "6.1.7.1"),
            ("1.13.3", "1.13.4"),
            ("1.0.0-rc1", "1.0.0"),
        ] {
            assert_eq!(compare("RubyGems", a, b), Ordering::Less, "{a} < {b}");
        }
        assert_eq!(compare("RubyGems", "1.0", "1.0.0.0"), Ordering::Equal);
        for (a, b) in [
            ("7.0.0-beta1", "7.0.0-RC1"),
            ("v6.5.5", "6.5.6"),
            ("7.4.3", "7.4.3-patch1"),
            ("7.0.0-dev", "7.0.0-alpha"),
        ] {
            assert_eq!(compare("Packagist", a, b), Ordering::Less, "{a} < {b}");
        }
        assert_eq!(compare("NuGet", "13.0.1", "13.0.1.0"), Ordering::Equal);
        assert_eq!(
            compare("NuGet", "1.0.0-Beta", "1.0.0-alpha"),
            Ordering::Greater
        );
        assert_eq!(compare("NuGet", "12.0.3", "13.0.1"), Ordering::Less);
    }

    proptest! {
        #[test]
        fn total_orders(a in "[0-9v.a-z+-]{0,10}", b in "[0-9v.a-z+-]{0,10}", c in "[0-9v.a-z+-]{0,10}") {
            // Maven's ComparableVersion is not transitive on arbitrary strings (Maven's own is not
            // either: "a" < "-.1" == "" < "a"); version::maven's own property test uses
            // realistic versions.
            for eco in ECOSYSTEMS.iter().filter(|e| **e != "Maven") {
                let cmp = |x: &str, y: &str| compare(eco, x, y);
                prop_assert_eq!(cmp(&a, &a), Ordering::Equal);
                prop_assert_eq!(cmp(&a, &b), cmp(&b, &a).reverse());
                if cmp(&a, &b) != Ordering::Greater && cmp(&b, &c) != Ordering::Greater {
                    prop_assert_ne!(cmp(&a, &c), Ordering::Greater);
                }
            }
        }
    }
}
