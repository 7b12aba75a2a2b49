//! IMG012 duplicate-uid-gid: several accounts of the image's `/etc/passwd` share a UID, or several
//! groups of `/etc/group` share a GID. A second account with UID 0 is a hidden root (high).

use crate::image_contents::each_scanned_image;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG012",
        name: "duplicate-uid-gid",
        title: "Accounts or groups in the image share an id",
        rationale: "The kernel knows only ids: accounts that share a UID are the same user to it, whatever their names, so files, processes and audit records of one are the other's; a second UID 0 account is root under another name.",
        remediation: "Give every account and group its own id in the Dockerfile (`usermod -u`, `groupmod -g`, or fix the lines added to /etc/passwd and /etc/group), and remove extra UID 0 accounts.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://man7.org/linux/man-pages/man5/passwd.5.html",
            "https://cwe.mitre.org/data/definitions/269.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        let a = &c.accounts;
        if a.duplicate_uids.is_empty() && a.duplicate_gids.is_empty() {
            return Verdict::Pass;
        }
        let mut parts = Vec::new();
        for d in &a.duplicate_uids {
            parts.push(format!("UID {} is {}", d.id, d.names.join(", ")));
        }
        for d in &a.duplicate_gids {
            parts.push(format!("GID {} is {}", d.id, d.names.join(", ")));
        }
        let hidden_root = a.duplicate_uids.iter().any(|d| d.id == 0);
        let verdict = Verdict::fail(format!("shared ids: {}", parts.join("; "))).with_evidence(
            json!({ "duplicate_uids": a.duplicate_uids, "duplicate_gids": a.duplicate_gids }),
        );
        if hidden_root {
            verdict.with_severity(Severity::High)
        } else {
            verdict
        }
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{AccountFacts, DuplicateId, ImageContents};

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn shared_ids_and_a_second_root() {
        let c = ImageContents {
            accounts: AccountFacts {
                duplicate_uids: vec![DuplicateId {
                    id: 0,
                    names: vec!["root".into(), "toor".into()],
                }],
                duplicate_gids: vec![DuplicateId {
                    id: 50,
                    names: vec!["staff".into(), "admins".into()],
                }],
                ..AccountFacts::default()
            },
            ..ImageContents::default()
        };
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "shared ids: UID 0 is root, toor; GID 50 is staff, admins"
        );
        assert_eq!(checks.failures()[0].severity, Some(Severity::High));
    }
}
