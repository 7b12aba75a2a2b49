//! Application packages: what a language's package manager installed or a compiler built into a
//! binary, read from the metadata each ecosystem leaves in the file system.
//!
//! - [`python`]: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.egg-info` files (PyPI);
//! - [`npm`]: every `package.json` with a name and a version (npm), as syft reads them;
//! - [`java`]: `.jar`/`.war`/`.ear` archives, their `pom.properties`, manifest, and nested archives
//!   such as Spring Boot's `BOOT-INF/lib/*.jar` (Maven);
//! - [`golang`]: the build information the Go linker embeds in every binary: the main module, its
//!   dependencies, and the toolchain as the `stdlib` package (Go);
//! - [`other`]: Ruby's `specifications/*.gemspec` (RubyGems), PHP's `vendor/composer/installed.json`
//!   (Packagist) and .NET's `*.deps.json` (NuGet).
//!
//! The layer reader asks [`classify`] about every regular file and hands the matching ones' bytes
//! (bounded) to [`parse`]; nothing is written to disk. A file that cannot be read is a problem
//! naming it, never a panic; the rest of the image is still read.

use dockaudit_snapshot::contents::AppPackage;

pub mod golang;
pub mod java;
pub mod npm;
pub mod other;
pub mod python;

/// Which kind of application metadata a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppFile {
    /// Python's `METADATA` / `PKG-INFO` (RFC 822 headers).
    PythonMetadata,
    /// A `package.json`.
    PackageJson,
    /// A Ruby `*.gemspec` in a `specifications/` directory.
    Gemspec,
    /// Composer's `vendor/composer/installed.json`.
    ComposerInstalled,
    /// A .NET `*.deps.json`.
    DotnetDeps,
    /// A Java archive (`.jar`, `.war`, `.ear` and their kin).
    JavaArchive,
    /// An executable that may be a Go binary (told by its build information, read later).
    Executable,
}

impl AppFile {
    /// The largest such file read, in bytes: metadata is small; archives and binaries are read
    /// whole into memory (one at a time) up to the bound the caller gives.
    pub fn limit(self, archive_limit: u64) -> u64 {
        match self {
            AppFile::PythonMetadata | AppFile::PackageJson | AppFile::Gemspec => 1 << 20,
            AppFile::ComposerInstalled | AppFile::DotnetDeps => 16 << 20,
            AppFile::JavaArchive | AppFile::Executable => archive_limit,
        }
    }
}

/// Java archive extensions read (syft's list).
pub const JAVA_EXTENSIONS: &[&str] = &[
    "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "kar", "lpkg",
];

/// What a regular file at `path` with permission bits `mode` is, for the application inventory.
pub fn classify(path: &str, mode: u32) -> Option<AppFile> {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path),
    };
    let dir_name = dir.rsplit('/').next().unwrap_or("");
    let lower_dir = dir_name.to_ascii_lowercase();
    if (name == "METADATA" && lower_dir.ends_with(".dist-info"))
        || (name == "PKG-INFO" && lower_dir.ends_with(".egg-info"))
        || name.ends_with(".egg-info")
    {
        return Some(AppFile::PythonMetadata);
    }
    if name == "package.json" {
        return Some(AppFile::PackageJson);
    }
    if name.ends_with(".gemspec") && dir_name == "specifications" {
        return Some(AppFile::Gemspec);
    }
    if name == "installed.json" && dir.ends_with("vendor/composer") {
        return Some(AppFile::ComposerInstalled);
    }
    if name.ends_with(".deps.json") {
        return Some(AppFile::DotnetDeps);
    }
    if let Some((stem, ext)) = name.rsplit_once('.') {
        if !stem.is_empty() && JAVA_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
            return Some(AppFile::JavaArchive);
        }
    }
    if mode & 0o111 != 0 {
        return Some(AppFile::Executable);
    }
    None
}

/// Whether the first bytes of an [`AppFile::Executable`] make it worth reading whole (an ELF file).
pub fn is_elf(head: &[u8]) -> bool {
    head.starts_with(b"\x7fELF")
}

/// Reads the packages a file of `kind` describes. `path` is where it is in the image (without the
/// leading `/`); it names the file in problems and is each package's [`AppPackage::path`].
pub fn parse(kind: AppFile, path: &str, bytes: &[u8]) -> Result<Vec<AppPackage>, String> {
    match kind {
        AppFile::PythonMetadata => Ok(python::parse_metadata(path, bytes).into_iter().collect()),
        AppFile::PackageJson => npm::parse_package_json(path, bytes),
        AppFile::Gemspec => Ok(other::parse_gemspec(path, bytes).into_iter().collect()),
        AppFile::ComposerInstalled => other::parse_composer_installed(path, bytes),
        AppFile::DotnetDeps => other::parse_deps_json(path, bytes),
        AppFile::JavaArchive => java::parse_archive(path, bytes, &java::JavaLimits::default()),
        AppFile::Executable => golang::parse_binary(path, bytes),
    }
}

