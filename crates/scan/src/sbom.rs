//! Software bills of materials: an image's OS packages written as CycloneDX 1.6 JSON or SPDX 2.3
//! JSON (the image as the root component, each package with its package URL), and CycloneDX or SPDX
//! documents made elsewhere (syft's, trivy's) read back into packages and an OS, so they can be
//! matched against the vulnerability database like a scanned image.
//!
//! Package URLs follow the purl specification's deb, apk and rpm types: `pkg:deb/debian/libc6@2.36-9?
//! arch=amd64&distro=debian-12&upstream=glibc`; an rpm epoch goes in the `epoch` qualifier. Reading,
//! the source package comes from the purl's `upstream` qualifier (syft: `upstream=glibc` or
//! `upstream=openssl@3.0.11-1`, rpm: the source rpm's file name), else trivy's `SrcName`/`SrcVersion`
//! properties, else dockaudit's own; the OS from a CycloneDX `operating-system` component, else the
//! purls' `distro` qualifier. Application packages (pypi, npm, golang, maven, gem, cargo, composer
//! and nuget purls) are read too, with their path in the image from dockaudit's or syft's
//! properties (CycloneDX) or syft's `sourceInfo` (SPDX).

use std::collections::BTreeMap;

use dockaudit_snapshot::contents::{AppPackage, InstalledPackage, OsRelease};
use serde_json::{json, Value};

/// What identifies the image an SBOM is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomSubject<'a> {
    /// The reference the user gave (`debian:12`).
    pub reference: &'a str,
    /// The image id (`sha256:…`).
    pub image_id: &'a str,
    /// The producing tool's version.
    pub tool_version: &'a str,
    /// When the SBOM is made (RFC 3339).
    pub timestamp: &'a str,
}

/// Why an SBOM could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct SbomError {
    /// The file.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

/// What an SBOM made elsewhere lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomInventory {
    /// `CycloneDX 1.6` or `SPDX-2.3`.
    pub format: String,
    /// The OS, when the document names one.
    pub os: Option<OsRelease>,
    /// The OS packages (deb, apk and rpm purls); others are counted in `other_packages`.
    pub packages: Vec<InstalledPackage>,
    /// The application packages (pypi, npm, golang, maven, gem, cargo, composer and nuget purls),
    /// with their path in the image when the document says it.
    pub app_packages: Vec<AppPackage>,
    /// Components that are neither (files, binaries without a purl, other purl types).
    pub other_packages: usize,
}

/// Percent-encodes a purl segment: everything but ASCII letters, digits and `.-_~`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A purl component with its `%XX` escapes decoded (invalid ones are kept as they are, and bytes
/// that are not UTF-8 become U+FFFD). The one decoder of package URLs, also for the vulnerability
/// feeds that carry them.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The purl type of a package format.
fn purl_type(format: &str) -> Option<&'static str> {
    match format {
        "dpkg" => Some("deb"),
        "apk" => Some("apk"),
        "rpm" => Some("rpm"),
        _ => None,
    }
}

/// The package URL of an installed OS package (`None` for a format without a purl type).
pub fn purl(pkg: &InstalledPackage, os: Option<&OsRelease>) -> Option<String> {
    let kind = purl_type(&pkg.format)?;
    let namespace = os.map_or(kind, |o| o.id.as_str());
    let (epoch, version) = match (kind, pkg.version.split_once(':')) {
        ("rpm", Some((e, v))) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(e), v)
        }
        _ => (None, pkg.version.as_str()),
    };
    let mut q: Vec<(String, String)> = Vec::new();
    if let Some(arch) = pkg.arch.as_deref().filter(|a| !a.is_empty()) {
        q.push(("arch".into(), arch.into()));
    }
    if let Some(o) = os {
        let distro = match &o.version_id {
            Some(v) => format!("{}-{v}", o.id),
            None => o.id.clone(),
        };
        q.push(("distro".into(), distro));
    }
    if let Some(e) = epoch {
        q.push(("epoch".into(), e.into()));
    }
    if !pkg.source_name.is_empty() && pkg.source_name != pkg.name {
        let upstream = if pkg.source_version.is_empty() || pkg.source_version == pkg.version {
            pkg.source_name.clone()
        } else {
            format!("{}@{}", pkg.source_name, pkg.source_version)
        };
        q.push(("upstream".into(), upstream));
    }
    q.sort();
    let mut out = format!(
        "pkg:{kind}/{}/{}@{}",
        encode(&namespace.to_ascii_lowercase()),
        encode(&pkg.name),
        encode(version)
    );
    for (i, (k, v)) in q.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
    }
    Some(out)
}

