//! Azure Linux / CBL-Mariner on real data: Microsoft's OVAL (excerpts in tests/data/azurelinux, see
//! tests/data/NOTICE.md) and the real 129-package CBL-Mariner 2.0 rpm database of the scan crate's
//! test data. The matches equal an independent computation: the OVAL read with plain string search,
//! the installed packages as `rpm` itself listed them (cbl-mariner-2.0-expected.tsv), and every
//! version comparison made by rpm's own `rpm.vercmp` in one `rpm --eval` run.

mod common;
use common::rpm_vercmp;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dockaudit_scan::inventory::rpm::parse_rpmdb_sqlite;
use dockaudit_scan::os::OsInfo;
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::{azurelinux, Distro, FeedLimits, MatchError, MatchOptions, Status, VulnDb};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `start` and the next `end` after `from`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    Some(&s[i..i + s[i..].find(end)?])
}

/// Every `<tag …>…</tag>` block of the document, keyed by its `id`.
fn blocks<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let Some(j) = rest[i..].find(&close) else {
            break;
        };
        out.push(&rest[i..i + j + close.len()]);
        rest = &rest[i + j + close.len()..];
    }
    out
}

/// One OVAL definition, read by string search: (package, CVE, operation, evr, patchable).
fn definitions_by_hand(xml: &str) -> Vec<(String, String, String, String, bool)> {
    let by_id = |tag: &str| -> BTreeMap<String, String> {
        blocks(xml, tag)
            .into_iter()
            .map(|b| (between(b, "id=\"", "\"").unwrap().to_owned(), b.to_owned()))
            .collect()
    };
    let (tests, objects, states) = (
        by_id("linux-def:rpminfo_test"),
        by_id("linux-def:rpminfo_object"),
        by_id("linux-def:rpminfo_state"),
    );
    blocks(xml, "definition")
        .into_iter()
        .map(|d| {
            let test = &tests[between(d, "test_ref=\"", "\"").unwrap()];
            let object = &objects[between(test, "object_ref=\"", "\"").unwrap()];
            let state = &states[between(test, "state_ref=\"", "\"").unwrap()];
            (
                between(object, "<linux-def:name>", "<").unwrap().to_owned(),
                between(d, "ref_id=\"", "\"").unwrap().to_owned(),
                between(state, "operation=\"", "\"").unwrap().to_owned(),
                between(&state[state.find("<linux-def:evr").unwrap()..], "\">", "<")
                    .unwrap()
                    .to_owned(),
                between(d, "<patchable>", "<").unwrap() == "true",
            )
        })
        .collect()
}

#[test]
fn oval_records_are_what_the_definitions_say() {
    for (file, release) in [
        ("cbl-mariner-2.0-oval.xml", "2.0"),
        ("azurelinux-3.0-oval.xml", "3.0"),
    ] {
        let xml = String::from_utf8(read(&data(&format!("azurelinux/{file}")))).unwrap();
        assert_eq!(azurelinux::release_of_file(file), Some(release));
        let (records, stats) = azurelinux::parse_oval(&xml, file, release).expect("OVAL");
        assert_eq!(stats.skipped, 0, "{:?}", stats.skipped_sample);
        let by_hand = definitions_by_hand(&xml);
        assert_eq!(records.len(), by_hand.len());
        for (r, (package, cve, op, evr, patchable)) in records.iter().zip(&by_hand) {
            assert_eq!(
                (r.distro, r.release.as_str()),
                (Distro::Azurelinux, release)
            );
            assert_eq!((&r.package, &r.id), (package, cve));
            match (op.as_str(), patchable) {
                ("less than", true) => {
                    assert_eq!(
                        (r.status, r.fixed_version.as_ref()),
                        (Status::Fixed, Some(evr))
                    )
                }
                ("less than or equal", _) => assert_eq!(
                    (
                        r.status,
                        r.affected_through.as_ref(),
                        r.fixed_version.as_ref()
                    ),
                    (Status::AffectedUnfixed, Some(evr), None)
                ),
                _ => assert_eq!(r.status, Status::AffectedUnfixed),
            }
            assert_ne!(r.rating, None, "Microsoft rates every definition");
        }
    }
    assert!(azurelinux::parse_oval("<html/>", "x.xml", "2.0").is_err());
    let err =
        azurelinux::parse_oval("<oval_definitions><definitions>", "cut.xml", "2.0").unwrap_err();
    assert!(err.to_string().starts_with("cut.xml: "), "{err}");
}

