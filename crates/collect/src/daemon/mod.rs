//! The daemon's configuration from every source, reconciled: the running `dockerd`'s command line
//! (from `HOST_ROOT/proc`), the daemon.json it reads (its `--config-file`, the default
//! `/etc/docker/daemon.json`, or the rootless one under the user's `~/.config/docker`), and the
//! engine's `/info`.
//!
//! Read only when the engine is local (a unix socket) or a host root was given explicitly: for a
//! remote engine the files on this machine say nothing about it. On a host with several dockerd
//! processes, the one serving the audited engine is the one listening on its socket, or the one
//! whose data root is the engine's `DockerRootDir`.

mod flags;
mod json;
mod process;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use dockaudit_snapshot::daemon::{
    info_settings, value_as_bool, value_as_strings, ConfigFile, ConfigProblem, Conflict,
    ConflictKind, DaemonConfig, DaemonProcess, FileState, Origin, ProblemKind, Setting, SourceKind,
};
use dockaudit_snapshot::redact::{redact_args, redact_named, Masked};
use dockaudit_snapshot::{EngineInfo, Fact, Gap, Redaction};
use serde_json::{Map, Value};

use crate::connect::Endpoint;
use crate::gather::redaction;
use flags::{FlagUse, Kind};
use process::{under, Candidate};

/// Largest daemon.json read; real ones are a few kilobytes.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// What the daemon collection produced.
#[derive(Debug)]
pub(crate) struct DaemonCollection {
    /// The configuration, or why it was not read.
    pub config: Fact<DaemonConfig>,
    /// Secret values masked in the command line and daemon.json.
    pub redactions: Vec<Redaction>,
    /// What could not be read.
    pub gaps: Vec<Gap>,
}

impl DaemonCollection {
    pub(crate) fn missing(why: String) -> DaemonCollection {
        DaemonCollection {
            gaps: vec![Gap {
                what: "daemon configuration (daemon.json, dockerd command line)".into(),
                why: why.clone(),
            }],
            config: Fact::Missing(why),
            redactions: Vec::new(),
        }
    }
}

/// Reads the daemon configuration of the engine at `endpoint`. `host_root` is `Some` when the
/// user gave `--host-root`; then the host is read even for a TCP endpoint.
#[cfg(test)]
pub(crate) fn collect(
    host_root: Option<&Path>,
    endpoint: &Endpoint,
    info: Option<&EngineInfo>,
    engine_kind: &str,
) -> DaemonCollection {
    finish(scan(host_root, endpoint), endpoint, info, engine_kind)
}

/// What of the daemon's configuration can be read before the engine answers: the dockerd
/// processes on the host, each with the daemon.json it reads.
pub(crate) struct DaemonScan {
    /// `--host-root`, when given.
    host_root: Option<PathBuf>,
    /// The dockerd processes, or why they could not be looked for; `None` when the host is not
    /// read (a remote engine without `--host-root`).
    candidates: Option<Result<Vec<Prepared>, String>>,
}

/// Finds the dockerd processes under the host root and reads their daemon.json files: the part of
/// [`collect`] that needs nothing from the engine. Blocking: run it off the async runtime.
pub(crate) fn scan(host_root: Option<&Path>, endpoint: &Endpoint) -> DaemonScan {
    let candidates = if host_root.is_none() && !matches!(endpoint, Endpoint::Unix(_)) {
        None
    } else {
        let root = host_root.unwrap_or(Path::new("/"));
        Some(
            process::find_dockerd(root)
                .map(|found| found.into_iter().map(|c| Prepared::new(root, c)).collect()),
        )
    };
    DaemonScan {
        host_root: host_root.map(Path::to_path_buf),
        candidates,
    }
}

