//! The Snapshot: everything dockaudit collected about a container host, as plain serde data.
//!
//! `collect` fills it (the only crate that does I/O), `dockaudit collect -o FILE` writes it, and the
//! rules judge it without touching the engine. Engine objects keep Docker's own JSON field names so
//! that a real `docker inspect` document deserialises into them as it is; every field we do not model
//! is kept in an `extra` map, so a saved snapshot is full evidence and round-trips losslessly.
//!
//! Secret values are masked before they enter the Snapshot (see [`redact`]); nothing downstream can
//! print what was never stored.
#![forbid(unsafe_code)]

pub mod contents;
pub mod daemon;
mod de;
pub mod engine;
pub mod firewall;
pub mod fleet;
pub mod host;
pub mod redact;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use engine::{
    Container, ContainerConfig, ContainerInspect, ContainerState, Device, EngineInfo,
    EngineVersion, Health, HealthConfig, HistoryEntry, HostConfig, Image, ImageConfig,
    ImageInspect, LogConfig, LogTail, MeasuredSize, Mount, Network, NetworkEndpoint,
    NetworkSettings, PortBinding, PortMap, RestartPolicy, SizeRwSource, Top, TopSource, Ulimit,
    Volume,
};

/// Version of the snapshot file format. Bumped when a change would make old files mean something else.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// Largest snapshot file `load` accepts; a real host with thousands of containers stays far below.
pub const MAX_SNAPSHOT_BYTES: u64 = 512 * 1024 * 1024;

/// Everything collected from one engine (and, later, its host) at one moment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Snapshot {
    /// [`SNAPSHOT_SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// Version of the dockaudit that collected it.
    pub tool_version: String,
    /// When collection started, RFC 3339 in UTC. Rules take "now" from here, never from the clock.
    pub collected_at: String,
    /// Which engine was audited and how it was reached.
    pub engine: EngineMeta,
    /// `GET /version`, as the engine answered.
    pub version: Option<EngineVersion>,
    /// `GET /info`, as the engine answered.
    pub info: Option<EngineInfo>,
    /// Every container in every state, with inspect, processes and log tail.
    pub containers: Vec<Container>,
    /// Every image (`GET /images/json` without intermediates), with inspect and history.
    pub images: Vec<Image>,
    /// Every network, with inspect.
    pub networks: Vec<Network>,
    /// Every volume.
    pub volumes: Vec<Volume>,
    /// What the collector was asked to read, so rules can tell "not collected" from "absent".
    pub settings: CollectSettings,
    /// The daemon's configuration from every source; `None` when it was not read.
    pub daemon_config: Option<Fact<daemon::DaemonConfig>>,
    /// The engine's host (files, audit rules, kernel protections); `None` when it was not
    /// read (remote engine, or host collection not requested).
    pub host: Option<Fact<host::HostFacts>>,
    /// The host firewall; `None` when it was not read.
    pub firewall: Option<Fact<firewall::FirewallCapture>>,
    /// Where a secret value was masked during collection (never the value itself).
    pub redactions: Vec<Redaction>,
    /// What could not be collected, and why.
    pub gaps: Vec<Gap>,
    /// The object lists the engine did not give (an error, a time-out, a malformed or oversized
    /// answer), each with why. An empty list in `containers` means "no containers" only when
    /// `Containers` is not here; the rules that read a failed list are skipped with this reason.
    /// Absent in snapshots from dockaudit versions that did not record it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lists_failed: BTreeMap<ObjectList, String>,
}

/// One of the engine's object lists (`GET /containers/json`, `/images/json`, `/networks`,
/// `/volumes`), the inputs whose loss would otherwise read as "nothing there".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectList {
    /// Every container, in every state.
    Containers,
    /// Every image (without intermediates).
    Images,
    /// Every network.
    Networks,
    /// Every volume.
    Volumes,
}

impl ObjectList {
    /// All four, in a fixed order.
    pub const ALL: [ObjectList; 4] = [
        ObjectList::Containers,
        ObjectList::Images,
        ObjectList::Networks,
        ObjectList::Volumes,
    ];