/// A package with its purl built from the ecosystem's rules.
pub(crate) fn package(ecosystem: &str, name: &str, version: &str, path: &str) -> AppPackage {
    AppPackage {
        ecosystem: ecosystem.to_owned(),
        name: name.to_owned(),
        version: version.to_owned(),
        path: path.to_owned(),
        purl: purl(ecosystem, name, version),
    }
}

/// The package URL of a package (<https://github.com/package-url/purl-spec>): the type for the
/// ecosystem, the namespace and name as that type splits them, percent-encoded.
pub fn purl(ecosystem: &str, name: &str, version: &str) -> String {
    let (kind, namespace, short): (&str, Option<&str>, String) = match ecosystem {
        "PyPI" => ("pypi", None, python::normalize_name(name)),
        "npm" => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, n)) => ("npm", Some(scope), n.to_owned()),
            None => ("npm", None, name.to_owned()),
        },
        "Go" => match name.rsplit_once('/') {
            Some((ns, n)) => ("golang", Some(ns), n.to_owned()),
            None => ("golang", None, name.to_owned()),
        },
        "Maven" => match name.split_once(':') {
            Some((g, a)) => ("maven", Some(g), a.to_owned()),
            None => ("maven", None, name.to_owned()),
        },
        "RubyGems" => ("gem", None, name.to_owned()),
        "Packagist" => match name.split_once('/') {
            Some((v, n)) => ("composer", Some(v), n.to_owned()),
            None => ("composer", None, name.to_owned()),
        },
        "NuGet" => ("nuget", None, name.to_owned()),
        "crates.io" => ("cargo", None, name.to_owned()),
        other => (other, None, name.to_owned()),
    };
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = namespace {
        // The npm scope keeps its `@`, encoded; Go's namespace keeps its slashes.
        let ns = if kind == "npm" {
            format!("@{ns}")
        } else {
            ns.to_owned()
        };
        for (i, segment) in ns.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(&encode(segment));
        }
        out.push('/');
    }
    out.push_str(&encode(&short));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(version));
    }
    out
}

/// Percent-encodes what a purl component may not hold as is.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 822-style header value of `key` (first occurrence) in the header block of `text` (up to the
/// first blank line); continuation lines are not needed for the fields read here.
pub(crate) fn header_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case(key) {
                let v = v.trim();
                return (!v.is_empty()).then_some(v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_by_kind() {
        let c = |p: &str| classify(p, 0o644);
        assert_eq!(
            c("usr/lib/python3/dist-packages/six-1.16.0.egg-info"),
            Some(AppFile::PythonMetadata)
        );
        assert_eq!(
            c("usr/lib/python3/dist-packages/idna-3.3.dist-info/METADATA"),
            Some(AppFile::PythonMetadata)
        );
        assert_eq!(
            c("usr/lib/python3/dist-packages/chardet-5.1.0.egg-info/PKG-INFO"),
            Some(AppFile::PythonMetadata)
        );
        assert_eq!(c("app/METADATA"), None);
        assert_eq!(
            c("app/node_modules/@types/node/package.json"),
            Some(AppFile::PackageJson)
        );
        assert_eq!(
            c("var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec"),
            Some(AppFile::Gemspec)
        );
        assert_eq!(c("src/rake.gemspec"), None);
        assert_eq!(
            c("app/vendor/composer/installed.json"),
            Some(AppFile::ComposerInstalled)
        );
        assert_eq!(c("app/web.deps.json"), Some(AppFile::DotnetDeps));
        assert_eq!(
            c("usr/share/java/commons-io.JAR"),
            Some(AppFile::JavaArchive)
        );
        assert_eq!(c("usr/share/java/.jar"), None);
        assert_eq!(classify("usr/bin/tool", 0o755), Some(AppFile::Executable));
        assert_eq!(classify("usr/lib/x.so", 0o644), None);
    }

    #[test]
    fn purls_follow_the_spec() {
        assert_eq!(purl("PyPI", "Foo_Bar", "1.0"), "pkg:pypi/foo-bar@1.0");
        assert_eq!(
            purl("npm", "@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl("Go", "golang.org/x/text", "v0.3.7"),
            "pkg:golang/golang.org/x/text@v0.3.7"
        );
        assert_eq!(
            purl("Maven", "commons-io:commons-io", "2.11.0"),
            "pkg:maven/commons-io/commons-io@2.11.0"
        );
        assert_eq!(
            purl("Packagist", "symfony/console", "v6.0.0"),
            "pkg:composer/symfony/console@v6.0.0"
        );
        assert_eq!(
            purl("Go", "stdlib", "go1.19.8"),
            "pkg:golang/stdlib@go1.19.8"
        );
    }
}