/// A purl taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Purl {
    kind: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
}

fn parse_purl(s: &str) -> Option<Purl> {
    let rest = s.strip_prefix("pkg:")?;
    let rest = rest.split('#').next()?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let (path, version) = match path.rsplit_once('@') {
        Some((p, v)) => (p, Some(percent_decode(v))),
        None => (path, None),
    };
    let mut parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if parts.len() < 2 {
        return None;
    }
    let kind = parts.remove(0).to_ascii_lowercase();
    let name = percent_decode(parts.pop()?);
    let namespace = (!parts.is_empty()).then(|| percent_decode(&parts.join("/")));
    let mut qualifiers = BTreeMap::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        if let Some((k, v)) = pair.split_once('=') {
            qualifiers.insert(k.to_ascii_lowercase(), percent_decode(v));
        }
    }
    Some(Purl {
        kind,
        namespace,
        name,
        version,
        qualifiers,
    })
}

/// A v4-shaped UUID from the image id's hex digits, so one image always gets the same serial number.
fn uuid_from(id: &str) -> String {
    let hex: Vec<u8> = id
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|b| b.to_ascii_lowercase())
        .chain(std::iter::repeat(b'0'))
        .take(32)
        .collect();
    let mut h = String::from_utf8(hex).unwrap_or_default();
    h.replace_range(12..13, "4");
    let variant = u8::from_str_radix(&h[16..17], 16).unwrap_or(0) & 0x3 | 0x8;
    h.replace_range(16..17, &format!("{variant:x}"));
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn package_properties(p: &InstalledPackage) -> Vec<Value> {
    let mut props = vec![json!({"name": "dockaudit:package:format", "value": p.format})];
    if !p.source_name.is_empty() {
        props.push(json!({"name": "dockaudit:package:source_name", "value": p.source_name}));
    }
    if !p.source_version.is_empty() {
        props.push(json!({"name": "dockaudit:package:source_version", "value": p.source_version}));
    }
    props
}

/// The image's packages as a CycloneDX 1.6 JSON document: the image is `metadata.component` (a
/// container), the OS an `operating-system` component, each OS package and each application
/// package (`apps`, with its ecosystem and path in the image as properties) a `library` with its
/// purl.
pub fn cyclonedx(
    subject: &SbomSubject<'_>,
    os: Option<&OsRelease>,
    packages: &[InstalledPackage],
    apps: &[AppPackage],
) -> Value {
    let image_ref = format!("image:{}", subject.image_id);
    let mut components = Vec::new();
    let mut depends = Vec::new();
    if let Some(o) = os {
        let r = format!("os:{}", o.id);
        let mut c = json!({"type": "operating-system", "bom-ref": r, "name": o.id});
        if let Some(v) = &o.version_id {
            c["version"] = json!(v);
        }
        if let Some(p) = &o.pretty_name {
            c["description"] = json!(p);
        }
        components.push(c);
        depends.push(r);
    }
    for (i, p) in packages.iter().enumerate() {
        let purl = purl(p, os);
        // bom-refs must be unique; two databases can list the same package.
        let r = format!("pkg:{i}:{}", purl.as_deref().unwrap_or(&p.name));
        let mut c = json!({
            "type": "library", "bom-ref": r, "name": p.name, "version": p.version,
            "properties": package_properties(p),
        });
        if let Some(u) = purl {
            c["purl"] = json!(u);
        }
        components.push(c);
        depends.push(r);
    }
    for (i, a) in apps.iter().enumerate() {
        let r = format!("app:{i}:{}", a.purl);
        components.push(json!({
            "type": "library", "bom-ref": r, "name": a.name, "version": a.version,
            "purl": a.purl,
            "properties": [
                {"name": "dockaudit:package:ecosystem", "value": a.ecosystem},
                {"name": "dockaudit:package:path", "value": format!("/{}", a.path)},
            ],
        }));
        depends.push(r);
    }
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_from(subject.image_id)),
        "version": 1,
        "metadata": {
            "timestamp": subject.timestamp,
            "tools": {"components": [
                {"type": "application", "name": "dockaudit", "version": subject.tool_version}
            ]},
            "component": {
                "type": "container", "bom-ref": image_ref, "name": subject.reference,
                "version": subject.image_id,
            },
        },
        "components": components,
        "dependencies": [{"ref": image_ref, "dependsOn": depends}],
    })
}

