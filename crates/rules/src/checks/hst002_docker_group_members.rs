//! HST002 docker-group-members: users in the `docker` group can use the engine socket, which is
//! root on the host; CIS 1.1.2 asks that only trusted users are in it.
//!
//! Whether a user is trusted is not something a file says, so the rule lists who is in the group
//! (listed members and users whose primary group it is, from the host's `/etc/group` and
//! `/etc/passwd`) and fails while anyone is, for a person to confirm and then suppress. Users from
//! directory services (LDAP, sssd) are not seen.
//!
//! CIS ids: v1.8.0 numbering confirmed for 1.1.5, 1.1.10 and 1.1.11 (Tenable's v1.8.0 audit); the
//! other section 1 ids are v1.7.0's, which match v1.6.0, and are assumed unchanged in v1.8.0.

use crate::host::{fact, host_facts, host_target};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST002",
        name: "docker-group-members",
        title: "Users in the docker group can control the daemon (root on the host)",
        rationale: "Membership of the docker group grants access to the engine socket, and anyone who can start a container with `-v /:/host --privileged` is root on the host: each member must be someone you would give root to.",
        remediation: "Review the members (`getent group docker`) and remove everyone who should not be root on this host (`gpasswd -d USER docker`); give others rootless Docker instead, or access through an authorization plugin.",
        category: Category::Host,
        severity: Severity::Medium,
        cis: &["1.1.2"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
            "https://docs.docker.com/engine/install/linux-postinstall/#manage-docker-as-a-non-root-user",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let (facts, group) = match host_facts(snapshot)
        .and_then(|h| fact(&h.docker_group, "the docker group").map(|g| (h, g)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let target = host_target(snapshot, Some(facts));
    let members = group.all_members();
    if members.is_empty() {
        checks.pass(target);
        return;
    }
    checks
        .fail(
            target,
            format!(
                "{} user{} can control the Docker daemon through the docker group: {}; confirm each is trusted with root on this host",
                members.len(),
                if members.len() == 1 { "" } else { "s" },
                members.join(", ")
            ),
        )
        .evidence(json!({
            "group": group.name,
            "gid": group.gid,
            "members": group.members,
            "primary_members": group.primary_members,
            "source": group.source,
        }));
}
