//! Amazon Linux (ALAS), Oracle Linux (ELSA OVAL) and SUSE (OVAL) on real records: vunnel's
//! fixtures of the three feeds (tests/data/{amazon,amazon-al2-rss,oracle,suse}/SOURCE.txt) and the
//! real SLE 15 SP3 BCI rpm database of the scan crate's test data. Matches are checked against an
//! independent computation: the fixed versions read from the files by plain string search and
//! every comparison made by rpm's own `rpm.vercmp`.

mod common;
use common::rpm_vercmp;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use dockaudit_scan::os::OsInfo;
use dockaudit_vulndb::build::{build, BuildOptions, Feed, FeedSet};
use dockaudit_vulndb::matcher::Installed;
use dockaudit_vulndb::{
    amazon, oracle, release_for, suse, Advisory, Distro, FeedLimits, MatchError, MatchOptions,
    Severity, Status, VulnDb,
};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn read_text(rel: &str) -> String {
    let p = data(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn options() -> BuildOptions {
    common::build_options(time::macros::datetime!(2026-12-04 12:00 UTC))
}

fn keys(records: &[Advisory]) -> BTreeSet<(String, String, String, Option<String>)> {
    records
        .iter()
        .map(|r| {
            (
                r.release.clone(),
                r.package.clone(),
                r.id.clone(),
                r.fixed_version.clone(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- Amazon

#[test]
fn alas_records_are_what_the_pages_say() {
    let limits = FeedLimits::default();
    let (al2, stats) = amazon::import_dir(&data("amazon/2"), "2", &limits).expect("AL2");
    assert_eq!(stats.skipped, 0);
    assert_eq!(
        keys(&al2),
        ["CVE-2017-5715", "CVE-2017-5754"]
            .iter()
            .map(|c| (
                "2".to_owned(),
                "kernel".to_owned(),
                (*c).to_owned(),
                Some("4.9.76-38.79.amzn2".to_owned())
            ))
            .collect()
    );
    assert!(al2.iter().all(|r| r.distro == Distro::Amazon
        && r.status == Status::Fixed
        && r.severity == Severity::Critical
        && r.rating.as_deref() == Some("critical")
        && r.aliases == ["ALAS-2018-939"]
        && r.source == amazon::SOURCE));

    // AL2023: Amazon's "important" is high; the page's own id is the alias.
    let (al2023, _) = amazon::import_dir(&data("amazon/2023"), "2023", &limits).expect("AL2023");
    assert_eq!(al2023.len(), 3);
    assert!(al2023.iter().all(|r| r.package == "device-mapper-multipath"
        && r.fixed_version.as_deref() == Some("0.8.7-16.amzn2023.0.1")
        && r.severity == Severity::High
        && r.aliases == ["ALAS2023-2023-126"]
        && r.release == "2023"));
    let (al2022, _) = amazon::import_dir(&data("amazon/2022"), "2022", &limits).expect("AL2022");
    assert_eq!(al2022.len(), 4);
    assert!(al2022
        .iter()
        .all(|r| r.package == "vim" && r.severity == Severity::Medium));
}

#[test]
fn alas_rss_lists_every_item_and_missing_pages_are_counted() {
    let xml = read_text("amazon-al2-rss/alas.rss");
    let items = amazon::parse_rss(&xml, "alas.rss").expect("rss");
    // Counted by plain string search, independently of the parser.
    assert_eq!(items.len(), xml.matches("<item>").count());
    assert_eq!(items.len(), 97);
    for word in ["critical", "important", "medium", "low"] {
        assert_eq!(
            items
                .iter()
                .filter(|i| i.severity.as_deref() == Some(word))
                .count(),
            xml.matches(&format!(" ({word}): ")).count(),
            "{word}"
        );
    }
    let first = &items[0];
    assert_eq!(first.id, "ALAS-2018-1106");
    assert_eq!(first.package.as_deref(), Some("389-ds-base"));
    assert_eq!(first.cves, ["CVE-2018-14648"]);

    let (records, stats) =
        amazon::import_dir(&data("amazon-al2-rss"), "2", &FeedLimits::default()).expect("import");
    assert_eq!(stats.skipped, 96, "one page for 97 items");
    assert!(records.iter().all(|r| r.package == "java-1.8.0-openjdk"
        && r.fixed_version.as_deref() == Some("1.8.0.161-0.b14.amzn2")));
    let page = read_text("amazon-al2-rss/html/ALAS-2018-949.html");
    let refs = page[page.find("id='references'").unwrap()..]
        .split("</div>")
        .next()
        .unwrap()
        .matches("'>CVE-")
        .count();
    assert_eq!(records.len(), refs, "one record per CVE of the page");
}

#[test]
fn bad_alas_input_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("2");
    std::fs::create_dir_all(rel.join("html")).unwrap();
    std::fs::write(rel.join("alas.rss"), read_text("amazon/2/alas.rss")).unwrap();
    let page = read_text("amazon/2/html/ALAS-2018-939");
    // A page cut short in its package list.
    let cut = &page[..page.find("kernel-tools-").unwrap()];
    let page_path = rel.join("html/ALAS-2018-939");
    std::fs::write(&page_path, cut).unwrap();
    let err = amazon::import_dir(&rel, "2", &FeedLimits::default()).unwrap_err();
    assert!(
        err.to_string().contains(&page_path.display().to_string())
            && err.to_string().contains("New Packages"),
        "{err}"
    );
    // A page that is not an ALAS page (an OVAL file).
    std::fs::write(&page_path, read_text("oracle/elsa-mock_data.xml")).unwrap();
    let err = amazon::import_dir(&rel, "2", &FeedLimits::default()).unwrap_err();
    assert!(
        err.to_string().contains("not an ALAS advisory page"),
        "{err}"
    );
    // An RSS list cut short, and a file that is not RSS.
    let rss = read_text("amazon/2/alas.rss");
    let rss_path = rel.join("alas.rss");
    std::fs::write(&rss_path, &rss[..rss.len() / 2]).unwrap();
    let err = amazon::import_dir(&rel, "2", &FeedLimits::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("feed ")
            && err.to_string().contains(&rss_path.display().to_string()),
        "{err}"
    );
    assert!(amazon::parse_rss(
        &read_text("suse/suse.linux.enterprise.server.15.xml"),
        "x.rss"
    )
    .unwrap_err()
    .to_string()
    .contains("not an RSS document"));
}

// ---------------------------------------------------------------- Oracle

#[test]
fn elsa_records_keep_epochs_severities_and_skip_ksplice() {
    let (records, stats) =
        oracle::parse_oval(&read_text("oracle/elsa-mock_data.xml"), "mock").expect("parse");
    assert_eq!(stats.skipped, 0);
    // ELSA-2007-0057: 8 bind packages × 2 CVEs, epoch 30, Oracle's MODERATE.
    let bind: Vec<_> = records.iter().filter(|r| r.release == "5").collect();
    assert_eq!(bind.len(), 16);
    assert!(bind
        .iter()
        .all(|r| r.fixed_version.as_deref() == Some("30:9.3.3-8.el5")
            && r.severity == Severity::Medium
            && r.rating.as_deref() == Some("MODERATE")
            && r.aliases == ["ELSA-2007-0057"]));
    // ELSA-2018-4250: 6 UEK packages × 4 CVEs, IMPORTANT → high.
    let uek: Vec<_> = records.iter().filter(|r| r.release == "6").collect();
    assert_eq!(uek.len(), 24);
    assert!(uek.iter().all(|r| r.severity == Severity::High));
    assert!(records
        .iter()
        .all(|r| r.status == Status::Fixed && r.distro == Distro::Oracle));

    // Userspace ksplice packages: every one skipped, each counted.
    let xml = read_text("oracle/elsa-mock_ksplice_data.xml");
    let (records, stats) = oracle::parse_oval(&xml, "ksplice").expect("parse");
    assert!(records.is_empty(), "{records:?}");
    let criteria = xml
        .lines()
        .filter(|l| l.starts_with("<criterion ") && l.contains(" is earlier than "))
        .count();
    assert_eq!(stats.skipped as usize, criteria);
    assert!(stats.skipped_sample.iter().all(|s| s.contains("ksplice")));

    // Respun per architecture: the x86_64 fix is kept; one shared fix; OL10.
    let (records, _) = oracle::parse_oval(&read_text("oracle/elsa-mock_per_arch_data.xml"), "arch")
        .expect("parse");
    let rsyslog = records
        .iter()
        .find(|r| r.package == "rsyslog")
        .expect("rsyslog");
    assert_eq!(rsyslog.release, "7");
    assert_eq!(
        rsyslog.fixed_version.as_deref(),
        Some("0:8.24.0-57.0.1.el7_9.3")
    );
    assert!(records
        .iter()
        .any(|r| r.package == "firefox" && r.release == "10"));
}

#[test]
fn bad_elsa_input_names_the_file() {
    let xml = read_text("oracle/elsa-mock_data.xml");
    let err = oracle::parse_oval(&xml[..xml.len() / 2], "com.oracle.elsa-ol9.xml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("com.oracle.elsa-ol9.xml: not OVAL XML"),
        "{err}"
    );
    let err = oracle::parse_oval(&read_text("amazon/2/alas.rss"), "elsa.xml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "elsa.xml: not an OVAL definitions document"
    );
}

// ---------------------------------------------------------------- SUSE

#[test]
fn suse_statuses_channels_and_skips() {
    let xml = read_text("suse/suse.linux.enterprise.server.15.xml");
    let (records, stats) = suse::parse_oval(&xml, "sles15", Distro::Sles, None).expect("parse");
    let got: BTreeSet<_> = records
        .iter()
        .map(|r| {
            (
                r.release.as_str(),
                r.channel.as_deref(),
                r.package.as_str(),
                r.id.as_str(),
                r.status,
                r.fixed_version.as_deref(),
            )
        })
        .collect();
    let want: BTreeSet<_> = [
        // "is not affected" (kernel ==0) under Basesystem 15.
        (
            "15",
            None,
            "kernel-default",
            "CVE-1999-0524",
            Status::NotAffected,
            None,
        ),
        (
            "15",
            None,
            "kernel-source",
            "CVE-1999-0524",
            Status::NotAffected,
            None,
        ),
        (
            "15",
            None,
            "python3-cryptography",
            "CVE-2026-34073",
            Status::NotAffected,
            None,
        ),
        // SLES 15-LTSS: the LTSS channel; 15 SP1-BCL is sles-release 15.1; 15 SP1-LTSS again LTSS.
        (
            "15",
            Some("ltss"),
            "kernel-default",
            "CVE-2021-29154",
            Status::Fixed,
            Some("0:4.12.14-150.72.1"),
        ),
        (
            "15.1",
            None,
            "kernel-default",
            "CVE-2021-29154",
            Status::Fixed,
            Some("0:4.12.14-197.89.2"),
        ),
        (
            "15.1",
            Some("ltss"),
            "kernel-default",
            "CVE-2021-29154",
            Status::Fixed,
            Some("0:4.12.14-197.89.2"),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    // SUSE's own rating: Important → high, Moderate → medium.
    for r in &records {
        let want = if r.id == "CVE-2021-29154" {
            Severity::High
        } else {
            Severity::Medium
        };
        assert_eq!(r.severity, want, "{}", r.id);
    }
    // krb5's state has operation="6" (not OVAL): skipped, not guessed.
    assert!(!records.iter().any(|r| r.package.starts_with("krb5")));
    // Every unresolvable test and the 8 krb5 packages are counted.
    assert!(stats.skipped >= 8, "{stats:?}");
    // The LTSS records say so.
    assert!(records
        .iter()
        .filter(|r| r.channel.is_some())
        .all(|r| r.note.as_deref().is_some_and(|n| n.contains("LTSS"))));
}

#[test]
fn suse_file_names_and_bad_input() {
    assert_eq!(
        suse::product_of_file("suse.linux.enterprise.server.15.xml.gz"),
        Some((Distro::Sles, None))
    );
    assert_eq!(
        suse::product_of_file("opensuse.leap.15.6.xml"),
        Some((Distro::OpensuseLeap, Some("15.6".into())))
    );
    assert_eq!(suse::product_of_file("opensuse.tumbleweed.xml"), None);
    assert_eq!(
        suse::product_of_file("suse.linux.enterprise.server.15-patch.xml"),
        None
    );
    // A Leap file: every package test counts for the file's release.
    let xml = read_text("suse/suse.linux.enterprise.server.15.xml");
    let (leap, _) =
        suse::parse_oval(&xml, "leap", Distro::OpensuseLeap, Some("15.6")).expect("leap");
    assert!(
        !leap.is_empty()
            && leap
                .iter()
                .all(|r| r.release == "15.6" && r.channel.is_none())
    );
    let err = suse::parse_oval(
        &xml[..20_000],
        "suse.linux.enterprise.server.15.xml",
        Distro::Sles,
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("suse.linux.enterprise.server.15.xml: not OVAL XML"),
        "{err}"
    );
}

// ---------------------------------------------------------------- build and match

/// Fixed versions by plain string search: ALAS pages' `src:` lines, ELSA criterion comments.
fn alas_fixes_by_hand(page: &str) -> Vec<(String, String)> {
    let src = page.split("src:<br />").nth(1).unwrap();
    let src = src.split("<br /><br />").next().unwrap();
    src.split("<br />")
        .map(|l| {
            l.replace("&nbsp;", "")
                .trim()
                .trim_end_matches(".src")
                .to_owned()
        })
        .map(|nvr| {
            let mut parts = nvr.rsplitn(3, '-');
            let (r, v, n) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            (n.to_owned(), format!("{v}-{r}"))
        })
        .collect()
}

fn elsa_fixes_by_hand(xml: &str) -> Vec<(String, String, String)> {
    // (release, package, evr) from `Oracle Linux N is installed` and `X is earlier than EVR`.
    let mut out = Vec::new();
    for def in xml.split("<definition ").skip(1) {
        let release = def
            .split("comment=\"Oracle Linux ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap()
            .to_owned();
        for c in def.split("comment=\"").skip(1) {
            let c = c.split('"').next().unwrap();
            if let Some((p, evr)) = c.split_once(" is earlier than ") {
                out.push((release.clone(), p.to_owned(), evr.to_owned()));
            }
        }
    }
    out
}

fn feeds_dir() -> tempfile::TempDir {
    // amazon/, oracle/ (bzip2, as Oracle ships it) and suse/ (gzip, as SUSE ships it).
    let dir = tempfile::tempdir().unwrap();
    for rel in ["2", "2023"] {
        let to = dir.path().join("amazon").join(rel);
        std::fs::create_dir_all(to.join("html")).unwrap();
        std::fs::copy(data(&format!("amazon/{rel}/alas.rss")), to.join("alas.rss")).unwrap();
        for e in std::fs::read_dir(data(&format!("amazon/{rel}/html"))).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join("html").join(e.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(dir.path().join("oracle")).unwrap();
    for name in ["elsa-mock_data.xml", "elsa-mock_ksplice_data.xml"] {
        let f =
            std::fs::File::create(dir.path().join("oracle").join(format!("{name}.bz2"))).unwrap();
        let mut enc = bzip2::write::BzEncoder::new(f, bzip2::Compression::default());
        enc.write_all(read_text(&format!("oracle/{name}")).as_bytes())
            .unwrap();
        enc.finish().unwrap();
    }
    std::fs::create_dir_all(dir.path().join("suse")).unwrap();
    let f = std::fs::File::create(
        dir.path()
            .join("suse/suse.linux.enterprise.server.15.xml.gz"),
    )
    .unwrap();
    let mut enc = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    enc.write_all(read_text("suse/suse.linux.enterprise.server.15.xml").as_bytes())
        .unwrap();
    enc.finish().unwrap();
    dir
}

#[test]
fn db_build_reads_the_three_feeds_and_matches_as_rpm_says() {
    let feeds_dir = feeds_dir();
    let feeds = FeedSet::discover(feeds_dir.path()).expect("discover");
    let names: Vec<String> = feeds.feeds.iter().map(Feed::source_name).collect();
    assert_eq!(
        names,
        [
            "amazon-alas/2",
            "amazon-alas/2023",
            "oracle-oval/elsa-mock_data",
            "oracle-oval/elsa-mock_ksplice_data",
            "suse-oval/suse.linux.enterprise.server.15"
        ]
    );
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("vulndb.sqlite");
    let summary = build(&feeds, &target, &options(), &mut |_| {}).expect("build");
    assert_eq!(summary.records, 2 + 3 + 40 + 6);
    let db = VulnDb::open(&target).expect("open");

    // Amazon Linux 2: installed kernels around the fix (source package `kernel`), the expectation
    // from the page by string search and rpm's vercmp.
    let kernels = [
        "4.9.62-10.57.amzn2",
        "4.9.76-38.79.amzn2",
        "4.9.76-3.78.amzn2",
        "4.14.77-81.59.amzn2",
        "1:4.9.0-1.amzn2",
    ];
    let page = read_text("amazon/2/html/ALAS-2018-939");
    let fixes = alas_fixes_by_hand(&page);
    assert_eq!(
        fixes,
        [("kernel".to_owned(), "4.9.76-38.79.amzn2".to_owned())]
    );
    let pairs: Vec<(String, String)> = kernels
        .iter()
        .map(|k| ((*k).to_owned(), fixes[0].1.clone()))
        .collect();
    let answers = rpm_vercmp(&pairs);
    for (k, cmp) in kernels.iter().zip(&answers) {
        let installed = [Installed {
            name: "kernel-headers",
            source_name: "kernel",
            source_version: k,
            module: None,
        }];
        let report = db
            .match_release(Distro::Amazon, "2", &installed, &MatchOptions::default())
            .expect("match");
        let ids: BTreeSet<&str> = report
            .vulnerabilities
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        if *cmp < 0 {
            assert_eq!(
                ids,
                ["CVE-2017-5715", "CVE-2017-5754"].into_iter().collect(),
                "{k}"
            );
            assert!(report
                .vulnerabilities
                .iter()
                .all(|v| v.vendor_severity == Severity::Critical
                    && v.source == amazon::SOURCE
                    && v.binaries == ["kernel-headers"]));
        } else {
            assert!(ids.is_empty(), "{k}: {ids:?}");
        }
    }

    // Oracle Linux 5 and 6: binary packages, epoch 30 on bind; rpm's vercmp decides.
    let elsa = elsa_fixes_by_hand(&read_text("oracle/elsa-mock_data.xml"));
    let installed: Vec<(&str, &str, &str)> = vec![
        ("5", "bind", "30:9.3.3-7.el5"),
        ("5", "bind-utils", "9.3.3-8.el5"),
        ("5", "bind-libs", "30:9.3.3-8.el5"),
        ("5", "bind-chroot", "30:9.3.3-10.el5"),
        ("5", "caching-nameserver", "31:9.3.3-1.el5"),
        ("6", "kernel-uek", "2.6.39-400.302.1.el6uek"),
        ("6", "kernel-uek-firmware", "2.6.39-400.302.2.el6uek"),
        ("6", "kernel-uek-doc", "2.6.39-400.1000.el6uek"),
    ];
    let mut pairs = Vec::new();
    let mut questions = Vec::new();
    for (release, name, version) in &installed {
        for (r, p, evr) in &elsa {
            if r == release && p == name {
                pairs.push(((*version).to_owned(), evr.clone()));
                questions.push((*release, *name));
            }
        }
    }
    assert_eq!(
        questions.len(),
        installed.len(),
        "each package has one fix in the file"
    );
    let answers = rpm_vercmp(&pairs);
    let expected: BTreeSet<(&str, &str)> = questions
        .iter()
        .zip(&answers)
        .filter(|(_, c)| **c < 0)
        .map(|(q, _)| *q)
        .collect();
    assert!(
        expected.len() >= 3 && expected.len() < installed.len(),
        "{expected:?}"
    );
    let mut ours = BTreeSet::new();
    for release in ["5", "6"] {
        let list: Vec<Installed> = installed
            .iter()
            .filter(|(r, _, _)| *r == release)
            .map(|(_, n, v)| Installed {
                name: n,
                source_name: "unused-srpm",
                source_version: v,
                module: None,
            })
            .collect();
        let report = db
            .match_release(Distro::Oracle, release, &list, &MatchOptions::default())
            .expect("match");
        for v in &report.vulnerabilities {
            assert!(v.aliases.iter().any(|a| a.starts_with("ELSA-")));
            ours.insert((
                installed
                    .iter()
                    .find(|(r, n, _)| *r == release && *n == v.package)
                    .unwrap()
                    .0,
                installed
                    .iter()
                    .find(|(r, n, _)| *r == release && *n == v.package)
                    .unwrap()
                    .1,
            ));
        }
    }
    assert_eq!(ours, expected);
    // An installed modular build is left unjudged (module streams are skipped, as for Red Hat),
    // counted in the report.
    let modular = [Installed {
        name: "bind",
        source_name: "bind",
        source_version: "30:9.3.3-7.module+el5.1+1234",
        module: None,
    }];
    let report = db
        .match_release(Distro::Oracle, "5", &modular, &MatchOptions::default())
        .expect("match");
    assert!(report.vulnerabilities.is_empty());
    assert_eq!(report.skipped_modular, 1);
    assert_eq!(
        report.skipped_modular_packages,
        ["bind 30:9.3.3-7.module+el5.1+1234"]
    );
    // OL8's only packages here are ksplice ones: no data for 8, and that names the feed.
    match db.match_release(Distro::Oracle, "8", &[], &MatchOptions::default()) {
        Err(e @ MatchError::NoData { .. }) => assert!(e.to_string().contains("ELSA"), "{e}"),
        other => panic!("{other:?}"),
    }

    // SLES 15: the LTSS fix counts when installed; the public archive's record shows otherwise.
    let check = |release: &str, version: &str| {
        let list = [Installed {
            name: "kernel-default",
            source_name: "kernel-default",
            source_version: version,
            module: None,
        }];
        db.match_release(Distro::Sles, release, &list, &MatchOptions::default())
            .expect("match")
            .vulnerabilities
    };
    let old = check("15.1", "4.12.14-197.80.1");
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].channel, None, "the public record first");
    assert_eq!(old[0].fixed_version.as_deref(), Some("0:4.12.14-197.89.2"));
    assert!(check("15.1", "4.12.14-197.89.2").is_empty());
    let ltss_only = check("15", "4.12.14-150.1.1");
    assert_eq!(ltss_only.len(), 1);
    assert_eq!(ltss_only[0].channel.as_deref(), Some("ltss"));
    assert!(check("15", "4.12.14-150.72.1").is_empty());
}

#[test]
fn os_release_ids_map_to_the_feeds_and_missing_data_is_a_named_skip() {
    let os = |id: &str, v: &str| OsInfo {
        id: id.into(),
        version_id: Some(v.into()),
        codename: None,
        pretty_name: None,
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    };
    let key = |id: &str, v: &str| {
        release_for(&os(id, v))
            .map(|(d, r)| format!("{d}:{r}"))
            .ok()
    };
    assert_eq!(key("amzn", "2").as_deref(), Some("amzn:2"));
    assert_eq!(key("amzn", "2023").as_deref(), Some("amzn:2023"));
    assert_eq!(key("amzn", "2018.03").as_deref(), Some("amzn:1"));
    assert_eq!(key("ol", "8.9").as_deref(), Some("ol:8"));
    assert_eq!(key("ol", "9").as_deref(), Some("ol:9"));
    assert_eq!(key("sles", "15.5").as_deref(), Some("sles:15.5"));
    assert_eq!(key("sles", "15").as_deref(), Some("sles:15"));
    assert_eq!(key("sle_hpc", "15.3").as_deref(), Some("sles:15.3"));
    assert_eq!(
        key("opensuse-leap", "15.6").as_deref(),
        Some("opensuse-leap:15.6")
    );
    assert_eq!(key("opensuse-leap", "15"), None);
    assert_eq!(key("ol", "x"), None);

    // The real SLE 15 SP3 BCI image's packages against a database whose SUSE file has no SP3
    // data: a skip that names the missing feed, never "no vulnerabilities".
    let feeds_dir = feeds_dir();
    let feeds = FeedSet::discover(feeds_dir.path()).expect("discover");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("vulndb.sqlite");
    build(&feeds, &target, &options(), &mut |_| {}).expect("build");
    let db = VulnDb::open(&target).expect("open");
    let ndb = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scan/tests/data/rpm/sle15-bci-Packages.db"),
    )
    .unwrap();
    let inventory =
        dockaudit_scan::inventory::rpm::parse_rpmdb(&ndb, "var/lib/rpm/Packages.db").expect("ndb");
    let sles_release = inventory
        .packages
        .iter()
        .find(|p| p.name == "sles-release")
        .expect("sles-release");
    // 15.3-55.4.1: SLES 15 SP3.
    assert!(sles_release.version.starts_with("15.3"));
    match db.match_packages(
        &os("sles", "15.3"),
        &inventory.packages,
        &MatchOptions::default(),
    ) {
        Err(e @ MatchError::NoData { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("sles 15.3") && msg.contains("SUSE's OVAL feed"),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Amazon Linux 1 has no feed here either.
    match db.match_packages(
        &os("amzn", "2018.03"),
        &inventory.packages,
        &MatchOptions::default(),
    ) {
        Err(e @ MatchError::NoData { .. }) => assert!(e.to_string().contains("ALAS"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_compressed_oval_file_is_bounded_when_unpacked() {
    // A 30 kB ELSA file, 3 kB as .bz2: under a 20 kB bound it passes as a file and fails unpacked.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("oracle")).unwrap();
    let xml = read_text("oracle/elsa-mock_per_arch_data.xml");
    let path = dir.path().join("oracle/com.oracle.elsa-ol7.xml.bz2");
    let mut enc = bzip2::write::BzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        bzip2::Compression::default(),
    );
    enc.write_all(xml.as_bytes()).unwrap();
    enc.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 20_000 && xml.len() > 20_000);
    let feeds = FeedSet::discover(dir.path()).expect("discover");
    let mut small = options();
    small.limits = FeedLimits {
        max_file_bytes: 20_000,
        ..FeedLimits::default()
    };
    let target = dir.path().join("vulndb.sqlite");
    let err = build(&feeds, &target, &small, &mut |_| {}).unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string())
            && err.to_string().contains("unpacks to more than 20000 bytes"),
        "{err}"
    );
    assert!(!target.exists());
    // The same file within the default bounds builds.
    build(&feeds, &target, &options(), &mut |_| {}).expect("build");
}
