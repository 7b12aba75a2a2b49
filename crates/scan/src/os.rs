//! Which distribution and release an image holds, from its release files.
//!
//! `/etc/os-release` (or `/usr/lib/os-release`) is read first (the freedesktop.org format:
//! `KEY=value` lines, values optionally quoted with shell-style escapes). Without it, or when it names
//! no `ID`, the distributions' own files are tried: `/etc/alpine-release`, the Red Hat family's
//! `/etc/*-release` (`Name release 8.6 (Codename)`), `/etc/system-release` (Amazon Linux) and last
//! `/etc/debian_version` (last because Ubuntu has one too, holding Debian's codename).

use serde::{Deserialize, Serialize};

/// The files [`detect_os`] reads, relative to the image root, in the order it prefers them.
pub const RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/centos-release",
    "etc/rocky-release",
    "etc/almalinux-release",
    "etc/fedora-release",
    "etc/redhat-release",
    "etc/system-release",
    "etc/debian_version",
];

/// What an image says it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// The distribution's id, lower case, as os-release spells it: `debian`, `ubuntu`, `alpine`,
    /// `rhel`, `centos`, `rocky`, `almalinux`, `amzn`, `fedora`, `opensuse-leap`, …
    pub id: String,
    /// The release (`12`, `18.04`, `3.15.4`, `8.6`, `2023`), when known.
    pub version_id: Option<String>,
    /// The release's code name (`bookworm`, `bionic`), when known.
    pub codename: Option<String>,
    /// The human-readable name (`Ubuntu 18.04.6 LTS`), when known.
    pub pretty_name: Option<String>,
    /// The distribution's name without version (`NAME`), when known.
    pub name: Option<String>,
    /// Distributions this one derives from (`ID_LIKE`).
    pub id_like: Vec<String>,
    /// The file it was read from.
    pub source: String,
}

/// Why no OS could be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OsError {
    /// A release file that cannot be used.
    #[error("{origin}: {message}")]
    Malformed {
        /// The file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// None of the release files was given.
    #[error("no release file found (looked for /{})", RELEASE_FILES.join(", /"))]
    NotFound,
}

/// Tells the OS from the release files present in an image: `(path, contents)` pairs with paths
/// as in [`RELEASE_FILES`] (a leading `/` is accepted). The first usable file in that order wins;
/// when none is usable the first file's error is returned.
pub fn detect_os(files: &[(&str, &[u8])]) -> Result<OsInfo, OsError> {
    let mut first_error = None;
    for wanted in RELEASE_FILES {
        let Some((path, bytes)) = files
            .iter()
            .find(|(p, _)| p.trim_start_matches('/') == *wanted)
        else {
            continue;
        };
        let result = match *wanted {
            "etc/os-release" | "usr/lib/os-release" => parse_os_release(bytes, path),
            "etc/alpine-release" => parse_alpine_release(bytes, path),
            "etc/debian_version" => parse_debian_version(bytes, path),
            _ => parse_redhat_release(bytes, path),
        };
        match result {
            Ok(os) => return Ok(os),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(OsError::NotFound))
}

fn malformed(origin: &str, message: impl Into<String>) -> OsError {
    OsError::Malformed {
        origin: origin.to_owned(),
        message: message.into(),
    }
}

/// The largest release file read; real ones are under 1 KiB.
const MAX_RELEASE_FILE: usize = 64 << 10;

fn text<'a>(bytes: &'a [u8], origin: &str) -> Result<std::borrow::Cow<'a, str>, OsError> {
    if bytes.len() > MAX_RELEASE_FILE {
        return Err(malformed(
            origin,
            format!("{} bytes is too large for a release file", bytes.len()),
        ));
    }
    Ok(String::from_utf8_lossy(bytes))
}

/// Parses an os-release file. Lines that are not `KEY=value` are ignored, as the format asks; a file
/// without `ID` is an error (so that [`detect_os`] tries the other files).
pub fn parse_os_release(bytes: &[u8], origin: &str) -> Result<OsInfo, OsError> {
    let text = text(bytes, origin)?;
    let mut fields = std::collections::HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.is_empty() || !key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            continue;
        }
        fields
            .entry(key.to_owned())
            .or_insert_with(|| unquote(value));
    }
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let id = get("ID")
        .ok_or_else(|| malformed(origin, "no ID field"))?
        .to_ascii_lowercase();
    let codename = get("VERSION_CODENAME")
        .or_else(|| get("UBUNTU_CODENAME"))
        .or_else(|| get("VERSION").and_then(|v| codename_in_parentheses(&v)));
    Ok(OsInfo {
        id,
        version_id: get("VERSION_ID"),
        codename: codename.map(|c| c.to_ascii_lowercase()),
        pretty_name: get("PRETTY_NAME"),
        name: get("NAME"),
        id_like: get("ID_LIKE")
            .map(|v| v.split_whitespace().map(str::to_ascii_lowercase).collect())
            .unwrap_or_default(),
        source: origin.to_owned(),
    })
}

/// `8 (jessie)` → `jessie`; only a single word in parentheses counts.
fn codename_in_parentheses(version: &str) -> Option<String> {
    let inner = version.split_once('(')?.1.split_once(')')?.0.trim();
    (!inner.is_empty() && inner.bytes().all(|c| c.is_ascii_alphabetic())).then(|| inner.to_owned())
}

