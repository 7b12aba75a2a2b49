//! The vulnerability database on the real feed excerpts in tests/data/advisories (see
//! tests/data/NOTICE.md; the package databases are the scan crate's, see its tests/data/NOTICE.md): each importer turns its feed into the statuses the feed means, the
//! Debian and Alpine records agree with another tool's normalised view of the same excerpts
//! (vunnel, grype's data builder), the built database merges the Ubuntu feeds, and matching real
//! package databases against it finds what it should and never a package at or above its fix.

mod common;
use common::{os, pkg};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockaudit_scan::inventory::{apk, dpkg, PackageFormat};
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::matcher::evaluate;
use dockaudit_vulndb::{
    alpine, debian, ubuntu, Advisory, Distro, MatchError, MatchOptions, Severity, Status, VulnDb,
    VulnDbError,
};
use proptest::prelude::*;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    let p = data(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A real package database from the scan crate's test data (its NOTICE.md says where each comes from).
fn read_scan_data(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scan/tests/data")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn options() -> BuildOptions {
    common::build_options(time::macros::datetime!(2026-06-01 12:00 UTC))
}

/// Builds the database from the excerpts into `dir`.
fn build_excerpts(dir: &Path) -> PathBuf {
    let feeds = FeedSet::discover(&data("advisories/feeds")).expect("feeds");
    let target = dir.join("vulndb.sqlite");
    build(&feeds, &target, &options(), &mut |_| {}).expect("build");
    target
}

fn debian_records() -> Vec<Advisory> {
    let list = debian::parse_advisory_list(
        &String::from_utf8(read("advisories/feeds/debian/DSA-list")).expect("utf-8"),
        "DSA-list",
    )
    .expect("DSA list");
    let mut index = debian::AdvisoryIndex::default();
    index.add(&list);
    let mut out = Vec::new();
    let stats = debian::import_tracker(
        &read("advisories/feeds/debian/tracker.json")[..],
        "tracker.json",
        &index,
        &mut |a| {
            out.push(a);
            Ok(())
        },
    )
    .expect("tracker");
    assert_eq!(stats.records, out.len() as u64);
    assert_eq!(stats.skipped, 0, "{:?}", stats.skipped_sample);
    out
}

fn find<'a>(records: &'a [Advisory], release: &str, package: &str, id: &str) -> Vec<&'a Advisory> {
    records
        .iter()
        .filter(|a| a.release == release && a.package == package && a.id == id)
        .collect()
}

fn one<'a>(records: &'a [Advisory], release: &str, package: &str, id: &str) -> &'a Advisory {
    let found = find(records, release, package, id);
    assert_eq!(found.len(), 1, "{release} {package} {id}: {found:?}");
    found[0]
}

#[test]
fn debian_tracker_statuses() {
    let r = debian_records();
    // 6 packages; chromium-browser's issue has no release (`"releases": []`).
    assert_eq!(r.len(), 25);
    assert!(r.iter().all(|a| a.package != "chromium-browser"));
    // `resolved` with fixed_version "0": never affected.
    for rel in ["8", "9", "10", "sid"] {
        let a = one(&r, rel, "prototypejs", "CVE-2007-2383");
        assert_eq!(
            (a.status, a.fixed_version.as_deref()),
            (Status::NotAffected, None)
        );
        assert_eq!(
            (a.severity, a.rating.as_deref()),
            (Severity::Negligible, Some("unimportant"))
        );
    }
    // `open` with urgency end-of-life: affected, no security support left (no fix will come),
    // and said why.
    let a = one(&r, "10", "chromium", "CVE-2022-0456");
    assert_eq!(a.status, Status::EndOfLife);
    assert!(a.status.is_unfixed());
    assert_eq!(a.severity, Severity::Unknown);
    assert!(
        a.note.as_deref().unwrap_or("").contains("end-of-life"),
        "{a:?}"
    );
    // Fixed in the security archive's version; the DSA list names the advisory.
    let a = one(&r, "12", "sope", "CVE-2025-53603");
    assert_eq!(
        (a.status, a.fixed_version.as_deref()),
        (Status::Fixed, Some("5.8.0-1+deb12u1"))
    );
    assert_eq!(a.aliases, ["DSA-5970-1"]);
    assert_eq!(
        a.url.as_deref(),
        Some("https://security-tracker.debian.org/tracker/CVE-2025-53603")
    );
    assert!(a
        .description
        .as_deref()
        .unwrap_or("")
        .starts_with("In Alinto SOPE"));
    let a = one(&r, "10", "prototypejs", "CVE-2008-7220");
    assert_eq!(
        (a.severity, a.rating.as_deref()),
        (Severity::High, Some("high**"))
    );
}