/// Completes [`scan`] with the engine's answers: picks the dockerd serving the engine and
/// reconciles its settings with `/info`. May read the default daemon.json: blocking.
pub(crate) fn finish(
    scan: DaemonScan,
    endpoint: &Endpoint,
    info: Option<&EngineInfo>,
    engine_kind: &str,
) -> DaemonCollection {
    if engine_kind == "podman" {
        return DaemonCollection::missing(
            "the engine is Podman, which has no dockerd or daemon.json (its settings are in containers.conf)".into(),
        );
    }
    let explicit = scan.host_root.is_some();
    let Some(candidates) = scan.candidates else {
        return DaemonCollection::missing(format!(
            "the engine is remote ({}): its daemon.json and dockerd command line are on another host; run dockaudit there, or pass --host-root with that host's root directory mounted",
            endpoint.url()
        ));
    };
    let root = scan.host_root.as_deref().unwrap_or(Path::new("/"));
    let mut out = DaemonCollection {
        config: Fact::Missing(String::new()),
        redactions: Vec::new(),
        gaps: Vec::new(),
    };

    let chosen: Result<Prepared, String> = match candidates {
        Err(why) => Err(why),
        Ok(candidates) if candidates.is_empty() => {
            let why = format!(
                "no dockerd process runs on this host (looked in {})",
                under(root, "/proc").display()
            );
            if !explicit {
                return DaemonCollection::missing(format!(
                    "{why}: the engine at {} runs elsewhere (a forwarded socket, a VM such as Docker Desktop's, another machine); pass --host-root with that host's root directory mounted to read its configuration",
                    endpoint.url()
                ));
            }
            Err(why)
        }
        Ok(prepared) => match choose(prepared, endpoint, info, root) {
            Ok(p) => Ok(p),
            Err(why) if !explicit => return DaemonCollection::missing(why),
            Err(why) => Err(why),
        },
    };

    let mut config = DaemonConfig::default();
    let (flag_uses, env_tls_verify, file_read) = match chosen {
        Ok(mut p) => {
            let masked = redact_args(&mut p.candidate.args);
            out.redactions.extend(
                masked
                    .into_iter()
                    .map(|m| redaction("daemon", "dockerd", "cmdline", m)),
            );
            // Parse again from the masked arguments, so no secret reaches a setting.
            let flag_uses = flags::parse(&p.candidate.args);
            config.process = Fact::Value(DaemonProcess {
                pid: p.candidate.pid,
                cmdline_path: p.candidate.cmdline_path.clone(),
                args: p.candidate.args.clone(),
                matched_by: p.matched_by.clone(),
                uid: p.candidate.uid,
            });
            let env_tls = p
                .candidate
                .env_var("DOCKER_TLS_VERIFY")
                .map(|v| v.to_string());
            (flag_uses, env_tls, p.file)
        }
        Err(why) => {
            out.gaps.push(Gap {
                what: "dockerd command line".into(),
                why: why.clone(),
            });
            config.process = Fact::Missing(why.clone());
            let rootless = info.is_some_and(|i| i.has_security_option("rootless"));
            let file = if rootless {
                FileRead::failed(
                    String::new(),
                    String::new(),
                    format!("the engine is rootless: its daemon.json is in the home of the user who runs it, which is unknown because {why}"),
                )
            } else {
                read_config_file(
                    root,
                    "/etc/docker/daemon.json",
                    "default (assumed: the dockerd command line, which may name another file with --config-file, was not read)",
                )
            };
            (Vec::new(), None, file)
        }
    };

    // The file.
    let mut file_keys: Vec<json::FileKey> = Vec::new();
    config.file = match &file_read.outcome {
        FileOutcome::Failed(why) => {
            out.gaps.push(Gap {
                what: "daemon.json".into(),
                why: why.clone(),
            });
            Fact::Missing(why.clone())
        }
        FileOutcome::Absent => Fact::Value(ConfigFile {
            path: file_read.path.clone(),
            chosen_by: file_read.chosen_by.clone(),
            state: FileState::Absent,
        }),
        FileOutcome::Malformed { line, column, why } => {
            config.problems.push(ConfigProblem {
                path: file_read.path.clone(),
                line: *line,
                column: *column,
                kind: ProblemKind::Malformed,
                key: None,
                message: format!(
                    "{} is not valid daemon.json ({why}): dockerd will refuse to start with it",
                    file_read.path
                ),
            });
            Fact::Value(ConfigFile {
                path: file_read.path.clone(),
                chosen_by: file_read.chosen_by.clone(),
                state: FileState::Malformed,
            })
        }
        FileOutcome::Parsed { object, positions } => {
            let mut value = Value::Object(object.clone());
            let mut masked = Vec::new();
            mask_strings(&mut value, "", &mut masked);
            out.redactions.extend(
                masked
                    .into_iter()
                    .map(|m| redaction("daemon", &file_read.path, "daemon.json", m)),
            );
            let masked = value.as_object().cloned().unwrap_or_default();
            file_keys = json::file_keys(&masked, positions);
            for key in &file_keys {
                let inside = if key.path.len() > 1 {
                    format!(" (inside \"{}\")", key.path[0])
                } else {
                    String::new()
                };
                if let Some(right) = json::ignored_key(&key.key) {
                    config.problems.push(ConfigProblem {
                        path: file_read.path.clone(),
                        line: key.line,
                        column: key.column,
                        kind: ProblemKind::IgnoredKey,
                        key: Some(key.key.clone()),
                        message: format!(
                            "\"{}\"{inside} in {} line {} is the name of the dockerd flag, not of a daemon.json setting: dockerd accepts it and ignores it; the daemon.json name is \"{right}\"",
                            key.key, file_read.path, key.line
                        ),
                    });
                } else if !json::is_known_key(&key.key) {
                    config.problems.push(ConfigProblem {
                        path: file_read.path.clone(),
                        line: key.line,
                        column: key.column,
                        kind: ProblemKind::UnknownKey,
                        key: Some(key.key.clone()),
                        message: format!(
                            "unknown key \"{}\"{inside} in {} line {}: dockerd will refuse to start with it",
                            key.key, file_read.path, key.line
                        ),
                    });
                }
            }
            for dup in json::duplicates(positions) {
                let key = dup.path.join(".");
                config.problems.push(ConfigProblem {
                    path: file_read.path.clone(),
                    line: dup.line,
                    column: dup.column,
                    kind: ProblemKind::DuplicateKey,
                    key: Some(key.clone()),
                    message: format!(
                        "key \"{key}\" is repeated in {} line {}: only its last value counts",
                        file_read.path, dup.line
                    ),
                });
            }
            Fact::Value(ConfigFile {
                path: file_read.path.clone(),
                chosen_by: file_read.chosen_by.clone(),
                state: FileState::Read,
            })
        }
    };

    config.settings = reconcile(
        info,
        &flag_uses,
        env_tls_verify.as_deref(),
        &file_keys,
        &file_read.path,
    );
    config.conflicts = conflicts(&flag_uses, &file_keys, &config.settings, &file_read.path);
    config.problems.sort_by_key(|p| (p.line, p.column, p.kind));
    out.config = Fact::Value(config);
    out
}

