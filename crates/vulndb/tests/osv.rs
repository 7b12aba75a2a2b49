//! OSV records of application packages, real ones (GitHub's advisory database, Go's vulnerability
//! database; `tests/data/osv-layout/`), built into a database from a directory and from an
//! `all.zip`, and matched against packages as the image inventory reports them (the versions Debian
//! 12 ships, as in the live test's image): ranges with several windows, pseudo-version bounds, the
//! Go toolchain as `stdlib`, a withdrawn record dropped, GHSA and GO records of one CVE merged into
//! one finding, severities from the CVSS vectors.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use dockaudit_snapshot::contents::AppPackage;
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::osv::{match_app_packages, AppVulnerability};
use dockaudit_vulndb::VulnDb;

fn layout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv-layout")
}

fn options() -> BuildOptions {
    common::build_options(time::macros::datetime!(2026-12-04 12:00 UTC))
}

fn build_from(dir: &Path, target: &Path) -> VulnDb {
    let feeds = FeedSet::discover(dir).expect("feeds found");
    build(&feeds, target, &options(), &mut |_| {}).expect("build");
    VulnDb::open(target).expect("open")
}

fn pkg(ecosystem: &str, name: &str, version: &str) -> AppPackage {
    AppPackage {
        ecosystem: ecosystem.into(),
        name: name.into(),
        version: version.into(),
        path: format!("app/{name}"),
        purl: String::new(),
    }
}

/// (id, fixed version, severity, records) per package name@version.
fn summary(found: &[AppVulnerability]) -> Vec<String> {
    let mut out: Vec<String> = found
        .iter()
        .map(|v| {
            format!(
                "{}@{} {} fix={} {} [{}]",
                v.package.name,
                v.package.version,
                v.id,
                v.fixed_version.as_deref().unwrap_or("-"),
                v.severity,
                v.records.join(",")
            )
        })
        .collect();
    out.sort();
    out
}

