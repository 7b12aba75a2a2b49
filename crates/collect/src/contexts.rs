//! Docker contexts (`docker context create`): a named endpoint the Docker CLI keeps in its config
//! directory (`$DOCKER_CONFIG`, else `~/.docker`), as `contexts/meta/<id>/meta.json` and, for TLS,
//! `contexts/tls/<id>/docker/{ca,cert,key}.pem`. Only files are read; nothing is run.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::connect::{resolve_endpoint, Endpoint, EndpointEnv};

/// Largest meta.json read: a context's is a few hundred bytes.
const MAX_META_BYTES: u64 = 1024 * 1024;
/// Largest config.json read: it holds registry logins and settings, a few kilobytes.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Why a context could not be used.
#[derive(Debug, thiserror::Error)]
#[error("Docker context `{name}`: {why}")]
pub struct ContextError {
    /// The context asked for.
    pub name: String,
    /// What is wrong, naming the file where there is one.
    pub why: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Meta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    endpoints: std::collections::BTreeMap<String, MetaEndpoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetaEndpoint {
    #[serde(default)]
    host: String,
    #[serde(default, rename = "SkipTLSVerify")]
    skip_tls_verify: bool,
}

/// The Docker CLI's config directory: `DOCKER_CONFIG`, else `~/.docker`.
pub fn docker_config_dir(docker_config: Option<&str>, home: Option<&str>) -> PathBuf {
    match (docker_config, home) {
        (Some(dir), _) => PathBuf::from(dir),
        (None, Some(home)) => Path::new(home).join(".docker"),
        (None, None) => PathBuf::from(".docker"),
    }
}

/// The endpoint of context `name` in `config_dir`. `default` is the Docker CLI's own context:
/// `DOCKER_HOST`, else the usual local sockets (as without `--context`).
pub fn context_endpoint(
    name: &str,
    config_dir: &Path,
    env: &EndpointEnv,
) -> Result<Endpoint, ContextError> {
    let fail = |why: String| ContextError {
        name: name.to_string(),
        why,
    };
    if name == "default" {
        return resolve_endpoint(None, env).map_err(|e| fail(e.to_string()));
    }
    let meta_root = config_dir.join("contexts").join("meta");
    let dirs = std::fs::read_dir(&meta_root).map_err(|e| {
        fail(format!(
            "cannot read {} ({e}); `docker context ls` lists the contexts",
            meta_root.display()
        ))
    })?;
    let mut bad = Vec::new();
    for dir in dirs.flatten() {
        let path = dir.path().join("meta.json");
        let meta = match read_meta(&path) {
            Ok(meta) => meta,
            Err(why) => {
                bad.push(why);
                continue;
            }
        };
        if meta.name != name {
            continue;
        }
        let Some(docker) = meta.endpoints.get("docker") else {
            return Err(fail(format!("{} has no docker endpoint", path.display())));
        };
        if docker.host.is_empty() {
            return Err(fail(format!("{} names no Host", path.display())));
        }
        let tls_dir = config_dir
            .join("contexts")
            .join("tls")
            .join(dir.file_name())
            .join("docker");
        return endpoint_of(&docker.host, docker.skip_tls_verify, &tls_dir).map_err(fail);
    }
    let mut why = format!(
        "no such context in {}; `docker context ls` lists them",
        meta_root.display()
    );
    if !bad.is_empty() {
        why.push_str(&format!(" (unreadable: {})", bad.join("; ")));
    }
    Err(fail(why))
}

/// The part of the Docker CLI's `config.json` read here: only the current context's name, so
/// that the registry credentials beside it are never held.
#[derive(Deserialize)]
struct CliConfig {
    #[serde(default, rename = "currentContext")]
    current_context: String,
}

/// The context the Docker CLI would use when neither `--host` nor `--context` is given, by its
/// order: `DOCKER_HOST` set means none (the host is used as it is), then `DOCKER_CONTEXT`, then
/// `currentContext` in `config.json` (`docker context use NAME`). `None` also for the CLI's own
/// `default` context. A config.json that cannot be read is an error naming it: auditing another
/// engine than the one `docker` talks to would be worse than stopping.
pub fn implicit_context(
    config_dir: &Path,
    docker_host: Option<&str>,
    docker_context: Option<&str>,
) -> Result<Option<String>, ContextError> {
    if docker_host.is_some_and(|h| !h.is_empty()) {
        return Ok(None);
    }
    let name = match docker_context.filter(|c| !c.is_empty()) {
        Some(name) => name.to_string(),
        None => {
            let path = config_dir.join("config.json");
            let config: CliConfig = match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(config_error(&path, e.to_string())),
                Ok(m) if m.len() > MAX_CONFIG_BYTES => {
                    return Err(config_error(
                        &path,
                        format!("{} bytes is not a Docker CLI configuration", m.len()),
                    ))
                }
                Ok(_) => {
                    let bytes =
                        std::fs::read(&path).map_err(|e| config_error(&path, e.to_string()))?;
                    serde_json::from_slice(&bytes)
                        .map_err(|e| config_error(&path, e.to_string()))?
                }
            };
            config.current_context
        }
    };
    Ok(Some(name).filter(|n| !n.is_empty() && n != "default"))
}

/// The error for a config.json that cannot be used.
fn config_error(path: &Path, why: String) -> ContextError {
    ContextError {
        name: "(current)".to_string(),
        why: format!(
            "{}: {why} (pass --host or --context to choose the engine)",
            path.display()
        ),
    }
}

