//! Java archives (Maven): `.jar`, `.war`, `.ear` and their kin, read from memory with the `zip`
//! crate. Each `META-INF/maven/GROUP/ARTIFACT/pom.properties` is a package (`group:artifact`,
//! version); an archive without one is named by its manifest (`Implementation-Title` /
//! `Bundle-SymbolicName`, `Implementation-Version` / `Bundle-Version`) or else by its file name
//! (`name-1.2.3.jar`). Archives inside archives (Spring Boot's `BOOT-INF/lib/`, a war's
//! `WEB-INF/lib/`, an ear's modules) are read the same way, to a bounded depth and size; their
//! packages' path is `outer.jar!/BOOT-INF/lib/inner.jar`.

use std::io::{Cursor, Read};

use dockaudit_snapshot::contents::AppPackage;

use super::{package, JAVA_EXTENSIONS};

/// Bounds on reading one archive and what it nests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JavaLimits {
    /// Archives inside archives, at most this deep.
    pub max_depth: usize,
    /// Entries of one archive looked at.
    pub max_entries: usize,
    /// Largest nested archive read into memory.
    pub max_nested_bytes: u64,
    /// Largest `pom.properties` or manifest read.
    pub max_metadata_bytes: u64,
}

impl Default for JavaLimits {
    fn default() -> Self {
        JavaLimits {
            max_depth: 4,
            max_entries: 200_000,
            max_nested_bytes: 128 << 20,
            max_metadata_bytes: 1 << 20,
        }
    }
}

/// The packages in the archive at `path` (its bytes), nested archives included. An archive that
/// is not a zip file is an error naming it; a damaged nested archive is skipped.
pub fn parse_archive(
    path: &str,
    bytes: &[u8],
    limits: &JavaLimits,
) -> Result<Vec<AppPackage>, String> {
    let mut out = Vec::new();
    read_archive(path, bytes, 0, limits, &mut out)?;
    Ok(out)
}

fn read_archive(
    path: &str,
    bytes: &[u8],
    depth: usize,
    limits: &JavaLimits,
    out: &mut Vec<AppPackage>,
) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("{path}: not a readable Java archive: {e}"))?;
    let mut poms: Vec<(String, String, String)> = Vec::new();
    let mut manifest: Option<String> = None;
    let mut nested: Vec<usize> = Vec::new();
    for i in 0..zip.len().min(limits.max_entries) {
        // Names come from the central directory: only the entries wanted are opened, since
        // opening one sets up its decompressor (tens of KiB zeroed and moved, which for the
        // thousands of classes of a jar cost more than the rest of an image's scan).
        let Some(name) = zip.name_for_index(i) else {
            continue;
        };
        let is_pom = name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties");
        if !is_pom && !name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            if !name.ends_with(['/', '\\']) && is_archive_name(name) {
                nested.push(i);
            }
            continue;
        }
        let Ok(entry) = zip.by_index(i) else {
            continue;
        };
        if entry.size() > limits.max_metadata_bytes {
            continue;
        }
        let mut text = String::new();
        if entry
            .take(limits.max_metadata_bytes)
            .read_to_string(&mut text)
            .is_err()
        {
            continue;
        }
        if is_pom {
            let props = properties(&text);
            let get = |k: &str| {
                props
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
                    .filter(|v| !v.is_empty())
            };
            if let (Some(g), Some(a), Some(v)) = (get("groupId"), get("artifactId"), get("version"))
            {
                poms.push((g, a, v));
            }
        } else {
            manifest = Some(text);
        }
    }
    if poms.is_empty() {
        if let Some(p) = from_manifest_or_name(path, manifest.as_deref()) {
            out.push(p);
        }
    }
    poms.sort();
    poms.dedup();
    for (g, a, v) in poms {
        out.push(package("Maven", &format!("{g}:{a}"), &v, path));
    }
    if depth + 1 >= limits.max_depth {
        return Ok(());
    }
    for i in nested {
        let Ok(entry) = zip.by_index(i) else {
            continue;
        };
        if entry.size() > limits.max_nested_bytes {
            continue;
        }
        let inner_path = format!("{path}!/{}", entry.name());
        let mut inner = Vec::with_capacity(entry.size() as usize);
        if entry
            .take(limits.max_nested_bytes)
            .read_to_end(&mut inner)
            .is_err()
        {
            continue;
        }
        // A damaged nested archive does not spoil its parent's packages.
        let _ = read_archive(&inner_path, &inner, depth + 1, limits, out);
    }
    Ok(())
}

