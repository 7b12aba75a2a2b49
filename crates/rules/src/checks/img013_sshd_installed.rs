//! IMG013 sshd-installed: the image has an SSH server (OpenSSH's `sshd`, Dropbear), as a file or an
//! installed package, whether or not a container runs it now (CTR006 judges running ones).

use crate::image_contents::{each_scanned_image, list};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG013",
        name: "sshd-installed",
        title: "Image has an SSH server installed",
        rationale: "An SSH server in an image is one command away from running: another network service with its own keys, passwords and patches, which bypasses the engine's access control and audit trail; and it is a package the application does not need.",
        remediation: "Remove the SSH server from the image (`apt-get purge openssh-server`, `apk del openssh-server dropbear`, `dnf remove openssh-server`, or do not install it); get a shell with `docker exec -it CONTAINER sh` and copy files with `docker cp`.",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &["4.3"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/exec/",
            "https://docs.docker.com/build/building/best-practices/#dont-install-unnecessary-packages",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        if c.sshd.is_empty() {
            return Verdict::Pass;
        }
        Verdict::fail(format!("an SSH server is installed: {}", list(&c.sshd, 4)))
            .with_evidence(json!({ "sshd": c.sshd }))
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::ImageContents;

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn sshd_files_or_packages_fail() {
        let c = ImageContents {
            sshd: vec![
                "/usr/sbin/sshd".into(),
                "package openssh-server 1:7.6p1-4".into(),
            ],
            ..ImageContents::default()
        };
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "an SSH server is installed: /usr/sbin/sshd, package openssh-server 1:7.6p1-4"
        );
        assert_eq!(
            run(&RULE, ImageContents::default(), "2026-01-01")
                .passed()
                .len(),
            1
        );
    }
}
