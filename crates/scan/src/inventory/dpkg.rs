//! dpkg's database: `/var/lib/dpkg/status`, and the per-package files of distroless images'
//! `/var/lib/dpkg/status.d/`.
//!
//! Both are deb822 text: stanzas of `Field: value` lines separated by blank lines, continuation lines
//! starting with a space. A line that is neither is fatal, as it is for dpkg. From each stanza this
//! reads `Package`, `Status`, `Version`, `Architecture` and `Source` (`Source: name` or
//! `Source: name (version)`; without it the source is the binary package itself).
//!
//! A package counts as installed when its files are on disk: the third word of `Status` is anything
//! but `not-installed` or `config-files` (so `install ok installed`, `hold ok installed`, and the
//! transitional `unpacked`/`half-configured`/`triggers-*` states are in; removed packages whose
//! configuration files remain, `deinstall ok config-files`, are out). `status.d` entries have no
//! `Status` and are all installed.

use super::{Inventory, InventoryError, Limits, Location, Package, PackageFormat};
use crate::version::dpkg::DpkgVersion;

/// Reads `/var/lib/dpkg/status`, with the default [`Limits`].
pub fn parse_dpkg_status(bytes: &[u8], origin: &str) -> Result<Inventory, InventoryError> {
    parse_dpkg_status_with(bytes, origin, &Limits::default())
}

/// Reads `/var/lib/dpkg/status` within `limits`.
pub fn parse_dpkg_status_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    parse(bytes, origin, limits, true)
}

/// Reads one file of a distroless `/var/lib/dpkg/status.d/` (see [`is_status_d_entry`] for which
/// files are entries), with the default [`Limits`]. Entries without `Status` are installed.
pub fn parse_dpkg_status_d_entry(bytes: &[u8], origin: &str) -> Result<Inventory, InventoryError> {
    parse(bytes, origin, &Limits::default(), false)
}

/// Reads one `status.d` entry within `limits`.
pub fn parse_dpkg_status_d_entry_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    parse(bytes, origin, limits, false)
}

/// Whether a file name in `status.d/` is a package entry: not the `.md5sums` files that sit beside
/// the entries, nor hidden files.
pub fn is_status_d_entry(file_name: &str) -> bool {
    !file_name.is_empty() && !file_name.starts_with('.') && !file_name.ends_with(".md5sums")
}

struct Field<'a> {
    name: &'a [u8],
    value: &'a [u8],
    line: usize,
}

struct Stanza<'a> {
    line: usize,
    fields: Vec<Field<'a>>,
}

impl<'a> Stanza<'a> {
    fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.get_bytes(name.as_bytes())
    }

    fn get_bytes(&self, name: &[u8]) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn is_blank(c: &u8) -> bool {
    *c == b' ' || *c == b'\t'
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_blank(first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_blank(last) {
            break;
        }
        s = rest;
    }
    s
}

/// The fields [`package_of`] reads; a stanza keeps only these (the first of each), so memory stays
/// small whatever the number and length of the other fields.
const READ_FIELDS: &[&str] = &["Package", "Status", "Version", "Architecture", "Source"];

/// Reads deb822 text stanza by stanza, handing each to `each` as it ends; fatal on a line that is
/// not a field, a continuation or blank.
fn for_each_stanza<'a>(
    bytes: &'a [u8],
    origin: &str,
    mut each: impl FnMut(&Stanza<'a>) -> Result<(), InventoryError>,
) -> Result<(), InventoryError> {
    let mut current: Option<Stanza<'a>> = None;
    for (i, raw) in bytes.split(|&c| c == b'\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(is_blank) {
            if let Some(stanza) = current.take() {
                each(&stanza)?;
            }
            continue;
        }
        if is_blank(&line[0]) {
            if current.is_none() {
                return Err(InventoryError::malformed(
                    origin,
                    Some(line_no),
                    "continuation line outside of a field",
                ));
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            return Err(InventoryError::malformed(
                origin,
                Some(line_no),
                format!("expected 'Field: value', found {:?}", preview(line)),
            ));
        };
        let name = &line[..colon];
        if name.iter().any(|c| is_blank(c) || c.is_ascii_control()) {
            return Err(InventoryError::malformed(
                origin,
                Some(line_no),
                format!("invalid field name {:?}", preview(name)),
            ));
        }
        let stanza = current.get_or_insert_with(|| Stanza {
            line: line_no,
            fields: Vec::new(),
        });
        let wanted = READ_FIELDS
            .iter()
            .any(|f| name.eq_ignore_ascii_case(f.as_bytes()));
        if wanted && stanza.get_bytes(name).is_none() {
            stanza.fields.push(Field {
                name,
                value: trim(&line[colon + 1..]),
                line: line_no,
            });
        }
    }
    if let Some(stanza) = current {
        each(&stanza)?;
    }
    Ok(())
}

/// The start of a damaged line, printable, for messages.
pub(crate) fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
    if bytes.len() > 60 {
        format!("{s}…")
    } else {
        s
    }
}

fn parse(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
    status_required: bool,
) -> Result<Inventory, InventoryError> {
    limits.check_size(origin, bytes.len())?;
    let mut inv = Inventory::new(PackageFormat::Dpkg, origin);
    for_each_stanza(bytes, origin, |stanza| {
        match package_of(stanza, &mut inv, status_required) {
            Some(package) => inv.push(package, limits),
            None => Ok(()),
        }
    })?;
    Ok(inv)
}

