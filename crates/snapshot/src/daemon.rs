//! The Docker daemon's configuration, reconciled from every source: the engine's `/info`,
//! `daemon.json` (default, `--config-file`, or the rootless one), and the running `dockerd`'s
//! command line from `/proc` when the daemon is local.
//!
//! Every setting is keyed by its daemon.json name (`icc`, `log-level`, `hosts`, `default-ulimits`),
//! whatever spelling stated it (`--icc=false`, `-H tcp://…`, `--default-ulimit nofile=…`), and keeps
//! each place that stated it ([`Origin`]): a flag, a daemon.json key with its path and line, or an
//! `/info` field. A rule asks [`Snapshot::daemon_setting`] "what is `icc`, and where did that come
//! from?" and gets a value, "dockerd's default" (nothing sets it, and every place that could was
//! read), or "unknown" with the reason (the command line or the file could not be read, the engine
//! is remote).
//!
//! dockerd refuses to start when a setting is given both as a flag and in daemon.json, when
//! daemon.json is not valid JSON, and when it has a key dockerd does not know; a running daemon
//! with any of these means the file was edited after it started, and its next restart will fail.
//! Those are kept as [`Conflict`]s and [`ConfigProblem`]s for the rules to report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{EngineInfo, Fact, Snapshot};

/// The daemon's configuration as dockaudit reconciled it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DaemonConfig {
    /// The running `dockerd` process and its command line, or why it could not be read.
    pub process: Fact<DaemonProcess>,
    /// The daemon.json the running daemon reads, or why it could not be read.
    pub file: Fact<ConfigFile>,
    /// Every setting a flag, daemon.json or `/info` states, by daemon.json key.
    pub settings: BTreeMap<String, Setting>,
    /// Settings stated in two places that dockerd does not accept together, or that disagree
    /// with what the running daemon reports.
    pub conflicts: Vec<Conflict>,
    /// What is wrong in daemon.json itself: invalid JSON, unknown or repeated keys.
    pub problems: Vec<ConfigProblem>,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            process: Fact::Missing("not collected".into()),
            file: Fact::Missing("not collected".into()),
            settings: BTreeMap::new(),
            conflicts: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// The running `dockerd` that serves the audited engine.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DaemonProcess {
    /// Its process id (in the host's pid namespace).
    pub pid: u32,
    /// Where the command line was read: `/proc/1423/cmdline`.
    pub cmdline_path: String,
    /// The command line, secret values masked.
    pub args: Vec<String>,
    /// Why this process was taken to be the audited engine's (socket or data root match).
    pub matched_by: String,
    /// The user id it runs as, when `/proc/PID/status` was readable.
    pub uid: Option<u32>,
}

/// The daemon.json the running daemon reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ConfigFile {
    /// The path as the daemon's host sees it: `/etc/docker/daemon.json`.
    pub path: String,
    /// How that path was chosen: `--config-file`, `default`, `rootless default`, or a default
    /// assumed because the command line could not be read.
    pub chosen_by: String,
    /// Whether the file exists and whether its content could be used.
    pub state: FileState,
}

/// What was found at the daemon.json path.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FileState {
    /// No file: dockerd runs on flags and defaults alone.
    #[default]
    Absent,
    /// Read and valid JSON (unknown keys aside): its settings are in [`DaemonConfig::settings`].
    Read,
    /// Not valid JSON, or not an object: what the running daemon took from it is unknown.
    Malformed,
}

/// One daemon setting, with every place that states it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Setting {
    /// Its daemon.json name: `icc`, `hosts`, `default-ulimits`.
    pub key: String,
    /// The value in effect, in daemon.json's JSON type: what `/info` reports if it reports this
    /// setting, else the flag's, else the file's. List flags given several times are an array;
    /// `--default-ulimit`, `--log-opt` and `--storage-opt` values are kept as their `NAME=VALUE`
    /// strings.
    pub value: Value,
    /// Where it is stated, most authoritative first (`/info`, flag, file).
    pub origins: Vec<Origin>,
}

impl Setting {
    /// The value as a boolean, when it is one (daemon.json `true`, a flag's `--icc=false`).
    pub fn as_bool(&self) -> Option<bool> {
        value_as_bool(&self.value)
    }

    /// The value as a string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }

    /// The value as a list of strings: an array's string items, or a lone string.
    pub fn as_strings(&self) -> Vec<String> {
        value_as_strings(&self.value)
    }