/// A dockerd candidate with what was worked out about it.
struct Prepared {
    candidate: Candidate,
    file: FileRead,
    data_root: String,
    hosts: Vec<String>,
    matched_by: String,
}

impl Prepared {
    fn new(root: &Path, candidate: Candidate) -> Prepared {
        let flags = flags::parse(&candidate.args);
        let last = |key: &str| {
            flags
                .iter()
                .rev()
                .find(|u| u.key == key)
                .map(|u| u.value.clone())
        };
        let rootless =
            last("rootless").is_some_and(|v| v != "false") || candidate.uid.is_some_and(|u| u != 0);
        let home = candidate
            .env_var("HOME")
            .map(str::to_string)
            .or_else(|| candidate.uid.and_then(|uid| process::home_of(root, uid)));
        let file = match last("config-file") {
            Some(path) => read_config_file(root, &path, "--config-file"),
            None if rootless => {
                let dir = candidate
                    .env_var("XDG_CONFIG_HOME")
                    .map(str::to_string)
                    .or_else(|| home.as_ref().map(|h| format!("{h}/.config")));
                match dir {
                    Some(dir) => read_config_file(
                        root,
                        &format!("{dir}/docker/daemon.json"),
                        "rootless default",
                    ),
                    None => FileRead::failed(
                        String::new(),
                        "rootless default".into(),
                        format!(
                            "dockerd (pid {}) runs rootless, and its user's home directory is unknown",
                            candidate.pid
                        ),
                    ),
                }
            }
            None => read_config_file(root, "/etc/docker/daemon.json", "default"),
        };
        let file_str = |key: &str| match &file.outcome {
            FileOutcome::Parsed { object, .. } => {
                object.get(key).and_then(Value::as_str).map(str::to_string)
            }
            _ => None,
        };
        let data_root = last("data-root")
            .or_else(|| last("graph"))
            .or_else(|| file_str("data-root"))
            .or_else(|| file_str("graph"))
            .unwrap_or_else(|| {
                if rootless {
                    candidate
                        .env_var("XDG_DATA_HOME")
                        .map(|d| format!("{d}/docker"))
                        .or_else(|| home.as_ref().map(|h| format!("{h}/.local/share/docker")))
                        .unwrap_or_default()
                } else {
                    "/var/lib/docker".into()
                }
            });
        let mut hosts: Vec<String> = flags
            .iter()
            .filter(|u| u.key == "hosts")
            .map(|u| u.value.clone())
            .collect();
        if hosts.is_empty() {
            if let FileOutcome::Parsed { object, .. } = &file.outcome {
                hosts = value_as_strings(object.get("hosts").unwrap_or(&Value::Null));
            }
        }
        if hosts.is_empty() {
            hosts.push(if rootless {
                let run = candidate
                    .env_var("XDG_RUNTIME_DIR")
                    .map(str::to_string)
                    .or_else(|| candidate.uid.map(|u| format!("/run/user/{u}")))
                    .unwrap_or_default();
                format!("unix://{run}/docker.sock")
            } else {
                "unix:///var/run/docker.sock".into()
            });
        }
        Prepared {
            candidate,
            file,
            data_root,
            hosts,
            matched_by: String::new(),
        }
    }