/// vunnel's `FixedIn.Version`: "None" for no fix, "0" for not affected, else the version.
fn vunnel_view(a: &Advisory) -> String {
    match a.status {
        Status::Fixed => a.fixed_version.clone().unwrap_or_default(),
        Status::NotAffected => "0".into(),
        _ => "None".into(),
    }
}

/// (release, package, CVE) → (version, severity, vendor advisories) from vunnel's files.
/// (release, package, CVE) → (version, severity, vendor advisories).
type VunnelView = BTreeMap<(String, String, String), (String, String, Vec<String>)>;

fn vunnel_expected(dir: &str) -> VunnelView {
    let mut out = BTreeMap::new();
    let root = data(dir);
    for rel in std::fs::read_dir(&root).expect("dir") {
        let rel = rel.expect("entry").path();
        let release = rel
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        for f in std::fs::read_dir(&rel).expect("dir") {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(f.expect("f").path()).expect("read"))
                    .expect("json");
            let vuln = &v["item"]["Vulnerability"];
            for fix in vuln["FixedIn"].as_array().expect("FixedIn") {
                let dsas = fix["VendorAdvisory"]["AdvisorySummary"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s["ID"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(
                    (
                        release.clone(),
                        fix["Name"].as_str().expect("name").to_owned(),
                        vuln["Name"].as_str().expect("id").to_owned(),
                    ),
                    (
                        fix["Version"].as_str().expect("version").to_owned(),
                        vuln["Severity"].as_str().expect("severity").to_lowercase(),
                        dsas,
                    ),
                );
            }
        }
    }
    out
}

#[test]
fn debian_agrees_with_vunnel() {
    let ours = debian_records();
    let expected = vunnel_expected("advisories/expected-vunnel/debian");
    let mut agree = 0;
    let mut differ = Vec::new();
    for ((release, package, id), (version, severity, dsas)) in &expected {
        let found = find(&ours, release, package, id);
        let Some(a) = found.first() else {
            differ.push(format!("{release} {package} {id}"));
            continue;
        };
        assert_eq!(&vunnel_view(a), version, "{release} {package} {id}");
        assert_eq!(a.severity.as_str(), severity, "{release} {package} {id}");
        assert_eq!(&a.aliases, dsas, "{release} {package} {id}");
        agree += 1;
    }
    eprintln!(
        "debian: {agree} of {} vunnel records agree (status, fixed version, severity, advisories)",
        expected.len()
    );
    // The one deliberate difference: vunnel adds CVE-2012-0833 in "389_directory_server" for
    // debian:10 from its own legacy records (a CPE-style name that is no Debian source package);
    // it is not in the tracker feed, which is all dockaudit reads.
    assert_eq!(differ, ["10 389_directory_server CVE-2012-0833"]);
    assert_eq!(agree, 10);
    // Not compared: our records for jessie (8), stretch (9) and sid, which the expected views
    // (releases 10 to 13 only) do not cover.
}

fn alpine_records() -> Vec<Advisory> {
    let mut out = Vec::new();
    for repo in ["main", "community"] {
        let rel = format!("advisories/feeds/alpine/v3.15/{repo}.yaml");
        let (recs, stats) =
            alpine::parse_secdb(&read(&rel), &rel, alpine::SecdbFormat::Yaml, None).expect("secdb");
        assert_eq!(stats.skipped, 0);
        out.extend(recs);
    }
    out
}

#[test]
fn alpine_agrees_with_vunnel_in_yaml_and_json() {
    let ours = alpine_records();
    let expected = vunnel_expected("advisories/expected-vunnel/alpine");
    assert_eq!(ours.len(), expected.len());
    for ((release, package, id), (version, severity, _)) in &expected {
        let a = one(&ours, release, package, id);
        assert_eq!(&vunnel_view(a), version);
        assert_eq!(a.severity.as_str(), severity);
        assert_eq!(
            a.url.as_deref(),
            Some(format!("https://security.alpinelinux.org/vuln/{id}").as_str())
        );
    }
    eprintln!(
        "alpine: {} of {} vunnel records agree",
        ours.len(),
        expected.len()
    );
    // The JSON form of the same files (as secdb.alpinelinux.org serves it) reads the same.
    for repo in ["main", "community"] {
        let rel = format!("advisories/feeds/alpine/v3.15/{repo}.yaml");
        let value: serde_json::Value =
            serde_saphyr::from_str(std::str::from_utf8(&read(&rel)).expect("utf-8")).expect("yaml");
        let json = serde_json::to_vec(&value).expect("json");
        let (a, _) =
            alpine::parse_secdb(&read(&rel), "y", alpine::SecdbFormat::Yaml, None).expect("yaml");
        let (b, _) =
            alpine::parse_secdb(&json, "j", alpine::SecdbFormat::Json, None).expect("json");
        assert_eq!(a, b);
        assert_eq!(alpine::SecdbFormat::sniff(&json), alpine::SecdbFormat::Json);
    }
}

fn osv(rel: &str) -> ubuntu::OsvParsed {
    let rel = format!("advisories/feeds/ubuntu/osv/{rel}");
    ubuntu::parse_osv(&read(&rel), &rel).expect("osv")
}

#[test]
fn ubuntu_osv_records() {
    let p = osv("cve/2021/UBUNTU-CVE-2021-3782.json");
    assert_eq!(p.kind, ubuntu::OsvKind::Cve);
    let got: Vec<_> = p
        .advisories
        .iter()
        .map(|a| {
            (
                a.release.as_str(),
                a.channel.as_deref(),
                a.status,
                a.fixed_version.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "16.04",
                Some("esm-infra"),
                Status::Fixed,
                Some("1.12.0-1~ubuntu16.04.3+esm1")
            ),
            (
                "18.04",
                None,
                Status::Fixed,
                Some("1.16.0-1ubuntu1.1~18.04.4")
            ),
            ("20.04", None, Status::Fixed, Some("1.18.0-1ubuntu0.1")),
            ("22.04", None, Status::Fixed, Some("1.20.0-1ubuntu0.1")),
        ]
    );
    for a in &p.advisories {
        assert_eq!(
            (a.id.as_str(), a.package.as_str()),
            ("CVE-2021-3782", "wayland")
        );
        assert_eq!(
            (a.severity, a.rating.as_deref()),
            (Severity::Medium, Some("medium"))
        );
        assert_eq!(a.aliases, ["UBUNTU-CVE-2021-3782"]);
    }
    assert!(p.advisories[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("Ubuntu Pro"));
    assert_eq!(p.advisories[1].note, None);

    // No fixed event: affected, unfixed; the plain ESM pockets are kept with their channel.
    let p = osv("cve/2016/UBUNTU-CVE-2016-20013.json");
    assert_eq!(p.advisories.len(), 30);
    assert!(p
        .advisories
        .iter()
        .all(|a| a.status == Status::AffectedUnfixed && a.severity == Severity::Negligible));
    let a = p
        .advisories
        .iter()
        .find(|a| a.package == "eglibc")
        .expect("eglibc");
    assert_eq!(
        (a.release.as_str(), a.channel.as_deref()),
        ("14.04", Some("esm-infra-legacy"))
    );
    assert!(
        a.note.as_deref().unwrap_or("").contains("no fix published"),
        "{a:?}"
    );

    // ESM cases: both spellings of the legacy pocket, esm-apps, a non-LTS release.
    let p = osv("cve/2014/UBUNTU-CVE-2014-9913.json");
    let a = &p.advisories[0];
    assert_eq!(
        (
            a.release.as_str(),
            a.channel.as_deref(),
            a.fixed_version.as_deref()
        ),
        ("14.04", Some("esm-infra-legacy"), Some("6.0-9ubuntu1.6"))
    );
    let p = osv("cve/2022/UBUNTU-CVE-2022-24823.json");
    let by_release: BTreeMap<&str, (Option<&str>, Status)> = p
        .advisories
        .iter()
        .map(|a| (a.release.as_str(), (a.channel.as_deref(), a.status)))
        .collect();
    assert_eq!(
        by_release["14.04"],
        (Some("esm-infra-legacy"), Status::AffectedUnfixed)
    );
    assert_eq!(by_release["20.04"], (Some("esm-apps"), Status::Fixed));
    assert_eq!(by_release["25.10"], (None, Status::AffectedUnfixed));
    assert_eq!(
        by_release["26.04"],
        (Some("esm-apps"), Status::AffectedUnfixed)
    );
    let a = p
        .advisories
        .iter()
        .find(|a| a.release == "16.04")
        .expect("16.04");
    assert_eq!(a.fixed_version.as_deref(), Some("1:4.0.34-1ubuntu0.1~esm2"));

    // Withdrawn records give nothing.
    for rel in [
        "cve/2013/UBUNTU-CVE-2013-2208.json",
        "cve/2014/UBUNTU-CVE-2014-2901.json",
        "cve/2020/UBUNTU-CVE-2020-36325.json",
    ] {
        let p = osv(rel);
        assert_eq!(p.kind, ubuntu::OsvKind::Withdrawn, "{rel}");
        assert!(p.advisories.is_empty());
    }

    // A notice: its id for each (release, package, CVE) it fixes.
    let p = osv("usn/USN-5614-1.json");
    assert_eq!(p.kind, ubuntu::OsvKind::Usn);
    let got: Vec<_> = p
        .advisories
        .iter()
        .map(|a| (a.release.as_str(), a.id.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("18.04", "CVE-2021-3782"),
            ("20.04", "CVE-2021-3782"),
            ("22.04", "CVE-2021-3782")
        ]
    );
    assert!(p
        .advisories
        .iter()
        .all(|a| a.aliases == ["USN-5614-1"] && a.severity == Severity::Medium));

    assert!(ubuntu::parse_osv(b"{\"id\": 3}", "x").is_err());
    assert!(ubuntu::parse_osv(b"not json", "x").is_err());
}

#[test]
fn ubuntu_vex_statements() {
    let rel = "advisories/feeds/ubuntu/vex/cve/2023/CVE-2023-38545.json";
    let (recs, stats) = ubuntu::parse_vex(&read(rel), rel).expect("vex");
    assert_eq!(stats.skipped, 0);
    let got: Vec<_> = recs
        .iter()
        .map(|a| {
            (
                a.release.as_str(),
                a.channel.as_deref(),
                a.package.as_str(),
                a.status,
            )
        })
        .collect();
    // `fixed` (jammy, noble) gives nothing: its product version is the current one, not the fix.
    assert_eq!(
        got,
        [
            ("16.04", None, "curl", Status::EndOfLife),
            (
                "14.04",
                Some("esm-infra-legacy"),
                "curl",
                Status::NotAffected
            ),
            ("16.04", Some("esm-infra"), "curl", Status::NotAffected),
            ("18.04", Some("esm-infra"), "curl", Status::NotAffected),
            ("20.04", Some("esm-infra"), "curl", Status::NotAffected),
        ]
    );
    assert!(recs[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("no longer supported"));
}

#[test]
fn the_database_merges_the_feeds() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = VulnDb::open(&build_excerpts(dir.path())).expect("open");
    let meta = db.metadata();
    assert_eq!(meta.built_at, "2026-06-01T12:00:00Z");
    assert_eq!(meta.built_by, "dockaudit test");
    assert_eq!(meta.eol_table_as_of.as_deref(), Some("2026-06-01"));
    assert!(db.eol_table().expect("eol").is_some());
    let version = meta.version_id();
    let prefix = format!("{}:2026-06-01T12:00:00Z:", dockaudit_vulndb::SCHEMA_VERSION);
    assert!(version.starts_with(&prefix), "{version}");
    assert_eq!(version.len(), prefix.len() + 12);
    let names: Vec<_> = meta
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.records))
        .collect();
    assert_eq!(
        names,
        [
            ("alpine-secdb/v3.15/community", 3),
            ("alpine-secdb/v3.15/main", 13),
            ("debian-dsa", 10),
            ("debian-tracker", 25),
            ("ubuntu-osv", 45),
            ("ubuntu-vex", 5),
        ]
    );
    for s in &meta.sources {
        assert!(s.url.starts_with("file:///"), "{s:?}");
        assert_eq!(s.sha256.len(), 64);
        assert!(s.bytes > 0);
    }
    // USN aliases joined the CVE records of the releases they name, and only those.
    let a = db
        .advisories(Distro::Ubuntu, "18.04", "wayland")
        .expect("q");
    assert_eq!(a[0].aliases, ["UBUNTU-CVE-2021-3782", "USN-5614-1"]);
    let a = db
        .advisories(Distro::Ubuntu, "16.04", "wayland")
        .expect("q");
    assert_eq!(a[0].aliases, ["UBUNTU-CVE-2021-3782"]);
    // VEX added what OSV does not say.
    let mut curl = db.advisories(Distro::Ubuntu, "16.04", "curl").expect("q");
    curl.sort_by(|a, b| a.channel.cmp(&b.channel));
    assert_eq!(
        curl.iter()
            .map(|a| (a.channel.as_deref(), a.status))
            .collect::<Vec<_>>(),
        [
            (None, Status::EndOfLife),
            (Some("esm-infra"), Status::NotAffected)
        ]
    );
    let counts = db.release_counts().expect("counts");
    let alpine = counts
        .iter()
        .find(|c| c.distro == Distro::Alpine)
        .expect("alpine");
    assert_eq!((alpine.release.as_str(), alpine.total), ("3.15", 16));
    let total: u64 = counts.iter().map(|c| c.total).sum();
    assert_eq!(total, 25 + 16 + 45 + 5);
    db.quick_check().expect("quick_check");
    let status = db
        .status(time::macros::datetime!(2026-06-10 12:00 UTC))
        .expect("status");
    assert_eq!((status.age_days, status.stale), (9, true));
    let status = db
        .status(time::macros::datetime!(2026-06-03 12:00 UTC))
        .expect("status");
    assert!(!status.stale);
}