    /// Where it is stated, in words: `--icc=false (dockerd command line)`,
    /// `"icc": true (/etc/docker/daemon.json line 3)`.
    pub fn source(&self) -> String {
        self.origins
            .iter()
            .map(Origin::describe)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The file origin, if daemon.json states it.
    pub fn file_origin(&self) -> Option<&Origin> {
        self.origins.iter().find(|o| o.kind == SourceKind::File)
    }
}

/// A boolean from daemon.json's `true` or a flag's `true`/`false`/`1`/`0` text.
pub fn value_as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "t" => Some(true),
            "false" | "0" | "f" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The strings of a JSON array, or a lone string as a one-item list.
pub fn value_as_strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// What kind of place stated a setting.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The engine's `GET /info`: what the running daemon reports.
    Info,
    /// A flag on the running `dockerd`'s command line.
    #[default]
    Flag,
    /// The daemon's environment (`DOCKER_TLS_VERIFY`).
    Environment,
    /// A key in daemon.json.
    File,
}

/// One place that states a setting.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Origin {
    /// What kind of place.
    pub kind: SourceKind,
    /// As written there: `--icc=false`, `"icc": true`, `LiveRestoreEnabled: false`.
    pub text: String,
    /// The value it states (secret values masked).
    pub value: Value,
    /// The file, for daemon.json keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line of the key in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Origin {
    /// Where it is, in words, for messages and evidence.
    pub fn describe(&self) -> String {
        match self.kind {
            SourceKind::Info => format!("{} (docker info)", self.text),
            SourceKind::Flag => format!("{} (dockerd command line)", self.text),
            SourceKind::Environment => format!("{} (dockerd environment)", self.text),
            SourceKind::File => match (&self.path, self.line) {
                (Some(p), Some(l)) => format!("{} ({p} line {l})", self.text),
                (Some(p), None) => format!("{} ({p})", self.text),
                _ => format!("{} (daemon.json)", self.text),
            },
        }
    }
}

/// A setting stated in two places that do not go together.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Conflict {
    /// The daemon.json key.
    pub key: String,
    /// What kind of conflict.
    pub kind: ConflictKind,
    /// The places, as in [`Setting::origins`].
    pub origins: Vec<Origin>,
    /// One sentence for a person.
    pub message: String,
}

/// Kinds of [`Conflict`].
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Both a flag and a daemon.json key: dockerd refuses to start like that, so the file changed
    /// after the daemon started and its next restart fails.
    #[default]
    FlagAndFile,
    /// daemon.json says one thing and the running daemon reports another: the file changed and
    /// was neither reloaded nor applied by a restart.
    FileAndRunning,
}

/// Something wrong in daemon.json itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ConfigProblem {
    /// The file, as the host sees it.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The key concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// One sentence for a person.
    pub message: String,
}

/// Kinds of [`ConfigProblem`].
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Not valid JSON, or not a JSON object: dockerd refuses to start with it.
    #[default]
    Malformed,
    /// A key dockerd does not know: dockerd refuses to start with it.
    UnknownKey,
    /// A flag's name used as a key where daemon.json names the setting differently
    /// (`insecure-registry` for `insecure-registries`): dockerd accepts it and ignores it.
    IgnoredKey,
    /// The same key twice: the last one wins, silently.
    DuplicateKey,
}

/// What is known about one daemon setting.
#[derive(Debug, Clone, PartialEq)]
pub enum Effective {
    /// Stated somewhere; the setting says where.
    Set(Setting),
    /// Stated nowhere, and every place that could state it was read: dockerd's default applies.
    Default,
    /// Cannot be told, and why (as a skip reason).
    Unknown(String),
}

impl DaemonConfig {
    /// What is known about setting `key` (a daemon.json name) from this configuration alone.
    pub fn lookup(&self, key: &str) -> Effective {
        if let Some(setting) = self.settings.get(key) {
            return Effective::Set(setting.clone());
        }
        if let Some(why) = self.unread_reason() {
            return Effective::Unknown(format!("cannot tell whether {key} is set: {why}"));
        }
        Effective::Default
    }

    /// Why a setting stated nowhere could still be set somewhere dockaudit could not read.
    pub fn unread_reason(&self) -> Option<String> {
        let process = match &self.process {
            Fact::Missing(why) => Some(format!("the dockerd command line was not read ({why})")),
            Fact::Value(_) => None,
        };
        let file = match &self.file {
            Fact::Missing(why) => Some(format!("daemon.json was not read ({why})")),
            Fact::Value(f) if f.state == FileState::Malformed => Some(format!(
                "{} is not valid JSON, so what the running daemon took from it is unknown",
                f.path
            )),
            Fact::Value(_) => None,
        };
        match (process, file) {
            (None, None) => None,
            (Some(p), None) => Some(p),
            (None, Some(f)) => Some(f),
            (Some(p), Some(f)) => Some(format!("{p}, and {f}")),
        }
    }