/// Removes shell-style quoting: `"..."` with `\"`, `\\`, `\$`, `` \` `` escapes, or `'...'` as is.
fn unquote(value: &str) -> String {
    let value = value.trim();
    let mut chars = value.chars();
    match chars.next() {
        Some('"') => {
            let mut out = String::new();
            let mut escaped = false;
            for c in chars {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    (true, c) if !matches!(c, '"' | '\\' | '$' | '`') => {
                        out.push('\\');
                        out.push(c);
                        escaped = false;
                    }
                    (_, c) => {
                        out.push(c);
                        escaped = false;
                    }
                }
            }
            out
        }
        Some('\'') => chars.take_while(|&c| c != '\'').collect(),
        _ => value.to_owned(),
    }
}

/// `/etc/alpine-release`: one line, the full version (`3.15.4`).
pub fn parse_alpine_release(bytes: &[u8], origin: &str) -> Result<OsInfo, OsError> {
    let text = text(bytes, origin)?;
    let version = first_line(&text).ok_or_else(|| malformed(origin, "empty"))?;
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(malformed(origin, format!("{version:?} is not a version")));
    }
    Ok(OsInfo {
        id: "alpine".into(),
        pretty_name: Some(format!("Alpine Linux v{version}")),
        version_id: Some(version.to_owned()),
        codename: None,
        name: Some("Alpine Linux".into()),
        id_like: Vec::new(),
        source: origin.to_owned(),
    })
}

/// `/etc/debian_version`: a point release (`12.5`, giving version 12) or, on testing and on
/// derivatives, `codename/sid`.
pub fn parse_debian_version(bytes: &[u8], origin: &str) -> Result<OsInfo, OsError> {
    let text = text(bytes, origin)?;
    let line = first_line(&text).ok_or_else(|| malformed(origin, "empty"))?;
    let (version_id, codename) = if line.starts_with(|c: char| c.is_ascii_digit()) {
        (line.split('.').next().map(str::to_owned), None)
    } else if let Some((codename, _)) = line.split_once('/') {
        (None, Some(codename.to_ascii_lowercase()))
    } else {
        return Err(malformed(
            origin,
            format!("{line:?} is neither a version nor codename/sid"),
        ));
    };
    Ok(OsInfo {
        id: "debian".into(),
        version_id,
        codename,
        pretty_name: Some(format!("Debian GNU/Linux {line}")),
        name: Some("Debian GNU/Linux".into()),
        id_like: Vec::new(),
        source: origin.to_owned(),
    })
}

/// The Red Hat family's `/etc/*-release`: `Name release VERSION (Codename)`.
pub fn parse_redhat_release(bytes: &[u8], origin: &str) -> Result<OsInfo, OsError> {
    let text = text(bytes, origin)?;
    let line = first_line(&text).ok_or_else(|| malformed(origin, "empty"))?;
    let (name, rest) = line
        .split_once(" release ")
        .ok_or_else(|| malformed(origin, format!("{line:?} is not 'Name release VERSION'")))?;
    let version = rest.split_whitespace().next().unwrap_or("");
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(malformed(origin, format!("no version in {line:?}")));
    }
    let codename = codename_in_parentheses(rest).map(|c| c.to_ascii_lowercase());
    let lower = name.to_ascii_lowercase();
    let id = if lower.starts_with("red hat enterprise linux") {
        "rhel"
    } else if lower.starts_with("centos") {
        "centos"
    } else if lower.starts_with("rocky") {
        "rocky"
    } else if lower.starts_with("almalinux") {
        "almalinux"
    } else if lower.starts_with("fedora") {
        "fedora"
    } else if lower.starts_with("amazon linux") {
        "amzn"
    } else if lower.starts_with("oracle linux") {
        "ol"
    } else {
        return Err(malformed(origin, format!("unknown distribution {name:?}")));
    };
    Ok(OsInfo {
        id: id.into(),
        version_id: Some(version.to_owned()),
        codename,
        pretty_name: Some(line.to_owned()),
        name: Some(name.to_owned()),
        id_like: Vec::new(),
        source: origin.to_owned(),
    })
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(
            unquote(r#""Debian GNU/Linux 12 (bookworm)""#),
            "Debian GNU/Linux 12 (bookworm)"
        );
        assert_eq!(unquote(r#""a \"b\" \\ \$x \n""#), r#"a "b" \ $x \n"#);
        assert_eq!(unquote("'x y'"), "x y");
        assert_eq!(unquote("bookworm"), "bookworm");
        assert_eq!(unquote("\"unterminated"), "unterminated");
    }

    #[test]
    fn redhat_family_lines() {
        let os = parse_redhat_release(
            b"CentOS Linux release 7.9.2009 (Core)\n",
            "etc/redhat-release",
        )
        .expect("ok");
        assert_eq!(
            (
                os.id.as_str(),
                os.version_id.as_deref(),
                os.codename.as_deref()
            ),
            ("centos", Some("7.9.2009"), Some("core"))
        );
        let os =
            parse_redhat_release(b"Red Hat Enterprise Linux release 8.6 (Ootpa)", "x").expect("ok");
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("rhel", Some("8.6"))
        );
        let os = parse_redhat_release(b"Amazon Linux release 2 (Karoo)", "x").expect("ok");
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("amzn", Some("2"))
        );
        let os = parse_redhat_release(b"Amazon Linux AMI release 2018.03", "x").expect("ok");
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("amzn", Some("2018.03"))
        );
        assert!(parse_redhat_release(b"Slackware 15.0", "x").is_err());
    }
}