/// Turns one stanza into a package, or records why not (nothing for packages not installed).
fn package_of(stanza: &Stanza<'_>, inv: &mut Inventory, status_required: bool) -> Option<Package> {
    let at = Location::Line(stanza.line);
    let text = |inv: &mut Inventory, field: &Field<'_>, package: Option<&str>| -> Option<String> {
        match std::str::from_utf8(field.value) {
            Ok(s) => Some(s.to_owned()),
            Err(_) => {
                let name = String::from_utf8_lossy(field.name).into_owned();
                inv.problem(
                    Location::Line(field.line),
                    package,
                    format!("{name} is not UTF-8; skipped"),
                );
                None
            }
        }
    };
    let Some(name_field) = stanza.get("Package") else {
        inv.problem(at, None, "stanza without a Package field; skipped");
        return None;
    };
    let name = text(inv, name_field, None)?;
    if name.is_empty() {
        inv.problem(at, None, "empty Package field; skipped");
        return None;
    }
    let pkg = Some(name.as_str());
    match stanza.get("Status") {
        Some(field) => {
            let status = text(inv, field, pkg)?;
            let words: Vec<&str> = status.split_whitespace().collect();
            let [_want, _flag, state] = words[..] else {
                inv.problem(
                    Location::Line(field.line),
                    pkg,
                    format!("Status {status:?} is not 'want flag status'; skipped"),
                );
                return None;
            };
            if state == "not-installed" || state == "config-files" {
                return None;
            }
        }
        None if status_required => {
            inv.problem(at, pkg, "no Status field, so not installed; skipped");
            return None;
        }
        None => {}
    }
    let Some(version_field) = stanza.get("Version") else {
        inv.problem(at, pkg, "no Version field; skipped");
        return None;
    };
    let version = text(inv, version_field, pkg)?;
    match DpkgVersion::parse_with_warning(&version) {
        Ok((_, None)) => {}
        Ok((_, Some(warning))) => inv.problem(
            Location::Line(version_field.line),
            pkg,
            format!("{warning} (kept, as dpkg keeps it)"),
        ),
        Err(e) => {
            inv.problem(
                Location::Line(version_field.line),
                pkg,
                format!("{e}; skipped"),
            );
            return None;
        }
    }
    let arch = match stanza.get("Architecture") {
        Some(field) => Some(text(inv, field, pkg)?).filter(|a| !a.is_empty()),
        None => None,
    };
    let (source_name, source_version) = match stanza.get("Source") {
        Some(field) => {
            let source = text(inv, field, pkg)?;
            split_source(&source, &name, &version)
        }
        None => (name.clone(), version.clone()),
    };
    Some(Package {
        name,
        version,
        arch,
        source_name,
        source_version,
        format: PackageFormat::Dpkg,
        module: None,
    })
}

/// `Source: name` or `Source: name (version)`; an empty name falls back to the binary's.
fn split_source(source: &str, name: &str, version: &str) -> (String, String) {
    let source = source.trim();
    let (src_name, rest) = source
        .split_once(char::is_whitespace)
        .unwrap_or((source, ""));
    let src_version = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let src_name = if src_name.is_empty() { name } else { src_name };
    (
        src_name.to_owned(),
        src_version.unwrap_or(version).to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_forms() {
        assert_eq!(
            split_source("gcc-5 (5.1.1-12ubuntu1)", "libgcc1", "1:5.1.1-12ubuntu1"),
            ("gcc-5".into(), "5.1.1-12ubuntu1".into())
        );
        assert_eq!(
            split_source("pam", "libpam0g", "1.1.8-3"),
            ("pam".into(), "1.1.8-3".into())
        );
        assert_eq!(split_source("", "x", "1"), ("x".into(), "1".into()));
    }

    #[test]
    fn continuation_before_any_field_is_fatal() {
        let e = parse_dpkg_status(b" oops\n", "status").expect_err("fatal");
        assert!(e.to_string().starts_with("status: line 1:"), "{e}");
    }

    #[test]
    fn line_without_colon_is_fatal_and_named() {
        let e = parse_dpkg_status(
            b"Package: a\nStatus: install ok installed\nVersion: 1\ngarbage\n",
            "x/status",
        )
        .expect_err("fatal");
        assert_eq!(
            e.to_string(),
            "x/status: line 4: expected 'Field: value', found \"garbage\""
        );
    }

    #[test]
    fn crlf_and_case_insensitive_fields() {
        let inv = parse_dpkg_status(b"package: a\r\nstatus: install ok installed\r\nversion: 1.0-1\r\narchitecture: amd64\r\n", "s").expect("ok");
        assert_eq!(inv.packages.len(), 1);
        assert_eq!(inv.packages[0].version, "1.0-1");
        assert_eq!(inv.packages[0].arch.as_deref(), Some("amd64"));
    }

    #[test]
    fn status_d_entry_names() {
        assert!(is_status_d_entry("libsqlite3-0"));
        assert!(!is_status_d_entry("libsqlite3-0.md5sums"));
        assert!(!is_status_d_entry(".wh.foo"));
    }

    #[test]
    fn problems_are_bounded_and_unread_fields_are_not_kept() {
        // Thousands of stanzas without a version, each with many fields no one reads.
        let stanza = format!("Package: p\n{}\n", "X-Field: value\n".repeat(50));
        let text = stanza.repeat(5_000);
        let inv = parse_dpkg_status_d_entry(text.as_bytes(), "status.d/p").unwrap();
        assert!(inv.packages.is_empty());
        assert_eq!(inv.problems.len(), super::super::MAX_PROBLEMS + 1);
        assert!(inv.problems.last().unwrap().message.contains("not listed"));
    }
}