fn packages() -> Vec<AppPackage> {
    vec![
        pkg("PyPI", "requests", "2.28.1"),
        pkg("PyPI", "urllib3", "1.26.12"),
        pkg("PyPI", "Jinja2", "3.1.2"),
        pkg("PyPI", "PyYAML", "6.0"),
        pkg("PyPI", "Django", "4.0.5"),
        pkg("Go", "golang.org/x/net", "v0.7.0"),
        pkg("Go", "stdlib", "go1.19.8"),
        pkg("Go", "k8s.io/kubernetes", "v1.20.0"),
        pkg(
            "Go",
            "github.com/gin-gonic/gin",
            "v1.3.1-0.20190402010909-1ef0a33c6f3b",
        ),
        pkg("npm", "lodash", "4.17.21"),
        pkg("npm", "lodash", "4.17.20"),
        pkg("npm", "minimist", "1.2.7"),
        pkg("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
        pkg("Maven", "org.apache.logging.log4j:log4j-core", "2.19.0"),
        pkg(
            "Maven",
            "com.fasterxml.jackson.core:jackson-databind",
            "2.13.1",
        ),
        pkg("Maven", "org.apache.commons:commons-text", "1.10.0"),
        pkg("NuGet", "newtonsoft.json", "12.0.3"),
        pkg("RubyGems", "nokogiri", "1.13.3"),
        pkg("RubyGems", "actionpack", "6.1.7"),
        // Debian 12's: GHSA-x8cg-fq8g-mxfx (fixed 2.2.23) includes it, GHSA-whrj-4476-wvmp (fixed
        // 2.2.22) does not.
        pkg("RubyGems", "rack", "2.2.22"),
        pkg("Packagist", "guzzlehttp/guzzle", "7.4.2"),
        pkg("crates.io", "regex", "1.5.4"),
    ]
}

const EXPECTED: &[&str] = &[
    "Django@4.0.5 CVE-2022-34265 fix=4.0.6 critical [GHSA-p64x-8rxx-wf6q]",
    "Jinja2@3.1.2 CVE-2024-22195 fix=3.1.3 medium [GHSA-h5c8-rqwp-cp95]",
    "actionpack@6.1.7 CVE-2023-22795 fix=6.1.7.1 low [GHSA-8xww-x3g3-6jcv]",
    "com.fasterxml.jackson.core:jackson-databind@2.13.1 CVE-2020-36518 fix=2.13.2.1 high [GHSA-57j2-w4cx-62h2]",
    "github.com/gin-gonic/gin@v1.3.1-0.20190402010909-1ef0a33c6f3b CVE-2023-29401 fix=1.9.1 unknown [GO-2023-1737]",
    "golang.org/x/net@v0.7.0 CVE-2023-39325 fix=0.17.0 high [GHSA-4374-p667-p6c8,GO-2023-2102]",
    "golang.org/x/net@v0.7.0 CVE-2023-45288 fix=0.23.0 unknown [GO-2024-2687]",
    "guzzlehttp/guzzle@7.4.2 CVE-2022-29248 fix=7.4.3 high [GHSA-cwmx-hcrq-mhc3]",
    "lodash@4.17.20 CVE-2021-23337 fix=4.17.21 high [GHSA-35jh-r3h4-6jhm]",
    "lodash@4.17.20 CVE-2025-13465 fix=4.17.23 medium [GHSA-xxjr-mmjv-4gpg]",
    "lodash@4.17.21 CVE-2025-13465 fix=4.17.23 medium [GHSA-xxjr-mmjv-4gpg]",
    "newtonsoft.json@12.0.3 GHSA-5crp-9r3c-p9vr fix=13.0.1 low [GHSA-5crp-9r3c-p9vr]",
    "nokogiri@1.13.3 CVE-2022-24836 fix=1.13.4 high [GHSA-crjr-9rc5-ghw8]",
    "org.apache.logging.log4j:log4j-core@2.14.1 CVE-2021-44228 fix=2.15.0 critical [GHSA-jfh8-c2jp-5v3q]",
    "rack@2.2.22 CVE-2026-34826 fix=2.2.23 medium [GHSA-x8cg-fq8g-mxfx]",
    "regex@1.5.4 CVE-2022-24713 fix=1.5.5 high [GHSA-m5pq-gvj9-9vr8]",
    "requests@2.28.1 CVE-2023-32681 fix=2.31.0 medium [GHSA-j8r2-6x86-q33q]",
    "requests@2.28.1 CVE-2024-35195 fix=2.32.2 medium [GHSA-9wx4-h78v-vm56]",
    "stdlib@go1.19.8 CVE-2023-39325 fix=1.20.10 unknown [GO-2023-2102]",
    "stdlib@go1.19.8 CVE-2023-45288 fix=1.21.9 unknown [GO-2024-2687]",
    "stdlib@go1.19.8 CVE-2024-24790 fix=1.21.11 unknown [GO-2024-2887]",
    "urllib3@1.26.12 CVE-2023-43804 fix=1.26.17 medium [GHSA-v845-jxx5-vc9f]",
    "urllib3@1.26.12 CVE-2023-45803 fix=1.26.18 medium [GHSA-g4mx-q9vg-27p4]",
];

#[test]
fn real_osv_records_match_the_inventorys_packages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = build_from(&layout(), &dir.path().join("db.sqlite"));
    let found = match_app_packages(&db, &packages()).expect("match");
    assert_eq!(summary(&found), EXPECTED);
    // The merged finding keeps every id.
    let merged = found
        .iter()
        .find(|v| v.id == "CVE-2023-39325" && v.package.name == "golang.org/x/net")
        .expect("merged");
    assert_eq!(merged.aliases, vec!["GHSA-4374-p667-p6c8", "GO-2023-2102"]);
    assert!(merged
        .cvss
        .as_deref()
        .is_some_and(|c| c.starts_with("CVSS:3.1/")));
    let sources = dockaudit_vulndb::osv::sources(&db);
    assert_eq!(sources.len(), 8, "{sources:?}");
    assert!(sources
        .iter()
        .all(|s| s.name.starts_with("osv/") && s.sha256.len() == 64));
}

