//! `db update` against the test's own HTTP server on 127.0.0.1, serving the feed excerpts the way
//! the distributions publish them (Alpine's secdb as JSON with an index page, Canonical's feeds as
//! .tar.xz). A good update builds the database; a truncated, malformed, cut-off or failing feed
//! fails the update with its URL in the message and leaves the previous database byte for byte;
//! a file that is not a dockaudit database is never replaced. (Needs the `fetch` feature.)

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dockaudit_vulndb::build::BuildOptions;
use dockaudit_vulndb::fetch::{update, FetchConfig};
use dockaudit_vulndb::{FeedLimits, VulnDb, VulnDbError};
use sha2::{Digest, Sha256};

/// What the server answers for a path.
#[derive(Clone)]
enum Route {
    Ok(Vec<u8>),
    Status(u16),
    /// Declares the whole body's length, sends `send` bytes of it, and hangs up.
    CutOff {
        body: Vec<u8>,
        send: usize,
    },
}

/// A small HTTP/1.1 server on 127.0.0.1 that answers GETs from a route table, one connection at a
/// time (or, with an [`Overlap`] gauge, each connection on its own thread), and stops when dropped
/// (or after 1000 connections).
struct Server {
    addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    hits: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: HashMap<String, Route>) -> Self {
        Self::start_with(routes, None)
    }

    /// Serves each connection on a thread of its own, advisory pages (`.html`) through `overlap`.
    fn start_concurrent(routes: HashMap<String, Route>, overlap: Arc<Overlap>) -> Self {
        Self::start_with(routes, Some(overlap))
    }

    fn start_with(routes: HashMap<String, Route>, overlap: Option<Arc<Overlap>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let routes = Arc::new(Mutex::new(routes));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, h, s) = (routes.clone(), hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(1000) {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                match &overlap {
                    None => {
                        let _ = serve(stream, &r, &h, None);
                    }
                    Some(o) => {
                        let (r, h, o) = (r.clone(), h.clone(), o.clone());
                        std::thread::spawn(move || serve(stream, &r, &h, Some(&o)));
                    }
                }
            }
        });
        Self {
            addr,
            routes,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn set(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .expect("lock")
            .insert(path.to_owned(), route);
    }

    fn hits(&self) -> Vec<String> {
        std::mem::take(&mut *self.hits.lock().expect("lock"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How many advisory-page requests the server had in flight at once. A page request is held until
/// a second one has arrived (or 10 s have passed, once, so that a client fetching one page at a
/// time fails the test instead of hanging it): overlap is then observed, not timed.
#[derive(Default)]
struct Overlap {
    state: Mutex<OverlapState>,
    arrived: Condvar,
}

#[derive(Default)]
struct OverlapState {
    now: usize,
    max: usize,
    open: bool,
}

impl Overlap {
    fn enter(&self) {
        let mut s = self.state.lock().expect("lock");
        s.now += 1;
        s.max = s.max.max(s.now);
        if s.max >= 2 {
            s.open = true;
            self.arrived.notify_all();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while !s.open {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                s.open = true;
                break;
            }
            s = self.arrived.wait_timeout(s, left).expect("lock").0;
        }
    }

    fn leave(&self) {
        let mut s = self.state.lock().expect("lock");
        s.now -= 1;
    }

    fn max(&self) -> usize {
        self.state.lock().expect("lock").max
    }
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Route>>,
    hits: &Mutex<Vec<String>>,
    overlap: Option<&Overlap>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    hits.lock().expect("lock").push(path.clone());
    let page = overlap.filter(|_| path.ends_with(".html"));
    if let Some(o) = page {
        o.enter();
    }
    let answered = answer(stream, routes, &path);
    if let Some(o) = page {
        o.leave();
    }
    answered
}

fn answer(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Route>>,
    path: &str,
) -> std::io::Result<()> {
    let route = routes.lock().expect("lock").get(path).cloned();
    let mut out = stream;
    let head = |status: &str, len: usize| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
    };
    match route {
        Some(Route::Ok(body)) => {
            out.write_all(head("200 OK", body.len()).as_bytes())?;
            out.write_all(&body)?;
        }
        Some(Route::CutOff { body, send }) => {
            out.write_all(head("200 OK", body.len()).as_bytes())?;
            out.write_all(&body[..send])?;
        }
        Some(Route::Status(code)) => out.write_all(head(&format!("{code} Error"), 0).as_bytes())?,
        None => out.write_all(head("404 Not Found", 0).as_bytes())?,
    }
    out.flush()
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/advisories/feeds")
        .join(rel)
}

/// A directory packed as Canonical packs its feeds: a tar under `prefix/`, xz-compressed.
fn tar_xz(dir: &Path, prefix: &str) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.append_dir_all(prefix, dir).expect("tar");
    let bytes = tar.into_inner().expect("tar");
    let mut xz =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).expect("xz");
    xz.write_all(&bytes).expect("xz");
    xz.finish().expect("xz")
}

/// Alpine's YAML excerpt in the JSON form secdb.alpinelinux.org serves.
fn secdb_json(repo: &str) -> Vec<u8> {
    let yaml = std::fs::read_to_string(data(&format!("alpine/v3.15/{repo}.yaml"))).expect("yaml");
    let value: serde_json::Value = serde_saphyr::from_str(&yaml).expect("yaml");
    serde_json::to_vec(&value).expect("json")
}

struct Feeds {
    tracker: Vec<u8>,
    osv: Vec<u8>,
    vex: Vec<u8>,
}

fn feeds() -> Feeds {
    Feeds {
        tracker: std::fs::read(data("debian/tracker.json")).expect("tracker"),
        osv: tar_xz(&data("ubuntu/osv"), "osv"),
        vex: tar_xz(&data("ubuntu/vex"), "vex"),
    }
}

fn good_routes(f: &Feeds) -> HashMap<String, Route> {
    HashMap::from([
        ("/debian/json".to_owned(), Route::Ok(f.tracker.clone())),
        ("/debian/DSA-list".to_owned(), Route::Ok(std::fs::read(data("debian/DSA-list")).expect("dsa"))),
        (
            "/alpine/".to_owned(),
            Route::Ok(br#"<html><a href="../">../</a><a href="v3.15/">v3.15/</a><a href="last-update">last-update</a></html>"#.to_vec()),
        ),
        ("/alpine/v3.15/main.json".to_owned(), Route::Ok(secdb_json("main"))),
        ("/alpine/v3.15/community.json".to_owned(), Route::Ok(secdb_json("community"))),
        ("/ubuntu/osv-all.tar.xz".to_owned(), Route::Ok(f.osv.clone())),
        ("/ubuntu/vex-all.tar.xz".to_owned(), Route::Ok(f.vex.clone())),
    ])
}

fn config(server: &Server) -> FetchConfig {
    FetchConfig {
        debian_tracker_url: Some(server.url("/debian/json")),
        debian_dsa_url: Some(server.url("/debian/DSA-list")),
        debian_dla_url: None,
        alpine_base_url: Some(server.url("/alpine")),
        alpine_releases: None,
        ubuntu_osv_url: Some(server.url("/ubuntu/osv-all.tar.xz")),
        ubuntu_vex_url: Some(server.url("/ubuntu/vex-all.tar.xz")),
        azurelinux_base_url: None,
        amazon_base_url: None,
        oracle_base_url: None,
        oracle_files: Vec::new(),
        suse_base_url: None,
        suse_files: Vec::new(),
        wolfi_url: None,
        chainguard_url: None,
        redhat_vex_base_url: None,
        almalinux_osv_url: None,
        rocky_osv_url: None,
        nvd_url: None,
        kev_url: None,
        epss_url: None,
        osv_base_url: None,
        osv_ecosystems: Vec::new(),
        timeout: Duration::from_secs(10),
        user_agent: "dockaudit-test".into(),
        limits: FeedLimits::default(),
    }
}

fn options() -> BuildOptions {
    common::build_options(time::OffsetDateTime::now_utc())
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn update_builds_the_database_from_the_feeds() {
    let f = feeds();
    let server = Server::start(good_routes(&f));
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("data/dockaudit/vulndb.sqlite");
    let mut lines = Vec::new();
    let summary = update(&config(&server), &target, &options(), &mut |l| {
        lines.push(l.to_owned())
    })
    .expect("update");
    assert_eq!(summary.records, 25 + 16 + 45 + 5);
    assert!(summary.warnings.is_empty());
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("fetching http://127.0.0.1")),
        "{lines:?}"
    );
    let db = VulnDb::open(&target).expect("open");
    let sources = &db.metadata().sources;
    let osv = sources
        .iter()
        .find(|s| s.name == "ubuntu-osv")
        .expect("osv");
    assert_eq!(osv.url, server.url("/ubuntu/osv-all.tar.xz"));
    assert_eq!(osv.bytes, f.osv.len() as u64);
    let digest: String = Sha256::digest(&f.osv)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(osv.sha256, digest);
    let names: Vec<_> = sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "alpine-secdb/v3.15/community",
            "alpine-secdb/v3.15/main",
            "debian-dsa",
            "debian-tracker",
            "ubuntu-osv",
            "ubuntu-vex"
        ]
    );
    assert!(temp_files(target.parent().expect("parent")).is_empty());

    // A release without a community repository (as old ones were) is fine; explicit releases skip
    // the index page.
    server.set("/alpine/v3.15/community.json", Route::Status(404));
    let mut cfg = config(&server);
    cfg.alpine_releases = Some(vec!["3.15".into()]);
    server.hits();
    update(&cfg, &target, &options(), &mut |_| {}).expect("update without community");
    let hits = server.hits();
    assert!(!hits.contains(&"/alpine/".to_owned()), "{hits:?}");
    let db = VulnDb::open(&target).expect("open");
    assert!(db
        .metadata()
        .sources
        .iter()
        .all(|s| s.name != "alpine-secdb/v3.15/community"));
}

