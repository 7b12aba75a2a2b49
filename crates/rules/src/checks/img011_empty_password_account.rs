//! IMG011 empty-password-account: an account in the image's `/etc/shadow` (or `/etc/passwd`,
//! when shadow has no entry for it) has an empty password field, so it logs in without a password.
//! Locked accounts (`!`, `*`) are fine. Password hashes are never stored, only the account names.

use crate::image_contents::{abs, each_scanned_image};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG011",
        name: "empty-password-account",
        title: "An account in the image has an empty password",
        rationale: "An empty password field lets anyone log in as that account, or `su` to it, from any process in the container (and over SSH or a console if the image runs one): with root, a foothold in the application becomes root in the container.",
        remediation: "Lock the account in the Dockerfile (`RUN passwd -l root`, or `usermod -p '*' NAME`; Alpine: `passwd -l root`), or remove it; never ship a known or empty password in an image.",
        category: Category::Images,
        severity: Severity::High,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://man7.org/linux/man-pages/man5/shadow.5.html",
            "https://cwe.mitre.org/data/definitions/258.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        let empty = &c.accounts.empty_passwords;
        if empty.is_empty() {
            return Verdict::Pass;
        }
        let shown: Vec<String> = empty
            .iter()
            .map(|e| format!("{} ({})", e.user, abs(&e.file)))
            .collect();
        let root = empty.iter().any(|e| e.user == "root");
        let verdict = Verdict::fail(format!(
            "account{} without a password: {}",
            if empty.len() == 1 { "" } else { "s" },
            shown.join(", ")
        ))
        .with_evidence(json!({ "accounts": empty }));
        if root {
            verdict.with_severity(Severity::Critical)
        } else {
            verdict
        }
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{AccountFacts, EmptyPassword, ImageContents};

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn empty_passwords_and_root_is_worse() {
        let c = |user: &str| ImageContents {
            accounts: AccountFacts {
                shadow: true,
                empty_passwords: vec![EmptyPassword {
                    user: user.into(),
                    file: "etc/shadow".into(),
                }],
                ..AccountFacts::default()
            },
            ..ImageContents::default()
        };
        let checks = run(&RULE, c("root"), "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "account without a password: root (/etc/shadow)"
        );
        assert_eq!(checks.failures()[0].severity, Some(Severity::Critical));
        let checks = run(&RULE, c("app"), "2026-01-01");
        assert_eq!(checks.failures()[0].severity, None);
        assert_eq!(
            run(&RULE, ImageContents::default(), "2026-01-01")
                .passed()
                .len(),
            1
        );
    }
}