    /// The path of the daemon.json that was read, if one was.
    pub fn file_path(&self) -> Option<&str> {
        match &self.file {
            Fact::Value(f) if f.state != FileState::Absent => Some(&f.path),
            _ => None,
        }
    }
}

/// Settings `/info` reports, as daemon.json keys with daemon.json's types, plus the text that
/// names the `/info` field. A setting missing here is one `/info` does not tell.
pub fn info_settings(info: &EngineInfo) -> Vec<(&'static str, Value, String)> {
    let mut out = Vec::new();
    let bool_field = |name: &str| info.extra.get(name).and_then(Value::as_bool);
    if let Some(b) = bool_field("LiveRestoreEnabled") {
        out.push((
            "live-restore",
            Value::Bool(b),
            format!("LiveRestoreEnabled: {b}"),
        ));
    }
    if let Some(b) = bool_field("ExperimentalBuild") {
        out.push((
            "experimental",
            Value::Bool(b),
            format!("ExperimentalBuild: {b}"),
        ));
    }
    if let Some(b) = bool_field("Debug") {
        out.push(("debug", Value::Bool(b), format!("Debug: {b}")));
    }
    if !info.driver.is_empty() {
        out.push((
            "storage-driver",
            Value::String(info.driver.clone()),
            format!("Driver: {}", info.driver),
        ));
    }
    if !info.logging_driver.is_empty() {
        out.push((
            "log-driver",
            Value::String(info.logging_driver.clone()),
            format!("LoggingDriver: {}", info.logging_driver),
        ));
    }
    if let Some(plugins) = info.extra.get("Plugins").filter(|p| p.is_object()) {
        let authz = value_as_strings(plugins.get("Authorization").unwrap_or(&Value::Null));
        out.push((
            "authorization-plugins",
            Value::from(authz.clone()),
            format!("Plugins.Authorization: [{}]", authz.join(", ")),
        ));
    }
    if let Some(profile) = info_seccomp_profile(info) {
        out.push((
            "seccomp-profile",
            Value::String(profile.to_string()),
            format!("SecurityOptions: name=seccomp,profile={profile}"),
        ));
    }
    if let Some(nnp) = info_no_new_privileges(info) {
        out.push((
            "no-new-privileges",
            Value::Bool(nnp),
            if nnp {
                "SecurityOptions: name=no-new-privileges".to_string()
            } else {
                "SecurityOptions without name=no-new-privileges".to_string()
            },
        ));
    }
    out
}

/// The daemon-wide seccomp profile `/info` reports (`default`, `builtin`, `unconfined`, or a
/// custom profile's path); `None` when the engine has no seccomp support or no info.
pub fn info_seccomp_profile(info: &EngineInfo) -> Option<&str> {
    info.security_options.iter().find_map(|opt| {
        let parts: Vec<&str> = opt.split(',').collect();
        if !parts.contains(&"name=seccomp") {
            return None;
        }
        Some(
            parts
                .iter()
                .find_map(|p| p.strip_prefix("profile="))
                .unwrap_or("default"),
        )
    })
}

/// Whether `/info` says the daemon applies `no-new-privileges` to every container. Engines list
/// it in `SecurityOptions` from Docker 24.0 on (moby#45320); for older ones its absence says
/// nothing, so this is `None` then.
pub fn info_no_new_privileges(info: &EngineInfo) -> Option<bool> {
    if info.has_security_option("no-new-privileges") {
        return Some(true);
    }
    let major = info
        .server_version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())?;
    (major >= 24).then_some(false)
}

/// Whether a daemon.json key is one `/info` reports, so that its value is known for a remote
/// engine too.
pub fn info_reports(key: &str) -> bool {
    matches!(
        key,
        "live-restore"
            | "experimental"
            | "debug"
            | "storage-driver"
            | "log-driver"
            | "authorization-plugins"
            | "seccomp-profile"
            | "no-new-privileges"
    )
}

