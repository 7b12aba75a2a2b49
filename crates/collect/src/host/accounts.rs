//! The host's users and groups from its own `/etc/passwd` and `/etc/group` (never this machine's
//! name service): owner names for file facts, and the members of the `docker` group.

use std::collections::BTreeMap;

use dockaudit_snapshot::host::GroupMembers;

/// One `/etc/group` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    /// Group name.
    pub name: String,
    /// Group id.
    pub gid: u32,
    /// Listed members.
    pub members: Vec<String>,
}

/// Users and groups of the host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounts {
    users: BTreeMap<u32, String>,
    /// `(user, primary gid)` from `/etc/passwd`, in file order.
    primary: Vec<(String, u32)>,
    groups: Vec<GroupEntry>,
}

impl Accounts {
    /// Parses `/etc/passwd` and `/etc/group` text. Malformed lines are skipped.
    pub fn parse(passwd: &str, group: &str) -> Accounts {
        let mut accounts = Accounts::default();
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if line.starts_with('#') || fields.len() < 4 {
                continue;
            }
            let (Ok(uid), Ok(gid)) = (fields[2].parse::<u32>(), fields[3].parse::<u32>()) else {
                continue;
            };
            accounts
                .users
                .entry(uid)
                .or_insert_with(|| fields[0].to_string());
            accounts.primary.push((fields[0].to_string(), gid));
        }
        for line in group.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if line.starts_with('#') || fields.len() < 3 {
                continue;
            }
            let Ok(gid) = fields[2].parse::<u32>() else {
                continue;
            };
            let members = fields
                .get(3)
                .map(|m| {
                    m.split(',')
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            accounts.groups.push(GroupEntry {
                name: fields[0].to_string(),
                gid,
                members,
            });
        }
        accounts
    }

    /// The user name of a uid.
    pub fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }

    /// The group name of a gid (the first entry with it).
    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.gid == gid)
            .map(|g| g.name.as_str())
    }

    /// Members of group `name`: listed ones and those whose primary group it is.
    pub fn group_members(&self, name: &str, source: &str) -> GroupMembers {
        let Some(entry) = self.groups.iter().find(|g| g.name == name) else {
            return GroupMembers {
                name: name.to_string(),
                exists: false,
                source: source.to_string(),
                ..GroupMembers::default()
            };
        };
        let mut members = entry.members.clone();
        members.sort();
        members.dedup();
        let mut primary: Vec<String> = self
            .primary
            .iter()
            .filter(|(_, gid)| *gid == entry.gid)
            .map(|(user, _)| user.clone())
            .collect();
        primary.sort();
        primary.dedup();
        GroupMembers {
            name: name.to_string(),
            exists: true,
            gid: Some(entry.gid),
            members,
            primary_members: primary,
            source: source.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_come_from_the_group_line_and_primary_groups() {
        let accounts = Accounts::parse(
            "root:x:0:0:root:/root:/bin/bash\nci:x:1001:999::/home/ci:/bin/sh\nbroken line\n",
            "root:x:0:\ndocker:x:999:alice, bob,alice\nbad:x:notanumber:\n",
        );
        let docker = accounts.group_members("docker", "/etc/group");
        assert!(docker.exists);
        assert_eq!(docker.gid, Some(999));
        assert_eq!(docker.members, vec!["alice", "bob"]);
        assert_eq!(docker.primary_members, vec!["ci"]);
        assert_eq!(docker.all_members(), vec!["alice", "bob", "ci"]);
        assert_eq!(accounts.user_name(0), Some("root"));
        assert_eq!(accounts.group_name(999), Some("docker"));
        assert!(!accounts.group_members("nope", "x").exists);
    }
}