fn read_meta(path: &Path) -> Result<Meta, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if size > MAX_META_BYTES {
        return Err(format!("{}: {size} bytes is not a context", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A context's `Host` as an endpoint: TLS when the context has TLS material, as the Docker CLI does.
fn endpoint_of(host: &str, skip_tls_verify: bool, tls_dir: &Path) -> Result<Endpoint, String> {
    // Parsed as `--host` is, with no DOCKER_TLS_VERIFY: TLS comes from the context alone.
    let endpoint =
        resolve_endpoint(Some(host), &EndpointEnv::default()).map_err(|e| e.to_string())?;
    let Endpoint::Tcp(addr) = endpoint else {
        return Ok(endpoint);
    };
    if !tls_dir.join("ca.pem").exists() && !tls_dir.join("cert.pem").exists() {
        return Ok(Endpoint::Tcp(addr));
    }
    if skip_tls_verify {
        return Err(format!(
            "it sets SkipTLSVerify, and dockaudit always verifies the engine's certificate; \
             give the context the engine's CA (docker context update --docker \"host={host},ca=…,cert=…,key=…\")"
        ));
    }
    Ok(Endpoint::Tls {
        addr,
        cert_path: tls_dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_implicit_context_follows_the_docker_clis_order() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path();
        // No config.json: the default engine.
        assert_eq!(implicit_context(config, None, None).unwrap(), None);
        // `docker context use prod` writes currentContext beside the logins.
        std::fs::write(
            config.join("config.json"),
            r#"{"auths":{"registry.example":{"auth":"dXNlcjpwYXNz"}},"currentContext":"prod"}"#,
        )
        .unwrap();
        assert_eq!(
            implicit_context(config, None, None).unwrap().as_deref(),
            Some("prod")
        );
        assert_eq!(
            implicit_context(config, None, Some("staging"))
                .unwrap()
                .as_deref(),
            Some("staging")
        );
        assert_eq!(
            implicit_context(config, None, Some("default")).unwrap(),
            None
        );
        assert_eq!(
            implicit_context(config, Some("tcp://h:2375"), Some("staging")).unwrap(),
            None
        );
        std::fs::write(config.join("config.json"), "{\"currentContext\": 7").unwrap();
        let e = implicit_context(config, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("config.json"), "{e}");
        // DOCKER_CONTEXT wins before the file is read.
        assert_eq!(
            implicit_context(config, None, Some("staging"))
                .unwrap()
                .as_deref(),
            Some("staging")
        );
    }

    /// Writes a context as `docker context create` lays it out (the directory name is the sha256
    /// of the name there; any name works for the reader, which matches on `Name`).
    fn context(config: &Path, dir: &str, meta: &str) {
        let d = config.join("contexts/meta").join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("meta.json"), meta).unwrap();
    }

    #[test]
    fn a_context_is_found_by_name_with_its_tls_material() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path();
        context(
            config,
            "aaa",
            r#"{"Name":"local","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///run/x.sock","SkipTLSVerify":false}}}"#,
        );
        context(
            config,
            "bbb",
            r#"{"Name":"prod","Metadata":{"Description":"p"},"Endpoints":{"docker":{"Host":"tcp://prod:2376","SkipTLSVerify":false}}}"#,
        );
        context(config, "ccc", "not json");
        let tls = config.join("contexts/tls/bbb/docker");
        std::fs::create_dir_all(&tls).unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(tls.join(f), "x").unwrap();
        }
        let env = EndpointEnv::default();
        assert_eq!(
            context_endpoint("local", config, &env).unwrap(),
            Endpoint::Unix("/run/x.sock".into())
        );
        assert_eq!(
            context_endpoint("prod", config, &env).unwrap(),
            Endpoint::Tls {
                addr: "prod:2376".into(),
                cert_path: tls
            }
        );
        let e = context_endpoint("nope", config, &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`nope`") && e.contains("no such context"), "{e}");
        assert!(
            e.contains("ccc/meta.json"),
            "the unreadable one is named: {e}"
        );
    }

    #[test]
    fn skip_tls_verify_and_missing_directories_are_clear_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let env = EndpointEnv::default();
        let e = context_endpoint("x", tmp.path(), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("contexts/meta"), "{e}");
        context(
            tmp.path(),
            "d",
            r#"{"Name":"x","Endpoints":{"docker":{"Host":"tcp://h:2376","SkipTLSVerify":true}}}"#,
        );
        let tls = tmp.path().join("contexts/tls/d/docker");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        let e = context_endpoint("x", tmp.path(), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("SkipTLSVerify"), "{e}");
        // default is the CLI's own: DOCKER_HOST.
        let env = EndpointEnv {
            docker_host: Some("tcp://d:2375".into()),
            ..EndpointEnv::default()
        };
        assert_eq!(
            context_endpoint("default", tmp.path(), &env).unwrap(),
            Endpoint::Tcp("d:2375".into())
        );
    }

    #[test]
    fn the_config_dir_is_docker_config_else_home() {
        assert_eq!(
            docker_config_dir(Some("/etc/dc"), Some("/home/u")),
            PathBuf::from("/etc/dc")
        );
        assert_eq!(
            docker_config_dir(None, Some("/home/u")),
            PathBuf::from("/home/u/.docker")
        );
    }
}