    /// Whether this dockerd listens where the audited endpoint is.
    fn listens_on(&self, endpoint: &Endpoint, root: &Path) -> bool {
        match endpoint {
            Endpoint::Unix(path) => {
                let wanted = path.to_string_lossy();
                // Seen from a container, the host's socket may be under the host root.
                let wanted = wanted
                    .strip_prefix(root.to_string_lossy().trim_end_matches('/'))
                    .filter(|_| root != Path::new("/"))
                    .map(str::to_string)
                    .unwrap_or_else(|| wanted.to_string());
                let wanted = normalise_socket(&wanted);
                self.hosts.iter().any(|h| {
                    if h.starts_with("fd://") {
                        // systemd socket activation: docker.socket's default path.
                        wanted == "/run/docker.sock"
                    } else {
                        h.strip_prefix("unix://")
                            .is_some_and(|p| normalise_socket(p) == wanted)
                    }
                })
            }
            Endpoint::Tcp(addr) | Endpoint::Tls { addr, .. } => {
                let port = addr.rsplit(':').next().unwrap_or_default();
                self.hosts.iter().any(|h| {
                    (h.starts_with("tcp://") || h.starts_with("http://"))
                        && h.trim_end_matches('/').rsplit(':').next() == Some(port)
                })
            }
        }
    }

    /// Whether the engine's `DockerRootDir` is this dockerd's data root (with user namespace
    /// remapping it is `ROOT/UID.GID`).
    fn serves_root(&self, docker_root_dir: &str) -> bool {
        let own = self.data_root.trim_end_matches('/');
        if own.is_empty() || docker_root_dir.is_empty() {
            return false;
        }
        docker_root_dir == own
            || docker_root_dir
                .strip_prefix(own)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|rest| {
                    rest.split_once('.').is_some_and(|(u, g)| {
                        !u.is_empty()
                            && !g.is_empty()
                            && u.chars().all(|c| c.is_ascii_digit())
                            && g.chars().all(|c| c.is_ascii_digit())
                    })
                })
    }
}

/// `/var/run/x` and `/run/x` are the same place on every current distribution.
fn normalise_socket(path: &str) -> String {
    match path.strip_prefix("/var/run/") {
        Some(rest) => format!("/run/{rest}"),
        None => path.to_string(),
    }
}