/// Why `/info` is no evidence of daemon setting `key` on Podman, for the settings its
/// Docker-compatible `/info` writes as constants whatever the configuration says (Podman 4.x
/// `compat/info.go`), or that do not exist on Podman; `None` for the others.
pub fn podman_info_constant(key: &str) -> Option<&'static str> {
    Some(match key {
        "live-restore" => "the engine is Podman, which has no live-restore setting: each container runs under its own conmon and keeps running when the API service stops (its /info always says LiveRestoreEnabled: false)",
        "experimental" => "the engine is Podman, which has no experimental switch (its /info always says ExperimentalBuild: true)",
        "seccomp-profile" => "the engine is Podman, whose /info always names the seccomp profile `default` (the profile in use is seccomp_profile in containers.conf)",
        "no-new-privileges" => "the engine is Podman, whose /info never reports a no-new-privileges default (it is no_new_privileges in containers.conf, and shows in each container's SecurityOpt)",
        "authorization-plugins" => "the engine is Podman, which has no authorization plugins: whoever can open its socket may do everything",
        "log-driver" => "the engine is Podman, whose /info leaves LoggingDriver empty (the default is log_driver in containers.conf)",
        _ => return None,
    })
}

impl Snapshot {
    /// What is known about daemon setting `key` (a daemon.json name: `icc`, `live-restore`):
    /// from the reconciled configuration when it was collected, else from `/info` alone for the
    /// settings `/info` reports (so a remote engine is judged on what it says of itself), else
    /// unknown with the reason. On Podman, `/info`'s constants are not evidence
    /// ([`podman_info_constant`]).
    pub fn daemon_setting(&self, key: &str) -> Effective {
        if self.engine.kind == "podman" {
            if let Some(why) = podman_info_constant(key) {
                return Effective::Unknown(why.to_string());
            }
        }
        let info_value = || {
            let info = self.info.as_ref()?;
            info_settings(info)
                .into_iter()
                .find(|(k, _, _)| *k == key)
                .map(|(k, value, text)| Setting {
                    key: k.to_string(),
                    value: value.clone(),
                    origins: vec![Origin {
                        kind: SourceKind::Info,
                        text,
                        value,
                        path: None,
                        line: None,
                    }],
                })
        };
        match &self.daemon_config {
            Some(Fact::Value(config)) => match config.lookup(key) {
                Effective::Unknown(why) => info_value().map(Effective::Set).unwrap_or(Effective::Unknown(why)),
                known => known,
            },
            Some(Fact::Missing(why)) => info_value().map(Effective::Set).unwrap_or_else(|| {
                Effective::Unknown(format!(
                    "{key} is not reported by docker info and the daemon configuration was not read: {why}"
                ))
            }),
            None => info_value().map(Effective::Set).unwrap_or_else(|| {
                Effective::Unknown(format!(
                    "{key} is not reported by docker info and the daemon configuration was not collected"
                ))
            }),
        }
    }

    /// The reconciled daemon configuration, or why there is none (as a skip reason).
    pub fn daemon_config(&self) -> Result<&DaemonConfig, String> {
        match &self.daemon_config {
            Some(Fact::Value(c)) => Ok(c),
            Some(Fact::Missing(why)) => Err(format!(
                "the daemon configuration (daemon.json, dockerd command line) was not read: {why}"
            )),
            None => Err(
                "the daemon configuration (daemon.json, dockerd command line) was not collected"
                    .into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_origin(value: Value) -> Origin {
        Origin {
            kind: SourceKind::File,
            text: format!("\"icc\": {value}"),
            value,
            path: Some("/etc/docker/daemon.json".into()),
            line: Some(3),
        }
    }

    fn config_with(settings: &[(&str, Value)]) -> DaemonConfig {
        DaemonConfig {
            process: Fact::Value(DaemonProcess::default()),
            file: Fact::Value(ConfigFile {
                path: "/etc/docker/daemon.json".into(),
                chosen_by: "default".into(),
                state: FileState::Read,
            }),
            settings: settings
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        Setting {
                            key: k.to_string(),
                            value: v.clone(),
                            origins: vec![file_origin(v.clone())],
                        },
                    )
                })
                .collect(),
            ..DaemonConfig::default()
        }
    }