    /// The engine endpoint that gives the list: `GET /containers/json`.
    pub fn request(self) -> &'static str {
        match self {
            ObjectList::Containers => "GET /containers/json",
            ObjectList::Images => "GET /images/json",
            ObjectList::Networks => "GET /networks",
            ObjectList::Volumes => "GET /volumes",
        }
    }

    /// What the list holds, in words: `containers`.
    pub fn noun(self) -> &'static str {
        match self {
            ObjectList::Containers => "containers",
            ObjectList::Images => "images",
            ObjectList::Networks => "networks",
            ObjectList::Volumes => "volumes",
        }
    }
}

/// Which engine the snapshot describes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct EngineMeta {
    /// `docker` or `podman`.
    pub kind: String,
    /// Engine version (`Version` of `/version`).
    pub version: String,
    /// API version both sides agreed on.
    pub api_version: String,
    /// The endpoint as a URL: `unix:///var/run/docker.sock`, `tcp://host:2376`.
    pub endpoint: String,
    /// Whether the engine runs rootless (from `/info` security options).
    pub rootless: bool,
    /// Whether dockaudit reached a `tcp://` endpoint over TLS (`Some(false)` for plain TCP and
    /// for unix sockets); `None` in snapshots that did not record it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
}

/// What a collection was asked to read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CollectSettings {
    /// Container log tails were requested (`--no-logs` turns this off).
    pub logs: bool,
    /// Lines per log tail.
    pub log_lines: usize,
    /// Sizes were collected (`--no-sizes` turns this off): of stopped containers' writable layers,
    /// and of unused volumes where they can be measured.
    pub sizes: bool,
    /// How sizes were collected, when `sizes` is set.
    pub size_source: SizeSource,
    /// Label filters the engine applied: when not empty, objects without these labels were not
    /// collected, so "nothing uses this" means "nothing collected uses this".
    pub labels: Vec<String>,
}

/// How a collection read sizes.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SizeSource {
    /// Every container's writable layer from the list (`GET /containers/json?size=1`), volumes
    /// not measured: what snapshots without this field did.
    #[default]
    ContainerList,
    /// Only where a finding reports one: stopped containers' writable layers (measured on the
    /// host's disk, else their inspect with `size=1`; see `Container::size_rw_source`), unused
    /// volumes measured on the host's disk (`Volume::measured_size`).
    StoppedAndUnused,
}

/// Something that could not be collected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    /// What is missing: `logs of container web`, `image sha256:… history`.
    pub what: String,
    /// Why: the engine's error, a permission problem, a size bound.
    pub why: String,
}

/// A secret value that was masked while collecting.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Redaction {
    /// Kind of the object it was found in: `container` or `image`.
    pub object_kind: String,
    /// Full id of that object.
    pub object_id: String,
    /// Where in the object: `Config.Env`, `Config.Labels`, `Config.Cmd`, `history`, `logs`, `top`.
    pub field: String,
    /// The variable, label or flag name, when there is one (`DB_PASSWORD`); never the value.
    pub key: String,
    /// Why the value was judged a secret (a name pattern or a provider's token format).
    pub reason: String,
    /// The masked form that replaced it, e.g. `hu****ab`.
    pub masked: String,
}

/// A fact that may be missing: present, or absent with the reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    /// The fact as collected.
    Value(T),
    /// Why it could not be collected.
    Missing(String),
}

impl<T> Fact<T> {
    /// The value, if it was collected.
    pub fn value(&self) -> Option<&T> {
        match self {
            Fact::Value(v) => Some(v),
            Fact::Missing(_) => None,
        }
    }
}

/// Why a snapshot file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    // The OS error is in the message and deliberately not a `source`: printed with its chain
    // (anyhow's `{:#}`) it would otherwise appear twice.
    #[error("cannot read snapshot {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// The file is larger than [`MAX_SNAPSHOT_BYTES`].
    #[error("snapshot {path} is {size} bytes, more than the {max} bytes dockaudit reads")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The bound.
        max: u64,
    },
    /// The file ends in the middle of the JSON document (an interrupted copy or write).
    #[error("snapshot {path} is truncated: it ends at line {line}, column {column} in the middle of the JSON document; collect it again or copy the whole file")]
    Truncated {
        /// The file.
        path: String,
        /// Line where it ends.
        line: usize,
        /// Column where it ends.
        column: usize,
    },
    /// The file is not a snapshot (malformed JSON, wrong shape).
    #[error("snapshot {path} is not a valid dockaudit snapshot: {detail} (line {line}, column {column})")]
    Malformed {
        /// The file.
        path: String,
        /// serde's description of the problem, without its position (that is in `line` and
        /// `column`).
        detail: String,
        /// Line of the problem.
        line: usize,
        /// Column of the problem.
        column: usize,
    },
    /// Written by a newer dockaudit whose format this one does not know.
    #[error("snapshot {path} has schema_version {found}; this dockaudit reads up to {supported}")]
    UnsupportedVersion {
        /// The file.
        path: String,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
}

