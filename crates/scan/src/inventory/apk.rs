//! Alpine's database of installed packages, `/lib/apk/db/installed`.
//!
//! Records are separated by blank lines; every other line is one letter, a colon and a value (the
//! format apk-tools writes and reads). This reads `P` (name), `V` (version), `A` (architecture) and
//! `o` (origin: the aports package it was built from, i.e. the source package; its version is the
//! package's own). A line of any other shape is fatal; a record without name or version is skipped
//! and reported.

use super::dpkg::preview;
use super::{Inventory, InventoryError, Limits, Location, Package, PackageFormat};
use crate::version::apk::ApkVersion;

/// Reads `/lib/apk/db/installed`, with the default [`Limits`].
pub fn parse_apk_installed(bytes: &[u8], origin: &str) -> Result<Inventory, InventoryError> {
    parse_apk_installed_with(bytes, origin, &Limits::default())
}

/// Reads `/lib/apk/db/installed` within `limits`.
pub fn parse_apk_installed_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    limits.check_size(origin, bytes.len())?;
    let mut inv = Inventory::new(PackageFormat::Apk, origin);
    let mut record = Record::default();
    for (i, raw) in bytes.split(|&c| c == b'\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            record.finish(&mut inv, limits)?;
            continue;
        }
        let (key, value) = match line {
            [key, b':', value @ ..] if key.is_ascii_alphabetic() => (*key, value),
            _ => {
                return Err(InventoryError::malformed(
                    origin,
                    Some(line_no),
                    format!("expected 'X:value', found {:?}", preview(line)),
                ))
            }
        };
        if record.line == 0 {
            record.line = line_no;
        }
        let slot = match key {
            b'P' => &mut record.name,
            b'V' => &mut record.version,
            b'A' => &mut record.arch,
            b'o' => &mut record.origin,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some((value.to_vec(), line_no));
        }
    }
    record.finish(&mut inv, limits)?;
    Ok(inv)
}

type Value = Option<(Vec<u8>, usize)>;

#[derive(Default)]
struct Record {
    line: usize,
    name: Value,
    version: Value,
    arch: Value,
    origin: Value,
}

impl Record {
    fn finish(&mut self, inv: &mut Inventory, limits: &Limits) -> Result<(), InventoryError> {
        let record = std::mem::take(self);
        if record.line == 0 {
            return Ok(());
        }
        if let Some(package) = record.package(inv) {
            inv.push(package, limits)?;
        }
        Ok(())
    }

    fn package(self, inv: &mut Inventory) -> Option<Package> {
        let at = Location::Line(self.line);
        let text =
            |inv: &mut Inventory, v: Value, what: &str, pkg: Option<&str>| -> Option<String> {
                let (bytes, line) = v?;
                match String::from_utf8(bytes) {
                    Ok(s) => Some(s),
                    Err(_) => {
                        inv.problem(
                            Location::Line(line),
                            pkg,
                            format!("{what} is not UTF-8; skipped"),
                        );
                        None
                    }
                }
            };
        let Some(name) = text(inv, self.name, "name", None).filter(|n| !n.is_empty()) else {
            inv.problem(at, None, "record without a package name (P:); skipped");
            return None;
        };
        let pkg = Some(name.as_str());
        let version_line = self.version.as_ref().map_or(self.line, |v| v.1);
        let Some(version) = text(inv, self.version, "version", pkg).filter(|v| !v.is_empty())
        else {
            inv.problem(at, pkg, "no version (V:); skipped");
            return None;
        };
        if let Err(e) = ApkVersion::parse(&version) {
            inv.problem(Location::Line(version_line), pkg, format!("{e} (kept)"));
        }
        let arch = text(inv, self.arch, "architecture", pkg).filter(|a| !a.is_empty());
        let source_name = text(inv, self.origin, "origin", pkg)
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| name.clone());
        Some(Package {
            source_version: version.clone(),
            name,
            version,
            arch,
            source_name,
            format: PackageFormat::Apk,
            module: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_records() {
        let inv = parse_apk_installed(
            b"P:musl\nV:1.2.3-r0\nA:x86_64\no:musl\n\nP:musl-utils\nV:1.2.3-r0\no:musl\n",
            "db",
        )
        .expect("ok");
        assert_eq!(inv.packages.len(), 2);
        assert_eq!(inv.packages[1].source_name, "musl");
        assert_eq!(inv.packages[1].arch, None);
    }

    #[test]
    fn garbage_is_fatal_and_named() {
        let e = parse_apk_installed(b"this is a corrupt db\n", "lib/apk/db/installed")
            .expect_err("fatal");
        assert_eq!(
            e.to_string(),
            "lib/apk/db/installed: line 1: expected 'X:value', found \"this is a corrupt db\""
        );
    }
}