    #[test]
    fn a_setting_is_set_default_or_unknown() {
        let config = config_with(&[("icc", Value::Bool(false))]);
        match config.lookup("icc") {
            Effective::Set(s) => {
                assert_eq!(s.as_bool(), Some(false));
                assert_eq!(
                    s.source(),
                    "\"icc\": false (/etc/docker/daemon.json line 3)"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(config.lookup("live-restore"), Effective::Default);

        let mut unread = config.clone();
        unread.process = Fact::Missing("permission denied".into());
        match unread.lookup("live-restore") {
            Effective::Unknown(why) => assert!(why.contains("permission denied"), "{why}"),
            other => panic!("{other:?}"),
        }
        // What the file states is known even when the command line is not: dockerd does not
        // start with a setting given both ways.
        assert!(matches!(unread.lookup("icc"), Effective::Set(_)));

        let mut malformed = config;
        malformed.file = Fact::Value(ConfigFile {
            path: "/etc/docker/daemon.json".into(),
            chosen_by: "default".into(),
            state: FileState::Malformed,
        });
        assert!(matches!(
            malformed.lookup("iptables"),
            Effective::Unknown(_)
        ));
    }

    #[test]
    fn remote_engines_are_judged_on_what_info_reports() {
        let mut info = EngineInfo {
            server_version: "28.5.1".into(),
            security_options: vec!["name=seccomp,profile=builtin".into()],
            ..EngineInfo::default()
        };
        info.extra
            .insert("LiveRestoreEnabled".into(), Value::Bool(true));
        let snapshot = Snapshot {
            info: Some(info),
            daemon_config: Some(Fact::Missing("engine is remote".into())),
            ..Snapshot::default()
        };
        match snapshot.daemon_setting("live-restore") {
            Effective::Set(s) => {
                assert_eq!(s.as_bool(), Some(true));
                assert_eq!(s.origins[0].kind, SourceKind::Info);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            snapshot.daemon_setting("no-new-privileges"),
            Effective::Set(s) if s.as_bool() == Some(false)
        ));
        match snapshot.daemon_setting("icc") {
            Effective::Unknown(why) => assert!(why.contains("engine is remote"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn podman_info_constants_are_not_evidence_but_its_real_fields_are() {
        let mut info = EngineInfo {
            server_version: "4.3.1".into(),
            driver: "overlay".into(),
            security_options: vec!["name=seccomp,profile=default".into()],
            ..EngineInfo::default()
        };
        info.extra
            .insert("LiveRestoreEnabled".into(), Value::Bool(false));
        info.extra
            .insert("ExperimentalBuild".into(), Value::Bool(true));
        let mut snapshot = Snapshot {
            info: Some(info),
            daemon_config: Some(Fact::Missing("the engine is Podman".into())),
            ..Snapshot::default()
        };
        snapshot.engine.kind = "podman".into();
        for key in [
            "live-restore",
            "experimental",
            "seccomp-profile",
            "no-new-privileges",
            "authorization-plugins",
        ] {
            match snapshot.daemon_setting(key) {
                Effective::Unknown(why) => assert!(why.contains("Podman"), "{key}: {why}"),
                other => panic!("{key}: {other:?}"),
            }
        }
        assert!(matches!(
            snapshot.daemon_setting("storage-driver"),
            Effective::Set(s) if s.as_str() == Some("overlay")
        ));
        // The same answer from Docker is evidence.
        snapshot.engine.kind = "docker".into();
        assert!(matches!(
            snapshot.daemon_setting("experimental"),
            Effective::Set(s) if s.as_bool() == Some(true)
        ));
    }

    #[test]
    fn no_new_privileges_absence_counts_only_from_docker_24() {
        let mut info = EngineInfo {
            server_version: "20.10.24+dfsg1".into(),
            ..EngineInfo::default()
        };
        assert_eq!(info_no_new_privileges(&info), None);
        info.server_version = "24.0.0".into();
        assert_eq!(info_no_new_privileges(&info), Some(false));
        info.security_options = vec!["name=no-new-privileges".into()];
        assert_eq!(info_no_new_privileges(&info), Some(true));
    }

    #[test]
    fn seccomp_profiles_are_read_from_security_options() {
        let info = |opts: &[&str]| EngineInfo {
            security_options: opts.iter().map(|s| s.to_string()).collect(),
            ..EngineInfo::default()
        };
        assert_eq!(info_seccomp_profile(&info(&["name=apparmor"])), None);
        assert_eq!(
            info_seccomp_profile(&info(&["name=seccomp,profile=unconfined"])),
            Some("unconfined")
        );
        assert_eq!(
            info_seccomp_profile(&info(&["name=seccomp"])),
            Some("default")
        );
    }

    #[test]
    fn a_config_round_trips() {
        let config = config_with(&[("hosts", serde_json::json!(["tcp://0.0.0.0:2375"]))]);
        let text = serde_json::to_string(&config).expect("serialises");
        let back: DaemonConfig = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, config);
    }
}
