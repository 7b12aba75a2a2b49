//! A fault-injecting proxy on a unix socket, in front of the real engine's socket: requests whose
//! path a rule picks get a fault (a delay, an HTTP 500, malformed or truncated JSON, a body that
//! stalls after the headers or trickles, an oversized answer, a huge log frame, a list with every
//! entry twice); everything else passes through to the engine untouched. Plain std threads: one per
//! connection (the engine client dials one connection per request).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// The real engine the proxy stands in front of.
pub const ENGINE: &str = "/var/run/docker.sock";

/// Whether the real engine is here; says so when not (the fault tests then pass without running).
pub fn engine_here() -> bool {
    let here = Path::new(ENGINE).exists();
    if !here {
        eprintln!("no engine at {ENGINE}: fault tests not run");
    }
    here
}

/// What the proxy does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Waits this long before passing the request on (the headers are late).
    Delay(Duration),
    /// Answers HTTP 500 with an engine-style error message.
    Status500,
    /// Answers 200 with a body that is not JSON.
    Malformed,
    /// Answers 200 announcing more bytes than it sends, then closes.
    Truncated,
    /// Sends the headers and one byte of the body, then nothing.
    StallAfterHeaders,
    /// Sends the headers, then one byte every 300 ms.
    Trickle,
    /// Sends a valid-looking JSON array that never ends (chunked), until the client hangs up.
    Oversized,
    /// Sends one multiplexed log frame announcing 1 GiB, and its bytes until the client hangs up.
    HugeLogFrame,
    /// Passes the request on and answers with the engine's JSON array with every entry twice.
    DuplicateEntries,
}

/// Which requests get which fault.
pub type Rule = (fn(&str) -> bool, Fault);

/// `/containers/json`.
pub fn container_list(path: &str) -> bool {
    path == "/containers/json"
}
/// `/images/json`.
pub fn image_list(path: &str) -> bool {
    path == "/images/json"
}
/// `/networks`.
pub fn network_list(path: &str) -> bool {
    path == "/networks"
}
/// `/volumes`.
pub fn volume_list(path: &str) -> bool {
    path == "/volumes"
}
/// `/version`.
pub fn version(path: &str) -> bool {
    path == "/version"
}
/// A container inspect: `/containers/{id}/json`.
pub fn container_inspect(path: &str) -> bool {
    path.starts_with("/containers/") && path.ends_with("/json") && !container_list(path)
}
/// `/containers/{id}/top`.
pub fn container_top(path: &str) -> bool {
    path.starts_with("/containers/") && path.ends_with("/top")
}
/// `/containers/{id}/logs`.
pub fn container_logs(path: &str) -> bool {
    path.starts_with("/containers/") && path.ends_with("/logs")
}
/// The image export, `/images/{id}/get`.
pub fn image_export(path: &str) -> bool {
    path.starts_with("/images/") && path.ends_with("/get")
}

/// A running proxy; stopped and its socket removed when dropped.
pub struct Proxy {
    socket: PathBuf,
    stop: Arc<AtomicBool>,
    /// Every request seen, as `METHOD /path` (without the API version and query).
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Proxy {
    /// Listens on a new socket under `dir`, forwarding to `upstream` except where `rules` say.
    pub fn start(dir: &Path, upstream: &Path, rules: Vec<Rule>) -> Proxy {
        let socket = dir.join("proxy.sock");
        let listener = UnixListener::bind(&socket).expect("bind the proxy socket");
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (upstream, rules) = (upstream.to_path_buf(), Arc::new(rules));
        let (stopping, recording) = (stop.clone(), seen.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (upstream, rules, stopping, recording) = (
                    upstream.clone(),
                    rules.clone(),
                    stopping.clone(),
                    recording.clone(),
                );
                thread::spawn(move || serve(conn, &upstream, &rules, &stopping, &recording));
            }
        });
        Proxy { socket, stop, seen }
    }

    /// Every request the proxy has seen so far, as `METHOD /path`.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The proxy's socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = UnixStream::connect(&self.socket);
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// The request's head (up to the blank line), or `None` when the client went away.
fn read_head(conn: &mut UnixStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read(&mut byte).ok()? == 0 || head.len() > 64 << 10 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

/// `/v1.41/containers/json?all=1` → `/containers/json`.
fn path_of(head: &[u8]) -> String {
    let line = String::from_utf8_lossy(head);
    let target = line.split_whitespace().nth(1).unwrap_or("");
    let path = target.split('?').next().unwrap_or("");
    match path.strip_prefix("/v") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            rest.find('/').map_or(path, |i| &rest[i..]).to_string()
        }
        _ => path.to_string(),
    }
}

