//! Fixture tests for the image-contents rules (IMG007–IMG015) on the snapshot recorded from the
//! real engine with `scripts/record-fixture.sh` (scenario `fx`; scripts/scenario.md, "Image
//! contents" lists what the bad image holds and what each rule must find in it).

mod common;

use common::{failing, passing, run_rule, scenario};
use dockaudit_report::Severity;
use dockaudit_rules::{audit, AuditOptions, RuleSelection, RULES};
use dockaudit_snapshot::contents::ImageContents;
use dockaudit_snapshot::{Fact, Snapshot};

const BAD: &str = "dockaudit-test-fx-bad:1";
const GOOD: &str = "dockaudit-test-fx-good:1";
const BASE: &str = "dockaudit-test-fx-base:1";
const OLD: &str = "dockaudit-test-fx-old:1";

const CONTENTS_RULES: &[&str] = &[
    "IMG007", "IMG008", "IMG009", "IMG010", "IMG011", "IMG012", "IMG013", "IMG014", "IMG015",
];

fn names(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The one message of rule `id` on `target`, with its severity override.
fn finding(id: &str, target: &str) -> (String, Option<Severity>) {
    let checks = run_rule(id, scenario());
    let found: Vec<_> = checks
        .failures()
        .iter()
        .filter(|f| f.target.name == target)
        .collect();
    assert_eq!(found.len(), 1, "{id} on {target}: {found:?}");
    (found[0].message.clone(), found[0].severity)
}

fn contents_of<'a>(snapshot: &'a Snapshot, name: &str) -> &'a ImageContents {
    let image = snapshot
        .images
        .iter()
        .find(|i| i.inspect.repo_tags.iter().any(|t| t == name))
        .unwrap_or_else(|| panic!("no image {name}"));
    match &image.contents {
        Some(Fact::Value(c)) => c,
        other => panic!("{name} was not scanned: {other:?}"),
    }
}

#[test]
fn the_recorded_images_were_scanned_completely() {
    let s = scenario();
    for name in [BAD, GOOD, BASE] {
        let c = contents_of(s, name);
        assert!(c.is_complete(), "{name}: {:?}", c.problems);
        assert!(c.problems.is_empty(), "{name}: {:?}", c.problems);
    }
    let bad = contents_of(s, BAD);
    assert_eq!(bad.packages.len(), 90);
    assert_eq!(bad.package_databases, vec!["var/lib/dpkg/status"]);
    assert_eq!(bad.os.as_ref().map(|o| o.id.as_str()), Some("ubuntu"));
    let good = contents_of(s, GOOD);
    assert_eq!(good.os.as_ref().map(|o| o.id.as_str()), Some("debian"));
    // The good image's `RUN rm -f /usr/sbin/sshd` is a whiteout over the base's file.
    assert!(good.sshd.is_empty(), "{:?}", good.sshd);
    assert_eq!(contents_of(s, BASE).sshd, vec!["/usr/sbin/sshd"]);
}

#[test]
fn each_contents_rule_fails_the_bad_image_and_passes_the_good_one() {
    for id in CONTENTS_RULES {
        let fails = failing(id);
        // The base's fake sshd is in the old image too (the same rootfs, loaded with an old date).
        let want: Vec<String> = if *id == "IMG013" {
            names(&[BAD, BASE, OLD])
        } else {
            names(&[BAD])
        };
        assert_eq!(fails, want, "{id} fails");
        assert!(
            passing(id).contains(&GOOD.to_string()),
            "{id} must pass {GOOD}"
        );
    }
}

