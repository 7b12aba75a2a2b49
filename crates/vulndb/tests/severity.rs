//! Severities on the real records in tests/data/enrichment (see tests/data/NOTICE.md): NVD CVE API
//! 2.0 records, CVE JSON 5 records, CISA's KEV catalogue and FIRST's EPSS scores. Each parser is
//! checked against an independent reading of the same file (its JSON walked generically), and a
//! database built from the distributions' excerpts plus these feeds gives each finding the
//! effective severity the documented order says, keeping every score.

mod common;
use common::{os, pkg};

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use dockaudit_scan::inventory::PackageFormat;
use dockaudit_vulndb::build::{build, BuildOptions, Feed, FeedFile, FeedSet};
use dockaudit_vulndb::severity::{effective, CvssOrigin};
use dockaudit_vulndb::{cve5, epss, kev, nvd, MatchOptions, Severity, VulnDb};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(dir))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// (source, version, score) of every CVSS metric in an NVD record, read generically.
fn nvd_metrics_by_hand(record: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    if let Some(metrics) = record["metrics"].as_object() {
        for (key, list) in metrics {
            if !key.starts_with("cvssMetricV") {
                continue;
            }
            for m in list.as_array().expect("a list") {
                out.insert((
                    m["source"].as_str().expect("source").to_owned(),
                    m["cvssData"]["version"]
                        .as_str()
                        .expect("version")
                        .to_owned(),
                    m["cvssData"]["baseScore"].to_string(),
                ));
            }
        }
    }
    out
}

#[test]
fn nvd_records_give_every_cvss_metric_and_the_rejected_status() {
    let files = json_files("enrichment/nvd");
    assert!(files.len() >= 20);
    let mut rejected = Vec::new();
    for path in &files {
        let bytes = read(path);
        let origin = path.display().to_string();
        let (records, stats) = nvd::parse(&bytes[..], &origin).expect("an NVD record");
        assert_eq!(records.len(), 1, "{origin}");
        assert_eq!(stats.skipped, 0, "{origin}: {:?}", stats.skipped_sample);
        let r = &records[0];
        let raw: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(r.id, raw["id"].as_str().expect("id"));
        assert_eq!(r.rejected, raw["vulnStatus"] == "Rejected", "{origin}");
        if r.rejected {
            rejected.push(r.id.clone());
        }
        let parsed: BTreeSet<_> = r
            .cvss
            .iter()
            .map(|c| {
                (
                    c.source.clone(),
                    c.version.clone(),
                    Value::from(c.score).to_string(),
                )
            })
            .collect();
        assert_eq!(parsed, nvd_metrics_by_hand(&raw), "{origin}");
        for c in &r.cvss {
            // Primary is NVD's own analysis only.
            assert_eq!(
                c.origin == CvssOrigin::NvdPrimary,
                c.source == nvd::NVD_SCORER,
                "{origin}: {c:?}"
            );
            assert_ne!(c.severity, Severity::Unknown, "{origin}: {c:?}");
        }
    }
    assert_eq!(rejected, ["CVE-2021-29633"]);

    // The same records as an API response page and as fkie-cad's release file.
    let one = |name: &str| -> Value {
        serde_json::from_slice(&read(&data(&format!("enrichment/nvd/{name}")))).unwrap()
    };
    let (a, b) = (one("CVE-2021-44228.json"), one("CVE-2023-4911.json"));
    let page =
        serde_json::json!({"resultsPerPage": 2, "vulnerabilities": [{"cve": a}, {"cve": b}]});
    let (records, _) = nvd::parse(page.to_string().as_bytes(), "page").expect("page");
    assert_eq!(
        records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["CVE-2021-44228", "CVE-2023-4911"]
    );
    let release = serde_json::json!({"cve_count": 2, "cve_items": [a, b]});
    let (again, _) = nvd::parse(release.to_string().as_bytes(), "release").expect("release");
    assert_eq!(again, records);

    // Damaged input names the file.
    let err = nvd::parse(&b"{\"vulnerabilities\": ["[..], "nvd/broken.json").unwrap_err();
    assert!(err.to_string().starts_with("nvd/broken.json: "), "{err}");
}

