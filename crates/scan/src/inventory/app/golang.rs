//! Binaries: Go's build information and Rust's cargo-auditable dependency list, read from an ELF
//! file's bytes.
//!
//! Go (1.18 and later) writes a `.go.buildinfo` blob: the magic `\xff Go buildinf:`, a 32-byte
//! header, then the toolchain version and the module information as length-prefixed strings
//! (`path`, `mod`, `dep` and `=>` replacement lines; see Go's `debug/buildinfo`). Each gives a
//! package of the `Go` ecosystem: the main module, every dependency (its replacement when
//! replaced), and the toolchain as `stdlib` (as govulncheck, syft and trivy do; Go's vulnerability
//! database files the standard library under that name). Binaries built by older toolchains keep
//! pointers instead of strings there; they are reported, not read.
//!
//! cargo-auditable writes a `.dep-v0` ELF section: zlib-compressed JSON listing every crate built
//! in (`crates.io` ecosystem).

use std::io::Read;

use dockaudit_snapshot::contents::AppPackage;

use super::package;

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";
const GO_HEADER: usize = 32;
/// The largest decompressed cargo-auditable list read.
const MAX_AUDIT_JSON: u64 = 16 << 20;

/// The packages built into the binary `bytes` (none for a binary of neither kind).
pub fn parse_binary(path: &str, bytes: &[u8]) -> Result<Vec<AppPackage>, String> {
    let mut out = Vec::new();
    if let Some(at) = find(bytes, GO_MAGIC) {
        out.extend(go_build_info(path, &bytes[at..])?);
    }
    if let Some(section) = elf_section(bytes, ".dep-v0") {
        out.extend(cargo_auditable(path, section)?);
    }
    Ok(out)
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut from = 0;
    while let Some(i) = hay[from..].iter().position(|&b| b == first) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn go_build_info(path: &str, blob: &[u8]) -> Result<Vec<AppPackage>, String> {
    let flags = *blob
        .get(15)
        .ok_or_else(|| format!("{path}: Go build information cut short"))?;
    if flags & 2 == 0 {
        return Err(format!(
            "{path}: a Go binary built before Go 1.18 (build information by pointer): its modules are not read"
        ));
    }
    let mut rest = blob
        .get(GO_HEADER..)
        .ok_or_else(|| format!("{path}: Go build information cut short"))?;
    let toolchain = go_string(&mut rest).ok_or_else(|| format!("{path}: Go version unreadable"))?;
    let mut modinfo =
        go_string(&mut rest).ok_or_else(|| format!("{path}: Go module information unreadable"))?;
    // The module information is framed by 16-byte sentinels.
    if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        modinfo = &modinfo[16..modinfo.len() - 16];
    }
    let toolchain = String::from_utf8_lossy(toolchain);
    let modinfo = String::from_utf8_lossy(modinfo);
    let mut modules: Vec<(String, String)> = Vec::new();
    for line in modinfo.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["mod" | "dep", module, version, ..] => {
                modules.push(((*module).to_owned(), (*version).to_owned()))
            }
            // A replacement applies to the line before it.
            ["=>", module, version, ..] => {
                if let Some(last) = modules.last_mut() {
                    *last = ((*module).to_owned(), (*version).to_owned());
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<AppPackage> = modules
        .iter()
        .filter(|(m, _)| !m.is_empty())
        .map(|(m, v)| package("Go", m, v, path))
        .collect();
    // `go1.21.0`, possibly followed by ` X:boringcrypto` or other experiment tags.
    if let Some(version) = toolchain
        .split_whitespace()
        .next()
        .filter(|v| v.starts_with("go"))
    {
        out.push(package("Go", "stdlib", version, path));
    }
    Ok(out)
}

/// A uvarint-length-prefixed string, advancing `rest`.
fn go_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut used: usize = 0;
    for &b in rest.iter().take(10) {
        used += 1;
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            let len = usize::try_from(len).ok()?;
            let s = rest.get(used..used.checked_add(len)?)?;
            *rest = &rest[used + len..];
            return Some(s);
        }
        shift += 7;
    }
    None
}

