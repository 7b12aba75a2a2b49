//! Engine objects as the Docker Engine API returns them (API 1.41 through current), typed where rules
//! read them and kept whole otherwise.
//!
//! Field names are Docker's (`HostConfig`, `CapAdd`) so a recorded `docker inspect` document is a valid
//! fixture. Each struct carries `extra`, a map of every field it does not model, so nothing the engine
//! said is lost when a snapshot is saved. Lists and maps the engine sends as `null` read as empty.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de::nullable;
use crate::Fact;

/// Fields of an engine object that dockaudit does not model, kept as evidence.
pub type Extra = BTreeMap<String, Value>;

/// `GET /version`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct EngineVersion {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "ApiVersion")]
    pub api_version: String,
    #[serde(rename = "MinAPIVersion")]
    pub min_api_version: String,
    #[serde(rename = "Os")]
    pub os: String,
    #[serde(rename = "Arch")]
    pub arch: String,
    #[serde(rename = "KernelVersion")]
    pub kernel_version: String,
    /// Components (Engine, containerd, runc…) with their versions; Podman names itself here.
    #[serde(rename = "Components", deserialize_with = "nullable")]
    pub components: Vec<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /info`: the daemon's view of itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct EngineInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "ServerVersion")]
    pub server_version: String,
    #[serde(rename = "Driver")]
    pub driver: String,
    #[serde(rename = "LoggingDriver")]
    pub logging_driver: String,
    #[serde(rename = "CgroupDriver")]
    pub cgroup_driver: String,
    #[serde(rename = "CgroupVersion")]
    pub cgroup_version: String,
    #[serde(rename = "DockerRootDir")]
    pub docker_root_dir: String,
    #[serde(rename = "OperatingSystem")]
    pub operating_system: String,
    #[serde(rename = "KernelVersion")]
    pub kernel_version: String,
    /// `name=seccomp,profile=default`, `name=apparmor`, `name=rootless`, `name=userns`…
    #[serde(rename = "SecurityOptions", deserialize_with = "nullable")]
    pub security_options: Vec<String>,
    #[serde(rename = "Warnings", deserialize_with = "nullable")]
    pub warnings: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl EngineInfo {
    /// Whether a security option `name=NAME` is listed (`apparmor`, `selinux`, `seccomp`, `rootless`).
    pub fn has_security_option(&self, name: &str) -> bool {
        let wanted = format!("name={name}");
        self.security_options
            .iter()
            .any(|o| o.split(',').any(|part| part == wanted))
    }
}

/// A container with what was collected about it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Container {
    /// `GET /containers/{id}/json`.
    pub inspect: ContainerInspect,
    /// Bytes written to the container's writable layer: stopped containers' only, measured on the
    /// host's disk or asked of the engine ([`Container::size_rw_source`]); every container's from
    /// the list (`size=1`) in snapshots whose
    /// [`CollectSettings::size_source`](crate::CollectSettings::size_source) says `container-list`.
    pub size_rw: Option<i64>,
    /// Where [`Container::size_rw`] came from; `None` when it was not collected, and in snapshots
    /// that did not record it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_rw_source: Option<SizeRwSource>,
    /// Processes, in the shape of Docker's `top` (`ps -ef`); `None` when the container was not
    /// running.
    pub top: Option<Fact<Top>>,
    /// Where [`Container::top`] came from; `None` in snapshots that did not record it (the
    /// engine's `top`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_source: Option<TopSource>,
    /// Why the processes were not read from the host's `/proc` when the engine's `top` was asked
    /// instead (a remote engine, another PID namespace, permission denied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_fallback: Option<String>,
    /// The tail of its log; `None` when logs were not requested.
    pub logs: Option<Fact<LogTail>>,
}

impl Container {
    /// The name without its leading slash, as `docker ps` shows it.
    pub fn name(&self) -> &str {
        self.inspect.name.trim_start_matches('/')
    }

    /// The 12-character short id.
    pub fn short_id(&self) -> &str {
        let id = self.inspect.id.trim_start_matches("sha256:");
        &id[..id.len().min(12)]
    }

    /// The container's state as a word: `running`, `exited`, `created`…
    pub fn status(&self) -> &str {
        &self.inspect.state.status
    }

    /// Value of a label, if set.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.inspect.config.labels.get(key).map(String::as_str)
    }

    /// Whether the container (in any state) mounts the volume `name`: in its resolved `Mounts`,
    /// as a `-v NAME:/path` bind, or as a `--mount type=volume,src=NAME`.
    pub fn uses_volume(&self, name: &str) -> bool {
        if self
            .inspect
            .mounts
            .iter()
            .any(|m| m.kind == "volume" && m.name == name)
        {
            return true;
        }
        // `-v NAME:/path[:opts]`: a source without a slash is a volume name.
        if self
            .inspect
            .host_config
            .binds
            .iter()
            .any(|b| b.split(':').next() == Some(name))
        {
            return true;
        }
        // `--mount type=volume,src=NAME,…` as the engine records it.
        self.inspect
            .host_config
            .extra
            .get("Mounts")
            .and_then(|m| m.as_array())
            .is_some_and(|mounts| {
                mounts.iter().any(|m| {
                    m.get("Type").and_then(|t| t.as_str()) == Some("volume")
                        && m.get("Source").and_then(|s| s.as_str()) == Some(name)
                })
            })
    }
}

/// Where a container's writable-layer size came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum SizeRwSource {
    /// The engine's `SizeRw` (inspect or list with `size=1`).
    #[serde(rename = "engine")]
    Engine,
    /// Its overlay upper directory (`GraphDriver.Data.UpperDir`) measured on the host's disk, as
    /// the engine measures it for overlay2.
    #[serde(rename = "upper-dir")]
    UpperDir,
}

/// Where a container's process listing came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum TopSource {
    /// The engine's `GET /containers/{id}/top`.
    #[serde(rename = "top")]
    Engine,
    /// The host's `/proc`, through the container's cgroup (no request to the engine).
    #[serde(rename = "/proc")]
    Proc,
}

/// `GET /containers/{id}/json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ContainerInspect {
    #[serde(rename = "Id")]
    pub id: String,
    /// With the leading slash, as the engine sends it.
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Path")]
    pub path: String,
    #[serde(rename = "Args", deserialize_with = "nullable")]
    pub args: Vec<String>,
    /// Id of the image the container runs (`sha256:…`).
    #[serde(rename = "Image")]
    pub image: String,
    #[serde(rename = "RestartCount")]
    pub restart_count: i64,
    #[serde(rename = "AppArmorProfile")]
    pub app_armor_profile: String,
    #[serde(rename = "State")]
    pub state: ContainerState,
    #[serde(rename = "Config")]
    pub config: ContainerConfig,
    #[serde(rename = "HostConfig")]
    pub host_config: HostConfig,
    #[serde(rename = "Mounts", deserialize_with = "nullable")]
    pub mounts: Vec<Mount>,
    #[serde(rename = "NetworkSettings")]
    pub network_settings: NetworkSettings,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `State` of a container.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ContainerState {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    #[serde(rename = "Status")]
    pub status: String,
    #[serde(rename = "Running")]
    pub running: bool,
    #[serde(rename = "Paused")]
    pub paused: bool,
    #[serde(rename = "Restarting")]
    pub restarting: bool,
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    #[serde(rename = "ExitCode")]
    pub exit_code: i64,
    #[serde(rename = "StartedAt")]
    pub started_at: String,
    #[serde(rename = "FinishedAt")]
    pub finished_at: String,
    #[serde(rename = "Health")]
    pub health: Option<Health>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Health state of a container with a healthcheck.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Health {
    /// `starting`, `healthy`, `unhealthy`, `none`.
    #[serde(rename = "Status")]
    pub status: String,
    #[serde(rename = "FailingStreak")]
    pub failing_streak: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Config` of a container: what it was created with (image defaults merged in).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ContainerConfig {
    #[serde(rename = "Hostname")]
    pub hostname: String,
    /// Empty means root; `0`, `root`, `0:0` are root too.
    #[serde(rename = "User")]
    pub user: String,
    /// `NAME=value`; secret values are already masked.
    #[serde(rename = "Env", deserialize_with = "nullable")]
    pub env: Vec<String>,
    #[serde(rename = "Cmd", deserialize_with = "nullable")]
    pub cmd: Vec<String>,
    #[serde(rename = "Entrypoint", deserialize_with = "nullable")]
    pub entrypoint: Vec<String>,
    /// The image reference the container was created from, as the user wrote it (`nginx:latest`).
    #[serde(rename = "Image")]
    pub image: String,
    #[serde(rename = "Labels", deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    #[serde(rename = "Healthcheck")]
    pub healthcheck: Option<HealthConfig>,
    #[serde(rename = "ExposedPorts", deserialize_with = "nullable")]
    pub exposed_ports: BTreeMap<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A healthcheck definition; `Test: ["NONE"]` disables the image's one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HealthConfig {
    #[serde(rename = "Test", deserialize_with = "nullable")]
    pub test: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl HealthConfig {
    /// Whether this defines a check (not empty, not `NONE`).
    pub fn is_defined(&self) -> bool {
        !self.test.is_empty() && self.test[0] != "NONE"
    }
}

/// `HostConfig` of a container: how the engine runs it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HostConfig {
    /// `-v` binds, `SOURCE:DEST[:OPTIONS]`.
    #[serde(rename = "Binds", deserialize_with = "nullable")]
    pub binds: Vec<String>,
    #[serde(rename = "NetworkMode")]
    pub network_mode: String,
    #[serde(rename = "PortBindings", deserialize_with = "nullable")]
    pub port_bindings: PortMap,
    #[serde(rename = "RestartPolicy")]
    pub restart_policy: RestartPolicy,
    #[serde(rename = "LogConfig")]
    pub log_config: LogConfig,
    #[serde(rename = "CapAdd", deserialize_with = "nullable")]
    pub cap_add: Vec<String>,
    #[serde(rename = "CapDrop", deserialize_with = "nullable")]
    pub cap_drop: Vec<String>,
    #[serde(rename = "CgroupnsMode")]
    pub cgroupns_mode: String,
    #[serde(rename = "IpcMode")]
    pub ipc_mode: String,
    #[serde(rename = "Cgroup")]
    pub cgroup: String,
    #[serde(rename = "PidMode")]
    pub pid_mode: String,
    #[serde(rename = "Privileged")]
    pub privileged: bool,
    #[serde(rename = "PublishAllPorts")]
    pub publish_all_ports: bool,
    #[serde(rename = "ReadonlyRootfs")]
    pub readonly_rootfs: bool,
    /// `apparmor=…`, `seccomp=unconfined`, `no-new-privileges[:true]`, `label=…`.
    #[serde(rename = "SecurityOpt", deserialize_with = "nullable")]
    pub security_opt: Vec<String>,
    #[serde(rename = "UTSMode")]
    pub uts_mode: String,
    #[serde(rename = "UsernsMode")]
    pub userns_mode: String,
    #[serde(rename = "CgroupParent")]
    pub cgroup_parent: String,
    /// Bytes; 0 means unlimited.
    #[serde(rename = "Memory")]
    pub memory: i64,
    #[serde(rename = "NanoCpus")]
    pub nano_cpus: i64,
    #[serde(rename = "CpuShares")]
    pub cpu_shares: i64,
    #[serde(rename = "CpuQuota")]
    pub cpu_quota: i64,
    #[serde(rename = "CpuPeriod")]
    pub cpu_period: i64,
    #[serde(rename = "CpusetCpus")]
    pub cpuset_cpus: String,
    /// `null`, 0 and -1 all mean unlimited.
    #[serde(rename = "PidsLimit")]
    pub pids_limit: Option<i64>,
    #[serde(rename = "Devices", deserialize_with = "nullable")]
    pub devices: Vec<Device>,
    #[serde(rename = "DeviceCgroupRules", deserialize_with = "nullable")]
    pub device_cgroup_rules: Vec<String>,
    #[serde(rename = "Ulimits", deserialize_with = "nullable")]
    pub ulimits: Vec<Ulimit>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl HostConfig {
    /// Whether a `--security-opt` with this key is set (`no-new-privileges`, `seccomp`, `apparmor`,
    /// `label`), returning its value (`true` for a bare flag). Docker accepts both `key=value` and the
    /// older `key:value`.
    pub fn security_opt(&self, key: &str) -> Option<&str> {
        self.security_opt.iter().find_map(|opt| {
            let rest = opt.strip_prefix(key)?;
            if rest.is_empty() {
                Some("true")
            } else {
                rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))
            }
        })
    }
}

/// Published ports: `"80/tcp" -> [{HostIp, HostPort}]`; `null` means exposed, not published.
pub type PortMap = BTreeMap<String, Option<Vec<PortBinding>>>;

/// One published port binding.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PortBinding {
    /// `""`, `0.0.0.0` and `::` mean every interface.
    #[serde(rename = "HostIp")]
    pub host_ip: String,
    #[serde(rename = "HostPort")]
    pub host_port: String,
}

impl PortBinding {
    /// Whether the port listens on every interface (IPv4 or IPv6).
    pub fn on_all_interfaces(&self) -> bool {
        matches!(self.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]")
    }
}

/// Restart policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RestartPolicy {
    /// `""`/`no`, `always`, `unless-stopped`, `on-failure`.
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "MaximumRetryCount")]
    pub maximum_retry_count: i64,
}

/// Logging driver and its options.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LogConfig {
    #[serde(rename = "Type")]
    pub driver: String,
    #[serde(rename = "Config", deserialize_with = "nullable")]
    pub config: BTreeMap<String, String>,
}

/// A host device passed through.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Device {
    #[serde(rename = "PathOnHost")]
    pub path_on_host: String,
    #[serde(rename = "PathInContainer")]
    pub path_in_container: String,
    #[serde(rename = "CgroupPermissions")]
    pub cgroup_permissions: String,
}

/// A ulimit override.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Ulimit {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Soft")]
    pub soft: i64,
    #[serde(rename = "Hard")]
    pub hard: i64,
}

/// A mount as the engine resolved it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Mount {
    /// `bind`, `volume`, `tmpfs`, `npipe`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Volume name for volumes.
    #[serde(rename = "Name")]
    pub name: String,
    /// Host path for binds; the volume's directory for volumes.
    #[serde(rename = "Source")]
    pub source: String,
    #[serde(rename = "Destination")]
    pub destination: String,
    #[serde(rename = "Mode")]
    pub mode: String,
    #[serde(rename = "RW")]
    pub rw: bool,
    /// `rprivate`, `private`, `shared`, `rshared`, `slave`, `rslave`.
    #[serde(rename = "Propagation")]
    pub propagation: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `NetworkSettings` of a container.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NetworkSettings {
    /// Effective published ports (only filled while running).
    #[serde(rename = "Ports", deserialize_with = "nullable")]
    pub ports: PortMap,
    /// Networks the container is attached to, by name.
    #[serde(rename = "Networks", deserialize_with = "nullable")]
    pub networks: BTreeMap<String, NetworkEndpoint>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A container's endpoint on one network.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NetworkEndpoint {
    #[serde(rename = "NetworkID")]
    pub network_id: String,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Processes of a running container (`GET /containers/{id}/top`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Top {
    #[serde(rename = "Titles", deserialize_with = "nullable")]
    pub titles: Vec<String>,
    #[serde(rename = "Processes", deserialize_with = "nullable")]
    pub processes: Vec<Vec<String>>,
}

impl Top {
    /// The command line of every process (the `CMD` or `COMMAND` column).
    pub fn commands(&self) -> impl Iterator<Item = &str> {
        let column = self
            .titles
            .iter()
            .position(|t| t == "CMD" || t == "COMMAND" || t == "ARGS");
        self.processes
            .iter()
            .filter_map(move |row| column.and_then(|c| row.get(c)).map(String::as_str))
    }
}

/// The tail of a container's log, bounded and with secrets masked.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LogTail {
    /// Lines, oldest first.
    pub lines: Vec<String>,
    /// Whether the tail was cut by the size bound.
    pub truncated: bool,
}

/// An image with what was collected about it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Image {
    /// `GET /images/{id}/json`.
    pub inspect: ImageInspect,
    /// `GET /images/{id}/history`, newest layer first.
    pub history: Option<Fact<Vec<HistoryEntry>>>,
    /// What is inside the image (OS, packages, file facts), read from its layers; `None` when it
    /// was not scanned (`--no-image-scan`, or no audited container uses it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<Fact<crate::contents::ImageContents>>,
}

impl Image {
    /// The first `repo:tag`, or the short id when untagged.
    pub fn display_name(&self) -> String {
        self.inspect
            .repo_tags
            .iter()
            .find(|t| t.as_str() != "<none>:<none>")
            .cloned()
            .unwrap_or_else(|| short_image_id(&self.inspect.id).to_string())
    }

    /// Whether the image has no tag at all (a dangling image).
    pub fn is_untagged(&self) -> bool {
        self.inspect
            .repo_tags
            .iter()
            .all(|t| t.as_str() == "<none>:<none>")
    }
}

/// `sha256:0123…` → `0123456789ab`.
pub fn short_image_id(id: &str) -> &str {
    let id = id.trim_start_matches("sha256:");
    &id[..id.len().min(12)]
}

/// `GET /images/{id}/json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ImageInspect {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "RepoTags", deserialize_with = "nullable")]
    pub repo_tags: Vec<String>,
    #[serde(rename = "RepoDigests", deserialize_with = "nullable")]
    pub repo_digests: Vec<String>,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Size")]
    pub size: i64,
    #[serde(rename = "Os")]
    pub os: String,
    #[serde(rename = "Architecture")]
    pub architecture: String,
    #[serde(rename = "Config")]
    pub config: ImageConfig,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Config` of an image: the defaults its containers start with.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ImageConfig {
    #[serde(rename = "User")]
    pub user: String,
    #[serde(rename = "Env", deserialize_with = "nullable")]
    pub env: Vec<String>,
    #[serde(rename = "Cmd", deserialize_with = "nullable")]
    pub cmd: Vec<String>,
    #[serde(rename = "Entrypoint", deserialize_with = "nullable")]
    pub entrypoint: Vec<String>,
    #[serde(rename = "Labels", deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    #[serde(rename = "Healthcheck")]
    pub healthcheck: Option<HealthConfig>,
    #[serde(rename = "ExposedPorts", deserialize_with = "nullable")]
    pub exposed_ports: BTreeMap<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One layer of `docker history`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HistoryEntry {
    #[serde(rename = "Id")]
    pub id: String,
    /// Seconds since the epoch.
    #[serde(rename = "Created")]
    pub created: i64,
    /// The Dockerfile instruction, e.g. `/bin/sh -c #(nop)  USER app`; secrets masked.
    #[serde(rename = "CreatedBy")]
    pub created_by: String,
    #[serde(rename = "Tags", deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(rename = "Size")]
    pub size: i64,
    #[serde(rename = "Comment")]
    pub comment: String,
}

/// A network with its inspect.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Network {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Driver")]
    pub driver: String,
    #[serde(rename = "Scope")]
    pub scope: String,
    #[serde(rename = "Internal")]
    pub internal: bool,
    #[serde(rename = "EnableIPv6")]
    pub enable_ipv6: bool,
    #[serde(rename = "Options", deserialize_with = "nullable")]
    pub options: BTreeMap<String, String>,
    #[serde(rename = "Labels", deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    /// Connected (running) containers by id.
    #[serde(rename = "Containers", deserialize_with = "nullable")]
    pub containers: BTreeMap<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Network {
    /// The networks every engine creates and that cannot be removed.
    pub fn is_predefined(&self) -> bool {
        matches!(self.name.as_str(), "bridge" | "host" | "none" | "podman")
            || self.driver == "null"
            || self.driver == "host"
    }
}

/// A volume.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Volume {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Driver")]
    pub driver: String,
    #[serde(rename = "Mountpoint")]
    pub mountpoint: String,
    #[serde(rename = "CreatedAt")]
    pub created_at: String,
    #[serde(rename = "Labels", deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    /// Size in bytes, when the engine reported it (-1 when it did not compute it).
    #[serde(rename = "UsageData")]
    pub usage_data: Option<VolumeUsage>,
    /// What its directory holds, measured on the host's disk by dockaudit (not an engine field):
    /// `None` when not measured (sizes not collected, or the volume is in use), `Missing` with
    /// the reason when it could not be (a remote engine, another volume driver, unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_size: Option<Fact<MeasuredSize>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A directory's contents measured on disk: regular files and their apparent bytes (a file with
/// several hard links counted once), symlinks not followed, other filesystems not entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct MeasuredSize {
    /// Bytes of the regular files.
    pub bytes: u64,
    /// Regular files.
    pub files: u64,
    /// Whether the whole tree was read: `false` when the walk stopped at a bound or an unreadable
    /// directory, so the figures are a lower bound.
    pub complete: bool,
    /// Why it is incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// Disk use of a volume.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct VolumeUsage {
    #[serde(rename = "Size")]
    pub size: i64,
    #[serde(rename = "RefCount")]
    pub ref_count: i64,
}