/// The head with `Connection: close` (so the engine ends its answer by closing), and optionally
/// as HTTP/1.0 (so it sends no chunked encoding).
fn rewrite(head: &[u8], http10: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    for (i, line) in text.split("\r\n").enumerate() {
        if i == 0 {
            let line = if http10 {
                line.replace("HTTP/1.1", "HTTP/1.0")
            } else {
                line.to_string()
            };
            out.push_str(&line);
            out.push_str("\r\n");
        } else if line.is_empty() {
            break;
        } else if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

fn serve(
    mut conn: UnixStream,
    upstream: &Path,
    rules: &[Rule],
    stopping: &AtomicBool,
    seen: &std::sync::Mutex<Vec<String>>,
) {
    let Some(head) = read_head(&mut conn) else {
        return;
    };
    let path = path_of(&head);
    let method = String::from_utf8_lossy(&head)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    if let Ok(mut seen) = seen.lock() {
        seen.push(format!("{method} {path}"));
    }
    let fault = rules
        .iter()
        .find(|(matches, _)| matches(&path))
        .map(|r| r.1);
    let headers = |extra: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
        )
    };
    // Runs until the client hangs up, the proxy stops, or a minute passes.
    let until_gone = |conn: &mut UnixStream, every: Duration, chunk: &[u8]| {
        let started = Instant::now();
        while !stopping.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
            if conn.write_all(chunk).is_err() {
                return;
            }
            thread::sleep(every);
        }
    };
    match fault {
        None => pass_through(conn, upstream, &head),
        Some(Fault::Delay(d)) => {
            thread::sleep(d);
            pass_through(conn, upstream, &head);
        }
        Some(Fault::Status500) => {
            let body = r#"{"message":"injected fault: the engine failed"}"#;
            let _ = write!(
                conn,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Some(Fault::Malformed) => {
            let body = r#"[{"Id": "abc", ]"#;
            let _ = write!(
                conn,
                "{}{body}",
                headers(&format!("Content-Length: {}\r\n", body.len()))
            );
        }
        Some(Fault::Truncated) => {
            let _ = write!(
                conn,
                "{}[{{\"Id\":\"ab",
                headers("Content-Length: 4096\r\n")
            );
        }
        Some(Fault::StallAfterHeaders) => {
            let _ = write!(conn, "{}[", headers("Content-Length: 4096\r\n"));
            until_gone(&mut conn, Duration::from_millis(200), b"");
        }
        Some(Fault::Trickle) => {
            let _ = write!(conn, "{}[", headers("Content-Length: 100000\r\n"));
            until_gone(&mut conn, Duration::from_millis(300), b" ");
        }
        Some(Fault::Oversized) => {
            let _ = write!(conn, "{}", headers("Transfer-Encoding: chunked\r\n"));
            let _ = conn.write_all(b"1\r\n[\r\n");
            let entry = format!("{{\"Id\":\"{}\",\"Labels\":{{}}}},", "a".repeat(64));
            let body = entry.repeat((1 << 20) / entry.len());
            let chunk = format!("{:x}\r\n{body}\r\n", body.len());
            // At most 1 GiB: far past every bound.
            for _ in 0..1024 {
                if stopping.load(Ordering::SeqCst) || conn.write_all(chunk.as_bytes()).is_err() {
                    return;
                }
            }
        }
        Some(Fault::HugeLogFrame) => {
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: close\r\n\r\n"
            );
            let _ = conn.write_all(&[1, 0, 0, 0, 0x40, 0, 0, 0]);
            let block = vec![b'x'; 1 << 20];
            for _ in 0..1024 {
                if stopping.load(Ordering::SeqCst) || conn.write_all(&block).is_err() {
                    return;
                }
            }
        }
        Some(Fault::DuplicateEntries) => {
            let Ok(mut engine) = UnixStream::connect(upstream) else {
                return;
            };
            let mut answer = Vec::new();
            if engine.write_all(&rewrite(&head, true)).is_err()
                || engine.read_to_end(&mut answer).is_err()
            {
                return;
            }
            let Some(at) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
                return;
            };
            let entries: Vec<serde_json::Value> =
                serde_json::from_slice(&answer[at + 4..]).unwrap_or_default();
            let doubled: Vec<&serde_json::Value> = entries.iter().chain(entries.iter()).collect();
            let body = serde_json::to_string(&doubled).expect("serialises");
            let _ = write!(
                conn,
                "{}{body}",
                headers(&format!("Content-Length: {}\r\n", body.len()))
            );
        }
    }
}

fn pass_through(mut conn: UnixStream, upstream: &Path, head: &[u8]) {
    let Ok(mut engine) = UnixStream::connect(upstream) else {
        return;
    };
    if engine.write_all(&rewrite(head, false)).is_err() {
        return;
    }
    // A request body (a create's JSON, an uploaded archive) follows the head.
    if let (Ok(mut from_client), Ok(mut to_engine)) = (conn.try_clone(), engine.try_clone()) {
        thread::spawn(move || {
            let _ = std::io::copy(&mut from_client, &mut to_engine);
        });
    }
    let _ = std::io::copy(&mut engine, &mut conn);
    // The body-forwarding thread holds a clone of the socket: shut it, so the client sees the end.
    let _ = conn.shutdown(std::net::Shutdown::Both);
}