/// An SPDX id: letters, digits, `.` and `-` only.
fn spdx_id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The image's packages as an SPDX 2.3 JSON document: the document describes the image (a package
/// whose purpose is CONTAINER), which CONTAINS the OS and each OS and application package (with
/// its purl; an application package's path in the image is its `sourceInfo`).
pub fn spdx(
    subject: &SbomSubject<'_>,
    os: Option<&OsRelease>,
    packages: &[InstalledPackage],
    apps: &[AppPackage],
) -> Value {
    let image = "SPDXRef-Image".to_owned();
    let mut out_packages = vec![json!({
        "SPDXID": image, "name": subject.reference, "versionInfo": subject.image_id,
        "downloadLocation": "NOASSERTION", "primaryPackagePurpose": "CONTAINER",
        "filesAnalyzed": false,
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
        "relatedSpdxElement": image,
    })];
    if let Some(o) = os {
        let id = "SPDXRef-OperatingSystem";
        let mut p = json!({
            "SPDXID": id, "name": o.id, "downloadLocation": "NOASSERTION",
            "primaryPackagePurpose": "OPERATING_SYSTEM", "filesAnalyzed": false,
        });
        if let Some(v) = &o.version_id {
            p["versionInfo"] = json!(v);
        }
        out_packages.push(p);
        relationships.push(json!({
            "spdxElementId": image, "relationshipType": "CONTAINS", "relatedSpdxElement": id,
        }));
    }
    for (i, p) in packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{i}-{}", spdx_id(&p.name));
        let mut entry = json!({
            "SPDXID": id, "name": p.name, "versionInfo": p.version,
            "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
            "primaryPackagePurpose": "LIBRARY",
        });
        if !p.source_name.is_empty() && p.source_name != p.name {
            entry["sourceInfo"] = json!(format!(
                "built from source package {} {}",
                p.source_name, p.source_version
            ));
        }
        if let Some(u) = purl(p, os) {
            entry["externalRefs"] = json!([{
                "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                "referenceLocator": u,
            }]);
        }
        out_packages.push(entry);
        relationships.push(json!({
            "spdxElementId": image, "relationshipType": "CONTAINS", "relatedSpdxElement": id,
        }));
    }
    for (i, a) in apps.iter().enumerate() {
        let id = format!("SPDXRef-App-{i}-{}", spdx_id(&a.name));
        out_packages.push(json!({
            "SPDXID": id, "name": a.name, "versionInfo": a.version,
            "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
            "primaryPackagePurpose": "LIBRARY",
            "sourceInfo": format!("{} package found at /{}", a.ecosystem, a.path),
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                "referenceLocator": a.purl,
            }],
        }));
        relationships.push(json!({
            "spdxElementId": image, "relationshipType": "CONTAINS", "relatedSpdxElement": id,
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject.reference,
        "documentNamespace": format!(
            "https://dockaudit.invalid/spdx/{}/{}",
            spdx_id(subject.image_id),
            uuid_from(subject.image_id)
        ),
        "creationInfo": {
            "created": subject.timestamp,
            "creators": [format!("Tool: dockaudit-{}", subject.tool_version)],
        },
        "documentDescribes": [image],
        "packages": out_packages,
        "relationships": relationships,
    })
}

