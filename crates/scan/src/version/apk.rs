//! Alpine package versions, ordered as apk-tools orders them.
//!
//! Grammar (apk-tools `src/version.c`): `digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-r digits}`,
//! where a suffix is one of `alpha`, `beta`, `pre`, `rc` (all *before* the plain release) or `cvs`,
//! `svn`, `git`, `hg`, `p` (all *after* it), in that order. So
//! `1.0_alpha < 1.0_beta2 < 1.0_rc1 < 1.0 < 1.0_p1 < 1.0-r1 < 1.0.1`.
//!
//! The strings are read as a sequence of tokens and compared token by token:
//! - the first number compares as a number; later numbers (after a `.`) compare as numbers unless
//!   either has a leading zero, in which case they compare as strings (as Gentoo does): `1.02 < 1.1`;
//! - a letter compares by its byte, a suffix by the order above, suffix numbers, the revision `-rN` as
//!   numbers, a commit hash (`~` and hex digits) as a string;
//! - when one string runs out of tokens or has a different kind of token next, the one that goes on
//!   with more version components is newer, except that a pre-release suffix makes it older.
//!
//! Text that does not fit the grammar ends the token stream where it starts (an *invalid* token,
//! which sorts before the end of a string), as in apk: `1.0bc > 1.0` and `1.0-foo < 1.0`. Numbers are
//! compared exactly at any length, where apk-tools' 64-bit arithmetic would wrap past 19 digits.

use std::cmp::Ordering;
use std::fmt;

use super::{cmp_digit_runs, VersionError};

/// A version that apk accepts (`apk version --check`).
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: String,
}

impl ApkVersion {
    /// Parses a version, refusing what does not fit the grammar.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let mut tokens = Tokens::new(s.as_bytes());
        loop {
            match tokens.current.kind {
                Kind::End => return Ok(Self { text: s.to_owned() }),
                Kind::Invalid => {
                    let at = tokens.pos_before_invalid;
                    let reason = if s.is_empty() {
                        "version is empty".to_owned()
                    } else {
                        format!(
                            "unexpected text {:?} at byte {at}",
                            &s.get(at..).unwrap_or("")
                        )
                    };
                    return Err(VersionError::new("apk", s, reason));
                }
                _ => tokens.advance(),
            }
        }
    }

    /// The revision number (`-rN`), 0 when there is none.
    pub fn revision(&self) -> u64 {
        self.text
            .rsplit_once("-r")
            .and_then(|(_, r)| r.parse().ok())
            .unwrap_or(0)
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare(&self.text, &other.text)
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equality is apk's: `1.0` equals `01.0`.
impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

/// Compares two Alpine versions as apk does; any string is accepted.
pub fn compare(a: &str, b: &str) -> Ordering {
    let mut ta = Tokens::new(a.as_bytes());
    let mut tb = Tokens::new(b.as_bytes());
    while ta.current.kind == tb.current.kind && ta.current.kind < Kind::End {
        let r = cmp_token(&ta.current, &tb.current);
        if r != Ordering::Equal {
            return r;
        }
        ta.advance();
        tb.advance();
    }
    let (ka, kb) = (ta.current.kind, tb.current.kind);
    if ka == kb {
        return Ordering::Equal;
    }
    if ka == Kind::Suffix && ta.current.suffix < Suffix::None {
        return Ordering::Less;
    }
    if kb == Kind::Suffix && tb.current.suffix < Suffix::None {
        return Ordering::Greater;
    }
    // A later kind of token (closer to the end) means fewer version components: older.
    kb.cmp(&ka)
}

/// Token kinds in the order they may follow one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffixes in their order; `None` is the pivot between pre- and post-release ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    fn from_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"alpha" => Self::Alpha,
            b"beta" => Self::Beta,
            b"pre" => Self::Pre,
            b"rc" => Self::Rc,
            b"cvs" => Self::Cvs,
            b"svn" => Self::Svn,
            b"git" => Self::Git,
            b"hg" => Self::Hg,
            b"p" => Self::P,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    suffix: Suffix,
    value: &'a [u8],
}