#[test]
fn a_bad_feed_fails_the_update_and_keeps_the_previous_database() {
    let f = feeds();
    let server = Server::start(good_routes(&f));
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("vulndb.sqlite");
    update(&config(&server), &target, &options(), &mut |_| {}).expect("first update");
    let before = std::fs::read(&target).expect("read");

    let mut flipped = f.vex.clone();
    let mid = flipped.len() / 2;
    for b in &mut flipped[mid..mid + 16] {
        *b ^= 0x5a;
    }
    let cases: Vec<(&str, &str, Route, &str)> = vec![
        (
            "truncated tracker",
            "/debian/json",
            Route::Ok(f.tracker[..f.tracker.len() / 2].to_vec()),
            "EOF while parsing",
        ),
        (
            "malformed tracker",
            "/debian/json",
            Route::Ok(b"<html><body>Service Unavailable</body></html>".to_vec()),
            "not a valid tracker JSON feed",
        ),
        (
            "tracker of the wrong shape",
            "/debian/json",
            Route::Ok(b"[1, 2, 3]".to_vec()),
            "not a valid tracker JSON feed",
        ),
        (
            "connection cut mid-body",
            "/debian/json",
            Route::CutOff {
                body: f.tracker.clone(),
                send: 1000,
            },
            "download failed",
        ),
        (
            "server error",
            "/alpine/v3.15/main.json",
            Route::Status(500),
            "HTTP status 500",
        ),
        (
            "malformed secdb",
            "/alpine/v3.15/main.json",
            Route::Ok(b"{\"packages\": [{\"pkg\": 7}]".to_vec()),
            "not a valid secdb JSON file",
        ),
        (
            "index without releases",
            "/alpine/",
            Route::Ok(b"<html>nothing here</html>".to_vec()),
            "lists no releases",
        ),
        (
            "truncated tarball",
            "/ubuntu/osv-all.tar.xz",
            Route::Ok(f.osv[..f.osv.len() * 2 / 3].to_vec()),
            "archive damaged or cut short",
        ),
        (
            "corrupted tarball",
            "/ubuntu/vex-all.tar.xz",
            Route::Ok(flipped),
            "archive damaged or cut short",
        ),
        (
            "not an archive",
            "/ubuntu/vex-all.tar.xz",
            Route::Ok(b"{\"statements\": []}".to_vec()),
            "vex-all.tar.xz",
        ),
        (
            "missing feed",
            "/ubuntu/osv-all.tar.xz",
            Route::Status(404),
            "HTTP 404",
        ),
    ];
    for (what, path, route, expected) in cases {
        let good = good_routes(&f)[path].clone();
        server.set(path, route);
        let err = update(&config(&server), &target, &options(), &mut |_| {}).expect_err(what);
        server.set(path, good);
        let msg = err.to_string();
        let url = server.url(if path == "/alpine/" { "/alpine/" } else { path });
        assert!(msg.contains(&url), "{what}: the message names {url}: {msg}");
        assert!(msg.contains(expected), "{what}: {msg}");
        assert_eq!(
            std::fs::read(&target).expect("read"),
            before,
            "{what}: the previous database changed"
        );
        assert!(
            temp_files(dir.path()).is_empty(),
            "{what}: {:?}",
            temp_files(dir.path())
        );
        eprintln!("{what}: {msg}");
    }
    // And the feeds being good again, the update goes through.
    update(&config(&server), &target, &options(), &mut |_| {}).expect("good again");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_before_any_download() {
    let f = feeds();
    let server = Server::start(good_routes(&f));
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("vulndb.sqlite");
    let random: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(&target, &random).expect("write");
    let err = update(&config(&server), &target, &options(), &mut |_| {}).expect_err("refused");
    assert!(matches!(err, VulnDbError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("not an SQLite file"), "{err}");
    assert!(server.hits().is_empty(), "nothing was downloaded");
    assert_eq!(std::fs::read(&target).expect("read"), random);
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .expect("sqlite")
        .execute_batch("CREATE TABLE notes (text)")
        .expect("sql");
    let err = update(&config(&server), &other, &options(), &mut |_| {}).expect_err("refused");
    assert!(err.to_string().contains("something else"), "{err}");
}

/// A file of the crate's test data (not the Debian/Alpine/Ubuntu excerpts).
fn test_data(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel),
    )
    .expect(rel)
}