#[test]
fn an_ecosystem_directory_and_its_all_zip_give_the_same_matches() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `--from DIR/osv/PyPI/` as a directory of JSON…
    let from_dir = build_from(&layout().join("osv/PyPI"), &dir.path().join("a.sqlite"));
    // …and as OSV publishes it: all.zip.
    let zipped = dir.path().join("osv/PyPI");
    std::fs::create_dir_all(&zipped).expect("mkdir");
    let mut w = zip::ZipWriter::new(std::fs::File::create(zipped.join("all.zip")).expect("zip"));
    let mut names: Vec<PathBuf> = std::fs::read_dir(layout().join("osv/PyPI"))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("member");
        w.write_all(&std::fs::read(&p).expect("read"))
            .expect("write");
    }
    w.finish().expect("finish");
    let from_zip = build_from(&zipped, &dir.path().join("b.sqlite"));
    let pypi: Vec<AppPackage> = packages()
        .into_iter()
        .filter(|p| p.ecosystem == "PyPI")
        .collect();
    let a = summary(&match_app_packages(&from_dir, &pypi).expect("match"));
    let b = summary(&match_app_packages(&from_zip, &pypi).expect("match"));
    assert_eq!(a, b);
    assert_eq!(a.len(), 6);
    // Only PyPI was imported: nothing else matches.
    assert!(match_app_packages(&from_zip, &packages())
        .expect("match")
        .iter()
        .all(|v| v.package.ecosystem == "PyPI"));
}

#[test]
fn damaged_records_are_skipped_and_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let eco = dir.path().join("osv/npm");
    std::fs::create_dir_all(&eco).expect("mkdir");
    std::fs::copy(
        layout().join("osv/npm/GHSA-35jh-r3h4-6jhm.json"),
        eco.join("GHSA-35jh-r3h4-6jhm.json"),
    )
    .expect("copy");
    std::fs::write(eco.join("broken.json"), b"{\"id\": ").expect("write");
    let feeds = FeedSet::discover(dir.path()).expect("feeds");
    let summary = build(
        &feeds,
        &dir.path().join("db.sqlite"),
        &options(),
        &mut |_| {},
    )
    .expect("build");
    assert_eq!(summary.skipped.skipped, 1);
    assert!(
        summary
            .skipped
            .skipped_sample
            .iter()
            .any(|s| s.contains("broken.json") && s.contains("not an OSV record")),
        "{:?}",
        summary.skipped.skipped_sample
    );
    // A zip that is not one fails the build, naming it; the old database stays.
    std::fs::write(eco.join("all.zip"), b"PK\x03\x04 not really").expect("write");
    let feeds = FeedSet::discover(dir.path()).expect("feeds");
    let err = build(
        &feeds,
        &dir.path().join("db.sqlite"),
        &options(),
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("all.zip") && err.contains("not a zip archive"),
        "{err}"
    );
    assert!(VulnDb::open(&dir.path().join("db.sqlite")).is_ok());
}

/// `DIR` laid out as `db build --from DIR` reads it: the OSV records and the real severity feeds
/// (NVD API 2.0 records, CVE 5 records, the KEV excerpt, the EPSS excerpt; tests/data/NOTICE.md).
fn layout_with_severity_feeds(dir: &Path) {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (from, to) in [
        (layout().join("osv"), "osv"),
        (data.join("enrichment/nvd"), "nvd"),
        (data.join("enrichment/cve5"), "cve5"),
        (data.join("enrichment/kev"), "kev"),
        (data.join("enrichment/epss"), "epss"),
    ] {
        std::os::unix::fs::symlink(&from, dir.join(to)).expect("symlink");
    }
}

