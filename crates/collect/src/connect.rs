//! Finding and connecting to the engine: `--host`, `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` /
//! `DOCKER_CERT_PATH`), then the usual local sockets (Docker, rootless Docker, Podman), with API
//! version negotiation so engines from API 1.41 (Docker 20.10) to current ones work.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bollard::{Docker, API_DEFAULT_VERSION};

use crate::bounded::{chain_once, describe, tls_config, transport, Dial, Oversized};

/// Where the engine is, as the user would write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix socket path.
    Unix(PathBuf),
    /// Plain TCP (`tcp://` or `http://`): no TLS.
    Tcp(String),
    /// TCP with TLS, with the directory holding `ca.pem`, `cert.pem`, `key.pem`.
    Tls {
        /// `host:port`.
        addr: String,
        /// Certificate directory.
        cert_path: PathBuf,
    },
}

impl Endpoint {
    /// The endpoint as a URL for reports: `unix:///var/run/docker.sock`, `tcp://h:2376`.
    pub fn url(&self) -> String {
        match self {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Tcp(a) | Endpoint::Tls { addr: a, .. } => format!("tcp://{a}"),
        }
    }
}

/// The environment values endpoint resolution reads; passed in so it is testable.
#[derive(Debug, Clone, Default)]
pub struct EndpointEnv {
    /// `DOCKER_HOST`.
    pub docker_host: Option<String>,
    /// `DOCKER_TLS_VERIFY` (any non-empty value but `0` enables TLS).
    pub tls_verify: Option<String>,
    /// `DOCKER_CERT_PATH`.
    pub cert_path: Option<String>,
    /// `XDG_RUNTIME_DIR`, for the rootless Docker and Podman sockets.
    pub xdg_runtime_dir: Option<String>,
    /// `HOME`, for the default certificate directory `~/.docker`.
    pub home: Option<String>,
}

impl EndpointEnv {
    /// Reads the variables from the process environment.
    pub fn from_process() -> EndpointEnv {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        EndpointEnv {
            docker_host: var("DOCKER_HOST"),
            tls_verify: var("DOCKER_TLS_VERIFY"),
            cert_path: var("DOCKER_CERT_PATH"),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            home: var("HOME"),
        }
    }
}

/// Why the engine could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL is not one dockaudit can use.
    #[error("cannot use engine endpoint `{url}`: {why}. Use unix:///path/to/docker.sock, tcp://HOST:PORT (plain) or tcp://HOST:2376 with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH.")]
    BadUrl {
        /// What was given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// No socket was given and none of the usual ones exists.
    #[error("no container engine found: none of {tried} exists. Start Docker or Podman, or point dockaudit at the engine with --host or DOCKER_HOST (unix:///path/to/docker.sock or tcp://HOST:PORT).")]
    NoEngineFound {
        /// The places looked at.
        tried: String,
    },
    /// The socket exists but this user may not open it.
    #[error("permission denied on the engine socket {endpoint}. Run dockaudit as a member of the `docker` group (`sudo usermod -aG docker $USER`, then log in again), with sudo, or point it at a socket you own such as the rootless one (--host unix://$XDG_RUNTIME_DIR/docker.sock).")]
    PermissionDenied {
        /// The endpoint URL.
        endpoint: String,
    },
    /// The engine answered `GET /version`, but with an error or with something that is not the
    /// Engine API's answer: it is reachable, and broken or not an engine.
    #[error("the container engine at {endpoint} answered GET /version, but not usably: {why}. Check the daemon's own log (`journalctl -u docker`); if something else listens there (a proxy, another service), point dockaudit at the engine's socket with --host.")]
    BadAnswer {
        /// The endpoint URL.
        endpoint: String,
        /// The engine's answer, in words.
        why: String,
    },
    /// Nothing answered, or it did not speak the Engine API.
    #[error("cannot reach the container engine at {endpoint}: {why}. Check that the daemon is running (`systemctl status docker`), that the address is right, and for TCP that the port is reachable and TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) match the daemon's.")]
    Unreachable {
        /// The endpoint URL.
        endpoint: String,
        /// The underlying error, in words.
        why: String,
    },
}