fn bz2(bytes: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    enc.write_all(bytes).expect("bz2");
    enc.finish().expect("bz2")
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gz");
    enc.finish().expect("gz")
}

#[test]
fn amazon_oracle_and_suse_come_from_a_mirror() {
    // Served as Amazon, Oracle and SUSE publish them: ALAS RSS lists with one page per advisory,
    // OVAL as .xml.bz2 (Oracle) and .xml.gz (SUSE).
    let ol7 = bz2(&test_data("oracle/elsa-mock_per_arch_data.xml"));
    let routes = HashMap::from([
        (
            "/alas/AL2/alas.rss".to_owned(),
            Route::Ok(test_data("amazon/2/alas.rss")),
        ),
        (
            "/alas/AL2/ALAS-2018-939.html".to_owned(),
            Route::Ok(test_data("amazon/2/html/ALAS-2018-939")),
        ),
        // AL2023's page is missing: skipped and counted, not fatal.
        (
            "/alas/AL2023/alas.rss".to_owned(),
            Route::Ok(test_data("amazon/2023/alas.rss")),
        ),
        (
            "/oracle/com.oracle.elsa-ol7.xml.bz2".to_owned(),
            Route::Ok(ol7.clone()),
        ),
        (
            "/suse/suse.linux.enterprise.server.15.xml.gz".to_owned(),
            Route::Ok(gz(&test_data("suse/suse.linux.enterprise.server.15.xml"))),
        ),
    ]);
    let server = Server::start(routes);
    let mut cfg = config(&server);
    cfg.debian_tracker_url = None;
    cfg.debian_dsa_url = None;
    cfg.alpine_base_url = None;
    cfg.ubuntu_osv_url = None;
    cfg.ubuntu_vex_url = None;
    cfg.amazon_base_url = Some(server.url("/alas/"));
    cfg.oracle_base_url = Some(server.url("/oracle"));
    cfg.oracle_files = vec!["com.oracle.elsa-ol7.xml.bz2".into()];
    cfg.suse_base_url = Some(server.url("/suse"));
    cfg.suse_files = vec!["suse.linux.enterprise.server.15.xml.gz".into()];
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("vulndb.sqlite");
    let mut lines = Vec::new();
    let summary =
        update(&cfg, &target, &options(), &mut |l| lines.push(l.to_owned())).expect("update");
    // kernel × 2 CVEs (AL2), nothing for AL2023 (no page), 32 ELSA records, 6 SUSE records.
    assert_eq!(summary.records, 2 + 32 + 6);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("1 advisory pages not found")),
        "{lines:?}"
    );
    let hits = server.hits();
    assert!(
        hits.contains(&"/alas/AL2023/ALAS-2023-126.html".to_owned()),
        "{hits:?}"
    );
    let db = VulnDb::open(&target).expect("open");
    let sources = &db.metadata().sources;
    let names: Vec<_> = sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "amazon-alas/2",
            "amazon-alas/2023",
            "oracle-oval/com.oracle.elsa-ol7",
            "suse-oval/suse.linux.enterprise.server.15"
        ]
    );
    let oracle = sources
        .iter()
        .find(|s| s.name.starts_with("oracle"))
        .expect("oracle");
    assert_eq!(
        oracle.url,
        server.url("/oracle/com.oracle.elsa-ol7.xml.bz2")
    );
    assert_eq!(oracle.bytes, ol7.len() as u64);
    let before = std::fs::read(&target).expect("read");

    // A cut-off bzip2 stream fails the update with its URL; the database stays as it was.
    server.set(
        "/oracle/com.oracle.elsa-ol7.xml.bz2",
        Route::Ok(ol7[..ol7.len() / 2].to_vec()),
    );
    let err = update(&cfg, &target, &options(), &mut |_| {}).unwrap_err();
    assert!(
        err.to_string()
            .contains(&server.url("/oracle/com.oracle.elsa-ol7.xml.bz2")),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).expect("read"), before);
    // A missing RSS list is fatal too, naming it.
    server.set("/alas/AL2/alas.rss", Route::Status(404));
    let err = update(&cfg, &target, &options(), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("/alas/AL2/alas.rss"), "{err}");
    assert_eq!(std::fs::read(&target).expect("read"), before);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn amazon_pages_are_fetched_several_at_once_and_any_failure_fails_the_update() {
    // A real 97-item AL2 list with the page of one item (the others are 404: skipped and counted).
    let routes = HashMap::from([
        (
            "/alas/AL2/alas.rss".to_owned(),
            Route::Ok(test_data("amazon-al2-rss/alas.rss")),
        ),
        (
            "/alas/AL2/ALAS-2018-949.html".to_owned(),
            Route::Ok(test_data("amazon-al2-rss/html/ALAS-2018-949.html")),
        ),
        (
            "/alas/AL2023/alas.rss".to_owned(),
            Route::Ok(test_data("amazon/2023/alas.rss")),
        ),
    ]);
    let overlap = Arc::new(Overlap::default());
    let server = Server::start_concurrent(routes, overlap.clone());
    let mut cfg = config(&server);
    cfg.debian_tracker_url = None;
    cfg.debian_dsa_url = None;
    cfg.alpine_base_url = None;
    cfg.ubuntu_osv_url = None;
    cfg.ubuntu_vex_url = None;
    cfg.amazon_base_url = Some(server.url("/alas"));
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("vulndb.sqlite");
    let mut lines = Vec::new();
    update(&cfg, &target, &options(), &mut |l| lines.push(l.to_owned())).expect("update");
    let hits = server.hits();
    let pages = hits
        .iter()
        .filter(|h| h.starts_with("/alas/AL2/ALAS-") && h.ends_with(".html"))
        .count();
    assert_eq!(pages, 97, "every item's page is asked for once");
    let max = overlap.max();
    assert!(
        (2..=8).contains(&max),
        "page requests overlap, at most 8 at once: {max}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("96 advisory pages not found")),
        "{lines:?}"
    );
    let before = std::fs::read(&target).expect("read");

    // One failing page among them fails the update with its URL; the database stays as it was.
    server.set("/alas/AL2/ALAS-2018-1050.html", Route::Status(500));
    let err = update(&cfg, &target, &options(), &mut |_| {}).unwrap_err();
    assert!(
        err.to_string()
            .contains(&server.url("/alas/AL2/ALAS-2018-1050.html"))
            && err.to_string().contains("HTTP status 500"),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).expect("read"), before);
    assert!(temp_files(dir.path()).is_empty());
}

