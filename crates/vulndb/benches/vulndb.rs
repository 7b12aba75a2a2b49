//! Benchmark of the vulnerability database at real-world scale (not a test; nothing is asserted):
//! `cargo bench -p dockaudit-vulndb --bench vulndb`.
//!
//! Real feeds cannot be downloaded here, so it writes synthetic ones of the real sizes: a Debian
//! tracker JSON of 20 000 source packages × 5 issues × 5 releases (500 000 release entries, ~90 MB,
//! the size of the real feed in 2026) and an Ubuntu OSV .tar.xz of 40 000 CVE records × 6 releases.
//! It prints the build time and database size, then the time to match a 500-package Debian image
//! (cold: open + match; warm: match on an open database), median of 25 runs. The severity feeds
//! are synthetic too, at their real sizes: NVD records for 300 000 CVEs (every CVE the distribution
//! feeds name, and more), in 10 files of API 2.0 `cve_items`; a KEV catalogue of 1 400 entries; an
//! EPSS file of 300 000 rows. Set
//! `VULNDB_BENCH_KEEP=DIR` to keep the feeds and the database there.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use dockaudit_scan::inventory::{Package, PackageFormat};
use dockaudit_scan::os::OsInfo;
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::{FeedLimits, MatchOptions, VulnDb};

const PACKAGES: usize = 20_000;
const ISSUES: usize = 5;
const RELEASES: [&str; 5] = ["bullseye", "bookworm", "trixie", "forky", "sid"];
const UBUNTU_CVES: usize = 40_000;
const UBUNTU_RELEASES: [(&str, &str); 6] = [
    ("16.04", "Pro:16.04:LTS"),
    ("18.04", "Pro:18.04:LTS"),
    ("20.04", "20.04:LTS"),
    ("22.04", "22.04:LTS"),
    ("24.04", "24.04:LTS"),
    ("25.10", "25.10"),
];

/// A small deterministic generator (xorshift), so every run writes the same feeds.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "buffer",
    "overflow",
    "in",
    "the",
    "parser",
    "allows",
    "remote",
    "attackers",
    "to",
    "cause",
    "a",
    "denial",
    "of",
    "service",
    "via",
    "crafted",
    "input",
    "heap",
    "use-after-free",
    "when",
];

fn description(rng: &mut Rng) -> String {
    let mut s = String::new();
    while s.len() < 250 {
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
        s.push(' ');
    }
    s
}

fn tracker_json(rng: &mut Rng) -> String {
    let mut out = String::with_capacity(100 << 20);
    out.push('{');
    for p in 0..PACKAGES {
        if p > 0 {
            out.push(',');
        }
        write!(out, "\"pkg{p}\":{{").unwrap();
        for i in 0..ISSUES {
            if i > 0 {
                out.push(',');
            }
            let id = format!("CVE-20{:02}-{}", 10 + (p + i) % 15, 10_000 + p * ISSUES + i);
            write!(
                out,
                "\"{id}\":{{\"description\":\"{}\",\"scope\":\"remote\",\"releases\":{{",
                description(rng)
            )
            .unwrap();
            for (r, rel) in RELEASES.iter().enumerate() {
                if r > 0 {
                    out.push(',');
                }
                let urgency = ["low", "medium", "high", "unimportant", "not yet assigned"]
                    [rng.below(5) as usize];
                let repo = format!(
                    "\"repositories\":{{\"{rel}\":\"{}.{}-{}\"}}",
                    p % 7,
                    i,
                    r + 1
                );
                match rng.below(20) {
                    0..=13 => write!(out, "\"{rel}\":{{\"status\":\"resolved\",{repo},\"fixed_version\":\"{}.{}-{}\",\"urgency\":\"{urgency}\"}}", p % 7, i, r + 1),
                    14 | 15 => write!(out, "\"{rel}\":{{\"status\":\"resolved\",{repo},\"fixed_version\":\"0\",\"urgency\":\"unimportant\"}}"),
                    16 | 17 => write!(out, "\"{rel}\":{{\"status\":\"open\",{repo},\"urgency\":\"{urgency}\"}}"),
                    18 => write!(out, "\"{rel}\":{{\"status\":\"open\",{repo},\"urgency\":\"low\",\"nodsa\":\"Minor issue\",\"nodsa_reason\":\"\"}}"),
                    _ => write!(out, "\"{rel}\":{{\"status\":\"open\",{repo},\"urgency\":\"low\",\"nodsa\":\"Revisit\",\"nodsa_reason\":\"postponed\"}}"),
                }
                .unwrap();
            }
            out.push_str("}}");
        }
        out.push('}');
    }
    out.push('}');
    out
}

