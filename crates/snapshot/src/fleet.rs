//! Fleet files: the snapshots of several hosts in one file, each under the label its findings
//! will carry. `dockaudit merge` writes one; `dockaudit audit --snapshot` reads one as it reads a
//! single snapshot, and audits each host on its own.
//!
//! ```json
//! { "fleet_version": 1, "hosts": [ { "host": "unix:///var/run/docker.sock", "snapshot": { … } } ] }
//! ```
//!
//! A fleet file is told from a snapshot by its `fleet_version` key; a snapshot has none.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{LoadError, Snapshot};

/// Version of the fleet file format.
pub const FLEET_SCHEMA_VERSION: u32 = 1;

/// Several hosts' snapshots, each with its label.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FleetFile {
    /// [`FLEET_SCHEMA_VERSION`] of the writer.
    pub fleet_version: u32,
    /// The hosts, in the order they were merged.
    pub hosts: Vec<FleetMember>,
}

/// One host of a fleet file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FleetMember {
    /// The label its findings carry (`host` in a fleet report).
    pub host: String,
    /// What was collected from it.
    pub snapshot: Snapshot,
}

/// Only the key that tells a fleet file from a snapshot (serde skips the rest without building it).
#[derive(Deserialize)]
struct Probe {
    fleet_version: Option<u32>,
}

/// The label of a host known only by its snapshot: the endpoint it was collected from.
pub fn label_of(snapshot: &Snapshot, origin: &str) -> String {
    if snapshot.engine.endpoint.is_empty() {
        format!("snapshot {origin}")
    } else {
        snapshot.engine.endpoint.clone()
    }
}

/// What a snapshot file holds: one host's snapshot, or a fleet's.
#[derive(Debug)]
pub enum SnapshotFile {
    /// A snapshot from `dockaudit collect`.
    One(Box<Snapshot>),
    /// A fleet file from `dockaudit merge`.
    Fleet(Vec<FleetMember>),
}

impl SnapshotFile {
    /// Its hosts: a single snapshot is one, labelled by [`label_of`].
    pub fn into_members(self, origin: &str) -> Vec<FleetMember> {
        match self {
            SnapshotFile::One(snapshot) => vec![FleetMember {
                host: label_of(&snapshot, origin),
                snapshot: *snapshot,
            }],
            SnapshotFile::Fleet(members) => members,
        }
    }
}

/// Reads `path`: a fleet file's hosts, or a single snapshot as one host labelled by [`label_of`].
pub fn load_members(path: &Path) -> Result<Vec<FleetMember>, LoadError> {
    Ok(load(path)?.into_members(&path.display().to_string()))
}

/// Reads `path`, a snapshot or a fleet file.
pub fn load(path: &Path) -> Result<SnapshotFile, LoadError> {
    let (bytes, shown) = crate::read_bounded(path)?;
    from_slice(&bytes, &shown)
}

/// [`load_members`] on bytes already read; `origin` names the input in errors and labels.
pub fn members_from_slice(bytes: &[u8], origin: &str) -> Result<Vec<FleetMember>, LoadError> {
    Ok(from_slice(bytes, origin)?.into_members(origin))
}

/// [`load`] on bytes already read; `origin` names the input in errors.
pub fn from_slice(bytes: &[u8], origin: &str) -> Result<SnapshotFile, LoadError> {
    let is_fleet = serde_json::from_slice::<Probe>(bytes)
        .ok()
        .and_then(|p| p.fleet_version)
        .is_some();
    if !is_fleet {
        let snapshot = Snapshot::from_slice(bytes, origin)?;
        return Ok(SnapshotFile::One(Box::new(snapshot)));
    }
    let fleet: FleetFile =
        serde_json::from_slice(bytes).map_err(|e| crate::malformed(e, origin))?;
    if fleet.fleet_version == 0 || fleet.fleet_version > FLEET_SCHEMA_VERSION {
        return Err(LoadError::UnsupportedVersion {
            path: origin.to_string(),
            found: fleet.fleet_version,
            supported: FLEET_SCHEMA_VERSION,
        });
    }
    for m in &fleet.hosts {
        crate::check_version(&m.snapshot, &format!("{origin} (host {})", m.host))?;
    }
    Ok(SnapshotFile::Fleet(fleet.hosts))
}

