//! Python distributions (PyPI): the core metadata of an installed distribution, `METADATA` in a
//! `*.dist-info` directory (wheels, pip) or `PKG-INFO` in a `*.egg-info` directory or an
//! `*.egg-info` file (setuptools; Debian's `dist-packages` has many). Only `Name` and `Version` are
//! read, from the header block.

use dockaudit_snapshot::contents::AppPackage;

use super::{header_value, package};

/// The distribution a metadata file describes; `None` when it names no name or no version.
pub fn parse_metadata(path: &str, bytes: &[u8]) -> Option<AppPackage> {
    let text = String::from_utf8_lossy(bytes);
    let name = header_value(&text, "Name")?;
    let version = header_value(&text, "Version")?;
    Some(package("PyPI", name, version, path))
}

/// A project name as PEP 503 normalises it (lower case, runs of `-`, `_`, `.` as one `-`): how
/// PyPI, pip and OSV's PyPI records compare names.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_and_version_from_the_headers_only() {
        let meta =
            b"Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\nSummary: x\n\nName: not-this\n";
        let p = parse_metadata("a/Jinja2-3.1.2.dist-info/METADATA", meta).unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("Jinja2", "3.1.2"));
        assert_eq!(p.purl, "pkg:pypi/jinja2@3.1.2");
        assert!(parse_metadata("x", b"Name: a\n").is_none());
        assert!(parse_metadata("x", b"\x00\xff garbage").is_none());
        assert_eq!(normalize_name("Foo__Bar.baz"), "foo-bar-baz");
    }
}