#[test]
fn a_mariner_image_matches_as_rpm_says() {
    let dir = tempfile::tempdir().expect("tmp");
    let feeds = FeedSet::discover(&data("azurelinux/..")).expect("feeds");
    assert!(feeds
        .feeds
        .iter()
        .any(|f| f.distro() == Some(Distro::Azurelinux)));
    let target = dir.path().join("vulndb.sqlite");
    let options = BuildOptions {
        built_at: time::macros::datetime!(2026-06-01 12:00 UTC),
        built_by: "dockaudit test".into(),
        limits: FeedLimits::default(),
        force: false,
    };
    build(&feeds, &target, &options, &mut |_| {}).expect("build");
    let db = VulnDb::open(&target).expect("open");

    let rpmdb = read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scan/tests/data/rpm/cbl-mariner-2.0-rpmdb.sqlite"),
    );
    let inventory = parse_rpmdb_sqlite(&rpmdb, "var/lib/rpm/rpmdb.sqlite").expect("rpm database");
    assert_eq!(inventory.packages.len(), 129);
    let os = OsInfo {
        id: "mariner".into(),
        version_id: Some("2.0".into()),
        codename: None,
        pretty_name: Some("CBL-Mariner/Linux".into()),
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    };
    let report = db
        .match_packages(&os, &inventory.packages, &MatchOptions::default())
        .expect("match");
    let ours: BTreeSet<(String, String)> = report
        .vulnerabilities
        .iter()
        .map(|v| (v.package.clone(), v.id.clone()))
        .collect();

    // The independent computation: the packages as rpm listed them (source rpm name, EVR), each
    // definition on that source package, rpm's vercmp.
    let tsv = String::from_utf8(read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scan/tests/data/rpm/cbl-mariner-2.0-expected.tsv"),
    ))
    .unwrap();
    let installed: BTreeSet<(String, String)> = tsv
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let src = cols[3].strip_suffix(".src.rpm").unwrap();
            let name = src.rsplitn(3, '-').nth(2).unwrap().to_owned();
            (name, cols[1].to_owned())
        })
        .collect();
    let xml = String::from_utf8(read(&data("azurelinux/cbl-mariner-2.0-oval.xml"))).unwrap();
    let definitions = definitions_by_hand(&xml);
    let mut questions = Vec::new();
    let mut pairs = Vec::new();
    for (name, evr) in &installed {
        for (package, cve, op, bound, patchable) in &definitions {
            if package == name {
                questions.push((name.clone(), cve.clone(), op.clone(), *patchable));
                pairs.push((evr.clone(), bound.clone()));
            }
        }
    }
    let answers = rpm_vercmp(&pairs);
    let mut expected = BTreeSet::new();
    for ((name, cve, op, patchable), cmp) in questions.iter().zip(&answers) {
        let affected = match op.as_str() {
            "less than" if *patchable => *cmp < 0,
            "less than" => true,
            "less than or equal" => *cmp <= 0,
            other => panic!("operation {other}"),
        };
        if affected {
            expected.insert((name.clone(), cve.clone()));
        }
    }
    assert!(
        expected.len() >= 10,
        "the excerpt should affect this image: {expected:?}"
    );
    let only_ours: Vec<_> = ours.difference(&expected).collect();
    let only_rpm: Vec<_> = expected.difference(&ours).collect();
    assert!(
        only_ours.is_empty() && only_rpm.is_empty(),
        "only dockaudit: {only_ours:?}\nonly rpm: {only_rpm:?}"
    );
    // Microsoft's rating is the effective severity (no NVD feed here).
    assert!(report
        .vulnerabilities
        .iter()
        .all(|v| v.severity_source == azurelinux::SOURCE));

    // An rpm distribution without a feed is a skip with the reason, never "no vulnerabilities".
    let rhel = OsInfo {
        id: "rhel".into(),
        version_id: Some("9.3".into()),
        ..os.clone()
    };
    let fedora = OsInfo {
        id: "fedora".into(),
        version_id: Some("41".into()),
        ..os.clone()
    };
    match db.match_packages(&fedora, &inventory.packages, &MatchOptions::default()) {
        Err(e @ MatchError::UnsupportedOs { .. }) => assert!(e.to_string().contains("fedora")),
        other => panic!("{other:?}"),
    }
    // RHEL has a feed, but not in this database: a skip too.
    assert!(matches!(
        db.match_packages(&rhel, &inventory.packages, &MatchOptions::default()),
        Err(MatchError::NoData { .. })
    ));
    // Azure Linux 3.0 has data; a release without any is a skip too.
    let three = OsInfo {
        id: "azurelinux".into(),
        version_id: Some("3.0.20240101".into()),
        ..os.clone()
    };
    assert!(db
        .match_packages(&three, &inventory.packages, &MatchOptions::default())
        .is_ok());
    let one = OsInfo {
        version_id: Some("1.0".into()),
        ..os
    };
    assert!(matches!(
        db.match_packages(&one, &inventory.packages, &MatchOptions::default()),
        Err(MatchError::NoData { .. })
    ));
}
