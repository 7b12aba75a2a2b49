//! AlmaLinux and Rocky Linux OSV errata, real records (tests/data/{alma,rocky}, see
//! tests/data/NOTICE.md): each non-modular affected package × CVE becomes a fixed record, modular
//! ones are skipped and counted, and matching looks packages up by their binary name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dockaudit_scan::inventory::{Package, PackageFormat};
use dockaudit_scan::os::OsInfo;
use dockaudit_scan::version::rpm;
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::{rhel_osv, Distro, FeedLimits, MatchOptions, Severity, Status, VulnDb};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut f: Vec<PathBuf> = std::fs::read_dir(data(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    f.sort();
    f
}

#[test]
fn errata_records_and_module_streams_skipped() {
    for (dir, distro) in [("alma", Distro::Almalinux), ("rocky", Distro::Rocky)] {
        for path in files(dir) {
            let bytes = std::fs::read(&path).unwrap();
            let origin = path.display().to_string();
            let (records, stats) = rhel_osv::parse(&bytes, &origin, distro).expect("OSV");
            let raw: Value = serde_json::from_slice(&bytes).unwrap();
            let cves: BTreeSet<&str> = raw["related"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|c| c.starts_with("CVE-"))
                .collect();
            let mut want = BTreeSet::new();
            let mut modular = 0;
            for a in raw["affected"].as_array().unwrap() {
                let fixed = a["ranges"][0]["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find_map(|e| e["fixed"].as_str())
                    .unwrap();
                if fixed.contains(".module") {
                    modular += 1;
                    continue;
                }
                for c in &cves {
                    want.insert((
                        a["package"]["name"].as_str().unwrap().to_owned(),
                        (*c).to_owned(),
                        fixed.to_owned(),
                    ));
                }
            }
            let got: BTreeSet<_> = records
                .iter()
                .map(|r| {
                    (
                        r.package.clone(),
                        r.id.clone(),
                        r.fixed_version.clone().unwrap(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{origin}");
            assert_eq!(
                stats.skipped, modular,
                "{origin}: {:?}",
                stats.skipped_sample
            );
            assert!(records
                .iter()
                .all(|r| r.distro == distro && r.status == Status::Fixed));
            assert!(records
                .iter()
                .all(|r| r.aliases == [raw["id"].as_str().unwrap()]));
        }
    }
    // The summary's Red Hat word is the rating.
    let (r, _) = rhel_osv::parse(
        &std::fs::read(data("rocky/RLSA-2021_3891.json")).unwrap(),
        "x",
        Distro::Rocky,
    )
    .unwrap();
    assert!(r
        .iter()
        .all(|a| a.severity == Severity::High && a.rating.as_deref() == Some("Important")));
    assert!(rhel_osv::parse(b"{}", "bad.json", Distro::Rocky)
        .unwrap_err()
        .to_string()
        .starts_with("bad.json: "));
}

#[test]
fn binary_packages_match_by_their_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let feeds = FeedSet::discover(&data("")).expect("feeds");
    let target = dir.path().join("vulndb.sqlite");
    let options = BuildOptions {
        built_at: time::macros::datetime!(2026-06-01 12:00 UTC),
        built_by: "dockaudit test".into(),
        limits: FeedLimits::default(),
        force: false,
    };
    build(&feeds, &target, &options, &mut |_| {}).expect("build");
    let db = VulnDb::open(&target).unwrap();
    let alma8 = OsInfo {
        id: "almalinux".into(),
        version_id: Some("8.8".into()),
        codename: None,
        pretty_name: None,
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    };
    // python3-requests is built from python-requests: the erratum names the binary.
    for installed in ["2.20.0-2.1.el8_1", "2.20.0-3.el8_8", "2.20.0-3.el8_9"] {
        let pkg = Package {
            name: "python3-requests".into(),
            version: installed.into(),
            arch: Some("noarch".into()),
            source_name: "python-requests".into(),
            source_version: installed.into(),
            format: PackageFormat::Rpm,
            module: None,
        };
        let r = db
            .match_packages(&alma8, &[pkg], &MatchOptions::default())
            .unwrap();
        let below = rpm::compare(installed, "2.20.0-3.el8_8").is_lt();
        assert_eq!(
            r.vulnerabilities.iter().any(|v| v.id == "CVE-2023-32681"),
            below,
            "{installed}"
        );
    }
}