fn osv_tar_xz(rng: &mut Rng) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for c in 0..UBUNTU_CVES {
        let id = format!("CVE-20{:02}-{}", 10 + c % 15, 50_000 + c);
        let mut affected = Vec::new();
        for (release, eco) in UBUNTU_RELEASES {
            let pkg = format!("src{}", c % 8000);
            let fixed = rng.below(3) != 0;
            let events = if fixed {
                format!(
                    r#"[{{"introduced":"0"}},{{"fixed":"{}.{}-0ubuntu{}"}}]"#,
                    c % 9,
                    c % 5,
                    release.replace('.', "")
                )
            } else {
                r#"[{"introduced":"0"}]"#.to_owned()
            };
            let distro = match eco {
                e if e.starts_with("Pro:") => format!(
                    "esm-infra/{}",
                    if release == "16.04" {
                        "xenial"
                    } else {
                        "bionic"
                    }
                ),
                _ => ["focal", "jammy", "noble", "questing"][UBUNTU_RELEASES
                    .iter()
                    .position(|r| r.0 == release)
                    .unwrap_or(2)
                    - 2]
                .to_owned(),
            };
            affected.push(format!(
                r#"{{"package":{{"ecosystem":"Ubuntu:{eco}","name":"{pkg}","purl":"pkg:deb/ubuntu/{pkg}@1?arch=source&distro={distro}"}},"ranges":[{{"type":"ECOSYSTEM","events":{events}}}],"versions":["1.0-1","1.0-2"]}}"#
            ));
        }
        let doc = format!(
            r#"{{"schema_version":"1.7.0","id":"UBUNTU-{id}","details":"{}","upstream":["{id}"],"severity":[{{"type":"Ubuntu","score":"medium"}}],"affected":[{}]}}"#,
            description(rng),
            affected.join(",")
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(doc.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("osv/cve/20{:02}/UBUNTU-{id}.json", 10 + c % 15),
            doc.as_bytes(),
        )
        .unwrap();
    }
    let bytes = tar.into_inner().unwrap();
    let mut xz =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(3)).unwrap();
    xz.write_all(&bytes).unwrap();
    xz.finish().unwrap()
}

fn mb(n: u64) -> String {
    format!("{:.1} MB", n as f64 / 1e6)
}

const NVD_CVES: usize = 300_000;

/// The CVE ids the synthetic distribution feeds name, then others up to `NVD_CVES`.
fn all_cve_ids() -> Vec<String> {
    let mut ids = Vec::with_capacity(NVD_CVES);
    for p in 0..PACKAGES {
        for i in 0..ISSUES {
            ids.push(format!(
                "CVE-20{:02}-{}",
                10 + (p + i) % 15,
                10_000 + p * ISSUES + i
            ));
        }
    }
    for c in 0..UBUNTU_CVES {
        ids.push(format!("CVE-20{:02}-{}", 10 + c % 15, 50_000 + c));
    }
    let mut n = 0;
    while ids.len() < NVD_CVES {
        ids.push(format!("CVE-2030-{}", 100_000 + n));
        n += 1;
    }
    ids
}

