//! `dockaudit db build|update|status` as a user runs them: builds from the feed excerpts on disk
//! and from the test's own HTTP server on 127.0.0.1, status with counts (and the stale warning),
//! and the errors for a missing database and a file that is not one (exit code 2, path named).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dockaudit_scan::vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_scan::vulndb::FeedLimits;

fn feeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scan/tests/data/advisories/feeds")
}

fn dockaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args(args)
        // Never the user's own database, whatever the environment says.
        .env_remove("DOCKAUDIT_DB")
        .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
        .output()
        .expect("dockaudit runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn build_then_status() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vulndb.sqlite");
    let db = db.to_str().expect("utf-8");
    let from = feeds();
    let out = dockaudit(&[
        "db",
        "build",
        "--from",
        from.to_str().expect("utf-8"),
        "--db",
        db,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("91 records from 6 feeds"),
        "{}",
        text(&out.stdout)
    );

    let out = dockaudit(&["db", "status", "--db", db]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for want in [
        "debian-tracker",
        "ubuntu-osv",
        "ubuntu-vex",
        "alpine-secdb/v3.15/main",
        "(today)",
    ] {
        assert!(stdout.contains(want), "{want}: {stdout}");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["alpine", "3.15", "16", "16", "0", "0", "0", "0"]),
        "{stdout}"
    );
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );

    let out = dockaudit(&["db", "status", "--db", db, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["stale"], false);
    assert_eq!(v["metadata"]["schema_version"], 1);
    assert_eq!(v["releases"].as_array().map(Vec::len), Some(16));
}

#[test]
fn an_old_database_is_called_stale() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("old.sqlite");
    let options = BuildOptions {
        built_at: time::OffsetDateTime::now_utc() - time::Duration::days(30),
        built_by: "test".into(),
        limits: FeedLimits::default(),
        force: false,
    };
    build(
        &FeedSet::discover(&feeds()).expect("feeds"),
        &db,
        &options,
        &mut |_| {},
    )
    .expect("build");
    let out = dockaudit(&["db", "status", "--db", db.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("30 days old") && stderr.contains("dockaudit db update"),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("(30 days ago)"));
}

#[test]
fn missing_and_foreign_databases_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("none.sqlite");
    let out = dockaudit(&["db", "status", "--db", missing.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no vulnerability database at") && stderr.contains("db update"),
        "{stderr}"
    );

    let random = dir.path().join("random.sqlite");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    std::fs::write(&random, &bytes).expect("write");
    let r = random.to_str().expect("utf-8");
    let out = dockaudit(&["db", "status", "--db", r]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(r) && stderr.contains("is not a dockaudit vulnerability database"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));

    let from = feeds();
    let out = dockaudit(&[
        "db",
        "build",
        "--from",
        from.to_str().expect("utf-8"),
        "--db",
        r,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("refusing to replace"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&random).expect("read"),
        bytes,
        "left as it was"
    );

    let out = dockaudit(&[
        "db",
        "build",
        "--from",
        dir.path().to_str().expect("utf-8"),
        "--db",
        r,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no feeds found"),
        "{}",
        text(&out.stderr)
    );
}

/// `db update` from a mirror on 127.0.0.1 serving Alpine's secdb (the other feeds skipped), then a
/// mirror serving a truncated file: the update fails naming the URL, the database stays.
#[test]
fn update_from_a_local_mirror() {
    // Two packages of the secdb's 3.15 main.json (the library's tests read the whole excerpt).
    let main = br#"{"distroversion": "v3.15", "reponame": "main", "packages": [
        {"pkg": {"name": "xz", "secfixes": {"5.2.5-r1": ["CVE-2022-1271"]}}},
        {"pkg": {"name": "zlib", "secfixes": {"1.2.12-r0": ["CVE-2018-25032"], "1.2.12-r2": ["CVE-2022-37434"]}}}
    ]}"#
    .to_vec();
    let truncated = main[..main.len() / 2].to_vec();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        // Two updates: index + main + community each, the second serving main cut in half.
        for (i, stream) in listener.incoming().take(6).enumerate() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            let (status, body): (&str, Vec<u8>) = match path.as_str() {
                "/secdb/" => ("200 OK", b"<a href=\"v3.15/\">v3.15/</a>".to_vec()),
                "/secdb/v3.15/main.json" if i < 3 => ("200 OK", main.clone()),
                "/secdb/v3.15/main.json" => ("200 OK", truncated.clone()),
                _ => ("404 Not Found", Vec::new()),
            };
            let mut out = stream;
            let _ = write!(
                out,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = out.write_all(&body);
        }
    });
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vulndb.sqlite");
    let db = db.to_str().expect("utf-8");
    let alpine = format!("{base}/secdb");
    let args = [
        "db",
        "update",
        "--db",
        db,
        "--skip",
        "debian,ubuntu",
        "--alpine-url",
        &alpine,
        "--timeout",
        "10",
    ];
    let out = dockaudit(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 records from 1 feed ("),
        "{}",
        text(&out.stdout)
    );
    let before = std::fs::read(db).expect("read");
    let out = dockaudit(&["db", "status", "--db", db]);
    assert!(
        text(&out.stdout).contains(&format!("{base}/secdb/v3.15/main.json")),
        "{}",
        text(&out.stdout)
    );

    let out = dockaudit(&args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{base}/secdb/v3.15/main.json"))
            && stderr.contains("was left as it was"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(db).expect("read"), before);
    server.join().expect("server");
}