/// Decides which endpoint to use: `--host`, then `DOCKER_HOST`, then the first local socket that
/// exists among Docker's, rootless Docker's and Podman's.
pub fn resolve_endpoint(host: Option<&str>, env: &EndpointEnv) -> Result<Endpoint, ConnectError> {
    if let Some(url) = host.or(env.docker_host.as_deref()) {
        return parse_url(url, env);
    }
    let mut candidates: Vec<PathBuf> = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(xdg) = &env.xdg_runtime_dir {
        candidates.push(Path::new(xdg).join("docker.sock"));
    }
    candidates.push(PathBuf::from("/run/podman/podman.sock"));
    if let Some(xdg) = &env.xdg_runtime_dir {
        candidates.push(Path::new(xdg).join("podman/podman.sock"));
    }
    candidates
        .iter()
        .find(|p| p.exists())
        .map(|p| Endpoint::Unix(p.clone()))
        .ok_or_else(|| ConnectError::NoEngineFound {
            tried: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn parse_url(url: &str, env: &EndpointEnv) -> Result<Endpoint, ConnectError> {
    let bad = |why: &str| ConnectError::BadUrl {
        url: url.to_string(),
        why: why.to_string(),
    };
    if let Some(path) = url.strip_prefix("unix://") {
        if path.is_empty() {
            return Err(bad("the socket path is empty"));
        }
        return Ok(Endpoint::Unix(PathBuf::from(path)));
    }
    if url.starts_with('/') {
        return Ok(Endpoint::Unix(PathBuf::from(url)));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("it has no scheme"))?;
    let addr = rest.trim_end_matches('/');
    if addr.is_empty() {
        return Err(bad("the address is empty"));
    }
    if !addr.contains(':') {
        return Err(bad("the port is missing"));
    }
    let tls_wanted = env
        .tls_verify
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "0");
    let cert_path = || {
        env.cert_path
            .as_ref()
            .map(PathBuf::from)
            .or_else(|| env.home.as_ref().map(|h| Path::new(h).join(".docker")))
            .unwrap_or_else(|| PathBuf::from(".docker"))
    };
    match scheme {
        "tcp" if tls_wanted => Ok(Endpoint::Tls {
            addr: addr.to_string(),
            cert_path: cert_path(),
        }),
        "https" => Ok(Endpoint::Tls {
            addr: addr.to_string(),
            cert_path: cert_path(),
        }),
        "tcp" | "http" => Ok(Endpoint::Tcp(addr.to_string())),
        "ssh" => Err(bad("ssh:// is not supported yet; forward the socket instead: `ssh -NL /tmp/remote-docker.sock:/var/run/docker.sock HOST` and use --host unix:///tmp/remote-docker.sock")),
        "npipe" => Err(bad("Windows named pipes are not supported")),
        other => Err(bad(&format!("unknown scheme `{other}`"))),
    }
}

/// A connected engine client with a negotiated API version.
#[derive(Debug, Clone)]
pub struct EngineClient {
    pub(crate) docker: Docker,
    /// Where it is.
    pub endpoint: Endpoint,
    /// The deadline on each whole answer, body included; `None`: no limit.
    pub(crate) deadline: Option<Duration>,
    /// The answers cut at their size bound (unix and tcp transports).
    pub(crate) oversized: Oversized,
}

/// bollard's own timeout (until the response headers) when there is no limit: a century.
const NO_LIMIT_SECS: u64 = 100 * 365 * 24 * 3600;

/// Connects to `endpoint` and negotiates the API version. `timeout` bounds every request, its
/// whole answer included (see [`crate::bounded`]); `Duration::ZERO` means no limit.
pub async fn connect(endpoint: Endpoint, timeout: Duration) -> Result<EngineClient, ConnectError> {
    let url = endpoint.url();
    let deadline = (!timeout.is_zero()).then_some(timeout);
    let secs = deadline.map_or(NO_LIMIT_SECS, |d| d.as_secs().max(1));
    let unreachable = |e: bollard::errors::Error| classify(&url, e);
    let oversized = Oversized::default();
    let docker = match &endpoint {
        Endpoint::Unix(path) => {
            if !path.exists() {
                return Err(ConnectError::Unreachable {
                    endpoint: url,
                    why: "the socket does not exist".into(),
                });
            }
            Docker::connect_with_custom_transport(
                transport(Dial::Unix(path.clone()), oversized.clone()),
                Some("http://docker"),
                secs,
                API_DEFAULT_VERSION,
            )
        }
        Endpoint::Tcp(addr) => Docker::connect_with_custom_transport(
            transport(Dial::Tcp(addr.clone()), oversized.clone()),
            Some(format!("http://{addr}")),
            secs,
            API_DEFAULT_VERSION,
        ),
        Endpoint::Tls { addr, cert_path } => {
            for file in ["ca.pem", "cert.pem", "key.pem"] {
                if !cert_path.join(file).exists() {
                    return Err(ConnectError::Unreachable {
                        endpoint: url,
                        why: format!(
                            "TLS was requested but {} does not exist (set DOCKER_CERT_PATH)",
                            cert_path.join(file).display()
                        ),
                    });
                }
            }
            let config = tls_config(cert_path).map_err(|why| ConnectError::Unreachable {
                endpoint: url.clone(),
                why,
            })?;
            Docker::connect_with_custom_transport(
                transport(Dial::Tls(addr.clone(), Arc::new(config)), oversized.clone()),
                Some(format!("https://{addr}")),
                secs,
                API_DEFAULT_VERSION,
            )
        }
    }
    .map_err(unreachable)?;
    let negotiated = match deadline {
        None => docker.negotiate_version().await,
        Some(after) => tokio::time::timeout(after, docker.negotiate_version())
            .await
            .unwrap_or(Err(bollard::errors::Error::RequestTimeoutError)),
    };
    let docker = negotiated.map_err(unreachable)?;
    Ok(EngineClient {
        docker,
        endpoint,
        deadline,
        oversized,
    })
}

/// Turns a transport error into the message a person can act on.
fn classify(endpoint: &str, error: bollard::errors::Error) -> ConnectError {
    use bollard::errors::Error as E;
    // The engine answered: it is reachable, but its answer cannot be used.
    match &error {
        E::DockerResponseServerError { status_code, .. }
            if !(*status_code == 400 && describe(&error).contains("HTTPS server")) =>
        {
            return ConnectError::BadAnswer {
                endpoint: endpoint.to_string(),
                why: describe(&error),
            };
        }
        E::JsonDataError { .. } | E::JsonSerdeError { .. } | E::APIVersionParseError {} => {
            return ConnectError::BadAnswer {
                endpoint: endpoint.to_string(),
                why: describe(&error),
            };
        }
        _ => {}
    }
    let why = chain_once(&error);
    if why.contains("Permission denied") || why.contains("permission denied") {
        return ConnectError::PermissionDenied {
            endpoint: endpoint.to_string(),
        };
    }
    let why = if why.contains("Client sent an HTTP request to an HTTPS server") {
        "the engine expects TLS on this port but dockaudit spoke plain HTTP; set DOCKER_TLS_VERIFY=1 \
         and DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem"
            .to_string()
    } else if why.contains("Connection refused") {
        "connection refused (nothing listens there)".to_string()
    } else if matches!(error, E::RequestTimeoutError) {
        "no answer before the timeout".to_string()
    } else if let Some(too_large) = describe(&error).strip_prefix("the engine's answer") {
        format!("the engine's answer{too_large}")
    } else {
        why
    };
    ConnectError::Unreachable {
        endpoint: endpoint.to_string(),
        why: why.trim_end().to_string(),
    }
}

impl EngineClient {
    /// The API version agreed with the engine (`1.41`).
    pub fn api_version(&self) -> String {
        self.docker.client_version().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> EndpointEnv {
        EndpointEnv {
            home: Some("/home/u".into()),
            ..Default::default()
        }
    }

    #[test]
    fn flag_wins_over_environment() {
        let mut e = env();
        e.docker_host = Some("tcp://10.0.0.1:2375".into());
        assert_eq!(
            resolve_endpoint(Some("unix:///tmp/x.sock"), &e).unwrap(),
            Endpoint::Unix("/tmp/x.sock".into())
        );
        assert_eq!(
            resolve_endpoint(None, &e).unwrap(),
            Endpoint::Tcp("10.0.0.1:2375".into())
        );
    }

    #[test]
    fn tls_follows_docker_tls_verify_and_cert_path() {
        let mut e = env();
        e.tls_verify = Some("1".into());
        assert_eq!(
            resolve_endpoint(Some("tcp://h:2376"), &e).unwrap(),
            Endpoint::Tls {
                addr: "h:2376".into(),
                cert_path: "/home/u/.docker".into()
            }
        );
        e.cert_path = Some("/certs".into());
        assert_eq!(
            resolve_endpoint(Some("tcp://h:2376"), &e).unwrap(),
            Endpoint::Tls {
                addr: "h:2376".into(),
                cert_path: "/certs".into()
            }
        );
        e.tls_verify = Some("0".into());
        assert_eq!(
            resolve_endpoint(Some("tcp://h:2375"), &e).unwrap(),
            Endpoint::Tcp("h:2375".into())
        );
    }

    #[test]
    fn plain_http_against_a_tls_port_says_tls_is_needed() {
        let error = bollard::errors::Error::DockerResponseServerError {
            status_code: 400,
            message: "Client sent an HTTP request to an HTTPS server.\n".into(),
        };
        let err = classify("tcp://127.0.0.1:2376", error).to_string();
        assert!(err.contains("tcp://127.0.0.1:2376"), "{err}");
        assert!(err.contains("expects TLS"), "{err}");
        assert!(err.contains("DOCKER_TLS_VERIFY=1"), "{err}");
    }

    #[test]
    fn an_engine_error_is_not_reported_as_unreachable() {
        let error = bollard::errors::Error::DockerResponseServerError {
            status_code: 500,
            message: "boom".into(),
        };
        let err = classify("unix:///run/x.sock", error);
        assert!(matches!(err, ConnectError::BadAnswer { .. }), "{err:?}");
        let text = err.to_string();
        assert!(!text.contains("cannot reach"), "{text}");
        assert!(text.contains("HTTP 500: boom"), "{text}");
    }

    #[tokio::test]
    async fn a_missing_socket_states_its_cause_once() {
        // The socket exists when checked, then goes away: the client's error chain repeats its
        // cause at every level, the message must not.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let endpoint = Endpoint::Unix(path.clone());
        drop(listener);
        let err = connect(endpoint, Duration::from_secs(2))
            .await
            .expect_err("nothing listens");
        let text = err.to_string();
        assert!(text.contains("cannot reach"), "{text}");
        assert!(
            text.matches("Connection refused").count() + text.matches("connection refused").count()
                <= 1,
            "{text}"
        );
    }

    #[test]
    fn bad_urls_are_explained() {
        for url in [
            "ftp://x:1",
            "tcp://",
            "tcp://hostonly",
            "unix://",
            "ssh://me@h",
            "nonsense",
        ] {
            let err = resolve_endpoint(Some(url), &env()).unwrap_err();
            assert!(err.to_string().contains(url), "{err}");
        }
    }
}
