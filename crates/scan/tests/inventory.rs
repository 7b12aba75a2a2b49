//! Inventories of the real databases in tests/data (see tests/data/NOTICE.md) against what dpkg and
//! rpm themselves read from them, package for package; damaged inputs give errors naming the input.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dockaudit_scan::inventory::{apk, dpkg, rpm, InventoryError, Location, PackageFormat};

fn bytes(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn text(rel: &str) -> String {
    String::from_utf8(bytes(rel)).expect("UTF-8")
}

#[test]
fn dpkg_status_equals_dpkg_query() {
    let inv = dpkg::parse_dpkg_status(&bytes("dpkg/ubuntu-status"), "var/lib/dpkg/status")
        .expect("readable");
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    // status, package, version, arch, source package, source version, as dpkg-query prints them.
    let expected: Vec<Vec<String>> = text("dpkg/ubuntu-status-expected.tsv")
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    let installed: Vec<&Vec<String>> = expected
        .iter()
        .filter(|row| row[0].trim() == "ii")
        .collect();
    assert_eq!(
        installed.len(),
        90,
        "the expected list has 90 installed packages"
    );
    assert!(
        expected.iter().any(|row| row[0].trim() == "rc"),
        "and one removed with its config left"
    );

    let got: BTreeMap<(&str, &str), &dockaudit_scan::Package> = inv
        .packages
        .iter()
        .map(|p| ((p.name.as_str(), p.arch.as_deref().unwrap_or("")), p))
        .collect();
    assert_eq!(got.len(), inv.packages.len(), "no duplicate name/arch");
    assert_eq!(inv.packages.len(), installed.len());
    for row in installed {
        let p = got
            .get(&(row[1].as_str(), row[3].as_str()))
            .unwrap_or_else(|| panic!("missing {}", row[1]));
        assert_eq!(
            (
                p.version.as_str(),
                p.source_name.as_str(),
                p.source_version.as_str()
            ),
            (row[2].as_str(), row[4].as_str(), row[5].as_str()),
            "{}",
            row[1]
        );
        assert_eq!(p.format, PackageFormat::Dpkg);
    }
    eprintln!(
        "dpkg: {} of {} installed packages match dpkg-query",
        inv.packages.len(),
        90
    );
}

#[test]
fn dpkg_corrupted_status_reports_damaged_records_by_file_and_line() {
    let origin = "var/lib/dpkg/status";
    let inv = dpkg::parse_dpkg_status(&bytes("dpkg/corrupted-status"), origin)
        .expect("structurally readable");
    // What `dpkg-query --admindir` lists for this file.
    let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["libpam-runtime", "libpam-modules-bin", "makedev", "libgcc1"]
    );
    let gcc = &inv.packages[3];
    assert_eq!(
        (gcc.source_name.as_str(), gcc.source_version.as_str()),
        ("gcc-5", "5.1.1-12ubuntu1")
    );
    // The two damaged stanzas are named, with their file and line.
    let messages: Vec<String> = inv.problems.iter().map(ToString::to_string).collect();
    assert_eq!(inv.problems.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .all(|m| m.starts_with("var/lib/dpkg/status: line ")),
        "{messages:#?}"
    );
    assert_eq!(
        inv.problems[0].package.as_deref(),
        Some("brokenPackageWithNoVersionThatShouldGetThrownOut")
    );
    assert_eq!(inv.problems[1].package.as_deref(), Some("invalidpkg"));
    assert!(
        matches!(inv.problems[1].at, Location::Line(85..=88)),
        "{:?}",
        inv.problems[1].at
    );
}

#[test]
fn dpkg_damage_that_dpkg_refuses_is_an_error_naming_the_file() {
    let mut damaged = bytes("dpkg/ubuntu-status");
    damaged.extend_from_slice(b"\nPackage: x\nthis line is not a field\n");
    let e = dpkg::parse_dpkg_status(&damaged, "var/lib/dpkg/status").expect_err("refused");
    let InventoryError::Malformed {
        ref origin,
        line: Some(line),
        ..
    } = e
    else {
        panic!("unexpected {e:?}");
    };
    assert_eq!(origin, "var/lib/dpkg/status");
    assert!(line > 2000, "{line}");
    assert!(
        e.to_string().starts_with("var/lib/dpkg/status: line "),
        "{e}"
    );
    let e = dpkg::parse_dpkg_status(&bytes("rpm/libuuid-Packages.bdb"), "var/lib/dpkg/status")
        .expect_err("binary");
    assert!(
        e.to_string().starts_with("var/lib/dpkg/status: line 1"),
        "{e}"
    );
}

