//! Wolfi and Chainguard on their real secdb excerpts (tests/data/{wolfi,chainguard}, see
//! tests/data/NOTICE.md): every (package, fixed version, id) of the file becomes one record, `0`
//! means not affected, and matching an installed version finds exactly the fixes it is below.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dockaudit_scan::inventory::{Package, PackageFormat};
use dockaudit_scan::os::OsInfo;
use dockaudit_scan::version::apk;
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::{wolfi, Distro, FeedLimits, MatchError, MatchOptions, Status, VulnDb};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// (package, version, id) of every secfix line, walked generically.
fn triples(doc: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for p in doc["packages"].as_array().unwrap() {
        let name = p["pkg"]["name"].as_str().unwrap();
        for (version, ids) in p["pkg"]["secfixes"].as_object().into_iter().flatten() {
            for id in ids.as_array().unwrap() {
                out.insert((
                    name.to_owned(),
                    version.clone(),
                    id.as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

#[test]
fn wolfi_and_chainguard_secdb_records() {
    for (dir, distro) in [("wolfi", Distro::Wolfi), ("chainguard", Distro::Chainguard)] {
        let bytes = std::fs::read(data(&format!("{dir}/security.json"))).unwrap();
        let (records, stats) = wolfi::parse(&bytes, dir, distro).expect("secdb");
        assert_eq!(stats.skipped, 0, "{:?}", stats.skipped_sample);
        let by_hand = triples(&serde_json::from_slice(&bytes).unwrap());
        let ours: BTreeSet<_> = records
            .iter()
            .map(|r| {
                let version = match r.status {
                    Status::NotAffected => "0".to_owned(),
                    _ => r.fixed_version.clone().expect("fixed"),
                };
                (r.package.clone(), version, r.id.clone())
            })
            .collect();
        assert_eq!(ours, by_hand, "{dir}");
        assert!(records
            .iter()
            .all(|r| r.distro == distro && r.release == wolfi::RELEASE));
    }
    assert!(wolfi::parse(b"[1,2]", "security.json", Distro::Wolfi).is_err());
}

#[test]
fn a_wolfi_package_below_its_fixes_is_vulnerable_to_those_only() {
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
    let doc: Value =
        serde_json::from_slice(&std::fs::read(data("wolfi/security.json")).unwrap()).unwrap();
    let all = triples(&doc);
    let os = OsInfo {
        id: "wolfi".into(),
        version_id: Some("20230201".into()),
        codename: None,
        pretty_name: Some("Wolfi".into()),
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    };
    // binutils at each of its fixed versions and one below the first.
    let fixes: Vec<String> = all
        .iter()
        .filter(|t| t.0 == "binutils" && t.1 != "0")
        .map(|t| t.1.clone())
        .collect();
    assert!(fixes.len() >= 2);
    for installed in ["2.38-r0", "2.39-r1", "2.39-r2", "2.39-r3", "2.40-r0"] {
        let pkg = Package {
            name: "binutils".into(),
            version: installed.into(),
            arch: None,
            source_name: "binutils".into(),
            source_version: installed.into(),
            format: PackageFormat::Apk,
            module: None,
        };
        let r = db
            .match_packages(&os, &[pkg], &MatchOptions::default())
            .expect("match");
        let got: BTreeSet<String> = r.vulnerabilities.iter().map(|v| v.id.clone()).collect();
        let want: BTreeSet<String> = all
            .iter()
            .filter(|t| t.0 == "binutils" && t.1 != "0" && apk::compare(installed, &t.1).is_lt())
            .map(|t| t.2.clone())
            .collect();
        assert_eq!(got, want, "binutils {installed}");
    }
    // Chainguard's images are their own distribution; an unknown rolling one is a skip.
    let cg = OsInfo {
        id: "chainguard".into(),
        ..os.clone()
    };
    assert!(db
        .match_packages(&cg, &[], &MatchOptions::default())
        .is_ok());
    let other = OsInfo {
        id: "gentoo".into(),
        ..os
    };
    assert!(matches!(
        db.match_packages(&other, &[], &MatchOptions::default()),
        Err(MatchError::UnsupportedOs { .. })
    ));
}