#[test]
fn matching_real_package_databases() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = VulnDb::open(&build_excerpts(dir.path())).expect("open");

    // A real Ubuntu 18.04 dpkg database: glibc's CVE-2016-20013 is tracked only in Ubuntu Pro now.
    let inv = dpkg::parse_dpkg_status(&read_scan_data("dpkg/ubuntu-status"), "var/lib/dpkg/status")
        .expect("dpkg");
    let report = db
        .match_packages(
            &os("ubuntu", "18.04"),
            &inv.packages,
            &MatchOptions::default(),
        )
        .expect("match");
    assert_eq!((report.packages, report.release.as_str()), (90, "18.04"));
    let got: Vec<_> = report
        .vulnerabilities
        .iter()
        .map(|v| {
            (
                v.package.as_str(),
                v.id.as_str(),
                v.installed_version.as_str(),
                v.status,
                v.channel.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [(
            "glibc",
            "CVE-2016-20013",
            "2.27-3ubuntu1",
            Status::AffectedUnfixed,
            Some("esm-infra")
        )]
    );
    assert_eq!(report.vulnerabilities[0].binaries, ["libc-bin", "libc6"]);
    let report = db
        .match_packages(
            &os("ubuntu", "18.04"),
            &inv.packages,
            &MatchOptions {
                ignore_unfixed: true,
                severities: None,
            },
        )
        .expect("match");
    assert!(report.vulnerabilities.is_empty());
    assert_eq!(report.dropped_unfixed, 1);

    // A real Alpine installed database, judged as 3.15: zlib 1.2.8-r2 predates both fixes.
    let inv = apk::parse_apk_installed(
        &read_scan_data("apk/alpine-installed"),
        "lib/apk/db/installed",
    )
    .expect("apk");
    let report = db
        .match_packages(
            &os("alpine", "3.15.4"),
            &inv.packages,
            &MatchOptions::default(),
        )
        .expect("match");
    let got: Vec<_> = report
        .vulnerabilities
        .iter()
        .map(|v| {
            (
                v.package.as_str(),
                v.id.as_str(),
                v.fixed_version.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("zlib", "CVE-2018-25032", Some("1.2.12-r0")),
            ("zlib", "CVE-2022-37434", Some("1.2.12-r2"))
        ]
    );

    // The same name at the fix, and past it by an apk suffix: nothing.
    for v in ["1.2.12-r2", "1.2.12_p1-r0", "1.2.13-r0"] {
        let r = db
            .match_packages(
                &os("alpine", "3.15"),
                &[pkg("zlib", "zlib", v, PackageFormat::Apk)],
                &MatchOptions::default(),
            )
            .expect("match");
        assert!(r.vulnerabilities.is_empty(), "{v}: {:?}", r.vulnerabilities);
    }

    // Ubuntu: a notice's id shows; one revision short of the fix is vulnerable, the fix is not.
    let wayland = |v: &str| vec![pkg("libwayland-client0", "wayland", v, PackageFormat::Dpkg)];
    let r = db
        .match_packages(
            &os("ubuntu", "18.04"),
            &wayland("1.16.0-1ubuntu1.1~18.04.3"),
            &MatchOptions::default(),
        )
        .expect("m");
    assert_eq!(r.vulnerabilities.len(), 1);
    let v = &r.vulnerabilities[0];
    assert_eq!(v.aliases, ["UBUNTU-CVE-2021-3782", "USN-5614-1"]);
    assert_eq!(
        (v.fixed_version.as_deref(), v.severity),
        (Some("1.16.0-1ubuntu1.1~18.04.4"), Severity::Medium)
    );
    let r = db
        .match_packages(
            &os("ubuntu", "18.04"),
            &wayland("1.16.0-1ubuntu1.1~18.04.4"),
            &MatchOptions::default(),
        )
        .expect("m");
    assert!(r.vulnerabilities.is_empty());
    // 16.04: only Ubuntu Pro has the fix, and says so.
    let r = db
        .match_packages(
            &os("ubuntu", "16.04"),
            &wayland("1.12.0-1~ubuntu16.04.3"),
            &MatchOptions::default(),
        )
        .expect("m");
    assert_eq!(r.vulnerabilities[0].channel.as_deref(), Some("esm-infra"));
    assert!(r.vulnerabilities[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("Ubuntu Pro"));
    // curl on 16.04: VEX says Pro's build of the same version lacks the code: not reported.
    let r = db
        .match_packages(
            &os("ubuntu", "16.04"),
            &[pkg(
                "curl",
                "curl",
                "7.47.0-1ubuntu2.19",
                PackageFormat::Dpkg,
            )],
            &MatchOptions::default(),
        )
        .expect("m");
    assert!(r.vulnerabilities.is_empty(), "{:?}", r.vulnerabilities);
}

#[test]
fn debian_matching_and_filters() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = VulnDb::open(&build_excerpts(dir.path())).expect("open");
    let packages = [
        pkg(
            "libjs-prototype",
            "prototypejs",
            "1.6.0-1",
            PackageFormat::Dpkg,
        ),
        pkg("txt2man", "txt2man", "1.5.5-4", PackageFormat::Dpkg),
        pkg(
            "chromium",
            "chromium",
            "89.0.4389.114-1~deb10u1",
            PackageFormat::Dpkg,
        ),
        pkg("backupninja", "backupninja", "1.1.0-2", PackageFormat::Dpkg),
    ];
    let all = db
        .match_packages(&os("debian", "10"), &packages, &MatchOptions::default())
        .expect("m");
    let got: Vec<_> = all
        .vulnerabilities
        .iter()
        .map(|v| (v.id.as_str(), v.severity, v.status))
        .collect();
    // Most severe first; CVE-2007-2383 is not-affected and never shows.
    assert_eq!(
        got,
        [
            ("CVE-2008-7220", Severity::High, Status::Fixed),
            ("CVE-2013-1444", Severity::Low, Status::Fixed),
            ("CVE-2022-0456", Severity::Unknown, Status::EndOfLife),
        ]
    );
    let high = db
        .match_packages(
            &os("debian", "10"),
            &packages,
            &MatchOptions {
                ignore_unfixed: false,
                severities: Some(vec![Severity::High, Severity::Critical]),
            },
        )
        .expect("m");
    assert_eq!(high.vulnerabilities.len(), 1);
    assert_eq!(high.dropped_by_severity, 2);
    let fixable = db
        .match_packages(
            &os("debian", "10"),
            &packages,
            &MatchOptions {
                ignore_unfixed: true,
                severities: None,
            },
        )
        .expect("m");
    assert_eq!(fixable.vulnerabilities.len(), 2);
    assert_eq!(fixable.dropped_unfixed, 1);
    // A DSA shows as an alias.
    let r = db
        .match_packages(
            &os("debian", "12.5"),
            &[pkg("sogo", "sope", "5.8.0-1", PackageFormat::Dpkg)],
            &MatchOptions::default(),
        )
        .expect("m");
    assert_eq!(r.vulnerabilities[0].aliases, ["DSA-5970-1"]);
    // Releases the database does not cover, and distributions it does not hold.
    assert!(matches!(
        db.match_packages(&os("debian", "7"), &packages, &MatchOptions::default()),
        Err(MatchError::NoData {
            distro: Distro::Debian,
            ..
        })
    ));
    assert!(matches!(
        db.match_packages(&os("fedora", "41"), &packages, &MatchOptions::default()),
        Err(MatchError::UnsupportedOs { .. })
    ));
}

#[test]
fn files_that_are_not_a_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("none.sqlite");
    let e = VulnDb::open(&missing).expect_err("missing");
    assert!(matches!(e, VulnDbError::Missing { .. }));
    assert!(e.to_string().contains("dockaudit db update"), "{e}");

    let random = dir.path().join("random.sqlite");
    std::fs::write(
        &random,
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("w");
    let e = VulnDb::open(&random).expect_err("random");
    assert!(
        e.to_string()
            .contains("is not a dockaudit vulnerability database: it is not an SQLite file"),
        "{e}"
    );

    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").expect("w");
    assert!(VulnDb::open(&empty)
        .expect_err("empty")
        .to_string()
        .contains("empty"));

    let other = dir.path().join("other.sqlite");
    let c = rusqlite::Connection::open(&other).expect("sqlite");
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .expect("sql");
    drop(c);
    let e = VulnDb::open(&other).expect_err("other");
    assert!(
        e.to_string()
            .contains("an SQLite database of something else"),
        "{e}"
    );

    // A database of another schema version asks for a rebuild.
    let built = build_excerpts(dir.path());
    let old = dir.path().join("old.sqlite");
    std::fs::copy(&built, &old).expect("copy");
    let c = rusqlite::Connection::open(&old).expect("sqlite");
    c.execute(
        "UPDATE meta SET value = '0' WHERE key = 'schema_version'",
        [],
    )
    .expect("sql");
    drop(c);
    let e = VulnDb::open(&old).expect_err("old");
    assert!(matches!(e, VulnDbError::SchemaVersion { .. }), "{e}");
}

#[test]
fn a_failed_build_keeps_the_old_database_and_a_foreign_file_is_not_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let target = build_excerpts(dir.path());
    let before = std::fs::read(&target).expect("read");

    // A copy of the feeds with a truncated tracker.
    let feeds = dir.path().join("feeds");
    copy_dir(&data("advisories/feeds"), &feeds);
    let tracker = feeds.join("debian/tracker.json");
    let text = std::fs::read(&tracker).expect("read");
    std::fs::write(&tracker, &text[..text.len() / 2]).expect("write");
    let set = FeedSet::discover(&feeds).expect("feeds");
    let e = build(&set, &target, &options(), &mut |_| {}).expect_err("truncated");
    let msg = e.to_string();
    assert!(
        msg.contains(&tracker.display().to_string()) && msg.contains("EOF"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read(&target).expect("read"),
        before,
        "the old database is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A malformed (well-formed JSON, wrong shape) tracker.
    std::fs::write(&tracker, b"{\"sope\": [1, 2]}").expect("write");
    let e = build(&set, &target, &options(), &mut |_| {}).expect_err("malformed");
    assert!(
        e.to_string().contains("not a valid tracker JSON feed"),
        "{e}"
    );
    assert_eq!(std::fs::read(&target).expect("read"), before);

    // A file that is not ours is refused, and replaced only with force.
    let foreign = dir.path().join("foreign.sqlite");
    std::fs::write(&foreign, b"precious data, not a database").expect("w");
    let good = FeedSet::discover(&data("advisories/feeds")).expect("feeds");
    let e = build(&good, &foreign, &options(), &mut |_| {}).expect_err("refused");
    assert!(e.to_string().contains("refusing to replace"), "{e}");
    assert_eq!(
        std::fs::read(&foreign).expect("read"),
        b"precious data, not a database"
    );
    let forced = BuildOptions {
        force: true,
        ..options()
    };
    build(&good, &foreign, &forced, &mut |_| {}).expect("forced");
    VulnDb::open(&foreign).expect("now a database");

    assert!(matches!(
        FeedSet::discover(dir.path()),
        Err(VulnDbError::NoFeeds { .. })
    ));

    // What a killed build left behind goes once it is old; a fresh one (a build running now) stays.
    let stale = dir.path().join(".vulndb.sqlite.build-99999-0.tmp");
    let fresh = dir.path().join(".vulndb.sqlite.feeds-99999-1.tmp");
    std::fs::write(&stale, b"x").expect("w");
    std::fs::create_dir(&fresh).expect("mkdir");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .expect("open")
        .set_modified(old)
        .expect("mtime");
    build(&good, &target, &options(), &mut |_| {}).expect("rebuild");
    assert!(!stale.exists() && fresh.exists());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// Versions in dpkg's alphabet, short enough to collide often.
fn dpkg_version() -> impl Strategy<Value = String> {
    "([0-2]:)?[0-9]{1,2}(\\.[0-9a-c]{1,2}){0,2}(~[a-c0-9]{1,2})?(\\+[a-c0-9]{1,2})?(-[0-9]{1,2}(ubuntu[0-9])?)?"
}

fn status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn record(status: Status, fixed: Option<String>, channel: Option<&str>) -> Advisory {
    Advisory {
        distro: Distro::Ubuntu,
        release: "22.04".into(),
        package: "p".into(),
        id: "CVE-0-0".into(),
        channel: channel.map(Into::into),
        status,
        fixed_version: if status == Status::Fixed { fixed } else { None },
        affected_through: None,
        severity: Severity::Low,
        rating: None,
        aliases: vec![],
        description: None,
        url: None,
        source: "prop".into(),
        note: None,
    }
}

proptest! {
    /// A package at or above a fixed version of the vulnerability (in any channel) is never
    /// reported, and a not-affected record anywhere means nothing is.
    #[test]
    fn at_or_above_the_fix_is_never_reported(
        installed in dpkg_version(),
        recs in prop::collection::vec((status(), dpkg_version(), any::<bool>()), 0..4),
    ) {
        let records: Vec<Advisory> = recs
            .iter()
            .map(|(s, v, pro)| record(*s, Some(v.clone()), pro.then_some("esm-infra")))
            .collect();
        let refs: Vec<&Advisory> = records.iter().collect();
        let hit = evaluate(PackageFormat::Dpkg, &installed, &refs);
        let reaches_a_fix = records.iter().any(|r| {
            r.status == Status::Fixed
                && dockaudit_scan::version::dpkg::compare(&installed, r.fixed_version.as_deref().unwrap_or("")) != std::cmp::Ordering::Less
        });
        let not_affected = records.iter().any(|r| r.status == Status::NotAffected);
        if reaches_a_fix || not_affected {
            prop_assert!(hit.is_none(), "{installed} reported: {hit:?}");
        } else {
            // Affected by every record: one of them is reported, never a not-affected one.
            prop_assert_eq!(hit.is_some(), !records.is_empty());
        }
        if let Some(h) = hit {
            prop_assert!(h.status != Status::NotAffected);
            if let Some(f) = &h.fixed_version {
                prop_assert_eq!(dockaudit_scan::version::dpkg::compare(&installed, f), std::cmp::Ordering::Less);
            }
        }
    }
}

/// The same property on the real excerpts, through the database: every fixed record, with the
/// installed version at the fix or just past it, reports nothing for that vulnerability.
#[test]
fn at_or_above_the_fix_is_never_reported_on_the_real_records() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = build_excerpts(dir.path());
    let db = VulnDb::open(&path).expect("open");
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    let mut stmt = conn
        .prepare("SELECT a.distro, a.release, a.package, v.id, a.fixed_version FROM advisory a JOIN vulnerability v USING (vid) WHERE a.status = 'fixed'")
        .expect("sql");
    let fixed: Vec<(String, String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("q")
        .map(|r| r.expect("row"))
        .collect();
    assert!(fixed.len() > 30);
    let mut checked = 0;
    for (distro, release, package, id, version) in fixed {
        let distro: Distro = distro.parse().expect("distro");
        let format = distro.version_scheme();
        let os_id = distro.as_str();
        let os_version = if release == "sid" {
            "unstable".to_owned()
        } else {
            release.clone()
        };
        let mut os = os(os_id, &os_version);
        if release == "sid" {
            os.version_id = None;
            os.codename = Some("sid".into());
        }
        let past = match format {
            PackageFormat::Apk => match version.rsplit_once("-r") {
                Some((base, rev)) => format!("{base}_p1-r{rev}"),
                None => format!("{version}_p1"),
            },
            _ => format!("{version}+b1"),
        };
        for v in [version.clone(), past] {
            let r = db
                .match_packages(
                    &os,
                    &[pkg("bin", &package, &v, format)],
                    &MatchOptions::default(),
                )
                .expect("match");
            assert!(
                r.vulnerabilities.iter().all(|x| x.id != id),
                "{distro} {release} {package} {v}: {id} reported"
            );
            checked += 1;
        }
    }
    eprintln!("checked {checked} (fixed record, version at or past the fix) pairs");
}