#[test]
fn distroless_status_d_entry() {
    let inv = dpkg::parse_dpkg_status_d_entry(
        &bytes("dpkg/distroless-status.d/libsqlite3-0"),
        "var/lib/dpkg/status.d/libsqlite3-0",
    )
    .expect("readable");
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(inv.packages.len(), 1);
    let p = &inv.packages[0];
    assert_eq!(
        (
            p.name.as_str(),
            p.version.as_str(),
            p.arch.as_deref(),
            p.source_name.as_str(),
            p.source_version.as_str()
        ),
        (
            "libsqlite3-0",
            "3.34.1-3",
            Some("arm64"),
            "sqlite3",
            "3.34.1-3"
        )
    );
    assert!(
        dpkg::is_status_d_entry("libsqlite3-0") && !dpkg::is_status_d_entry("libsqlite3-0.md5sums")
    );
    // The main status file's rule (a Status field is required) does not apply to status.d.
    let strict = dpkg::parse_dpkg_status(&bytes("dpkg/distroless-status.d/libsqlite3-0"), "s")
        .expect("readable");
    assert!(strict.packages.is_empty() && strict.problems.len() == 1);
}

#[test]
fn apk_installed_databases() {
    let inv = apk::parse_apk_installed(&bytes("apk/alpine-installed"), "lib/apk/db/installed")
        .expect("readable");
    assert_eq!(inv.packages.len(), 15);
    // The record without a version is reported, by file and line, and skipped.
    assert_eq!(inv.problems.len(), 1, "{:?}", inv.problems);
    assert_eq!(
        inv.problems[0].to_string(),
        "lib/apk/db/installed: line 23 (package invalidPackageWithoutAVersion): no version (V:); skipped"
    );
    let musl = &inv.packages[0];
    assert_eq!(
        (
            musl.name.as_str(),
            musl.version.as_str(),
            musl.arch.as_deref(),
            musl.source_name.as_str(),
            musl.source_version.as_str()
        ),
        ("musl", "1.1.14-r10", Some("x86_64"), "musl", "1.1.14-r10")
    );
    let libssl = inv
        .packages
        .iter()
        .find(|p| p.name == "libssl1.0")
        .expect("libssl1.0");
    assert_eq!(
        (libssl.source_name.as_str(), libssl.source_version.as_str()),
        ("openssl", "1.0.2h-r1")
    );

    let inv = apk::parse_apk_installed(&bytes("apk/multiple-installed"), "lib/apk/db/installed")
        .expect("readable");
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(inv.packages.len(), 14);
    let data = &inv.packages[0];
    assert_eq!(
        (data.name.as_str(), data.source_name.as_str()),
        ("alpine-baselayout-data", "alpine-baselayout")
    );
}

#[test]
fn apk_corrupt_database_is_an_error_naming_the_file() {
    let e = apk::parse_apk_installed(&bytes("apk/corrupt-installed"), "lib/apk/db/installed")
        .expect_err("corrupt");
    assert_eq!(
        e.to_string(),
        "lib/apk/db/installed: line 1: expected 'X:value', found \"this is a corrupt db\""
    );
}