/// The OS a purl `distro` qualifier names (`debian-12`, `alpine-3.15.4`, `ubuntu-22.04`).
fn os_from_distro(distro: &str) -> Option<OsRelease> {
    let (id, version) = match distro.split_once('-') {
        Some((id, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => (id, Some(v)),
        _ => (distro, None),
    };
    (!id.is_empty()).then(|| OsRelease {
        id: id.to_ascii_lowercase(),
        version_id: version.map(str::to_owned),
        source: "sbom: purl distro qualifier".into(),
        ..OsRelease::default()
    })
}

/// The installed package a purl describes, with its source package, when it is an OS package.
fn package_from(
    purl_text: &str,
    name: Option<&str>,
    version: Option<&str>,
    props: &BTreeMap<String, String>,
) -> Option<(InstalledPackage, Option<OsRelease>)> {
    let p = parse_purl(purl_text)?;
    let format = match p.kind.as_str() {
        "deb" => "dpkg",
        "apk" => "apk",
        "rpm" => "rpm",
        _ => return None,
    };
    let name = name.map(str::to_owned).unwrap_or(p.name.clone());
    let mut version = version
        .map(str::to_owned)
        .or(p.version.clone())
        .unwrap_or_default();
    if let Some(epoch) = p.qualifiers.get("epoch") {
        if format == "rpm" && !version.contains(':') && epoch != "0" {
            version = format!("{epoch}:{version}");
        }
    }
    let (mut source_name, mut source_version) = (String::new(), String::new());
    if let Some(up) = p.qualifiers.get("upstream") {
        if format == "rpm" {
            // `openssl-3.0.7-24.el9.src.rpm`: name-version-release.
            let base = up.trim_end_matches(".rpm").trim_end_matches(".src");
            let mut parts = base.rsplitn(3, '-');
            if let (Some(rel), Some(ver), Some(n)) = (parts.next(), parts.next(), parts.next()) {
                source_name = n.to_owned();
                source_version = format!("{ver}-{rel}");
            } else {
                source_name = base.to_owned();
            }
        } else if let Some((n, v)) = up.split_once('@') {
            source_name = n.to_owned();
            source_version = v.to_owned();
        } else {
            source_name = up.clone();
        }
    }
    for (key_name, key_version) in [
        (
            "aquasecurity:trivy:SrcName",
            "aquasecurity:trivy:SrcVersion",
        ),
        (
            "dockaudit:package:source_name",
            "dockaudit:package:source_version",
        ),
    ] {
        if source_name.is_empty() {
            if let Some(n) = props.get(key_name) {
                source_name = n.clone();
            }
        }
        if source_version.is_empty() {
            if let Some(v) = props.get(key_version) {
                source_version = v.clone();
            }
        }
    }
    if source_name.is_empty() {
        source_name = name.clone();
    }
    if source_version.is_empty() {
        source_version = version.clone();
    }
    let os = p
        .qualifiers
        .get("distro")
        .and_then(|d| os_from_distro(d))
        .or_else(|| {
            p.namespace.as_deref().map(|n| OsRelease {
                id: n.to_ascii_lowercase(),
                source: "sbom: purl namespace".into(),
                ..OsRelease::default()
            })
        });
    Some((
        InstalledPackage {
            name,
            version,
            arch: p.qualifiers.get("arch").cloned(),
            source_name,
            source_version,
            format: format.to_owned(),
            module: None,
        },
        os,
    ))
}

/// A package syft listed without a purl (it writes none when the os-release is incomplete): its
/// `syft:package:type` says the format, its metadata properties the source package.
fn from_syft_properties(
    c: &Value,
    props: &BTreeMap<String, String>,
) -> Option<(InstalledPackage, Option<OsRelease>)> {
    let format = match props.get("syft:package:type")?.as_str() {
        "deb" => "dpkg",
        "apk" => "apk",
        "rpm" => "rpm",
        _ => return None,
    };
    let name = c["name"].as_str()?.to_owned();
    let version = c["version"].as_str().unwrap_or_default().to_owned();
    let source_name = props
        .get("syft:metadata:source")
        .or_else(|| props.get("syft:metadata:originPackage"))
        .cloned()
        .unwrap_or_else(|| name.clone());
    let source_version = props
        .get("syft:metadata:sourceVersion")
        .cloned()
        .unwrap_or_else(|| version.clone());
    Some((
        InstalledPackage {
            name,
            version,
            arch: props.get("syft:metadata:architecture").cloned(),
            source_name,
            source_version,
            format: format.to_owned(),
            module: None,
        },
        None,
    ))
}

/// The application package a purl describes (`pkg:pypi/…`, `pkg:npm/…`, `pkg:golang/…`,
/// `pkg:maven/…`, `pkg:gem/…`, `pkg:cargo/…`, `pkg:composer/…`, `pkg:nuget/…`), named as the
/// image inventory names it (`group:artifact`, `@scope/name`, the Go module path); the component's
/// own name and version win for PyPI (the purl's name is normalised) and for the version.
fn app_package_from(
    purl_text: &str,
    name: Option<&str>,
    version: Option<&str>,
    path: Option<&str>,
) -> Option<AppPackage> {
    let p = parse_purl(purl_text)?;
    let joined = |sep: &str| match &p.namespace {
        Some(ns) => format!("{ns}{sep}{}", p.name),
        None => p.name.clone(),
    };
    let (ecosystem, coordinates) = match p.kind.as_str() {
        "pypi" => ("PyPI", name.map(str::to_owned).unwrap_or(p.name.clone())),
        "npm" => ("npm", joined("/")),
        "golang" => ("Go", joined("/")),
        "maven" => ("Maven", joined(":")),
        "gem" => ("RubyGems", p.name.clone()),
        "cargo" => ("crates.io", p.name.clone()),
        "composer" => ("Packagist", joined("/")),
        "nuget" => ("NuGet", p.name.clone()),
        _ => return None,
    };
    let version = version
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .or(p.version.clone())?;
    Some(AppPackage {
        ecosystem: ecosystem.to_owned(),
        name: coordinates,
        version,
        path: path.unwrap_or_default().trim_start_matches('/').to_owned(),
        purl: purl_text.to_owned(),
    })
}

/// Where a component was found in the image: dockaudit's `dockaudit:package:path` property, else
/// syft's first `syft:location:N:path`.
fn component_path(props: &BTreeMap<String, String>) -> Option<&str> {
    props
        .get("dockaudit:package:path")
        .or_else(|| props.get("syft:location:0:path"))
        .map(String::as_str)
}

/// The path in an SPDX package's `sourceInfo` (syft: `acquired package info from … file: /path`).
fn spdx_source_path(source_info: Option<&str>) -> Option<&str> {
    let (_, rest) = source_info?.rsplit_once(": ")?;
    let first = rest.split(", ").next()?.trim();
    first.starts_with('/').then_some(first)
}

fn properties_of(v: &Value) -> BTreeMap<String, String> {
    v["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_owned(),
                p["value"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Reads a CycloneDX (1.4 to 1.6) or SPDX 2.x JSON document. The largest accepted is the caller's
/// business (read the file bounded); damaged documents give an error naming `origin`.
pub fn read(bytes: &[u8], origin: &str) -> Result<SbomInventory, SbomError> {
    let err = |m: String| SbomError {
        origin: origin.to_owned(),
        message: m,
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| err(format!("not JSON: {e}")))?;
    let mut inv = SbomInventory::default();
    let mut purl_os: Option<OsRelease> = None;
    let mut take =
        |inv: &mut SbomInventory, found: Option<(InstalledPackage, Option<OsRelease>)>| match found
        {
            Some((p, os)) => {
                if purl_os.is_none() || purl_os.as_ref().is_some_and(|o| o.version_id.is_none()) {
                    if let Some(os) = os {
                        purl_os = Some(os);
                    }
                }
                inv.packages.push(p);
            }
            None => inv.other_packages += 1,
        };
    if doc["bomFormat"] == "CycloneDX" {
        inv.format = format!("CycloneDX {}", doc["specVersion"].as_str().unwrap_or("?"));
        let mut stack: Vec<&Value> = doc["components"].as_array().into_iter().flatten().collect();
        while let Some(c) = stack.pop() {
            stack.extend(c["components"].as_array().into_iter().flatten());
            if c["type"] == "operating-system" {
                if inv.os.is_none() {
                    inv.os = c["name"].as_str().map(|n| OsRelease {
                        id: n.to_ascii_lowercase(),
                        version_id: c["version"].as_str().map(str::to_owned),
                        pretty_name: c["description"].as_str().map(str::to_owned),
                        source: "sbom: operating-system component".into(),
                        ..OsRelease::default()
                    });
                }
                continue;
            }
            let props = properties_of(c);
            let found = match c["purl"].as_str() {
                Some(u) => package_from(u, c["name"].as_str(), c["version"].as_str(), &props),
                None => from_syft_properties(c, &props),
            };
            let app = match (&found, c["purl"].as_str()) {
                (None, Some(u)) => app_package_from(
                    u,
                    c["name"].as_str(),
                    c["version"].as_str(),
                    component_path(&props),
                ),
                _ => None,
            };
            match app {
                Some(a) => inv.app_packages.push(a),
                None => take(&mut inv, found),
            }
        }
    } else if doc["spdxVersion"]
        .as_str()
        .is_some_and(|v| v.starts_with("SPDX-2"))
    {
        inv.format = doc["spdxVersion"].as_str().unwrap_or("SPDX").to_owned();
        for p in doc["packages"].as_array().into_iter().flatten() {
            let purpose = p["primaryPackagePurpose"].as_str().unwrap_or("");
            if purpose == "CONTAINER" {
                continue;
            }
            if purpose == "OPERATING_SYSTEM" || purpose == "OPERATING-SYSTEM" {
                if inv.os.is_none() {
                    inv.os = p["name"].as_str().map(|n| OsRelease {
                        id: n.to_ascii_lowercase(),
                        version_id: p["versionInfo"].as_str().map(str::to_owned),
                        source: "sbom: OPERATING_SYSTEM package".into(),
                        ..OsRelease::default()
                    });
                }
                continue;
            }
            let purl_text = p["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str());
            let found = purl_text.and_then(|u| {
                package_from(
                    u,
                    p["name"].as_str(),
                    p["versionInfo"].as_str(),
                    &BTreeMap::new(),
                )
            });
            let app = match (&found, purl_text) {
                (None, Some(u)) => app_package_from(
                    u,
                    p["name"].as_str(),
                    p["versionInfo"].as_str(),
                    spdx_source_path(p["sourceInfo"].as_str()),
                ),
                _ => None,
            };
            match app {
                Some(a) => inv.app_packages.push(a),
                None => take(&mut inv, found),
            }
        }
    } else {
        return Err(err(
            "neither a CycloneDX document (bomFormat) nor an SPDX 2 document (spdxVersion)".into(),
        ));
    }
    if inv.os.is_none() {
        inv.os = purl_os;
    }
    // Documents list packages in their own order; keep a stable one.
    inv.packages
        .sort_by(|a, b| (&a.name, &a.version, &a.arch).cmp(&(&b.name, &b.version, &b.arch)));
    inv.app_packages.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version, &a.path).cmp(&(
            &b.ecosystem,
            &b.name,
            &b.version,
            &b.path,
        ))
    });
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(
        name: &str,
        version: &str,
        source: &str,
        source_version: &str,
        format: &str,
    ) -> InstalledPackage {
        InstalledPackage {
            name: name.into(),
            version: version.into(),
            arch: Some("amd64".into()),
            source_name: source.into(),
            source_version: source_version.into(),
            format: format.into(),
            module: None,
        }
    }

    #[test]
    fn purls_round_trip() {
        let os = OsRelease {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..OsRelease::default()
        };
        let p = pkg(
            "libstdc++6",
            "12.2.0-14+deb12u1",
            "gcc-12",
            "12.2.0-14+deb12u1",
            "dpkg",
        );
        let u = purl(&p, Some(&os)).unwrap();
        assert_eq!(
            u,
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12"
        );
        let (back, back_os) = package_from(&u, None, None, &BTreeMap::new()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back_os.unwrap().version_id.as_deref(), Some("12"));
        let rpm = pkg(
            "openssl-libs",
            "1:3.0.7-24.el9",
            "openssl",
            "1:3.0.7-24.el9",
            "rpm",
        );
        let u = purl(&rpm, None).unwrap();
        assert_eq!(
            u,
            "pkg:rpm/rpm/openssl-libs@3.0.7-24.el9?arch=amd64&epoch=1&upstream=openssl"
        );
        assert_eq!(
            package_from(&u, None, None, &BTreeMap::new())
                .unwrap()
                .0
                .version,
            "1:3.0.7-24.el9"
        );
        assert!(purl(&pkg("x", "1", "x", "1", "pip"), None).is_none());
    }

    #[test]
    fn uuid_is_v4_shaped() {
        let u =
            uuid_from("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn bad_documents_are_named() {
        assert!(read(b"{", "x.json")
            .unwrap_err()
            .to_string()
            .starts_with("x.json: "));
        assert!(read(b"{}", "y.json").is_err());
    }

    #[test]
    fn application_purls_become_app_packages_named_as_the_inventory_names_them() {
        let cases = [
            (
                "pkg:pypi/jinja2@3.1.2",
                Some("Jinja2"),
                "PyPI",
                "Jinja2",
                "3.1.2",
            ),
            (
                "pkg:npm/%40types/lodash@4.14.177",
                None,
                "npm",
                "@types/lodash",
                "4.14.177",
            ),
            (
                "pkg:golang/golang.org/x/net@v0.7.0",
                None,
                "Go",
                "golang.org/x/net",
                "v0.7.0",
            ),
            (
                "pkg:maven/org.apache.commons/commons-text@1.10.0",
                None,
                "Maven",
                "org.apache.commons:commons-text",
                "1.10.0",
            ),
            ("pkg:gem/rack@2.2.22", None, "RubyGems", "rack", "2.2.22"),
            ("pkg:cargo/regex@1.5.4", None, "crates.io", "regex", "1.5.4"),
            (
                "pkg:composer/guzzlehttp/guzzle@7.4.2",
                None,
                "Packagist",
                "guzzlehttp/guzzle",
                "7.4.2",
            ),
            (
                "pkg:nuget/Newtonsoft.Json@12.0.3",
                None,
                "NuGet",
                "Newtonsoft.Json",
                "12.0.3",
            ),
        ];
        for (purl, name, eco, want, version) in cases {
            let a = app_package_from(purl, name, None, Some("/app/x")).expect(purl);
            assert_eq!(
                (
                    a.ecosystem.as_str(),
                    a.name.as_str(),
                    a.version.as_str(),
                    a.path.as_str()
                ),
                (eco, want, version, "app/x"),
                "{purl}"
            );
        }
        assert!(app_package_from("pkg:deb/debian/libc6@2.36", None, None, None).is_none());
        assert!(
            app_package_from("pkg:pypi/requests", None, None, None).is_none(),
            "no version"
        );
        assert_eq!(
            spdx_source_path(Some(
                "acquired package info from installed python package manifest file: /usr/lib/a/PKG-INFO, /usr/lib/a/RECORD"
            )),
            Some("/usr/lib/a/PKG-INFO")
        );
        let doc = br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
            {"type": "library", "name": "rack", "version": "2.2.22", "purl": "pkg:gem/rack@2.2.22",
             "properties": [{"name": "syft:location:0:path", "value": "/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec"}]},
            {"type": "file", "name": "/etc/x"}]}"#;
        let inv = read(doc, "d.json").expect("read");
        assert_eq!(inv.app_packages.len(), 1);
        assert_eq!(
            inv.app_packages[0].path,
            "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec"
        );
        assert_eq!(inv.other_packages, 1);
    }
}