/// Writes nvd/part-N.json (fkie-cad's `cve_items` shape), kev/ and epss/ under `feeds`.
fn write_severity_feeds(feeds: &std::path::Path, rng: &mut Rng) {
    let ids = all_cve_ids();
    std::fs::create_dir_all(feeds.join("nvd")).unwrap();
    for (part, chunk) in ids.chunks(NVD_CVES / 10).enumerate() {
        let mut out = String::from("{\"cve_items\":[");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let score = (rng.below(100) as f64) / 10.0;
            write!(
                out,
                "{{\"id\":\"{id}\",\"vulnStatus\":\"Analyzed\",\"descriptions\":[{{\"lang\":\"en\",\"value\":\"{}\"}}],\"metrics\":{{\"cvssMetricV31\":[{{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\",\"cvssData\":{{\"version\":\"3.1\",\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":{score}}}}}],\"cvssMetricV2\":[{{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\",\"cvssData\":{{\"version\":\"2.0\",\"vectorString\":\"AV:N/AC:L/Au:N/C:P/I:P/A:P\",\"baseScore\":7.5}},\"baseSeverity\":\"HIGH\"}}]}}}}",
                description(rng)
            )
            .unwrap();
        }
        out.push_str("]}");
        std::fs::write(feeds.join(format!("nvd/part-{part}.json")), out).unwrap();
    }
    std::fs::create_dir_all(feeds.join("kev")).unwrap();
    let mut kev = String::from("{\"catalogVersion\":\"bench\",\"vulnerabilities\":[");
    for i in 0..1_400 {
        if i > 0 {
            kev.push(',');
        }
        let id = &ids[(i * 211) % ids.len()];
        write!(kev, "{{\"cveID\":\"{id}\",\"dateAdded\":\"2024-01-01\",\"knownRansomwareCampaignUse\":\"Unknown\"}}").unwrap();
    }
    kev.push_str("]}");
    std::fs::write(feeds.join("kev/known_exploited_vulnerabilities.json"), kev).unwrap();
    std::fs::create_dir_all(feeds.join("epss")).unwrap();
    let mut epss = String::from(
        "#model_version:v2025.03.14,score_date:2026-03-28T00:00:00Z\ncve,epss,percentile\n",
    );
    for id in &ids {
        writeln!(
            epss,
            "{id},{:.5},{:.5}",
            rng.below(1000) as f64 / 1000.0,
            rng.below(1000) as f64 / 1000.0
        )
        .unwrap();
    }
    std::fs::write(feeds.join("epss/epss_scores-2026-03-28.csv"), epss).unwrap();
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("VULNDB_BENCH_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let _ = std::fs::remove_file(dir.join("vulndb.sqlite"));
    let feeds = dir.join("feeds");
    std::fs::create_dir_all(feeds.join("debian")).unwrap();
    std::fs::create_dir_all(feeds.join("ubuntu")).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let json = tracker_json(&mut rng);
    std::fs::write(feeds.join("debian/tracker.json"), &json).unwrap();
    let started = Instant::now();
    let osv = osv_tar_xz(&mut rng);
    println!(
        "synthetic Ubuntu OSV: {} compressed (written in {:.1} s)",
        mb(osv.len() as u64),
        started.elapsed().as_secs_f64()
    );
    std::fs::write(feeds.join("ubuntu/osv-all.tar.xz"), &osv).unwrap();
    let started = Instant::now();
    let unpacked = std::io::copy(
        &mut lzma_rust2::XzReader::new(&osv[..], true),
        &mut std::io::sink(),
    )
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "xz decoding: {} unpacked in {secs:.2} s ({:.0} MB/s)",
        mb(unpacked),
        unpacked as f64 / 1e6 / secs
    );
    println!("synthetic Debian tracker: {}", mb(json.len() as u64));
    drop(json);
    let started = Instant::now();
    write_severity_feeds(&feeds, &mut rng);
    println!(
        "synthetic NVD ({NVD_CVES} CVEs), KEV (1 400), EPSS ({NVD_CVES} rows) written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let target = dir.join("vulndb.sqlite");
    let options = BuildOptions {
        built_at: time::OffsetDateTime::UNIX_EPOCH,
        built_by: "bench".into(),
        limits: FeedLimits::default(),
        force: false,
    };
    let started = Instant::now();
    let summary = build(
        &FeedSet::discover(&feeds).unwrap(),
        &target,
        &options,
        &mut |_| {},
    )
    .unwrap();
    let elapsed = started.elapsed();
    for s in &summary.sources {
        println!("  {}: {} records", s.name, s.records);
    }
    println!(
        "build: {} records in {:.1} s; database {}",
        summary.records,
        elapsed.as_secs_f64(),
        mb(summary.file_bytes)
    );

    // A 500-package Debian 12 image: 250 source packages, two binaries each, at versions that
    // straddle the fixes.
    let mut packages = Vec::new();
    for i in 0..250 {
        let p = (i * 79) % PACKAGES;
        for b in 0..2 {
            let version = format!(
                "{}.{}-{}",
                p % 7,
                rng.below(ISSUES as u64),
                1 + rng.below(3)
            );
            packages.push(Package {
                name: format!("lib{p}-{b}"),
                version: version.clone(),
                arch: Some("amd64".into()),
                source_name: format!("pkg{p}"),
                source_version: version,
                format: PackageFormat::Dpkg,
                module: None,
            });
        }
    }
    let os = OsInfo {
        id: "debian".into(),
        version_id: Some("12".into()),
        codename: Some("bookworm".into()),
        pretty_name: None,
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    };
    let runs = 25;
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut found = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let db = VulnDb::open(&target).unwrap();
        let r = db
            .match_packages(&os, &packages, &MatchOptions::default())
            .unwrap();
        cold.push(t.elapsed());
        found = r.vulnerabilities.len();
        let t = Instant::now();
        let _ = db
            .match_packages(&os, &packages, &MatchOptions::default())
            .unwrap();
        warm.push(t.elapsed());
    }
    cold.sort();
    warm.sort();
    println!(
        "match 500 packages (250 source packages): {found} vulnerabilities; cold (open + match) median {:.1} ms, warm median {:.1} ms",
        cold[runs / 2].as_secs_f64() * 1e3,
        warm[runs / 2].as_secs_f64() * 1e3
    );
}