/// Makes the labels of `members` unique, keeping the first of each as it is: a repeated label gets
/// the engine host's name (`/info` `Name`) after it, then a number (two snapshots of
/// `unix:///var/run/docker.sock`, collected on two machines, are two hosts).
pub fn unique_labels(members: &mut [FleetMember]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in members.iter_mut() {
        let count = seen.entry(m.host.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            continue;
        }
        let named = m
            .snapshot
            .info
            .as_ref()
            .map(|i| i.name.clone())
            .filter(|n| !n.is_empty())
            .map(|n| format!("{} ({n})", m.host));
        let mut label = named.unwrap_or_else(|| format!("{} #{count}", m.host));
        let mut n = 2;
        while seen.contains_key(&label) {
            label = format!("{} #{n}", m.host);
            n += 1;
        }
        seen.insert(label.clone(), 1);
        m.host = label;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(endpoint: &str, name: &str) -> Snapshot {
        let mut s = Snapshot {
            schema_version: crate::SNAPSHOT_SCHEMA_VERSION,
            ..Snapshot::default()
        };
        s.engine.endpoint = endpoint.into();
        if !name.is_empty() {
            s.info = Some(serde_json::from_value(serde_json::json!({"Name": name})).unwrap());
        }
        s
    }

    #[test]
    fn a_snapshot_is_one_host_labelled_by_its_endpoint_and_a_fleet_file_is_its_hosts() {
        let one = serde_json::to_vec(&snapshot("unix:///run/a.sock", "")).unwrap();
        let members = members_from_slice(&one, "a.json").unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].host, "unix:///run/a.sock");

        let fleet = FleetFile {
            fleet_version: FLEET_SCHEMA_VERSION,
            hosts: vec![
                FleetMember {
                    host: "web".into(),
                    snapshot: snapshot("unix:///run/a.sock", ""),
                },
                FleetMember {
                    host: "db".into(),
                    snapshot: snapshot("tcp://db:2376", ""),
                },
            ],
        };
        let bytes = serde_json::to_vec(&fleet).unwrap();
        let members = members_from_slice(&bytes, "fleet.json").unwrap();
        assert_eq!(
            members.iter().map(|m| m.host.as_str()).collect::<Vec<_>>(),
            ["web", "db"]
        );
    }

    #[test]
    fn bad_fleet_files_are_errors_naming_the_file() {
        let e = members_from_slice(br#"{"fleet_version": 9, "hosts": []}"#, "f.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.json"), "{e}");
        let e = members_from_slice(br#"{"fleet_version": 1, "hosts": [{"host": 3}]}"#, "f.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.json"), "{e}");
        let e = members_from_slice(
            br#"{"fleet_version": 1, "hosts": [{"host": "h", "snapshot": {"schema_version": 0}}]}"#,
            "f.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("f.json (host h)"), "{e}");
    }

    #[test]
    fn repeated_labels_get_the_host_name_then_a_number() {
        let member = |endpoint: &str, name: &str| FleetMember {
            host: endpoint.into(),
            snapshot: snapshot(endpoint, name),
        };
        let mut members = vec![
            member("unix:///var/run/docker.sock", "web1"),
            member("unix:///var/run/docker.sock", "web2"),
            member("unix:///var/run/docker.sock", ""),
            member("tcp://db:2376", "db"),
        ];
        unique_labels(&mut members);
        assert_eq!(
            members.iter().map(|m| m.host.as_str()).collect::<Vec<_>>(),
            [
                "unix:///var/run/docker.sock",
                "unix:///var/run/docker.sock (web2)",
                "unix:///var/run/docker.sock #3",
                "tcp://db:2376"
            ]
        );
    }
}