struct Tokens<'a> {
    rest: &'a [u8],
    current: Token<'a>,
    pos_before_invalid: usize,
    len: usize,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        let mut t = Self {
            rest: s,
            current: Token {
                kind: Kind::InitialDigit,
                suffix: Suffix::None,
                value: b"",
            },
            pos_before_invalid: 0,
            len: s.len(),
        };
        t.take_digits();
        t
    }

    fn take_digits(&mut self) {
        let n = self.rest.iter().take_while(|c| c.is_ascii_digit()).count();
        self.current.value = &self.rest[..n];
        self.rest = &self.rest[n..];
        if n == 0 {
            self.invalid();
        }
    }

    fn invalid(&mut self) {
        self.current.kind = Kind::Invalid;
    }

    fn advance(&mut self) {
        let kind = self.current.kind;
        self.pos_before_invalid = self.len - self.rest.len();
        let Some(&c) = self.rest.first() else {
            self.current.kind = Kind::End;
            return;
        };
        match c {
            b'a'..=b'z' => {
                if kind > Kind::Digit {
                    return self.invalid();
                }
                self.current.value = &self.rest[..1];
                self.rest = &self.rest[1..];
                self.current.kind = Kind::Letter;
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if kind > Kind::Digit {
                        return self.invalid();
                    }
                    self.rest = &self.rest[1..];
                }
                self.current.kind = match kind {
                    Kind::InitialDigit | Kind::Digit => Kind::Digit,
                    Kind::Suffix => Kind::SuffixNo,
                    _ => return self.invalid(),
                };
                self.take_digits();
            }
            b'_' => {
                if kind > Kind::SuffixNo {
                    return self.invalid();
                }
                let name_len = self.rest[1..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                let name = &self.rest[1..1 + name_len];
                let Some(suffix) = Suffix::from_name(name) else {
                    return self.invalid();
                };
                self.rest = &self.rest[1 + name_len..];
                self.current = Token {
                    kind: Kind::Suffix,
                    suffix,
                    value: name,
                };
            }
            b'~' => {
                if kind >= Kind::CommitHash {
                    return self.invalid();
                }
                let n = self.rest[1..]
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                if n == 0 {
                    return self.invalid();
                }
                self.current.value = &self.rest[1..1 + n];
                self.rest = &self.rest[1 + n..];
                self.current.kind = Kind::CommitHash;
            }
            b'-' => {
                if kind >= Kind::RevisionNo || !self.rest.starts_with(b"-r") {
                    return self.invalid();
                }
                self.rest = &self.rest[2..];
                self.current.kind = Kind::RevisionNo;
                self.take_digits();
            }
            _ => self.invalid(),
        }
    }
}

/// Compares two tokens of the same kind.
fn cmp_token(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        Kind::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_digit_runs(a.value, b.value)
        }
        Kind::Letter => a.value.cmp(b.value),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::CommitHash | Kind::End | Kind::Invalid => a.value.cmp(b.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn suffixes_and_revisions() {
        assert_eq!(compare("1.0_alpha", "1.0_beta"), Less);
        assert_eq!(compare("1.0_rc1", "1.0"), Less);
        assert_eq!(compare("1.0", "1.0_p1"), Less);
        assert_eq!(compare("1.0_p1", "1.0-r1"), Greater);
        assert_eq!(compare("1.0-r1", "1.0-r10"), Less);
        assert_eq!(compare("1.0-r1", "1.0.1"), Less);
        assert_eq!(compare("1.02", "1.1"), Less);
        assert_eq!(compare("01.0", "1.0"), Equal);
        assert_eq!(compare("1.0~abc1", "1.0"), Greater);
        assert_eq!(compare("1.0~abc1-r1", "1.0~abc1"), Greater);
        assert_eq!(compare("1.0bc", "1.0"), Greater);
    }

    #[test]
    fn validation() {
        assert!(ApkVersion::parse("2.9.11_pre20061021-r2").is_ok());
        assert!(ApkVersion::parse("1.0~deadbeef-r3").is_ok());
        assert_eq!(ApkVersion::parse("3.2.0-r22").map(|v| v.revision()), Ok(22));
        for bad in [
            "",
            "1.0-foo",
            "1.0_bogus",
            "1.0bc",
            "a1",
            "1..0",
            "1.0-r",
            "1.0-r1-r2",
            "1.0 ",
        ] {
            assert!(ApkVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