fn is_archive_name(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    match file.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty() && JAVA_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        }
        None => false,
    }
}

/// `key=value` (or `key: value`) lines of a Java properties file, comments skipped.
fn properties(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let (k, v) = l.split_once(['=', ':'])?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

/// A manifest's main attribute (continuation lines start with one space).
fn manifest_value(text: &str, key: &str) -> Option<String> {
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            break; // the main section ends at the first blank line
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if !k.eq_ignore_ascii_case(key) {
            continue;
        }
        let mut value = v.trim_start().to_owned();
        while let Some(next) = lines.peek().and_then(|l| l.strip_prefix(' ')) {
            value.push_str(next);
            lines.next();
        }
        let value = value.trim().to_owned();
        return (!value.is_empty()).then_some(value);
    }
    None
}

/// The archive's own package when it has no `pom.properties`.
fn from_manifest_or_name(path: &str, manifest: Option<&str>) -> Option<AppPackage> {
    let file = path.rsplit(['/', '!']).next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    // `name-1.2.3` → (`name`, `1.2.3`): the version starts at the first `-` followed by a digit.
    let (file_name, file_version) = match stem
        .char_indices()
        .find(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
    {
        Some((i, _)) => (&stem[..i], Some(&stem[i + 1..])),
        None => (stem, None),
    };
    let m = |k: &str| manifest.and_then(|t| manifest_value(t, k));
    let name = m("Implementation-Title")
        .or_else(|| m("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or("").to_owned()))
        .filter(|n| !n.contains(' '))
        .unwrap_or_else(|| file_name.to_owned());
    let version = m("Implementation-Version")
        .or_else(|| m("Bundle-Version"))
        .or_else(|| file_version.map(str::to_owned))?;
    (!name.is_empty()).then(|| package("Maven", &name, &version, path))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn jar(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(body).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn pom_properties_manifest_file_name_and_nesting() {
        let inner = jar(&[(
            "META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"#x\ngroupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n",
        )]);
        let plain = jar(&[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.lib;singleton:=true\r\nBundle-Version: 2.0.1\r\n\r\n",
        )]);
        let outer = jar(&[
            ("BOOT-INF/lib/snakeyaml-1.33.jar", &inner),
            ("BOOT-INF/lib/lib.jar", &plain),
            ("BOOT-INF/lib/broken.jar", b"not a zip"),
        ]);
        let got = parse_archive("app/app-0.1.0.jar", &outer, &JavaLimits::default()).unwrap();
        let got: Vec<(&str, &str, &str)> = got
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.path.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("app", "0.1.0", "app/app-0.1.0.jar"),
                (
                    "org.yaml:snakeyaml",
                    "1.33",
                    "app/app-0.1.0.jar!/BOOT-INF/lib/snakeyaml-1.33.jar"
                ),
                (
                    "org.example.lib",
                    "2.0.1",
                    "app/app-0.1.0.jar!/BOOT-INF/lib/lib.jar"
                ),
            ]
        );
        let err = parse_archive("x.jar", b"PK\x03\x04 cut", &JavaLimits::default()).unwrap_err();
        assert!(
            err.starts_with("x.jar: not a readable Java archive"),
            "{err}"
        );
        // Depth bound: only the outer archive's own package.
        let shallow = JavaLimits {
            max_depth: 1,
            ..JavaLimits::default()
        };
        assert_eq!(parse_archive("a-1.jar", &outer, &shallow).unwrap().len(), 1);
    }
}