/// Reads a snapshot or fleet file whole, refusing one over [`MAX_SNAPSHOT_BYTES`]; with the path as
/// errors name it.
pub(crate) fn read_bounded(path: &Path) -> Result<(Vec<u8>, String), LoadError> {
    let shown = path.display().to_string();
    let io = |error| LoadError::Io {
        path: shown.clone(),
        error,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_SNAPSHOT_BYTES {
        return Err(LoadError::TooLarge {
            path: shown,
            size,
            max: MAX_SNAPSHOT_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    Ok((bytes, shown))
}

impl Snapshot {
    /// Reads and validates a snapshot file written by `dockaudit collect`.
    pub fn load(path: &Path) -> Result<Snapshot, LoadError> {
        let (bytes, shown) = read_bounded(path)?;
        Self::from_slice(&bytes, &shown)
    }

    /// Parses a snapshot from bytes; `origin` names the input in errors.
    pub fn from_slice(bytes: &[u8], origin: &str) -> Result<Snapshot, LoadError> {
        let snapshot: Snapshot = serde_json::from_slice(bytes).map_err(|e| malformed(e, origin))?;
        check_version(&snapshot, origin)?;
        Ok(snapshot)
    }

    /// The failures that leave the audit without its main inputs: the container list or the image
    /// list could not be read. Each is one line for stderr (`containers could not be listed (GET
    /// /containers/json): …`); when any is returned the audit cannot vouch for the host and the
    /// binary exits 2, after writing the report.
    pub fn fatal_gaps(&self) -> Vec<String> {
        [ObjectList::Containers, ObjectList::Images]
            .into_iter()
            .filter_map(|list| {
                let why = self.lists_failed.get(&list)?;
                Some(format!(
                    "{} could not be listed ({}): {why}",
                    list.noun(),
                    list.request()
                ))
            })
            .collect()
    }

    /// Finds an image by full id (`sha256:…`).
    pub fn image_by_id(&self, id: &str) -> Option<&Image> {
        self.images.iter().find(|i| i.inspect.id == id)
    }

    /// Whether the daemon applies `no-new-privileges` to every container by default; `None` when
    /// that cannot be told. `/info` lists it only from Docker 24 on (Docker 20.10 started with
    /// `--no-new-privileges` lists nothing, seen on a real daemon), so its absence is not an answer
    /// for older engines: the daemon's flags and daemon.json, when read, are.
    pub fn daemon_no_new_privileges(&self) -> Option<bool> {
        if self.info.as_ref().and_then(daemon::info_no_new_privileges) == Some(true) {
            return Some(true);
        }
        match self.daemon_setting("no-new-privileges") {
            daemon::Effective::Set(setting) => setting.as_bool(),
            daemon::Effective::Default => Some(false),
            daemon::Effective::Unknown(_) => None,
        }
    }
}

/// A serde error reading `origin` as the [`LoadError`] that says where.
pub(crate) fn malformed(e: serde_json::Error, origin: &str) -> LoadError {
    let (path, line, column) = (origin.to_string(), e.line(), e.column());
    if e.is_eof() {
        return LoadError::Truncated { path, line, column };
    }
    // serde_json ends its message with " at line L column C"; the error says where itself.
    let detail = e.to_string();
    let detail = match detail.rfind(" at line ") {
        Some(at) => detail[..at].to_string(),
        None => detail,
    };
    LoadError::Malformed {
        path,
        detail,
        line,
        column,
    }
}

/// Refuses a snapshot written by no dockaudit (version 0) or by a newer one.
pub(crate) fn check_version(snapshot: &Snapshot, origin: &str) -> Result<(), LoadError> {
    if snapshot.schema_version == 0 || snapshot.schema_version > SNAPSHOT_SCHEMA_VERSION {
        return Err(LoadError::UnsupportedVersion {
            path: origin.to_string(),
            found: snapshot.schema_version,
            supported: SNAPSHOT_SCHEMA_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_and_truncated_input_names_the_origin_and_position() {
        let full = serde_json::to_vec(&Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            ..Default::default()
        })
        .expect("serialises");
        let truncated = &full[..full.len() / 2];
        match Snapshot::from_slice(truncated, "snap.json") {
            Err(e @ LoadError::Truncated { .. }) => {
                let text = e.to_string();
                assert!(text.contains("snap.json"), "{text}");
                assert!(text.contains("is truncated"), "{text}");
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
        let err = Snapshot::from_slice(b"{\"containers\": 5}", "x.json").unwrap_err();
        assert!(matches!(err, LoadError::Malformed { .. }), "{err:?}");
        assert!(err.to_string().contains("x.json"), "{err}");
    }

    #[test]
    fn load_errors_state_their_cause_once() {
        // Printed as the binary prints errors: the message, then every source in the chain.
        fn with_chain(e: &dyn std::error::Error) -> String {
            let mut text = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
        let missing = Path::new("/nonexistent/dockaudit-snapshot.json");
        let text = with_chain(&Snapshot::load(missing).unwrap_err());
        assert_eq!(text.matches("os error 2").count(), 1, "{text}");
        let text = with_chain(&Snapshot::from_slice(b"nonsense", "x.json").unwrap_err());
        assert_eq!(text.matches("line 1").count(), 1, "{text}");
        assert!(text.contains("(line 1, column "), "{text}");
    }

    #[test]
    fn only_a_failed_container_or_image_list_is_fatal() {
        let mut snapshot = Snapshot::default();
        assert!(snapshot.fatal_gaps().is_empty());
        snapshot
            .lists_failed
            .insert(ObjectList::Volumes, "HTTP 500".into());
        assert!(snapshot.fatal_gaps().is_empty(), "volumes are not fatal");
        snapshot
            .lists_failed
            .insert(ObjectList::Images, "timed out after 2 s".into());
        assert_eq!(
            snapshot.fatal_gaps(),
            vec!["images could not be listed (GET /images/json): timed out after 2 s"]
        );
    }

    #[test]
    fn failed_lists_round_trip_and_old_snapshots_have_none() {
        let mut snapshot = Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            ..Default::default()
        };
        let old = serde_json::to_string(&snapshot).unwrap();
        assert!(!old.contains("lists_failed"), "omitted when empty: {old}");
        snapshot
            .lists_failed
            .insert(ObjectList::Containers, "HTTP 500".into());
        let text = serde_json::to_string(&snapshot).unwrap();
        assert!(
            text.contains(r#""lists_failed":{"containers":"HTTP 500"}"#),
            "{text}"
        );
        assert_eq!(
            Snapshot::from_slice(text.as_bytes(), "s").unwrap(),
            snapshot
        );
        assert!(Snapshot::from_slice(old.as_bytes(), "s")
            .unwrap()
            .lists_failed
            .is_empty());
    }

    #[test]
    fn other_versions_are_refused() {
        for version in [0, SNAPSHOT_SCHEMA_VERSION + 1] {
            let bytes = format!("{{\"schema_version\": {version}}}");
            assert!(matches!(
                Snapshot::from_slice(bytes.as_bytes(), "s"),
                Err(LoadError::UnsupportedVersion { .. })
            ));
        }
    }

    #[test]
    fn unknown_engine_fields_survive_a_round_trip() {
        let inspect = r#"{"Id":"abc","Name":"/web","HostConfig":{"Privileged":true,"CapAdd":null,"FutureField":{"x":1}},"Mounts":null,"Brand":"new"}"#;
        let c: ContainerInspect = serde_json::from_str(inspect).expect("parses");
        assert!(c.host_config.privileged);
        assert!(c.host_config.cap_add.is_empty());
        let back = serde_json::to_value(&c).expect("serialises");
        assert_eq!(back["HostConfig"]["FutureField"]["x"], 1);
        assert_eq!(back["Brand"], "new");
    }
}