/// (package@version id severity severity_source vendor kev epss [score sources]) of the findings.
fn severity_summary(found: &[AppVulnerability]) -> Vec<String> {
    let mut out: Vec<String> = found
        .iter()
        .map(|v| {
            format!(
                "{}@{} {} {} from={} vendor={} kev={} epss={} [{}]",
                v.package.name,
                v.package.version,
                v.id,
                v.severity,
                v.severity_source,
                v.vendor_severity,
                v.known_exploited
                    .as_ref()
                    .map_or("-", |k| k.date_added.as_str()),
                v.epss
                    .as_ref()
                    .map_or("-".to_owned(), |e| e.score.to_string()),
                v.scores
                    .iter()
                    .map(|c| format!("{} {} {}", c.source, c.version, c.score))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn app_findings_get_nvd_cve5_kev_and_epss_data_and_the_effective_severity() {
    let dir = tempfile::tempdir().expect("temp dir");
    let feeds_dir = dir.path().join("feeds");
    std::fs::create_dir(&feeds_dir).expect("mkdir");
    layout_with_severity_feeds(&feeds_dir);
    // No distribution feed at all: the severity data is kept for the CVEs the OSV records name.
    let db = build_from(&feeds_dir, &dir.path().join("db.sqlite"));
    assert!(db.cve_info("CVE-2021-44228").unwrap().is_some());
    // NVD records no OSV record names are still left out.
    assert!(db.cve_info("CVE-2024-3094").unwrap().is_none());
    let packages = vec![
        pkg("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
        pkg("Maven", "org.apache.commons:commons-text", "1.9"),
        pkg("npm", "lodash", "4.17.20"),
        pkg("PyPI", "requests", "2.28.1"),
        pkg("Go", "stdlib", "go1.19.8"),
    ];
    let found = match_app_packages(&db, &packages).expect("match");
    let expected: &[&str] = &[
        // The GHSA's own vector rates it (vendor's place); NVD's and the CNA's scores, KEV's date
        // and EPSS ride along (commons-text's CVE 5 record has CISA's SSVC, no CVSS).
        "lodash@4.17.20 CVE-2021-23337 high from=osv vendor=high kev=- epss=- \
         [osv:GHSA-35jh-r3h4-6jhm 3.1 7.2; nvd@nist.gov 3.1 7.2; nvd@nist.gov 2.0 6.5; report@snyk.io 3.1 7.2]",
        "lodash@4.17.20 CVE-2025-13465 medium from=osv vendor=medium kev=- epss=- [osv:GHSA-xxjr-mmjv-4gpg 3.1 6.5]",
        "org.apache.commons:commons-text@1.9 CVE-2022-42889 critical from=osv vendor=critical kev=- epss=- \
         [osv:GHSA-599f-7c49-w659 3.1 9.8; nvd@nist.gov 3.1 9.8]",
        "org.apache.logging.log4j:log4j-core@2.14.1 CVE-2021-44228 critical from=osv vendor=critical kev=2021-12-10 epss=0.94358 \
         [osv:GHSA-jfh8-c2jp-5v3q 3.1 10; nvd@nist.gov 3.1 10; nvd@nist.gov 2.0 9.3; 134c704f-9b21-4f2e-91b3-4a467353bcc0 3.1 10]",
        "requests@2.28.1 CVE-2023-32681 medium from=osv vendor=medium kev=- epss=- \
         [osv:GHSA-j8r2-6x86-q33q 3.1 6.1; nvd@nist.gov 3.1 6.1; security-advisories@github.com 3.1 6.1]",
        // No NVD record of CVE-2024-35195 among the fixtures: the record's own score alone.
        "requests@2.28.1 CVE-2024-35195 medium from=osv vendor=medium kev=- epss=- [osv:GHSA-9wx4-h78v-vm56 3.1 5.6]",
        // Go's records carry no severity: NVD has no score yet ("Awaiting Analysis"), so CISA's
        // ADP score in the CVE 5 record decides.
        "stdlib@go1.19.8 CVE-2023-39325 unknown from=osv vendor=unknown kev=- epss=- []",
        "stdlib@go1.19.8 CVE-2023-45288 unknown from=osv vendor=unknown kev=- epss=- []",
        "stdlib@go1.19.8 CVE-2024-24790 critical from=adp:CISA-ADP vendor=unknown kev=- epss=- \
         [adp:CISA-ADP 3.1 9.8]",
    ];
    assert_eq!(severity_summary(&found), expected);
}