/// A directory's `.json` files as a zip (OSV's `all.zip`), stored uncompressed.
fn zip_of(dir: &Path) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for p in names {
        zip.start_file(p.file_name().unwrap().to_string_lossy(), opts)
            .expect("zip");
        zip.write_all(&std::fs::read(&p).expect("read"))
            .expect("zip");
    }
    zip.finish().expect("zip").into_inner()
}

/// Red Hat's CSAF fixtures packed as Red Hat ships its VEX archive: a tar under `YEAR/`, zstd.
fn csaf_tar_zst() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/redhat-csaf/csaf");
    let mut tar = tar::Builder::new(Vec::new());
    tar.append_dir_all("2024", dir).expect("tar");
    zstd::stream::encode_all(tar.into_inner().expect("tar").as_slice(), 3).expect("zstd")
}

#[test]
fn update_fetches_red_hat_alma_and_rocky() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let archive = csaf_tar_zst();
    let routes = HashMap::from([
        (
            "/redhat/vex/archive_latest.txt".to_owned(),
            Route::Ok(b"csaf_vex_2026-12-01.tar.zst\n".to_vec()),
        ),
        (
            "/redhat/vex/csaf_vex_2026-12-01.tar.zst".to_owned(),
            Route::Ok(archive.clone()),
        ),
        (
            "/osv/AlmaLinux/all.zip".to_owned(),
            Route::Ok(zip_of(&tests.join("alma"))),
        ),
        (
            "/osv/Rocky%20Linux/all.zip".to_owned(),
            Route::Ok(zip_of(&tests.join("rocky"))),
        ),
    ]);
    let server = Server::start(routes);
    let mut cfg = config(&server);
    cfg.debian_tracker_url = None;
    cfg.debian_dsa_url = None;
    cfg.alpine_base_url = None;
    cfg.ubuntu_osv_url = None;
    cfg.ubuntu_vex_url = None;
    cfg.redhat_vex_base_url = Some(server.url("/redhat/vex/"));
    cfg.almalinux_osv_url = Some(server.url("/osv/AlmaLinux/all.zip"));
    cfg.rocky_osv_url = Some(server.url("/osv/Rocky%20Linux/all.zip"));
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("vulndb.sqlite");
    update(&cfg, &target, &options(), &mut |_| {}).expect("update");
    let db = VulnDb::open(&target).expect("open");
    let sources = &db.metadata().sources;
    let rh = sources
        .iter()
        .find(|s| s.name == "redhat-csaf")
        .expect("Red Hat");
    assert_eq!(
        rh.url,
        server.url("/redhat/vex/csaf_vex_2026-12-01.tar.zst")
    );
    assert_eq!(rh.bytes, archive.len() as u64);
    assert!(rh.records >= 12, "{}", rh.records);
    for name in ["almalinux-osv", "rocky-osv"] {
        let s = sources.iter().find(|s| s.name == name).expect(name);
        assert!(s.records > 0, "{name}");
    }
    let hits = server.hits();
    assert_eq!(hits[0], "/redhat/vex/archive_latest.txt", "{hits:?}");

    // An index that does not name an archive fails the update with its URL; the database stays.
    server.set(
        "/redhat/vex/archive_latest.txt",
        Route::Ok(b"<html>moved</html>".to_vec()),
    );
    let before = std::fs::read(&target).expect("db");
    let err = update(&cfg, &target, &options(), &mut |_| {}).expect_err("bad index");
    assert!(
        err.to_string()
            .contains(&server.url("/redhat/vex/archive_latest.txt")),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).expect("db"), before);
    // A damaged archive fails it too, naming the archive's URL.
    server.set(
        "/redhat/vex/archive_latest.txt",
        Route::Ok(b"csaf_vex_2026-12-01.tar.zst\n".to_vec()),
    );
    server.set(
        "/redhat/vex/csaf_vex_2026-12-01.tar.zst",
        Route::Ok(archive[..archive.len() / 2].to_vec()),
    );
    let err = update(&cfg, &target, &options(), &mut |_| {}).expect_err("cut archive");
    assert!(
        err.to_string().contains("csaf_vex_2026-12-01.tar.zst"),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).expect("db"), before);
}