#[test]
fn cve5_records_give_cna_and_adp_metrics_and_the_rejected_state() {
    for path in json_files("enrichment/cve5") {
        let bytes = read(&path);
        let origin = path.display().to_string();
        let (r, _) = cve5::parse(&bytes, &origin).expect("a CVE 5 record");
        let raw: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(r.id, raw["cveMetadata"]["cveId"].as_str().unwrap());
        assert_eq!(
            r.rejected,
            raw["cveMetadata"]["state"] == "REJECTED",
            "{origin}"
        );
        // Every cvssV* object of every container, read generically.
        let mut by_hand = BTreeSet::new();
        let containers = &raw["containers"];
        let mut all: Vec<(&str, &Value)> = containers["cna"]
            .as_object()
            .map(|_| vec![("cna", &containers["cna"])])
            .unwrap_or_default();
        for adp in containers["adp"].as_array().into_iter().flatten() {
            all.push(("adp", adp));
        }
        for (kind, c) in all {
            let who = c["providerMetadata"]["shortName"]
                .as_str()
                .unwrap_or("unknown");
            for m in c["metrics"].as_array().into_iter().flatten() {
                for (k, v) in m.as_object().unwrap() {
                    if k.starts_with("cvssV") {
                        by_hand.insert((format!("{kind}:{who}"), v["baseScore"].to_string()));
                    }
                }
            }
        }
        let parsed: BTreeSet<_> = r
            .cvss
            .iter()
            .map(|c| (c.source.clone(), Value::from(c.score).to_string()))
            .collect();
        assert_eq!(parsed, by_hand, "{origin}");
    }
    // CISA's vulnrichment scored a CVE its CNA did not.
    let (r, _) = cve5::parse(&read(&data("enrichment/cve5/CVE-2024-24790.json")), "x").unwrap();
    assert_eq!(r.cvss.len(), 1);
    assert_eq!(
        (
            r.cvss[0].source.as_str(),
            r.cvss[0].origin,
            r.cvss[0].severity
        ),
        ("adp:CISA-ADP", CvssOrigin::Cve5Adp, Severity::Critical)
    );
    assert!(
        cve5::parse(br#"{"dataType": "CVE_RECORD"}"#, "cve5/bad.json")
            .unwrap_err()
            .to_string()
            .starts_with("cve5/bad.json: ")
    );
}

#[test]
fn kev_catalogue_and_epss_scores() {
    let path = data("enrichment/kev/known_exploited_vulnerabilities.json");
    let bytes = read(&path);
    let (entries, version, stats) = kev::parse(&bytes, "kev").expect("kev");
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(version.as_deref(), raw["catalogVersion"].as_str());
    assert_eq!(stats.skipped, 0);
    let list = raw["vulnerabilities"].as_array().unwrap();
    assert_eq!(entries.len(), list.len());
    for ((id, e), r) in entries.iter().zip(list) {
        assert_eq!(id, r["cveID"].as_str().unwrap());
        assert_eq!(e.date_added, r["dateAdded"].as_str().unwrap());
        assert_eq!(e.ransomware, r["knownRansomwareCampaignUse"] == "Known");
    }
    assert!(entries
        .iter()
        .any(|(id, e)| id == "CVE-2021-44228" && e.ransomware));
    assert!(kev::parse(b"[]", "kev.json")
        .unwrap_err()
        .to_string()
        .starts_with("kev.json: "));

    let csv = read(&data("enrichment/epss/epss_scores-2026-03-28.csv"));
    let (scores, stats) = epss::parse(&csv, "epss", 1 << 20).expect("epss");
    assert_eq!(stats.skipped, 0);
    let text = String::from_utf8(csv.clone()).unwrap();
    let rows: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(scores.len(), rows.len());
    for ((id, e), row) in scores.iter().zip(&rows) {
        let cols: Vec<&str> = row.split(',').collect();
        assert_eq!(id, cols[0]);
        assert_eq!(e.score, cols[1].parse::<f64>().unwrap());
        assert_eq!(e.percentile, cols[2].parse::<f64>().unwrap());
        assert_eq!(e.date.as_deref(), Some("2026-03-28"));
    }
    // The same file gzip-compressed, as FIRST serves it.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&csv).unwrap();
    let (again, _) = epss::parse(&gz.finish().unwrap(), "epss.gz", 1 << 20).expect("gzip");
    assert_eq!(again, scores);
    // Not an EPSS file, a cut gzip stream, and a bomb: each named, none panics.
    assert!(epss::parse(b"id,score\nx,1\n", "a.csv", 1 << 20)
        .unwrap_err()
        .to_string()
        .starts_with("a.csv: "));
    assert!(epss::parse(&[0x1f, 0x8b, 8, 0, 0], "b.csv.gz", 1 << 20).is_err());
    assert!(epss::parse(&csv, "c.csv", 10).is_err());
}

fn options() -> BuildOptions {
    common::build_options(time::macros::datetime!(2026-06-01 12:00 UTC))
}

/// The distributions' excerpts plus the severity feeds in `extra` (a directory laid out as
/// `db build --from` reads it).
fn build_with(dir: &Path, extra: &Path) -> VulnDb {
    let mut feeds = FeedSet::discover(&data("advisories/feeds")).expect("feeds");
    let more = FeedSet::discover(extra);
    // `extra` alone has no distribution feed, so discover refuses it: list its feeds by hand.
    assert!(more.is_err());
    for (sub, make) in [
        ("nvd", Feed::Nvd as fn(FeedFile) -> Feed),
        ("cve5", Feed::Cve5),
    ] {
        if extra.join(sub).exists() {
            feeds.push(make(FeedFile::local(extra.join(sub))));
        }
    }
    for (file, make) in [
        (
            "kev/known_exploited_vulnerabilities.json",
            Feed::Kev as fn(FeedFile) -> Feed,
        ),
        ("epss/epss_scores-2026-03-28.csv", Feed::Epss),
    ] {
        if extra.join(file).exists() {
            feeds.push(make(FeedFile::local(extra.join(file))));
        }
    }
    let target = dir.join("vulndb.sqlite");
    build(&feeds, &target, &options(), &mut |_| {}).expect("build");
    VulnDb::open(&target).expect("open")
}

#[test]
fn findings_get_the_effective_severity_with_every_score() {
    // Alpine's secdb rates nothing. zlib 1.2.8-r2 on 3.15 has CVE-2018-25032 and CVE-2022-37434.
    // NVD's record of CVE-2022-37434 scores it 9.8 CRITICAL (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/
    // I:H/A:H, nvd@nist.gov Primary); curl's real CVE-2023-38545 record carries exactly that metric,
    // so it stands in for it under zlib's id (the shared folder holds no zlib record).
    let feeds = tempfile::tempdir().unwrap();
    renamed(feeds.path(), "CVE-2022-37434", Some("CVE-2023-38545"), None);
    // Unrelated real severity records ride along: only CVEs a distribution record names are kept.
    for f in json_files("enrichment/nvd") {
        std::fs::copy(&f, feeds.path().join("nvd").join(f.file_name().unwrap())).unwrap();
    }
    let dir = tempfile::tempdir().expect("tmp");
    let db = build_with(dir.path(), feeds.path());
    assert!(db.cve_info("CVE-2022-37434").unwrap().is_some());
    assert!(db.cve_info("CVE-2021-44228").unwrap().is_none());

    let zlib = [pkg("zlib", "zlib", "1.2.8-r2", PackageFormat::Apk)];
    let alpine = os("alpine", "3.15.4");
    let r = db
        .match_packages(&alpine, &zlib, &MatchOptions::default())
        .expect("match");
    let got: Vec<_> = r
        .vulnerabilities
        .iter()
        .map(|v| {
            (
                v.id.as_str(),
                v.severity,
                v.severity_source.as_str(),
                v.vendor_severity,
                v.cvss.len(),
            )
        })
        .collect();
    let nvd_raw: Value =
        serde_json::from_slice(&read(&feeds.path().join("nvd/CVE-2022-37434.json"))).unwrap();
    assert_eq!(
        got,
        [
            // Most severe first: NVD's primary score, the only one the record has.
            (
                "CVE-2022-37434",
                Severity::Critical,
                "nvd@nist.gov",
                Severity::Unknown,
                nvd_metrics_by_hand(&nvd_raw).len()
            ),
            // No severity record: unknown, from the secdb, as before.
            (
                "CVE-2018-25032",
                Severity::Unknown,
                "alpine-secdb",
                Severity::Unknown,
                0
            ),
        ]
    );
    let v = &r.vulnerabilities[0];
    assert_eq!(
        v.cvss[0].vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    assert!(v.known_exploited.is_none() && v.epss.is_none());

    // `--severity critical` keeps it, `--severity unknown` drops it: the filter uses the effective one.
    let only = |s: Severity| MatchOptions {
        ignore_unfixed: false,
        severities: Some(vec![s]),
    };
    let r = db
        .match_packages(&alpine, &zlib, &only(Severity::Critical))
        .unwrap();
    assert_eq!(
        r.vulnerabilities
            .iter()
            .map(|v| v.id.as_str())
            .collect::<Vec<_>>(),
        ["CVE-2022-37434"]
    );
    assert_eq!(r.dropped_by_severity, 1);

    // Without the severity feeds both are unknown.
    let bare_dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let bare = build_with(bare_dir.path(), empty.path());
    let r = bare
        .match_packages(&alpine, &zlib, &MatchOptions::default())
        .unwrap();
    assert!(r
        .vulnerabilities
        .iter()
        .all(|v| v.severity == Severity::Unknown));
    assert_eq!(r.vulnerabilities.len(), 2);
}

#[test]
fn a_real_api_response_page_parses() {
    // vunnel's recorded NVD API 2.0 page (38 CVEs, some awaiting analysis without metrics).
    let bytes = read(&data("enrichment/nvd-page/full-page.json"));
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    let (records, stats) = nvd::parse(&bytes[..], "full-page.json").expect("page");
    assert_eq!(records.len() as u64, raw["totalResults"].as_u64().unwrap());
    assert_eq!(stats.skipped, 0, "{:?}", stats.skipped_sample);
    for (r, v) in records
        .iter()
        .zip(raw["vulnerabilities"].as_array().unwrap())
    {
        let by_hand = nvd_metrics_by_hand(&v["cve"]);
        let parsed: BTreeSet<_> = r
            .cvss
            .iter()
            .map(|c| {
                (
                    c.source.clone(),
                    c.version.clone(),
                    Value::from(c.score).to_string(),
                )
            })
            .collect();
        assert_eq!(parsed, by_hand, "{}", r.id);
    }
}

/// A severity-feed directory holding the real records of `from` with their CVE id replaced by
/// `id`: no real rejected or known-exploited CVE is named by the distributions' excerpts, so the
/// test gives a real record the id of one that is (the records are otherwise unchanged).
fn renamed(dir: &Path, id: &str, nvd_from: Option<&str>, kev_from: Option<&str>) {
    if let Some(from) = nvd_from {
        let text = String::from_utf8(read(&data(&format!("enrichment/nvd/{from}.json")))).unwrap();
        std::fs::create_dir_all(dir.join("nvd")).unwrap();
        std::fs::write(dir.join(format!("nvd/{id}.json")), text.replace(from, id)).unwrap();
    }
    if let Some(from) = kev_from {
        let mut raw: Value = serde_json::from_slice(&read(&data(
            "enrichment/kev/known_exploited_vulnerabilities.json",
        )))
        .unwrap();
        let entry = raw["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["cveID"] == from)
            .cloned()
            .unwrap();
        let mut entry = entry;
        entry["cveID"] = Value::from(id);
        raw["vulnerabilities"] = Value::Array(vec![entry]);
        std::fs::create_dir_all(dir.join("kev")).unwrap();
        std::fs::write(
            dir.join("kev/known_exploited_vulnerabilities.json"),
            raw.to_string(),
        )
        .unwrap();
    }
}

#[test]
fn known_exploited_is_at_least_high_and_rejected_cves_are_dropped() {
    // Wayland on Ubuntu 18.04: CVE-2021-3782, rated medium by Ubuntu.
    let wayland = [pkg(
        "libwayland-client0",
        "wayland",
        "1.16.0-1ubuntu1.1~18.04.3",
        PackageFormat::Dpkg,
    )];
    let ubuntu = os("ubuntu", "18.04");

    let kev_dir = tempfile::tempdir().unwrap();
    renamed(
        kev_dir.path(),
        "CVE-2021-3782",
        None,
        Some("CVE-2021-44228"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = build_with(dir.path(), kev_dir.path());
    let r = db
        .match_packages(&ubuntu, &wayland, &MatchOptions::default())
        .unwrap();
    let v = &r.vulnerabilities[0];
    assert_eq!(v.id, "CVE-2021-3782");
    assert_eq!(v.vendor_severity, Severity::Medium);
    assert_eq!(
        (v.severity, v.severity_source.as_str()),
        (Severity::High, "cisa-kev")
    );
    let k = v.known_exploited.as_ref().expect("marked");
    assert_eq!(k.date_added, "2021-12-10");
    assert!(k.ransomware);
    // The floor never lowers: the same entry on a critical rating keeps critical.
    let info = db.cve_info("CVE-2021-3782").unwrap().unwrap();
    assert_eq!(
        effective(Severity::Critical, "ubuntu-osv", Some(&info)).severity,
        Severity::Critical
    );

    let rejected_dir = tempfile::tempdir().unwrap();
    renamed(
        rejected_dir.path(),
        "CVE-2021-3782",
        Some("CVE-2021-29633"),
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let db = build_with(dir.path(), rejected_dir.path());
    let r = db
        .match_packages(&ubuntu, &wayland, &MatchOptions::default())
        .unwrap();
    assert!(r.vulnerabilities.is_empty(), "{:?}", r.vulnerabilities);
    assert_eq!(r.dropped_rejected, 1);
}