/// Picks the dockerd that serves the audited engine.
fn choose(
    candidates: Vec<Prepared>,
    endpoint: &Endpoint,
    info: Option<&EngineInfo>,
    root: &Path,
) -> Result<Prepared, String> {
    let root_dir = info.map(|i| i.docker_root_dir.as_str()).unwrap_or("");
    let by_socket: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].listens_on(endpoint, root))
        .collect();
    let by_root: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].serves_root(root_dir))
        .collect();
    let both: Vec<usize> = by_socket
        .iter()
        .copied()
        .filter(|i| by_root.contains(i))
        .collect();
    let (index, why) = if both.len() == 1 {
        (
            both[0],
            format!(
                "listens on {} and its data root {} is the engine's",
                endpoint.url(),
                candidates[both[0]].data_root
            ),
        )
    } else if by_socket.len() == 1 {
        (by_socket[0], format!("listens on {}", endpoint.url()))
    } else if by_root.len() == 1 && by_socket.is_empty() {
        (
            by_root[0],
            format!("its data root {root_dir} is the engine's DockerRootDir"),
        )
    } else if candidates.len() == 1 && info.is_none() {
        (0, "the only dockerd process on this host".to_string())
    } else {
        let seen: Vec<String> = candidates
            .iter()
            .map(|c| {
                format!(
                    "pid {} (data root {}, listening on {})",
                    c.candidate.pid,
                    c.data_root,
                    c.hosts.join(", ")
                )
            })
            .collect();
        return Err(format!(
            "none of the dockerd processes on this host is clearly the one serving {} (data root {}): {}",
            endpoint.url(),
            if root_dir.is_empty() { "unknown" } else { root_dir },
            seen.join("; ")
        ));
    };
    let mut chosen = candidates
        .into_iter()
        .nth(index)
        .ok_or_else(|| "internal: candidate index out of range".to_string())?;
    chosen.matched_by = why;
    Ok(chosen)
}

/// The outcome of reading a daemon.json.
#[derive(Debug)]
enum FileOutcome {
    /// No file at that path.
    Absent,
    /// Unreadable (permissions, a directory, too large).
    Failed(String),
    /// Present but unusable.
    Malformed {
        line: usize,
        column: usize,
        why: String,
    },
    /// A JSON object (an empty file counts as `{}`, as for dockerd).
    Parsed {
        object: Map<String, Value>,
        positions: Vec<json::KeyPos>,
    },
}

/// A daemon.json and how its path was chosen.
#[derive(Debug)]
struct FileRead {
    path: String,
    chosen_by: String,
    outcome: FileOutcome,
}

impl FileRead {
    fn failed(path: String, chosen_by: String, why: String) -> FileRead {
        FileRead {
            path,
            chosen_by,
            outcome: FileOutcome::Failed(why),
        }
    }
}

