//! Every request to the engine is bounded in time and in size, so a broken or hostile engine can
//! neither hang an audit nor fill its memory.
//!
//! - **Time**: bollard's own timeout ends when the response headers arrive; a body that stalls or
//!   trickles after them would hang forever. [`EngineClient::within`] puts one deadline (`--timeout`)
//!   on the whole response, body included; streams (log tails) are read under the same deadline, and
//!   the image export (see `images.rs`) under an inactivity deadline plus an overall one.
//! - **Size**: bollard reads a JSON answer whole into memory. dockaudit gives bollard its own
//!   transport ([`transport`]: unix socket, TCP, or TCP with TLS) whose connections count the bytes
//!   they read and fail past a bound chosen from the request's path ([`cap_for`]): 64 MiB for a list,
//!   8 MiB for anything else, none for the image export (the image reader bounds that itself). The
//!   engine's client keeps no idle connections, so one connection carries one response and its
//!   count is that response's size (over TLS, the encrypted bytes: a few percent more).
//!
//! Every failure reads as one sentence naming the request ([`RequestError`]).

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bollard::BollardRequest;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};

use crate::connect::EngineClient;

/// Bound on a list answer (`/containers/json`, `/images/json`, `/networks`, `/volumes`,
/// `/system/df`): a host with tens of thousands of objects stays well below.
pub const LIST_CAP: u64 = 64 << 20;

/// Bound on any other answer (an inspect, a process list, a history, a log tail's frames,
/// `/version`, `/info`).
pub const OBJECT_CAP: u64 = 8 << 20;

/// The bound on the answer to a request for `path` (`/v1.41/containers/json`); `None` for the image
/// export, which streams into the image reader and is bounded there.
pub fn cap_for(path: &str) -> Option<u64> {
    match strip_version(path).trim_end_matches('/') {
        "/containers/json" | "/images/json" | "/networks" | "/volumes" | "/system/df" => {
            Some(LIST_CAP)
        }
        p if p.starts_with("/images/") && p.ends_with("/get") => None,
        // `prune apply`'s backups stream to disk (see backup_reads.rs), bounded by their deadlines.
        "/images/get" => None,
        p if p.starts_with("/containers/")
            && (p.ends_with("/export") || p.ends_with("/archive")) =>
        {
            None
        }
        _ => Some(OBJECT_CAP),
    }
}

/// An answer larger than its bound.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the engine's answer to GET {path} exceeded {} MiB, dockaudit's bound for it", cap >> 20)]
pub struct TooLarge {
    /// The request's path, without the API version.
    pub path: String,
    /// The bound, in bytes.
    pub cap: u64,
}

/// Why a request to the engine failed.
#[derive(Debug)]
pub enum RequestError {
    /// The whole answer did not arrive in time.
    TimedOut {
        /// What was asked: `GET /containers/json`.
        request: String,
        /// The deadline.
        after: Duration,
    },
    /// The engine or the connection failed.
    Engine(bollard::errors::Error),
}

impl RequestError {
    /// The object is gone (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            RequestError::Engine(bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                ..
            })
        )
    }

    /// The underlying client error, when there is one.
    pub fn engine_error(&self) -> Option<&bollard::errors::Error> {
        match self {
            RequestError::Engine(e) => Some(e),
            RequestError::TimedOut { .. } => None,
        }
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::TimedOut { request, after } => {
                write!(f, "{request} timed out after {}", seconds(*after))
            }
            RequestError::Engine(e) => f.write_str(&describe(e)),
        }
    }
}

// Deliberately no `source`: the message already holds the cause in words, and a chain printed
// after it would repeat it.
impl std::error::Error for RequestError {}

/// `2 s`, `1.5 s`.
pub(crate) fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// A client error in one sentence: the engine's own status and message for an HTTP error, the
/// bound for an oversized answer, and otherwise each distinct cause in the chain once.
pub fn describe(error: &bollard::errors::Error) -> String {
    use bollard::errors::Error as E;
    match error {
        E::DockerResponseServerError {
            status_code,
            message,
        } => {
            let message = message.trim();
            if message.is_empty() {
                format!("the engine answered HTTP {status_code}")
            } else {
                format!("the engine answered HTTP {status_code}: {message}")
            }
        }
        E::JsonDataError { message, .. } => {
            format!("the engine's answer is not the JSON expected: {message}")
        }
        E::JsonSerdeError { err } => {
            format!("the engine's answer is not the JSON expected: {err}")
        }
        E::RequestTimeoutError => "the engine sent no response headers in time".to_string(),
        other => {
            if let Some(too_large) = find_too_large(other) {
                return too_large.to_string();
            }
            let text = chain_once(other);
            // hyper's words for a body shorter than its Content-Length or chunked framing.
            if text.contains("end of file before message length reached")
                || text.contains("unexpected EOF during chunk")
            {
                return format!("the engine's answer is truncated (the connection closed before its end): {text}");
            }
            text
        }
    }
}

