//! Docker contexts (`docker context create`): a named endpoint the Docker CLI keeps in its config
//! directory (`$DOCKER_CONFIG`, else `~/.docker`), as `contexts/meta/<id>/meta.json` and, for TLS,
//! `contexts/tls/<id>/docker/{ca,cert,key}.pem`. Only files are read; nothing is run.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::connect::{resolve_endpoint, Endpoint, EndpointEnv};

/// Largest meta.json read: a context's is a few hundred bytes.
const MAX_META_BYTES: u64 = 1024 * 1024;

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
