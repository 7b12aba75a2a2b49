//! Red Hat's CSAF feed on real documents (tests/data/redhat-csaf/, see SOURCE.txt): the parser against
//! an independent walk of the same JSON, the statuses, severities, epochs and module streams, bad
//! input, `db build --from` of a directory and of a `.tar.zst` like Red Hat's archive, and an rpm
//! package list matched against them with the answer checked by rpm's own `rpm.vercmp`.

mod common;
use common::rpm_vercmp;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dockaudit_scan::inventory::{Package, PackageFormat};
use dockaudit_scan::os::OsInfo;
use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::redhat;
use dockaudit_vulndb::{Distro, MatchOptions, Severity, Status, VulnDb};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/redhat-csaf")
        .join(rel)
}

fn documents() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(data("csaf"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The independent reading: every `fixed` product (or `vendor_fix` product) whose platform CPE is
/// mainline RHEL and whose component purl is a source rpm → (major, name, CVE,
/// [epoch:]version-release, channel: `module:NAME:STREAM` from the purl's `rpmmod=` for a module
/// stream's rpm, else none). Written from the CSAF text, not from the parser.
type Fix = (String, String, String, String, Option<String>);
fn fixed_by_hand(doc: &Value) -> BTreeSet<Fix> {
    let mut helper: BTreeMap<String, Value> = BTreeMap::new();
    let mut stack: Vec<&Value> = doc["product_tree"]["branches"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    while let Some(b) = stack.pop() {
        if let Some(p) = b.get("product") {
            helper.insert(
                p["product_id"].as_str().unwrap().to_owned(),
                p["product_identification_helper"].clone(),
            );
        }
        if let Some(bs) = b.get("branches").and_then(Value::as_array) {
            stack.extend(bs);
        }
    }
    let mut rel: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in doc["product_tree"]["relationships"].as_array().unwrap() {
        rel.insert(
            r["full_product_name"]["product_id"]
                .as_str()
                .unwrap()
                .into(),
            (
                r["product_reference"].as_str().unwrap().into(),
                r["relates_to_product_reference"].as_str().unwrap().into(),
            ),
        );
    }
    let mut out = BTreeSet::new();
    for v in doc["vulnerabilities"].as_array().unwrap() {
        let cve = v["cve"].as_str().unwrap();
        let mut ids: Vec<&str> = v["product_status"]["fixed"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap()).collect())
            .unwrap_or_default();
        for r in v["remediations"].as_array().unwrap() {
            if r["category"] == "vendor_fix" {
                ids.extend(
                    r["product_ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap()),
                );
            }
        }
        for id in ids {
            let Some((comp, platform)) = rel.get(id) else {
                continue;
            };
            let cpe = helper[platform]["cpe"].as_str().unwrap_or("");
            let Some(major) = cpe
                .strip_prefix("cpe:/o:redhat:enterprise_linux:")
                .or_else(|| cpe.strip_prefix("cpe:/a:redhat:enterprise_linux:"))
            else {
                continue;
            };
            let major = major.split(':').next().unwrap();
            let purl = helper[comp]["purl"].as_str().unwrap();
            if !purl.contains("arch=src") {
                continue;
            }
            let channel = purl
                .split(['?', '&'])
                .find_map(|q| q.strip_prefix("rpmmod="))
                .map(|m| {
                    let parts: Vec<&str> = m.split(':').collect();
                    format!("module:{}:{}", parts[0], parts[1])
                });
            let (name, ver) = purl
                .strip_prefix("pkg:rpm/redhat/")
                .unwrap()
                .split('?')
                .next()
                .unwrap()
                .split_once('@')
                .unwrap();
            let epoch = purl
                .split(['?', '&'])
                .find_map(|q| q.strip_prefix("epoch="))
                .filter(|e| *e != "0");
            // The purl's one escape in these documents: `+` as `%2B`.
            let ver = ver.replace("%2B", "+");
            let evr = match epoch {
                Some(e) => format!("{e}:{ver}"),
                None => ver.to_owned(),
            };
            out.insert((major.into(), name.into(), cve.into(), evr, channel));
        }
    }
    out
}

#[test]
fn fixed_records_are_what_the_documents_say() {
    let mut total = 0;
    for (name, bytes) in documents() {
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let parsed = redhat::parse(&bytes, &name).expect("CSAF");
        let ours: BTreeSet<_> = parsed
            .advisories
            .iter()
            .filter(|a| a.status == Status::Fixed)
            .map(|a| {
                (
                    a.release.clone(),
                    a.package.clone(),
                    a.id.clone(),
                    a.fixed_version.clone().unwrap(),
                    a.channel.clone(),
                )
            })
            .collect();
        let mut by_hand = fixed_by_hand(&doc);
        if name == "cve-2024-10041.json" {
            // trivy-db's trimmed VEX file lists the fix's binary rpms only: read by binary name.
            assert!(by_hand.is_empty());
            by_hand.insert((
                "9".into(),
                "pam".into(),
                "CVE-2024-10041".into(),
                "1.5.1-21.el9_5".into(),
                None,
            ));
        }
        if name == "rhsa-2024_1431.json" {
            // The ruby:3.1 stream's rpms, under their stream.
            assert!(by_hand.len() >= 4, "{by_hand:?}");
            assert!(by_hand
                .iter()
                .all(|f| f.4.as_deref() == Some("module:ruby:3.1")));
        }
        assert_eq!(ours, by_hand, "{name}");
        total += ours.len();
        for a in &parsed.advisories {
            assert_eq!(a.distro, Distro::Redhat);
            assert_eq!(a.source, redhat::SOURCE);
            assert_eq!(
                a.url.as_deref(),
                Some(format!("https://access.redhat.com/security/cve/{}", a.id).as_str())
            );
        }
    }
    assert!(total >= 12, "{total}");
}

#[test]
fn severity_aliases_and_streams() {
    let docs: BTreeMap<String, Vec<u8>> = documents().into_iter().collect();
    let parse = |n: &str| redhat::parse(&docs[n], n).expect("CSAF");

    // Important → high, the word kept; the RHSA is the alias.
    let tiger = parse("rhsa-2024_0010.json");
    assert_eq!(tiger.advisories.len(), 3);
    for a in &tiger.advisories {
        assert_eq!(
            (a.severity, a.rating.as_deref()),
            (Severity::High, Some("Important"))
        );
        assert_eq!(a.aliases, ["RHSA-2024:0010"]);
        assert_eq!((a.release.as_str(), a.package.as_str()), ("9", "tigervnc"));
    }
    // Moderate → medium.
    let py = parse("rhsa-2024_6163.json");
    assert_eq!(
        (
            py.advisories[0].severity,
            py.advisories[0].rating.as_deref()
        ),
        (Severity::Medium, Some("Moderate"))
    );

    // EUS products are skipped, the mainline RHEL 8 and 9 fixes kept.
    let sudo = parse("rhsa-2024_0811.json");
    assert!(sudo.extended_stream_skipped > 0);
    let majors: BTreeSet<&str> = sudo.advisories.iter().map(|a| a.release.as_str()).collect();
    assert_eq!(majors, BTreeSet::from(["8", "9"]));
    let fix8 = sudo
        .advisories
        .iter()
        .find(|a| a.release == "8")
        .unwrap()
        .fixed_version
        .clone();
    assert_eq!(fix8.as_deref(), Some("1.9.5p2-1.el8_9"));

    // RHEL 6 ELS only: nothing mainline, every product counted as an extended stream.
    let bind = parse("rhsa-2025_23414.json");
    assert!(bind.advisories.is_empty());
    assert!(bind.extended_stream_skipped > 0);
    // Its epoch (32) is read from the real purl.
    let text = String::from_utf8(docs["rhsa-2025_23414.json"].clone()).unwrap();
    let purl_at = text
        .find("pkg:rpm/redhat/bind@9.8.2-0.68.rc1.el6_10.17?arch=src&epoch=32")
        .expect("the document's purl");
    let purl = &text[purl_at..text[purl_at..].find('"').unwrap() + purl_at];
    let c = redhat::component_of_purl(purl).unwrap();
    assert_eq!(c.evr.as_deref(), Some("32:9.8.2-0.68.rc1.el6_10.17"));

    // A module stream's advisory: its rpms stored under the stream (RHEL 8's ruby:3.1), each CVE
    // of the document once per source rpm.
    let ruby = parse("rhsa-2024_1431.json");
    assert!(!ruby.advisories.is_empty());
    for a in &ruby.advisories {
        assert_eq!(
            (a.release.as_str(), a.channel.as_deref()),
            ("8", Some("module:ruby:3.1"))
        );
        assert!(a
            .fixed_version
            .as_deref()
            .unwrap()
            .contains(".module+el8.9.0+21471+"));
    }
    // Every product entry the document judges is an rpm naming its stream: none skipped.
    assert_eq!(ruby.modular_skipped, 0);

    // The VEX file: RHEL 7 "Out of support scope" is end of life, with Red Hat's words.
    let pam = parse("cve-2024-10041.json");
    let eol = pam.advisories.iter().find(|a| a.release == "7").unwrap();
    assert_eq!(eol.status, Status::EndOfLife);
    assert_eq!(eol.fixed_version, None);
    assert_eq!(eol.note.as_deref(), Some("Red Hat: out of support scope"));
    let fixed = pam.advisories.iter().find(|a| a.release == "9").unwrap();
    assert_eq!(fixed.aliases, ["RHSA-2024:9941"]);

    // The remediation words no reachable document carries (see SOURCE.txt).
    use redhat::status_of_remediation as s;
    assert_eq!(s("no_fix_planned", "Will not fix").0, Status::WillNotFix);
    assert_eq!(s("none_available", "Fix deferred").0, Status::Deferred);
    assert_eq!(s("none_available", "Affected").0, Status::AffectedUnfixed);
}

#[test]
fn bad_input_names_the_file() {
    let (name, bytes) = documents().remove(0);
    let cut = redhat::parse(&bytes[..bytes.len() / 2], &name).unwrap_err();
    assert!(
        cut.to_string().starts_with(&format!("{name}: not JSON")),
        "{cut}"
    );
    let hydra = data("not-csaf/hydra-cve-2024-8088.json");
    let err = redhat::parse(&std::fs::read(&hydra).unwrap(), "hydra.json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("hydra.json: not a CSAF document (missing field `document`"),
        "{err}"
    );
    let other = redhat::parse(br#"{"document": {"title": "x"}}"#, "other.json").unwrap_err();
    assert_eq!(
        other.to_string(),
        "other.json: not a CSAF document (no document.csaf_version)"
    );
    // In a feed directory, the build fails naming the file.
    let dir = tempfile::tempdir().unwrap();
    let feeds = dir.path().join("feeds/redhat/2024");
    std::fs::create_dir_all(&feeds).unwrap();
    std::fs::write(feeds.join("cve-2024-8088.json"), &bytes[..bytes.len() / 2]).unwrap();
    let set = FeedSet::discover(&dir.path().join("feeds")).expect("feeds");
    let err = build(&set, &dir.path().join("db.sqlite"), &options(), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("cve-2024-8088.json"), "{err}");
    assert!(!dir.path().join("db.sqlite").exists());
}

fn options() -> BuildOptions {
    common::build_options(time::macros::datetime!(2026-12-04 12:00 UTC))
}

/// The fixtures as a `.tar.zst`, laid out as Red Hat's archive is (`YEAR/NAME.json`).
fn tar_zst(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("2024/{name}"), bytes.as_slice())
            .unwrap();
    }
    zstd::stream::encode_all(tar.into_inner().unwrap().as_slice(), 3).unwrap()
}

fn built(dir: &Path, archive: bool) -> VulnDb {
    let feeds = dir.join("feeds");
    let rh = feeds.join("redhat");
    std::fs::create_dir_all(&rh).unwrap();
    if archive {
        std::fs::write(
            rh.join("csaf_vex_2026-12-01.tar.zst"),
            tar_zst(&documents()),
        )
        .unwrap();
    } else {
        for (name, bytes) in documents() {
            std::fs::write(rh.join(name), bytes).unwrap();
        }
    }
    let set = FeedSet::discover(&feeds).expect("feeds");
    assert_eq!(set.feeds.len(), 1);
    let target = dir.join("db.sqlite");
    let summary = build(&set, &target, &options(), &mut |_| {}).expect("build");
    assert!(summary.sources.iter().any(|s| s.name == redhat::SOURCE));
    // The ruby:3.1 stream's entries are stored (under their stream), not skipped.
    assert!(
        !summary
            .skipped
            .skipped_sample
            .iter()
            .any(|s| s.contains("module streams skipped")),
        "{:?}",
        summary.skipped.skipped_sample
    );
    VulnDb::open(&target).expect("open")
}

fn pkg(name: &str, source: &str, source_version: &str) -> Package {
    Package {
        name: name.into(),
        version: source_version.into(),
        arch: Some("x86_64".into()),
        source_name: source.into(),
        source_version: source_version.into(),
        format: PackageFormat::Rpm,
        module: None,
    }
}

fn modular(name: &str, source: &str, source_version: &str, label: &str) -> Package {
    Package {
        module: Some(label.into()),
        ..pkg(name, source, source_version)
    }
}

fn os(id: &str, version: &str, pretty: &str) -> OsInfo {
    OsInfo {
        id: id.into(),
        version_id: Some(version.into()),
        codename: None,
        pretty_name: Some(pretty.into()),
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    }
}

#[test]
fn an_rpm_package_list_matches_as_rpm_says() {
    let dir = tempfile::tempdir().unwrap();
    let from_dir = built(&dir.path().join("d"), false);
    let from_zst = built(&dir.path().join("z"), true);
    let now = time::macros::datetime!(2026-12-04 13:00 UTC);
    assert_eq!(
        from_dir.status(now).unwrap().releases,
        from_zst.status(now).unwrap().releases
    );

    // RHEL 9 and 8 package lists: versions on both sides of each fix, epochs either way, and a
    // module stream's build. Names and source rpms as rpm -qa would list them.
    let rhel9 = vec![
        pkg("python3", "python3.9", "3.9.18-3.el9_4.4"),
        pkg("python3-libs", "python3.9", "3.9.18-3.el9_4.4"),
        pkg("tigervnc-server-minimal", "tigervnc", "1.13.1-3.el9_3.3"),
        pkg("tigervnc-license", "tigervnc", "1:1.12.0-1.el9"),
        pkg("sudo", "sudo", "1.9.5p2-9.el9"),
        pkg("pam", "pam", "1.5.1-21.el9_5"),
        pkg("bash", "bash", "5.1.8-9.el9"),
    ];
    // RHEL 8: the ruby:3.1 stream's builds saying their stream (rpm's MODULARITYLABEL; only its
    // NAME:STREAM is compared, the version and context here are those of RHSA-2024:1431's
    // `rpmmod=`): one below the stream's fix, one at it; the same build without a label (a cached
    // or SBOM inventory) left unjudged; and a package of a name the stream has, built outside any
    // stream, which the stream's records must not judge.
    let label = "ruby:3.1:8090020240311122605:a75119d5";
    let rhel8 = vec![
        pkg("sudo", "sudo", "1.9.5p2-1.el8_9"),
        pkg("ruby", "ruby", "3.1.2-141.module+el8.8.0+18473+3d0e8a5b"),
        modular(
            "ruby-libs",
            "ruby",
            "3.1.2-141.module+el8.8.0+18473+3d0e8a5b",
            label,
        ),
        modular(
            "rubygem-pg",
            "rubygem-pg",
            "1.3.2-1.module+el8.9.0+21471+7d1e4a35",
            label,
        ),
        pkg("rubygem-abrt", "rubygem-abrt", "0.3.0-4.el8"),
    ];
    let fixes: BTreeSet<Fix> = documents()
        .iter()
        .flat_map(|(_, b)| fixed_by_hand(&serde_json::from_slice(b).unwrap()))
        .chain([(
            "9".into(),
            "pam".into(),
            "CVE-2024-10041".into(),
            "1.5.1-21.el9_5".into(),
            None,
        )])
        .collect();
    for (release, list, os) in [
        (
            "9",
            &rhel9,
            os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)"),
        ),
        (
            "8",
            &rhel8,
            os("rhel", "8.9", "Red Hat Enterprise Linux 8.9 (Ootpa)"),
        ),
    ] {
        let report = from_zst
            .match_packages(&os, list, &MatchOptions::default())
            .expect("match");
        let ours: BTreeSet<(String, String)> = report
            .vulnerabilities
            .iter()
            .map(|v| (v.package.clone(), v.id.clone()))
            .collect();
        // Independent: a package is vulnerable to a CVE when rpm puts its version below every fix
        // of that CVE for its source package in this release and in its own module stream (or in
        // none); a module build that does not say its stream is not judged.
        let mut questions = Vec::new();
        let mut pairs = Vec::new();
        for p in list
            .iter()
            .filter(|p| p.module.is_some() || !p.source_version.contains(".module+"))
        {
            let stream = p.module.as_deref().map(|m| {
                let parts: Vec<&str> = m.split(':').collect();
                format!("module:{}:{}", parts[0], parts[1])
            });
            for (r, name, cve, evr, channel) in &fixes {
                if r == release && *name == p.source_name && *channel == stream {
                    questions.push((name.clone(), cve.clone()));
                    pairs.push((p.source_version.clone(), evr.clone()));
                }
            }
        }
        let answers = rpm_vercmp(&pairs);
        let mut not_below_some: BTreeSet<(String, String)> = BTreeSet::new();
        let mut named: BTreeSet<(String, String)> = BTreeSet::new();
        for (q, a) in questions.iter().zip(&answers) {
            named.insert(q.clone());
            if *a >= 0 {
                not_below_some.insert(q.clone());
            }
        }
        let expected: BTreeSet<_> = named.difference(&not_below_some).cloned().collect();
        assert_eq!(ours, expected, "RHEL {release}");
        if release == "9" {
            // python3.9 below both fixes of CVE-2024-8088; tigervnc fixed (and epoch 1 beats the
            // fix's epoch 0); sudo below the fix.
            assert!(expected.contains(&("python3.9".into(), "CVE-2024-8088".into())));
            assert!(expected.contains(&("sudo".into(), "CVE-2023-28486".into())));
            assert!(!expected.iter().any(|e| e.0 == "tigervnc" || e.0 == "pam"));
            assert_eq!(report.skipped_modular, 0);
        } else {
            // The stream's build below its fix has the document's four CVEs; the one at the fix,
            // sudo and the package outside the stream have none.
            let cves: BTreeSet<&str> = expected.iter().map(|e| e.1.as_str()).collect();
            assert_eq!(
                cves,
                BTreeSet::from([
                    "CVE-2021-33621",
                    "CVE-2023-28755",
                    "CVE-2023-28756",
                    "CVE-2023-36617"
                ])
            );
            assert!(expected.iter().all(|e| e.0 == "ruby"), "{expected:?}");
            for v in &report.vulnerabilities {
                assert_eq!(v.channel.as_deref(), Some("module:ruby:3.1"));
                assert_eq!(v.binaries, ["ruby-libs"]);
            }
            assert_eq!(report.skipped_modular, 1);
            // Named, so the reports can say which packages were left unjudged.
            assert_eq!(
                report.skipped_modular_packages,
                ["ruby 3.1.2-141.module+el8.8.0+18473+3d0e8a5b"]
            );
        }
    }

    // CentOS is matched against RHEL of the same major release, and says so.
    let centos = from_dir
        .match_packages(
            &os("centos", "9", "CentOS Stream 9"),
            &rhel9,
            &MatchOptions::default(),
        )
        .expect("match");
    assert!(!centos.vulnerabilities.is_empty());
    for v in &centos.vulnerabilities {
        assert_eq!(
            v.source,
            "redhat-csaf (RHEL 9 data applied to CentOS Stream 9; its end of life: 2027-05-31)"
        );
    }
    let centos8 = dockaudit_vulndb::matcher::data_note(&os("centos", "8", "CentOS Linux 8"));
    assert_eq!(
        centos8.as_deref(),
        Some("RHEL 8 data applied to CentOS Linux 8; its end of life: 2021-12-31")
    );
    assert_eq!(
        dockaudit_vulndb::matcher::data_note(&os("rhel", "9.4", "Red Hat Enterprise Linux 9.4")),
        None
    );
    // RHEL 7 has only an end-of-life record (pam): it is reported as such, not fixed.
    let rhel7 = from_dir
        .match_packages(
            &os("rhel", "7.9", "Red Hat Enterprise Linux Server 7.9 (Maipo)"),
            &[pkg("pam", "pam", "1.1.8-23.el7")],
            &MatchOptions::default(),
        )
        .expect("match");
    assert_eq!(rhel7.vulnerabilities.len(), 1);
    assert_eq!(rhel7.vulnerabilities[0].status, Status::EndOfLife);
    let fixable_only = from_dir
        .match_packages(
            &os("rhel", "7.9", "Red Hat Enterprise Linux Server 7.9 (Maipo)"),
            &[pkg("pam", "pam", "1.1.8-23.el7")],
            &MatchOptions {
                ignore_unfixed: true,
                severities: None,
            },
        )
        .expect("match");
    assert_eq!(fixable_only.dropped_unfixed, 1);
}