/// Checks an rpm inventory against a list made by rpm itself: name, epoch:version-release (epoch 0
/// when none), arch, source rpm.
fn assert_equals_rpm_list(inv: &dockaudit_scan::Inventory, expected_tsv: &str) -> usize {
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    let expected: Vec<Vec<String>> = text(expected_tsv)
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    let got: BTreeMap<&str, &dockaudit_scan::Package> =
        inv.packages.iter().map(|p| (p.name.as_str(), p)).collect();
    assert_eq!(got.len(), inv.packages.len(), "no duplicate names");
    assert_eq!(got.len(), expected.len());
    for row in &expected {
        let p = got
            .get(row[0].as_str())
            .unwrap_or_else(|| panic!("missing {}", row[0]));
        assert_eq!(p.format, PackageFormat::Rpm);
        let with_epoch = |v: &str| {
            if v.contains(':') {
                v.to_owned()
            } else {
                format!("0:{v}")
            }
        };
        assert_eq!(with_epoch(&p.version), row[1], "{}", row[0]);
        assert_eq!(p.arch.as_deref(), Some(row[2].as_str()), "{}", row[0]);
        // The source rpm's name-version-release, and our source version is that with the epoch.
        let src = row[3].strip_suffix(".src.rpm").expect("src.rpm");
        let plain_source_version = p
            .source_version
            .split_once(':')
            .map_or(p.source_version.as_str(), |(_, v)| v);
        assert_eq!(
            format!("{}-{}", p.source_name, plain_source_version),
            src,
            "{}",
            row[0]
        );
        assert_eq!(
            p.version.split_once(':').map(|(e, _)| e),
            p.source_version.split_once(':').map(|(e, _)| e)
        );
    }
    expected.len()
}

#[test]
fn rpm_sqlite_equals_rpm_qa() {
    let inv = rpm::parse_rpmdb(
        &bytes("rpm/cbl-mariner-2.0-rpmdb.sqlite"),
        "var/lib/rpm/rpmdb.sqlite",
    )
    .expect("readable");
    let n = assert_equals_rpm_list(&inv, "rpm/cbl-mariner-2.0-expected.tsv");
    assert_eq!(n, 129);
    let ca = inv
        .packages
        .iter()
        .find(|p| p.name == "ca-certificates-base")
        .expect("ca-certificates-base");
    assert_eq!(
        (
            ca.version.as_str(),
            ca.source_name.as_str(),
            ca.source_version.as_str()
        ),
        ("1:2.0.0-1.cm2", "ca-certificates", "1:2.0.0-1.cm2")
    );
    eprintln!("rpm (sqlite): {n} of {n} packages match rpm -qa");
}

#[test]
fn rpm_ndb_equals_the_expected_list() {
    let inv = rpm::parse_rpmdb(
        &bytes("rpm/sle15-bci-Packages.db"),
        "usr/lib/sysimage/rpm/Packages.db",
    )
    .expect("readable");
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    // name, version-release, arch: go-rpmdb's expectation for this file, in database order.
    let expected: Vec<(String, String, String)> = text("rpm/sle15-bci-expected.tsv")
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c[0].to_owned(), c[1].to_owned(), c[2].to_owned())
        })
        .collect();
    let got: Vec<(String, String, String)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.arch.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let pcre = inv
        .packages
        .iter()
        .find(|p| p.name == "libpcre1")
        .expect("libpcre1");
    assert_eq!(
        (pcre.source_name.as_str(), pcre.source_version.as_str()),
        ("pcre", "8.45-20.10.1")
    );
    eprintln!(
        "rpm (ndb): {} of {} packages match",
        got.len(),
        expected.len()
    );
}

#[test]
fn rpm_berkeley_db_equals_rpm_qa() {
    let inv = rpm::parse_rpmdb(&bytes("rpm/libuuid-Packages.bdb"), "var/lib/rpm/Packages")
        .expect("readable");
    let n = assert_equals_rpm_list(&inv, "rpm/libuuid-expected.tsv");
    assert_eq!(n, 1);
    assert_eq!(inv.packages[0].source_name, "util-linux");
    eprintln!("rpm (bdb): {n} of {n} packages match rpm -qa");
}

