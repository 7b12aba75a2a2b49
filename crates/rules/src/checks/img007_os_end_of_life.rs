//! IMG007 os-end-of-life: the image's distribution release no longer gets security updates (high),
//! or stops getting them within 90 days of the audit (medium).
//!
//! The release comes from the image's release files, its end-of-life date from the scanner's dated
//! table as it was at collection (kept in the snapshot), and "today" from the snapshot's
//! `collected_at`: an old snapshot is judged as of the day it was collected. The date is free,
//! public security support (Ubuntu's standard support, RHEL's maintenance); paid extended support
//! (Ubuntu Pro ESM, RHEL ELS) is named in the message when the table has it.

use dockaudit_snapshot::contents::{EolStatus, ENDING_SOON_DAYS};

use crate::image_contents::each_scanned_image;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG007",
        name: "os-end-of-life",
        title: "Image's OS release is past (or near) its end of life",
        rationale: "A distribution release past its end of life gets no more security updates: every vulnerability found in its packages from then on stays open, and scanners stop reporting some of them because the distribution no longer tracks the release.",
        remediation: "Rebuild the image on a supported release of its distribution (change the Dockerfile's `FROM`, e.g. `FROM ubuntu:24.04` or `FROM debian:13`), rebuild and redeploy its containers; where that cannot happen in time, get paid extended support (Ubuntu Pro ESM, RHEL ELS) for the old release.",
        category: Category::Images,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://ubuntu.com/about/release-cycle",
            "https://wiki.debian.org/LTS",
            "https://alpinelinux.org/releases/",
            "https://access.redhat.com/support/policy/updates/errata",
            "https://cwe.mitre.org/data/definitions/1104.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let today = input.snapshot.collected_at.as_str();
    each_scanned_image(input, checks, |_, c| {
        let Some(os) = &c.os else {
            return Verdict::Skip(match c.os_problem.as_deref() {
                Some(p) if !p.starts_with("no release file") => {
                    format!("the image's OS release cannot be read: {p}")
                }
                _ => {
                    "the image has no OS release file (/etc/os-release and the distributions' own)"
                        .to_owned()
                }
            });
        };
        let name = os.display();
        let Some(eol) = &c.eol else {
            return Verdict::Skip(format!("{name} is not in dockaudit's end-of-life table"));
        };
        let evidence = json!({
            "os": os, "eol": eol.eol, "extended_eol": eol.extended_eol,
            "release": format!("{} {}", eol.distro, eol.release), "source": eol.source,
            "table_as_of": eol.table_as_of, "collected_at": today,
        });
        let extended = eol
            .extended_eol
            .as_deref()
            .map(|d| format!("; paid extended support runs until {d}"))
            .unwrap_or_default();
        match eol.status_on(today) {
            None => Verdict::Skip(format!(
                "the snapshot's collection time {today:?} is not a date"
            )),
            Some(EolStatus::Supported(_)) => Verdict::Pass,
            Some(EolStatus::EndOfLife(date, days)) => Verdict::fail(format!(
                "{name} reached its end of life on {date} ({days} days before this audit's collection): no more security updates{extended}"
            ))
            .with_evidence(evidence),
            Some(EolStatus::EndingSoon(date, days)) => Verdict::fail(format!(
                "{name} reaches its end of life on {date}, {days} days after this audit's collection (within {ENDING_SOON_DAYS}){extended}"
            ))
            .with_evidence(evidence)
            .with_severity(Severity::Medium),
        }
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{EolFacts, ImageContents, OsRelease};

    use super::*;
    use crate::image_contents::test_support::run;

    fn contents(eol: &str, extended: Option<&str>) -> ImageContents {
        ImageContents {
            os: Some(OsRelease {
                id: "ubuntu".into(),
                version_id: Some("18.04".into()),
                pretty_name: Some("Ubuntu 18.04.6 LTS".into()),
                ..OsRelease::default()
            }),
            eol: Some(EolFacts {
                distro: "Ubuntu".into(),
                release: "18.04".into(),
                eol: Some(eol.into()),
                extended_eol: extended.map(str::to_owned),
                ..EolFacts::default()
            }),
            ..ImageContents::default()
        }
    }

    #[test]
    fn past_soon_and_supported_by_the_collection_day() {
        let checks = run(
            &RULE,
            contents("2023-05-31", Some("2028-04-30")),
            "2026-11-28T09:00:00Z",
        );
        let f = &checks.failures()[0];
        assert_eq!(f.message, "Ubuntu 18.04.6 LTS reached its end of life on 2023-05-31 (1277 days before this audit's collection): no more security updates; paid extended support runs until 2028-04-30");
        assert_eq!(f.severity, None);
        let checks = run(&RULE, contents("2027-01-15", None), "2026-11-28T09:00:00Z");
        let f = &checks.failures()[0];
        assert!(
            f.message
                .contains("reaches its end of life on 2027-01-15, 48 days after"),
            "{}",
            f.message
        );
        assert_eq!(f.severity, Some(Severity::Medium));
        let checks = run(&RULE, contents("2027-03-15", None), "2026-11-28T09:00:00Z");
        assert_eq!(checks.passed().len(), 1);
    }

    #[test]
    fn unknown_releases_skip() {
        let mut c = contents("2023-05-31", None);
        c.eol = None;
        let checks = run(&RULE, c.clone(), "2026-11-28");
        assert!(checks.target_skips()[0]
            .1
            .contains("not in dockaudit's end-of-life table"));
        c.os = None;
        let checks = run(&RULE, c, "2026-11-28");
        assert!(checks.target_skips()[0]
            .1
            .contains("has no OS release file"));
    }
}