/// The bytes of the ELF section named `wanted`, if the file is ELF and has it.
fn elf_section<'a>(bytes: &'a [u8], wanted: &str) -> Option<&'a [u8]> {
    if !bytes.starts_with(b"\x7fELF") {
        return None;
    }
    let wide = *bytes.get(4)? == 2;
    let little = *bytes.get(5)? == 1;
    let uint = |at: usize, size: usize| -> Option<u64> {
        let b = bytes.get(at..at.checked_add(size)?)?;
        let mut v: u64 = 0;
        for i in 0..size {
            let byte = if little { b[size - 1 - i] } else { b[i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    };
    let word = if wide { 8 } else { 4 };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (
            uint(0x28, 8)?,
            uint(0x3a, 2)?,
            uint(0x3c, 2)?,
            uint(0x3e, 2)?,
        )
    } else {
        (
            uint(0x20, 4)?,
            uint(0x2e, 2)?,
            uint(0x30, 2)?,
            uint(0x32, 2)?,
        )
    };
    let header = |i: u64| -> Option<(u64, u64, u64)> {
        let at = usize::try_from(shoff.checked_add(i.checked_mul(shentsize)?)?).ok()?;
        let name = uint(at, 4)?;
        let (offset, size) = (
            uint(at + 8 + 2 * word, word)?,
            uint(at + 8 + 3 * word, word)?,
        );
        Some((name, offset, size))
    };
    let slice = |offset: u64, size: u64| -> Option<&'a [u8]> {
        let start = usize::try_from(offset).ok()?;
        bytes.get(start..start.checked_add(usize::try_from(size).ok()?)?)
    };
    let (_, str_off, str_size) = header(shstrndx)?;
    let names = slice(str_off, str_size)?;
    for i in 0..shnum.min(4096) {
        let (name, offset, size) = header(i)?;
        let name = names.get(usize::try_from(name).ok()?..)?;
        let end = name.iter().position(|&b| b == 0)?;
        if &name[..end] == wanted.as_bytes() {
            return slice(offset, size);
        }
    }
    None
}

fn cargo_auditable(path: &str, section: &[u8]) -> Result<Vec<AppPackage>, String> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(MAX_AUDIT_JSON)
        .read_to_end(&mut json)
        .map_err(|e| format!("{path}: cargo-auditable data unreadable: {e}"))?;
    #[derive(serde::Deserialize)]
    struct Audit {
        packages: Vec<Crate>,
    }
    #[derive(serde::Deserialize)]
    struct Crate {
        name: String,
        version: String,
        #[serde(default)]
        source: String,
    }
    let audit: Audit = serde_json::from_slice(&json)
        .map_err(|e| format!("{path}: cargo-auditable data is not valid: {e}"))?;
    Ok(audit
        .packages
        .into_iter()
        // Only registry crates are crates.io packages; local and git ones have no advisories.
        .filter(|c| c.source == "crates.io" || c.source.is_empty())
        .map(|c| package("crates.io", &c.name, &c.version, path))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varstr(s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut n = s.len();
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(s);
        out
    }

    #[test]
    fn go_build_info_with_replacements() {
        let mut blob = b"\x7fELF junk".to_vec();
        blob.extend_from_slice(GO_MAGIC);
        blob.extend_from_slice(&[8, 2]);
        blob.resize(blob.len() + 16, 0);
        blob.extend(varstr(b"go1.19.8"));
        let info = "0123456789abcdef\npath\texample.com/cmd\nmod\texample.com/cmd\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.7\th1:x\ndep\tgithub.com/a/b\tv1.0.0\n=>\tgithub.com/fork/b\tv1.0.1\th1:y\nbuild\t-compiler=gc\n0123456789abcdef";
        blob.extend(varstr(info.as_bytes()));
        let got = parse_binary("usr/bin/cmd", &blob).unwrap();
        let got: Vec<(&str, &str)> = got
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("example.com/cmd", "(devel)"),
                ("golang.org/x/text", "v0.3.7"),
                ("github.com/fork/b", "v1.0.1"),
                ("stdlib", "go1.19.8"),
            ]
        );
        // Cut short anywhere: an error or fewer packages, never a panic.
        for cut in 0..blob.len() {
            let _ = parse_binary("x", &blob[..cut]);
        }
        assert!(parse_binary("x", b"\x7fELF plain").unwrap().is_empty());
    }
}
