//! Python version order (PEP 440, as `packaging.version.Version` implements it): an epoch
//! (`1!`), a release (`1.2.3`, trailing zeros not significant), pre-releases (`a`, `b`, `rc`, with
//! the spellings `alpha`, `beta`, `c`, `pre`, `preview`), post-releases (`.post1`, `-1`, `rev`, `r`),
//! developmental releases (`.dev1`) and a local part (`+ubuntu1`). A `.devN` of a release sorts
//! before its pre-releases; a post-release after the release; a local version after the same
//! public version.
//!
//! [`compare`] orders strings that are not PEP 440 versions after every version, by their text.

use std::cmp::Ordering;

use super::{cmp_digit_runs, VersionError};

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    epoch: String,
    release: Vec<String>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pre: Option<(u8, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Vec<String>,
}

/// Splits a leading run of ASCII digits off `s`.
fn digits(s: &str) -> (&str, &str) {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

fn skip_sep(s: &str) -> &str {
    s.strip_prefix(['-', '_', '.']).unwrap_or(s)
}

/// The longest of `words` that `s` starts with.
fn word<'a>(s: &'a str, words: &[&str]) -> Option<(&'a str, &'a str)> {
    words
        .iter()
        .filter(|w| s.starts_with(**w))
        .max_by_key(|w| w.len())
        .map(|w| s.split_at(w.len()))
}

impl Pep440 {
    /// Parses a version as PEP 440 (and `packaging`) accept it, case-insensitively.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let err = |why: &str| VersionError::new("PEP 440", text, why);
        let lower = text.trim().to_ascii_lowercase();
        let mut s = lower.strip_prefix('v').unwrap_or(&lower);
        let mut epoch = "0".to_owned();
        let (n, rest) = digits(s);
        if n.is_empty() {
            return Err(err("no release number"));
        }
        if let Some(r) = rest.strip_prefix('!') {
            epoch = n.to_owned();
            s = r;
        }
        let mut release = Vec::new();
        loop {
            let (n, rest) = digits(s);
            if n.is_empty() {
                return Err(err("empty release part"));
            }
            release.push(n.to_owned());
            match rest.strip_prefix('.') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => s = r,
                _ => {
                    s = rest;
                    break;
                }
            }
        }
        let mut pre = None;
        let t = skip_sep(s);
        if let Some((w, rest)) = word(t, &["alpha", "a", "beta", "b", "rc", "c", "preview", "pre"])
        {
            let kind = match w {
                "alpha" | "a" => 0,
                "beta" | "b" => 1,
                _ => 2,
            };
            let (n, rest) = digits(skip_sep(rest));
            // The regex's optional separator before an absent number is consumed too.
            let rest = if n.is_empty() { skip_sep(rest) } else { rest };
            pre = Some((kind, if n.is_empty() { "0".into() } else { n.into() }));
            s = rest;
        }
        let mut post = None;
        if let Some(r) = s.strip_prefix('-') {
            let (n, rest) = digits(r);
            if !n.is_empty() {
                post = Some(n.to_owned());
                s = rest;
            }
        }
        if post.is_none() {
            let t = skip_sep(s);
            if let Some((_, rest)) = word(t, &["post", "rev", "r"]) {
                let (n, after) = digits(skip_sep(rest));
                post = Some(if n.is_empty() { "0".into() } else { n.into() });
                s = if n.is_empty() { skip_sep(rest) } else { after };
            }
        }
        let mut dev = None;
        let t = skip_sep(s);
        if let Some(rest) = t.strip_prefix("dev") {
            let (n, after) = digits(skip_sep(rest));
            dev = Some(if n.is_empty() { "0".into() } else { n.into() });
            s = if n.is_empty() { skip_sep(rest) } else { after };
        }
        let mut local = Vec::new();
        if let Some(l) = s.strip_prefix('+') {
            for part in l.split(['-', '_', '.']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(err("bad local version part"));
                }
                local.push(part.to_owned());
            }
            s = "";
        }
        if !s.is_empty() {
            return Err(err("unexpected text after the version"));
        }
        Ok(Pep440 {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        let num = |a: &str, b: &str| cmp_digit_runs(a.as_bytes(), b.as_bytes());
        num(&self.epoch, &other.epoch)
            .then_with(|| {
                let trim = |r: &[String]| {
                    let end = r.iter().rposition(|p| p.bytes().any(|b| b != b'0'));
                    end.map_or(0, |e| e + 1)
                };
                let (a, b) = (
                    &self.release[..trim(&self.release)],
                    &other.release[..trim(&other.release)],
                );
                for (x, y) in a.iter().zip(b) {
                    let o = num(x, y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.len().cmp(&b.len())
            })
            .then_with(|| {
                self.pre_key()
                    .cmp(&other.pre_key())
                    .then_with(|| match (&self.pre, &other.pre) {
                        (Some((_, x)), Some((_, y))) => num(x, y),
                        _ => Ordering::Equal,
                    })
            })
            .then_with(|| match (&self.post, &other.post) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => num(x, y),
            })
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => num(x, y),
            })
            .then_with(|| {
                for (x, y) in self.local.iter().zip(&other.local) {
                    let nx = x.bytes().all(|b| b.is_ascii_digit());
                    let ny = y.bytes().all(|b| b.is_ascii_digit());
                    let o = match (nx, ny) {
                        (true, true) => num(x, y),
                        (true, false) => Ordering::Greater,
                        (false, true) => Ordering::Less,
                        (false, false) => x.cmp(y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                self.local.len().cmp(&other.local.len())
            })
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Pep440 {
    /// Where the pre-release puts the version: a bare `.devN` release first, then `a`, `b`, `rc`,
    /// then releases (with or without a post-release).
    fn pre_key(&self) -> i8 {
        match (&self.pre, &self.post, &self.dev) {
            (None, None, Some(_)) => -1,
            (None, _, _) => 3,
            (Some((k, _)), _, _) => *k as i8,
        }
    }
}

/// Compares two Python versions; never fails (non-versions last, by text).
pub fn compare(a: &str, b: &str) -> Ordering {
    match (Pep440::parse(a), Pep440::parse(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
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
    fn pep440_examples_in_order() {
        // PEP 440's "Summary of permitted suffixes and relative ordering" example, in order.
        let list = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in list.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(compare("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("1.0-1", "1.0.post1"), Ordering::Equal);
        assert_eq!(compare("1.0alpha1", "1.0a1"), Ordering::Equal);
        assert_eq!(compare("1!0.1", "2.0"), Ordering::Greater);
        assert!(Pep440::parse("1.0.x").is_err());
    }

    proptest! {
        #[test]
        fn total_order(a in "[0-9.!+a-z-]{0,10}", b in "[0-9.!+a-z-]{0,10}", c in "[0-9.!+a-z-]{0,10}") {
            prop_assert_eq!(compare(&a, &a), Ordering::Equal);
            prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            if compare(&a, &b) != Ordering::Greater && compare(&b, &c) != Ordering::Greater {
                prop_assert_ne!(compare(&a, &c), Ordering::Greater);
            }
        }
    }
}
