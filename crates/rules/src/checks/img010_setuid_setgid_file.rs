//! IMG010 setuid-setgid-file: the image has setuid or setgid executables beyond the few a
//! distribution's base image needs for its own account tools (CIS 4.8).
//!
//! Read from the layers' tar headers (a file made setuid in one layer and `chmod u-s` in a later
//! one is not reported). The allow-list is the shadow-utils, util-linux and PAM helpers Debian,
//! Ubuntu, Alpine and the Red Hat family ship in their base images (`passwd`, `su`, `mount`,
//! `unix_chkpwd`…): flagging them would flag every image without telling anything. Everything else
//! (`sudo`, `ping`, `pkexec`, anything under `/usr/local` or `/app`) is reported.

use crate::image_contents::{abs, each_scanned_image, list};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG010",
        name: "setuid-setgid-file",
        title: "Image has setuid/setgid executables beyond the base system's",
        rationale: "A setuid or setgid executable runs with its owner's or group's rights whoever starts it: one bug in it lets an unprivileged process in the container become root there, the first step of a container escape.",
        remediation: "Remove the setuid/setgid bits in the Dockerfile where the programs are not needed (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`), or remove the programs; run containers with `--security-opt no-new-privileges` (compose: `security_opt: [no-new-privileges:true]`) so the bits have no effect.",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &["4.8"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

/// setuid/setgid programs of distributions' base images (Debian, Ubuntu, Alpine, RHEL/UBI,
/// Fedora, SUSE), with and without the merged `/usr`.
const ALLOWED: &[&str] = &[
    "usr/bin/chfn",
    "usr/bin/chsh",
    "usr/bin/gpasswd",
    "usr/bin/newgrp",
    "usr/bin/passwd",
    "usr/bin/su",
    "bin/su",
    "usr/bin/mount",
    "usr/bin/umount",
    "bin/mount",
    "bin/umount",
    "usr/bin/chage",
    "usr/bin/expiry",
    "usr/bin/wall",
    "usr/bin/write",
    "usr/sbin/unix_chkpwd",
    "sbin/unix_chkpwd",
    "usr/sbin/pam_extrausers_chkpwd",
    "sbin/pam_extrausers_chkpwd",
    "usr/sbin/pam_timestamp_check",
];

fn check(input: &AuditInput, checks: &mut Checks) {
    each_scanned_image(input, checks, |_, c| {
        let extra: Vec<_> = c
            .special_files
            .iter()
            .filter(|f| !ALLOWED.contains(&f.path.as_str()))
            .collect();
        if extra.is_empty() {
            return Verdict::Pass;
        }
        let shown: Vec<String> = extra
            .iter()
            .map(|f| {
                let bits = match (f.setuid(), f.setgid()) {
                    (true, true) => "setuid+setgid",
                    (true, false) => "setuid",
                    _ => "setgid",
                };
                let owner = if f.setuid() { f.uid } else { f.gid };
                format!("{} ({bits} {owner}, mode {:04o})", abs(&f.path), f.mode)
            })
            .collect();
        Verdict::fail(format!(
            "{} setuid/setgid file{} beyond the base system's: {}",
            extra.len(),
            if extra.len() == 1 { "" } else { "s" },
            list(&shown, 8)
        ))
        .with_evidence(json!({ "files": extra, "allowed": c.special_files.len() - extra.len() }))
    });
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::contents::{ImageContents, SpecialFile};

    use super::*;
    use crate::image_contents::test_support::run;

    #[test]
    fn base_system_tools_are_allowed_the_rest_reported() {
        let f = |path: &str, mode| SpecialFile {
            path: path.into(),
            mode,
            uid: 0,
            gid: 42,
        };
        let mut c = ImageContents {
            special_files: vec![f("usr/bin/passwd", 0o4755), f("usr/bin/chage", 0o2755)],
            ..ImageContents::default()
        };
        assert_eq!(run(&RULE, c.clone(), "2026-01-01").passed().len(), 1);
        c.special_files.push(f("usr/local/bin/helper", 0o4755));
        c.special_files.push(f("usr/bin/locate", 0o2711));
        let checks = run(&RULE, c, "2026-01-01");
        assert_eq!(
            checks.failures()[0].message,
            "2 setuid/setgid files beyond the base system's: /usr/local/bin/helper (setuid 0, mode 4755), /usr/bin/locate (setgid 42, mode 2711)"
        );
    }
}