/// The error and its sources, joined with `: `, leaving out a source whose text the sentence
/// already holds (hyper and bollard each repeat their cause in their own message).
pub(crate) fn chain_once(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
        source = s.source();
    }
    text
}

fn find_too_large<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a TooLarge> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(t) = e.downcast_ref::<TooLarge>() {
            return Some(t);
        }
        // An `io::Error` wrapping ours shows it through `get_ref`, not through `source`.
        if let Some(t) = e
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<TooLarge>())
        {
            return Some(t);
        }
        current = e.source();
    }
    None
}

impl EngineClient {
    /// Whether the answer to `path` (without the API version: `/containers/ID/logs`) was cut at
    /// its bound, for readers that see only the text of a body error.
    pub(crate) fn cut_at_bound(&self, path: &str) -> Option<TooLarge> {
        let noted = self.oversized.lock().ok()?;
        noted
            .iter()
            .find(|(full, _)| strip_version(full) == path)
            .map(|(_, t)| t.clone())
    }

    /// Awaits `answer` (one bollard request, read whole) under the deadline; `request` names it in
    /// the error (`GET /containers/json`).
    pub(crate) async fn within<T>(
        &self,
        request: impl Into<String>,
        answer: impl Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<T, RequestError> {
        let Some(after) = self.deadline else {
            return answer.await.map_err(RequestError::Engine);
        };
        let timed_out = || RequestError::TimedOut {
            request: request.into(),
            after,
        };
        match tokio::time::timeout(after, answer).await {
            // bollard's own timeout (until the headers) is the same deadline: the same words.
            Ok(Err(bollard::errors::Error::RequestTimeoutError)) | Err(_) => Err(timed_out()),
            Ok(result) => result.map_err(RequestError::Engine),
        }
    }
}

/// The answers cut at their bound, by request path (with the API version). A stream's reader
/// (bollard's log decoder) keeps only the text of a body error, not its cause; this is where it
/// learns that the cause was the bound.
pub(crate) type Oversized = Arc<std::sync::Mutex<std::collections::HashMap<String, TooLarge>>>;

/// Where the transport connects.
#[derive(Debug, Clone)]
pub(crate) enum Dial {
    /// A unix socket.
    Unix(PathBuf),
    /// `host:port`, plain TCP.
    Tcp(String),
    /// `host:port`, TCP with TLS under this configuration (see [`tls_config`]).
    Tls(String, Arc<rustls::ClientConfig>),
}

/// The TLS configuration for an engine whose certificates are in `cert_path`: the engine's CA
/// (`ca.pem`) beside the system's roots, and the client certificate (`cert.pem`, `key.pem`), as
/// bollard's own TLS transport and the docker CLI read them.
pub(crate) fn tls_config(cert_path: &std::path::Path) -> Result<rustls::ClientConfig, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let read = |name: &str| {
        let path = cert_path.join(name);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let unusable = |name: &str, e: &dyn std::fmt::Display| {
        format!("{} is not usable: {e}", cert_path.join(name).display())
    };
    let certs = |name: &str| -> Result<Vec<CertificateDer<'static>>, String> {
        CertificateDer::pem_slice_iter(&read(name)?)
            .collect::<Result<_, _>>()
            .map_err(|e| unusable(name, &e))
    };
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system roots leave the engine's own CA, which is what normally signs it.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let (added, _) = roots.add_parsable_certificates(certs("ca.pem")?);
    if added == 0 {
        return Err(unusable("ca.pem", &"it holds no certificate"));
    }
    let key =
        PrivateKeyDer::from_pem_slice(&read("key.pem")?).map_err(|e| unusable("key.pem", &e))?;
    rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(certs("cert.pem")?, key)
        .map_err(|e| unusable("cert.pem", &e))
}

/// What bollard's custom transport gives for one request: the response, its body still to read.
type Answer = Pin<
    Box<
        dyn Future<Output = Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error>>
            + Send,
    >,
>;