/// Reads and parses the daemon.json at `path` (as the host sees it) under `root`.
fn read_config_file(root: &Path, path: &str, chosen_by: &str) -> FileRead {
    let shown = path.to_string();
    let real = under(root, path);
    let done = |outcome| FileRead {
        path: shown.clone(),
        chosen_by: chosen_by.to_string(),
        outcome,
    };
    let file = match std::fs::File::open(&real) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return done(FileOutcome::Absent),
        Err(e) => {
            return done(FileOutcome::Failed(format!(
                "{} could not be read: {e}",
                real.display()
            )))
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes) {
        return done(FileOutcome::Failed(format!(
            "{} could not be read: {e}",
            real.display()
        )));
    }
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return done(FileOutcome::Failed(format!(
            "{} is larger than {MAX_CONFIG_BYTES} bytes, more than dockaudit reads",
            real.display()
        )));
    }
    let text = match decode(&bytes) {
        Ok(t) => t,
        Err(why) => {
            return done(FileOutcome::Malformed {
                line: 1,
                column: 1,
                why,
            })
        }
    };
    if text.trim().is_empty() {
        return done(FileOutcome::Parsed {
            object: Map::new(),
            positions: Vec::new(),
        });
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => done(FileOutcome::Parsed {
            positions: json::key_positions(&text),
            object,
        }),
        Ok(other) => done(FileOutcome::Malformed {
            line: 1,
            column: 1,
            why: format!("it holds a JSON {}, not an object", json_kind(&other)),
        }),
        Err(e) => done(FileOutcome::Malformed {
            line: e.line().max(1),
            column: e.column().max(1),
            why: e.to_string(),
        }),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Decodes daemon.json the way dockerd does: UTF-8 with or without a byte order mark, or UTF-16
/// little-endian with one (what Windows PowerShell writes).
fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units).map_err(|e| format!("invalid UTF-16: {e}"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8(bytes.to_vec())
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

/// A flag's value in daemon.json's type: booleans for boolean flags, strings otherwise.
fn flag_value(u: &FlagUse) -> Value {
    match u.flag.map(|f| f.kind) {
        Some(Kind::Bool) => value_as_bool(&Value::String(u.value.clone()))
            .map(Value::Bool)
            .unwrap_or_else(|| Value::String(u.value.clone())),
        _ => Value::String(u.value.clone()),
    }
}

/// Builds every setting from its origins: `/info` first, then flags, the environment and the file.
fn reconcile(
    info: Option<&EngineInfo>,
    flag_uses: &[FlagUse],
    env_tls_verify: Option<&str>,
    file_keys: &[json::FileKey],
    file_path: &str,
) -> BTreeMap<String, Setting> {
    let mut origins: BTreeMap<String, Vec<Origin>> = BTreeMap::new();
    if let Some(info) = info {
        for (key, value, text) in info_settings(info) {
            origins.entry(key.to_string()).or_default().push(Origin {
                kind: SourceKind::Info,
                text,
                value,
                path: None,
                line: None,
            });
        }
    }
    for u in flag_uses {
        origins.entry(u.key.clone()).or_default().push(Origin {
            kind: SourceKind::Flag,
            text: u.text.clone(),
            value: flag_value(u),
            path: None,
            line: None,
        });
    }
    if let Some(v) = env_tls_verify {
        // dockerd defaults --tlsverify to on when DOCKER_TLS_VERIFY is set in its environment.
        origins.entry("tlsverify".into()).or_default().push(Origin {
            kind: SourceKind::Environment,
            text: format!("DOCKER_TLS_VERIFY={v}"),
            value: Value::Bool(true),
            path: None,
            line: None,
        });
    }
    for k in file_keys {
        let shown = if k.path.len() > 1 {
            format!(
                "\"{}\": {{\"{}\": {}}}",
                k.path[0],
                k.key,
                compact(&k.value)
            )
        } else {
            format!("\"{}\": {}", k.key, compact(&k.value))
        };
        origins.entry(k.key.clone()).or_default().push(Origin {
            kind: SourceKind::File,
            text: shown,
            value: k.value.clone(),
            path: Some(file_path.to_string()),
            line: Some(k.line),
        });
    }
    origins
        .into_iter()
        .map(|(key, origins)| {
            let value = effective_value(&key, &origins);
            (
                key.clone(),
                Setting {
                    key,
                    value,
                    origins,
                },
            )
        })
        .collect()
}

/// The value in effect: `/info`'s, else the flags' (every value of a list flag, the last of any
/// other), else the environment's, else the file's.
fn effective_value(key: &str, origins: &[Origin]) -> Value {
    let of = |kind: SourceKind| origins.iter().filter(move |o| o.kind == kind);
    if let Some(o) = of(SourceKind::Info).next() {
        return o.value.clone();
    }
    let flags: Vec<&Origin> = of(SourceKind::Flag).collect();
    if !flags.is_empty() {
        let is_list = flags::by_key(key).is_some_and(|f| f.kind == Kind::List);
        return if is_list {
            Value::Array(flags.iter().map(|o| o.value.clone()).collect())
        } else {
            flags.last().map(|o| o.value.clone()).unwrap_or(Value::Null)
        };
    }
    of(SourceKind::Environment)
        .chain(of(SourceKind::File))
        .next()
        .map(|o| o.value.clone())
        .unwrap_or(Value::Null)
}

/// One line of JSON, cut to stay readable in a message.
fn compact(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(79).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Settings `/info` reports that a file value can disagree with in a way that matters.
const DRIFT_KEYS: &[&str] = &[
    "live-restore",
    "experimental",
    "debug",
    "storage-driver",
    "log-driver",
    "authorization-plugins",
    "no-new-privileges",
];

/// Flag-and-file pairs dockerd refuses, and file values the running daemon does not have.
fn conflicts(
    flag_uses: &[FlagUse],
    file_keys: &[json::FileKey],
    settings: &BTreeMap<String, Setting>,
    file_path: &str,
) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = Vec::new();
    for u in flag_uses {
        // dockerd matches a named option by its daemon.json name, any other flag by its long or
        // short name; `runtimes` may be given both ways.
        let names: Vec<String> = match u.flag {
            Some(f) if f.is_named() => vec![f.key.to_string()],
            Some(f) => std::iter::once(f.long.to_string())
                .chain(f.short.map(|c| c.to_string()))
                .collect(),
            None => vec![u.key.clone()],
        };
        if names.iter().any(|n| n == "runtimes") {
            continue;
        }
        let Some(in_file) = file_keys.iter().find(|k| names.contains(&k.key)) else {
            continue;
        };
        if out
            .iter()
            .any(|c| c.kind == ConflictKind::FlagAndFile && c.key == u.key)
        {
            continue;
        }
        let setting = settings.get(&u.key);
        let origins: Vec<Origin> = setting
            .map(|s| {
                s.origins
                    .iter()
                    .filter(|o| matches!(o.kind, SourceKind::Flag | SourceKind::File))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        out.push(Conflict {
            key: u.key.clone(),
            kind: ConflictKind::FlagAndFile,
            origins,
            message: format!(
                "{} is set both by `{}` on the dockerd command line and by \"{}\" in {file_path} line {}: dockerd refuses to start with a setting given both ways, so the file was changed after the daemon started and its next restart will fail",
                u.key, u.text, in_file.key, in_file.line
            ),
        });
    }
    for key in DRIFT_KEYS {
        let Some(setting) = settings.get(*key) else {
            continue;
        };
        let has_flag = setting.origins.iter().any(|o| o.kind == SourceKind::Flag);
        let running = setting.origins.iter().find(|o| o.kind == SourceKind::Info);
        let file = setting.origins.iter().find(|o| o.kind == SourceKind::File);
        let (Some(running), Some(file), false) = (running, file, has_flag) else {
            continue;
        };
        if same_value(&running.value, &file.value) {
            continue;
        }
        out.push(Conflict {
            key: key.to_string(),
            kind: ConflictKind::FileAndRunning,
            origins: vec![running.clone(), file.clone()],
            message: format!(
                "{file_path} line {} sets {} but the running daemon reports {}: the file was changed after the daemon started and has not been applied (reload with SIGHUP where the setting allows it, or restart the daemon)",
                file.line.unwrap_or(0),
                file.text,
                running.text
            ),
        });
    }
    out
}

/// Masks secret values anywhere in a daemon.json value: each string is judged by the name of the
/// key that holds it (`http-proxy`, a `log-opts` entry such as `splunk-token`) and by its format.
fn mask_strings(value: &mut Value, key: &str, found: &mut Vec<Masked>) {
    match value {
        Value::String(s) => found.extend(redact_named(key, s)),
        Value::Array(items) => {
            for item in items {
                mask_strings(item, key, found);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                mask_strings(v, k, found);
            }
        }
        _ => {}
    }
}

/// Whether two values state the same setting (booleans in any spelling, lists in any order).
fn same_value(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (value_as_bool(a), value_as_bool(b)) {
        return x == y;
    }
    if a.is_array() || b.is_array() {
        let mut x = value_as_strings(a);
        let mut y = value_as_strings(b);
        x.sort();
        y.sort();
        return x == y;
    }
    a == b
}

#[cfg(test)]
mod tests;