#[test]
fn rpm_formats_not_read_are_named_unsupported() {
    let mut ndb_v1 = bytes("rpm/sle15-bci-Packages.db");
    ndb_v1[4] = 1;
    let e = rpm::parse_rpmdb(&ndb_v1, "Packages.db").expect_err("version 1");
    assert_eq!(
        e.to_string(),
        "Packages.db: unsupported rpmdb backend: NDB version 1 (only version 0 is read)"
    );
    let mut btree = bytes("rpm/libuuid-Packages.bdb");
    btree[12..16].copy_from_slice(&[0x62, 0x31, 0x05, 0x00]);
    let e = rpm::parse_rpmdb(&btree, "var/lib/rpm/Name").expect_err("btree");
    assert!(
        matches!(e, InventoryError::UnsupportedRpmBackend { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("var/lib/rpm/Name: unsupported rpmdb backend: Berkeley DB btree"),
        "{e}"
    );
}

#[test]
fn rpm_damaged_berkeley_db_is_an_error_or_a_named_problem() {
    let good = bytes("rpm/libuuid-Packages.bdb");
    let e = rpm::parse_rpmdb(&good[..5000], "var/lib/rpm/Packages").expect_err("truncated");
    assert!(
        e.to_string()
            .starts_with("var/lib/rpm/Packages: metadata says the last page is "),
        "{e}"
    );
    // Break every overflow page's type: the package is reported, not read, and nothing panics.
    let mut damaged = good.clone();
    for page in damaged.chunks_mut(4096).skip(1) {
        if page[25] == 7 {
            page[25] = 99;
        }
    }
    let inv = rpm::parse_rpmdb(&damaged, "var/lib/rpm/Packages").expect("readable");
    assert!(inv.packages.is_empty());
    assert_eq!(inv.problems.len(), 1, "{:?}", inv.problems);
    assert!(
        inv.problems[0].message.contains("not overflow"),
        "{}",
        inv.problems[0]
    );
}

#[test]
fn rpm_damaged_ndb_is_an_error_or_a_named_problem() {
    let good = bytes("rpm/sle15-bci-Packages.db");
    let e = rpm::parse_rpmdb(&good[..100], "Packages.db").expect_err("truncated in the slots");
    assert!(e.to_string().starts_with("Packages.db: "), "{e}");
    // A blob's magic overwritten: that package is reported, the others read.
    let mut damaged = good.clone();
    damaged[4096] = b'X'; // the first blob follows the single slot page
    let inv = rpm::parse_rpmdb(&damaged, "Packages.db").expect("readable");
    assert_eq!(inv.packages.len(), 34);
    assert_eq!(inv.problems.len(), 1);
    assert!(
        inv.problems[0]
            .to_string()
            .starts_with("Packages.db: record "),
        "{}",
        inv.problems[0]
    );
}

#[test]
fn rpm_damaged_databases_are_errors_naming_the_file() {
    let good = bytes("rpm/cbl-mariner-2.0-rpmdb.sqlite");
    // Not a database at all.
    let e = rpm::parse_rpmdb(b"hello", "var/lib/rpm/rpmdb.sqlite").expect_err("garbage");
    assert!(
        e.to_string()
            .starts_with("var/lib/rpm/rpmdb.sqlite: not an rpm database"),
        "{e}"
    );
    // Truncated: the SQLite header promises pages that are not there.
    let e = rpm::parse_rpmdb(&good[..good.len() / 3], "var/lib/rpm/rpmdb.sqlite")
        .expect_err("truncated");
    assert!(
        e.to_string()
            .starts_with("var/lib/rpm/rpmdb.sqlite: SQLite: "),
        "{e}"
    );
    // Pages overwritten in the middle: an error or a partial read with problems, never a panic.
    let mut scribbled = good.clone();
    for b in scribbled.iter_mut().skip(200_000).take(400_000) {
        *b ^= 0x5a;
    }
    match rpm::parse_rpmdb(&scribbled, "var/lib/rpm/rpmdb.sqlite") {
        Err(e) => assert!(
            e.to_string().starts_with("var/lib/rpm/rpmdb.sqlite: "),
            "{e}"
        ),
        Ok(inv) => assert!(inv.packages.len() < 129 || !inv.problems.is_empty()),
    }
}

#[test]
fn size_bounds_are_errors() {
    let limits = dockaudit_scan::inventory::Limits {
        max_bytes: 1000,
        max_packages: 10,
    };
    let e = dpkg::parse_dpkg_status_with(&bytes("dpkg/ubuntu-status"), "status", &limits)
        .expect_err("too big");
    assert!(
        matches!(e, InventoryError::TooLarge { size: 87894, .. }),
        "{e:?}"
    );
    let limits = dockaudit_scan::inventory::Limits {
        max_bytes: 1 << 20,
        max_packages: 10,
    };
    let e = dpkg::parse_dpkg_status_with(&bytes("dpkg/ubuntu-status"), "status", &limits)
        .expect_err("too many");
    assert_eq!(
        e.to_string(),
        "status: more than 10 packages; stopped reading"
    );
}