#[test]
fn the_findings_say_what_and_where() {
    let (m, sev) = finding("IMG007", BAD);
    assert!(
        m.starts_with("Ubuntu 18.04.6 LTS reached its end of life on 2023-05-31 ("),
        "{m}"
    );
    assert!(
        m.ends_with("paid extended support runs until 2028-04-30"),
        "{m}"
    );
    assert_eq!(sev, None, "high, the rule's default");
    let (m, _) = finding("IMG008", BAD);
    assert!(
        m.contains("AWS access key id in /app/config/settings.ini:3 (AK****EY)"),
        "{m}"
    );
    assert!(m.contains("private key in /root/.ssh/id_rsa:1"), "{m}");
    let (m, _) = finding("IMG009", BAD);
    assert_eq!(
        m,
        "credential files in the image: /root/.ssh/id_rsa (SSH private key)"
    );
    let (m, _) = finding("IMG010", BAD);
    assert_eq!(
        m,
        "1 setuid/setgid file beyond the base system's: /usr/local/bin/helper (setuid 0, mode 4755)"
    );
    let (m, sev) = finding("IMG011", BAD);
    assert_eq!(m, "account without a password: root (/etc/shadow)");
    assert_eq!(sev, Some(Severity::Critical));
    let (m, sev) = finding("IMG012", BAD);
    assert_eq!(m, "shared ids: UID 0 is root, toor");
    assert_eq!(sev, Some(Severity::High));
    let (m, _) = finding("IMG013", BAD);
    assert_eq!(m, "an SSH server is installed: /usr/sbin/sshd");
    let (m, _) = finding("IMG014", BAD);
    assert_eq!(m, ".git directories in the image: /app/.git");
    let (m, _) = finding("IMG015", BAD);
    assert!(
        m.starts_with("package caches left in the image: /var/cache/apt (apt, 1 file, "),
        "{m}"
    );
    assert!(m.contains("/var/lib/apt/lists (apt, 1 file, "), "{m}");
}

#[test]
fn a_file_deleted_by_a_later_layer_is_not_reported() {
    let bad = contents_of(scenario(), BAD);
    let everywhere = serde_json::to_string(bad).expect("serialises");
    assert!(!everywhere.contains("app/leftover"), "{everywhere}");
}

#[test]
fn the_base_image_without_a_release_file_is_skipped_not_passed() {
    let checks = run_rule("IMG007", scenario());
    let skip = checks
        .target_skips()
        .iter()
        .find(|(t, _)| t.name == BASE)
        .map(|(_, why)| why.as_str());
    assert_eq!(
        skip,
        Some("the image has no OS release file (/etc/os-release and the distributions' own)")
    );
}

#[test]
fn without_an_image_scan_the_contents_rules_skip_with_the_reason() {
    let mut snapshot = scenario().clone();
    for image in &mut snapshot.images {
        image.contents = None;
    }
    let options = AuditOptions {
        selection: RuleSelection::new(&["IMG".to_string()], &[], RULES).expect("valid"),
        ..AuditOptions::default()
    };
    let report = audit(&snapshot, RULES, &options);
    for id in CONTENTS_RULES {
        let skip = report
            .skipped
            .iter()
            .find(|s| s.rule == *id && s.target.is_none());
        assert!(
            skip.is_some_and(|s| s.reason.contains("--no-image-scan")),
            "{id}: {skip:?}"
        );
        assert!(report.findings.iter().all(|f| f.rule != *id));
    }
}

#[test]
fn eol_is_judged_on_the_collection_day_not_today() {
    // The same snapshot "collected" before Ubuntu 18.04's end: ending soon (medium), then supported.
    let mut snapshot = scenario().clone();
    snapshot.collected_at = "2023-04-01T00:00:00Z".into();
    let checks = run_rule("IMG007", &snapshot);
    let f = checks
        .failures()
        .iter()
        .find(|f| f.target.name == BAD)
        .expect("ending soon");
    assert_eq!(f.severity, Some(Severity::Medium));
    assert!(f.message.contains("60 days after"), "{}", f.message);
    snapshot.collected_at = "2022-01-01T00:00:00Z".into();
    let checks = run_rule("IMG007", &snapshot);
    assert!(checks.failures().is_empty());
}