/// bollard's transport for `dial`: a fresh connection per request, its reads bounded by
/// [`cap_for`] the request's path; answers cut at their bound are noted in `oversized`.
pub(crate) fn transport(
    dial: Dial,
    oversized: Oversized,
) -> impl Fn(BollardRequest) -> Answer + Send + Sync + 'static {
    let dial = Arc::new(dial);
    move |request: BollardRequest| {
        let path = request.uri().path().to_string();
        let connector = Connector {
            dial: dial.clone(),
            cap: cap_for(&path),
            path: Arc::from(path.as_str()),
            oversized: oversized.clone(),
        };
        // One client per request: the connector carries this request's bound. No idle
        // connections are kept (as bollard's own transports), so the next request dials afresh.
        let mut builder = Client::builder(TokioExecutor::new());
        builder.pool_max_idle_per_host(0);
        match &*dial {
            Dial::Tls(_, config) => {
                let client = builder.build(hyper_rustls::HttpsConnector::from((
                    connector,
                    config.clone(),
                )));
                Box::pin(async move {
                    client
                        .request(request)
                        .await
                        .map_err(bollard::errors::Error::from)
                }) as Answer
            }
            Dial::Unix(_) | Dial::Tcp(_) => {
                let client = builder.build(connector);
                Box::pin(async move {
                    client
                        .request(request)
                        .await
                        .map_err(bollard::errors::Error::from)
                })
            }
        }
    }
}

/// `/v1.41/containers/json` → `/containers/json`.
fn strip_version(path: &str) -> &str {
    match path.strip_prefix("/v") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            rest.find('/').map_or(path, |i| &rest[i..])
        }
        _ => path,
    }
}

/// Dials the engine for one request.
#[derive(Clone)]
struct Connector {
    dial: Arc<Dial>,
    cap: Option<u64>,
    /// The request's path, with the API version.
    path: Arc<str>,
    oversized: Oversized,
}

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = TokioIo<Counted>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TokioIo<Counted>>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let stream = match &*this.dial {
                Dial::Unix(path) => Stream::Unix(UnixStream::connect(path).await?),
                Dial::Tcp(addr) | Dial::Tls(addr, _) => {
                    let tcp = TcpStream::connect(addr.as_str()).await?;
                    tcp.set_nodelay(true)?;
                    Stream::Tcp(tcp)
                }
            };
            Ok(TokioIo::new(Counted {
                stream,
                read: 0,
                cap: this.cap,
                path: this.path,
                oversized: this.oversized,
            }))
        })
    }
}

enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// A connection that fails once it has read more than its bound.
struct Counted {
    stream: Stream,
    read: u64,
    cap: Option<u64>,
    path: Arc<str>,
    oversized: Oversized,
}

impl Connection for Counted {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = match &mut this.stream {
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
        };
        if let Poll::Ready(Ok(())) = polled {
            this.read += (buf.filled().len() - before) as u64;
            if let Some(cap) = this.cap.filter(|cap| this.read > *cap) {
                let too_large = TooLarge {
                    path: strip_version(&this.path).to_string(),
                    cap,
                };
                if let Ok(mut noted) = this.oversized.lock() {
                    noted.insert(this.path.to_string(), too_large.clone());
                }
                return Poll::Ready(Err(io::Error::other(too_large)));
            }
        }
        polled
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().stream {
            Stream::Unix(s) => Pin::new(s).poll_write(cx, data),
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, data),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_get_the_list_bound_exports_none_and_the_rest_the_object_bound() {
        assert_eq!(cap_for("/v1.41/containers/json"), Some(LIST_CAP));
        assert_eq!(cap_for("/v1.51/images/json"), Some(LIST_CAP));
        assert_eq!(cap_for("/networks"), Some(LIST_CAP));
        assert_eq!(cap_for("/v1.41/volumes"), Some(LIST_CAP));
        assert_eq!(cap_for("/v1.41/images/sha256:abc/get"), None);
        assert_eq!(cap_for("/v1.41/containers/abc/json"), Some(OBJECT_CAP));
        assert_eq!(cap_for("/v1.41/containers/abc/export"), None);
        assert_eq!(cap_for("/v1.41/images/get"), None);
        assert_eq!(cap_for("/v1.41/containers/abc/logs"), Some(OBJECT_CAP));
        assert_eq!(cap_for("/v1.41/networks/abc"), Some(OBJECT_CAP));
        assert_eq!(strip_version("/v1.41/containers/json"), "/containers/json");
        assert_eq!(strip_version("/volumes"), "/volumes");
    }

    #[test]
    fn an_engine_error_reads_as_its_status_and_message() {
        let e = bollard::errors::Error::DockerResponseServerError {
            status_code: 500,
            message: "boom\n".into(),
        };
        assert_eq!(describe(&e), "the engine answered HTTP 500: boom");
        let too_large = io::Error::other(TooLarge {
            path: "/containers/json".into(),
            cap: LIST_CAP,
        });
        let e = bollard::errors::Error::IOError { err: too_large };
        assert_eq!(
            describe(&e),
            "the engine's answer to GET /containers/json exceeded 64 MiB, dockaudit's bound for it"
        );
    }

    #[test]
    fn a_chain_names_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("client error: {0}")]
        struct Outer(#[source] io::Error);
        let e = Outer(io::Error::from_raw_os_error(2));
        let text = chain_once(&e);
        assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    }
}
