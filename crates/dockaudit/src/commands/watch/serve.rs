//! The HTTP endpoints of `--listen`: `/metrics`, `/healthz`, `/report.json` and `/` (the HTML
//! report). GET and HEAD only; every answer is built from a copy of the published state.
//!
//! hyper's HTTP/1 server directly (hyper is already in the tree through bollard) with a four-path
//! match instead of a router framework: less to compile on 2 cores, nothing it would add here.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::metrics;
use super::published::{read, Shared};
use crate::output::{catalogue, rule_info};

/// A client must send its request headers within this time (a connection that trickles them is
/// closed, so idle sockets cannot pile up).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves the endpoints on `listener` until the process ends.
pub async fn serve(listener: TcpListener, shared: Shared) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment, never stop serving.
                eprintln!("dockaudit: watch: cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(answer(&request, &shared)) }
            });
            // A client that goes away mid-answer is its own business.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The registry's rules and the findings only `watch` reports, for the HTML page.
fn watch_catalogue() -> Vec<dockaudit_report::RuleInfo> {
    let mut rules = catalogue();
    rules.extend(super::WATCH_FINDINGS.iter().map(rule_info));
    rules
}

/// The answer to one request.
pub fn answer(request: &Request<Incoming>, shared: &Shared) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n".to_vec(),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let state = read(shared);
    let mut response = match request.uri().path() {
        "/metrics" => {
            let accept = request.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
            let om = metrics::openmetrics(&state);
            if metrics::wants_openmetrics(accept) {
                respond(StatusCode::OK, metrics::OPENMETRICS, om.into_bytes())
            } else {
                respond(
                    StatusCode::OK,
                    metrics::PROMETHEUS_TEXT,
                    metrics::prometheus_text(&om).into_bytes(),
                )
            }
        }
        "/healthz" => {
            // Ready once the first audit is published; the engine's state is in the body (and in
            // dockaudit_engine_up), not in the status: restarting the watcher would not bring an
            // engine back.
            let (status, word) = match (&state.report, state.engine_up) {
                (None, _) => (StatusCode::SERVICE_UNAVAILABLE, "starting"),
                (Some(_), true) => (StatusCode::OK, "ok"),
                (Some(_), false) => (StatusCode::OK, "engine-unreachable"),
            };
            let body = serde_json::json!({
                "status": word,
                "engine_up": state.engine_up,
                "last_audit": state.last_full_audit_unix,
            });
            respond(status, "application/json", format!("{body}\n").into_bytes())
        }
        "/report.json" | "/" => match &state.report {
            None => respond(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain; charset=utf-8",
                b"the first audit is still running\n".to_vec(),
            ),
            Some(report) => {
                let mut body = Vec::new();
                let (written, content_type) = if request.uri().path() == "/" {
                    (
                        dockaudit_report::emit::write_html(report, &watch_catalogue(), &mut body),
                        "text/html; charset=utf-8",
                    )
                } else {
                    (
                        dockaudit_report::emit::write_json(report, &mut body),
                        "application/json",
                    )
                };
                match written {
                    Ok(()) => respond(StatusCode::OK, content_type, body),
                    Err(e) => respond(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "text/plain; charset=utf-8",
                        format!("cannot render the report: {e}\n").into_bytes(),
                    ),
                }
            }
        },
        _ => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            b"not found: try /metrics, /healthz, /report.json or /\n".to_vec(),
        ),
    };
    if request.method() == Method::HEAD {
        *response.body_mut() = Full::new(Bytes::new());
    }
    response
}
