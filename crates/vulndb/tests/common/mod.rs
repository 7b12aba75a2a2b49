//! What several of the database tests share: build options, an os-release and a package as the
//! scan crate reads them, and rpm's own version comparison, the oracle rpm matches are checked
//! against. Each test binary uses only some of it.
#![allow(dead_code)]

use std::process::Command;

use dockaudit_scan::inventory::{Package, PackageFormat};
use dockaudit_scan::os::OsInfo;
use dockaudit_vulndb::build::BuildOptions;
use dockaudit_vulndb::FeedLimits;

/// What a test's `db build` says of itself: built at `built_at` (no test reads the clock), with the
/// default limits.
pub fn build_options(built_at: time::OffsetDateTime) -> BuildOptions {
    BuildOptions {
        built_at,
        built_by: "dockaudit test".into(),
        limits: FeedLimits::default(),
        force: false,
    }
}

/// An os-release with only its id and version.
pub fn os(id: &str, version: &str) -> OsInfo {
    OsInfo {
        id: id.into(),
        version_id: Some(version.into()),
        codename: None,
        pretty_name: None,
        name: None,
        id_like: vec![],
        source: "etc/os-release".into(),
    }
}

/// An installed package whose source package has the same version.
pub fn pkg(name: &str, source: &str, version: &str, format: PackageFormat) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        arch: None,
        source_name: source.into(),
        source_version: version.into(),
        format,
        module: None,
    }
}

/// rpm's own answers to `vercmp(a, b)` for every pair, in one rpm process.
pub fn rpm_vercmp(pairs: &[(String, String)]) -> Vec<i32> {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("pairs.tsv");
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    std::fs::write(&file, input).unwrap();
    let lua = format!(
        "%{{lua: local out = {{}} \
         for line in io.lines(\"{}\") do \
           local a, b = line:match(\"^(.-)\\t(.*)$\") \
           out[#out + 1] = tostring(rpm.vercmp(a, b)) \
         end \
         print(table.concat(out, \" \")) }}",
        file.display()
    );
    let out = Command::new("rpm")
        .args(["--eval", &lua])
        .output()
        .unwrap_or_else(|e| {
            panic!("rpm is not available ({e}): this test compares with rpm's own version order; `apt-get install -y rpm` (.ci/run installs it)")
        });
    assert!(
        out.status.success(),
        "rpm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<i32> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().expect("rpm printed a number"))
        .collect();
    assert_eq!(answers.len(), pairs.len());
    answers
}
