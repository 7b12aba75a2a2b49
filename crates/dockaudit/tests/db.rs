//! `dockaudit db build|update|status` as a user runs them: builds from the feed excerpts on disk
//! and from the test's own HTTP server on 127.0.0.1, status with counts (and the stale warning),
//! a missing database (a state, exit 0) and a file that is not one (exit code 2, path named).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::FeedLimits;

fn feeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vulndb/tests/data/advisories/feeds")
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
                == ["alpine", "3.15", "16", "16", "0", "0", "0", "0", "0"]),
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
    assert_eq!(v["exists"], true);
    assert_eq!(
        v["metadata"]["schema_version"],
        dockaudit_vulndb::SCHEMA_VERSION
    );
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
fn no_database_is_a_state_and_a_foreign_file_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("none.sqlite");
    let m = missing.to_str().expect("utf-8");
    // No database yet is what a fresh host has: said plainly, exit 0.
    let out = dockaudit(&["db", "status", "--db", m]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("none at") && stdout.contains(m) && stdout.contains("db update"),
        "{stdout}"
    );
    // And valid JSON that says it, for scripts.
    let out = dockaudit(&["db", "status", "--db", m, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["exists"], serde_json::Value::Bool(false), "{doc}");
    assert_eq!(doc["path"].as_str(), Some(m), "{doc}");
    assert!(!missing.exists(), "status must not create the database");

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
        "debian,ubuntu,azurelinux,wolfi,chainguard,redhat,almalinux,rocky,amazon,oracle,suse,nvd,kev,epss,osv",
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

/// The recorded scenario (its images' vulnerabilities matched against a database built from the
/// same feed excerpts as `feeds()`).
fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json")
}

/// VLN001's findings and skip reason in the JSON report of `snapshot`, audited with `db`.
fn vln001(snapshot: &Path, db: Option<&Path>) -> (Vec<String>, Option<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.args([
        "audit",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--select",
        "VLN001",
    ])
    .arg("--snapshot")
    .arg(snapshot)
    .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
    .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test");
    match db {
        Some(db) => cmd.env("DOCKAUDIT_DB", db),
        None => cmd.env_remove("DOCKAUDIT_DB"),
    };
    let out = cmd.output().expect("dockaudit runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report");
    let findings = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    let skip = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["rule"] == "VLN001")
        .map(|s| s["reason"].as_str().unwrap_or_default().to_owned());
    (findings, skip)
}

#[test]
fn a_snapshot_collected_without_a_database_is_matched_against_this_hosts() {
    let dir = tempfile::tempdir().expect("tmp");
    // The recorded scenario, as if collected where there was no database: its packages kept, its
    // matches replaced by the reason there were none.
    let mut snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario()).expect("fixture")).expect("json");
    let mut lacking = 0;
    for image in snapshot["images"].as_array_mut().expect("images") {
        if let Some(contents) = image["contents"].get_mut("value") {
            if contents["vulnerabilities"].get("value").is_some() {
                contents["vulnerabilities"] = serde_json::json!({
                    "missing": dockaudit_collect::vulns::NO_DATABASE
                });
                contents["vulnerability_db"] = serde_json::Value::Null;
                lacking += 1;
            }
        }
    }
    assert!(lacking > 0, "the fixture has matched images");
    let without = dir.path().join("without-db.json");
    std::fs::write(&without, serde_json::to_vec(&snapshot).expect("json")).expect("write");

    let (recorded, recorded_skip) = vln001(&scenario(), None);
    assert!(!recorded.is_empty(), "the fixture has VLN001 findings");

    // No database here either: the rule says how to get one.
    let (findings, skip) = vln001(&without, None);
    assert!(findings.is_empty(), "{findings:?}");
    assert!(
        skip.as_deref()
            .is_some_and(|r| r.contains("dockaudit db update")),
        "{skip:?}"
    );
    assert_ne!(skip, recorded_skip);

    // With one here: the same findings as the snapshot collected with a database.
    let db = dir.path().join("vulndb.sqlite");
    let out = dockaudit(&[
        "db",
        "build",
        "--from",
        feeds().to_str().expect("utf-8"),
        "--db",
        db.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (findings, skip) = vln001(&without, Some(&db));
    assert_eq!(findings, recorded);
    assert_eq!(skip, recorded_skip);
}

#[test]
fn modular_packages_left_unjudged_are_a_skip_naming_them_never_a_pass() {
    let dir = tempfile::tempdir().expect("tmp");
    // A database of Red Hat's real CSAF documents (one of them is the ruby:3.1 module stream's).
    let from = dir.path().join("feeds");
    let redhat = from.join("redhat");
    std::fs::create_dir_all(&redhat).expect("mkdir");
    let csaf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vulndb/tests/data/redhat-csaf/csaf");
    for entry in std::fs::read_dir(&csaf).expect("csaf fixtures") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, redhat.join(path.file_name().expect("name"))).expect("copy");
    }
    let db = dir.path().join("vulndb.sqlite");
    let out = dockaudit(&[
        "db",
        "build",
        "--from",
        from.to_str().expect("utf-8"),
        "--db",
        db.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // The recorded scenario's Ubuntu image in use, as if it were a RHEL 8 image collected without a
    // database: sudo at RHEL 8's fixed build, and ruby from the ruby:3.1 module stream.
    let mut snapshot: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario()).expect("fixture")).expect("json");
    let image = snapshot["images"]
        .as_array_mut()
        .expect("images")
        .iter_mut()
        .find(|i| i["contents"]["value"]["os"]["id"] == "ubuntu")
        .expect("the fixture's Ubuntu image");
    let id = image["inspect"]["Id"].as_str().expect("id").to_owned();
    let contents = &mut image["contents"]["value"];
    contents["os"] = serde_json::json!({
        "id": "rhel", "version_id": "8.9", "pretty_name": "Red Hat Enterprise Linux 8.9 (Ootpa)",
        "source": "etc/os-release",
    });
    let rpm = |name: &str, source: &str, version: &str| {
        serde_json::json!({
            "name": name, "version": version, "arch": "x86_64", "source_name": source,
            "source_version": version, "format": "rpm",
        })
    };
    contents["packages"] = serde_json::json!([
        rpm("sudo", "sudo", "1.9.5p2-1.el8_9"),
        rpm("ruby", "ruby", "3.1.2-141.module+el8.8.0+18473+3d0e8a5b"),
        rpm(
            "ruby-libs",
            "ruby",
            "3.1.2-141.module+el8.8.0+18473+3d0e8a5b"
        ),
    ]);
    contents["vulnerabilities"] =
        serde_json::json!({ "missing": dockaudit_collect::vulns::NO_DATABASE });
    contents["vulnerability_db"] = serde_json::Value::Null;
    let audit = |snapshot: &serde_json::Value, name: &str| -> serde_json::Value {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(snapshot).expect("json")).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
            .args(["audit", "--format", "json", "--fail-on", "never"])
            .args(["--select", "VLN001", "--snapshot"])
            .arg(&path)
            .env("DOCKAUDIT_DB", &db)
            .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
            .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
            .output()
            .expect("dockaudit runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("report")
    };
    let skips = |report: &serde_json::Value| -> Vec<String> {
        report["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .filter(|s| s["rule"] == "VLN001" && s["target"]["id"] == id.as_str())
            .map(|s| s["reason"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let checked = |report: &serde_json::Value| {
        report["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["rule"] == "VLN001")
            .expect("VLN001 ran")["checked"]
            .as_u64()
            .expect("checked")
    };
    let report = audit(&snapshot, "rhel8.json");
    assert_eq!(
        skips(&report),
        ["2 installed packages not judged (module streams not matched: no module stream (rpm MODULARITYLABEL) is recorded for these modular builds, so their stream's records cannot be chosen): ruby 3.1.2-141.module+el8.8.0+18473+3d0e8a5b, ruby-libs 3.1.2-141.module+el8.8.0+18473+3d0e8a5b"],
        "{report}"
    );
    // sudo is judged (fixed): no finding. Without the modular packages the image passes, so it
    // counts among the images checked; with them it does not.
    assert!(report["findings"].as_array().expect("findings").is_empty());
    let image = snapshot["images"]
        .as_array_mut()
        .expect("images")
        .iter_mut()
        .find(|i| i["inspect"]["Id"] == id.as_str())
        .expect("image");
    image["contents"]["value"]["packages"]
        .as_array_mut()
        .expect("packages")
        .truncate(1);
    let without_modules = audit(&snapshot, "rhel8-no-modules.json");
    assert!(skips(&without_modules).is_empty(), "{without_modules}");
    assert_eq!(checked(&without_modules), checked(&report) + 1);

    // The same ruby build saying its stream (rpm's MODULARITYLABEL, as the scanner reads it) is
    // judged against the ruby:3.1 stream's records: below RHSA-2024:1431's fix, so a finding.
    let image = snapshot["images"]
        .as_array_mut()
        .expect("images")
        .iter_mut()
        .find(|i| i["inspect"]["Id"] == id.as_str())
        .expect("image");
    let mut ruby = rpm("ruby", "ruby", "3.1.2-141.module+el8.8.0+18473+3d0e8a5b");
    ruby["module"] = "ruby:3.1:8090020240311122605:a75119d5".into();
    image["contents"]["value"]["packages"]
        .as_array_mut()
        .expect("packages")
        .push(ruby);
    let labelled = audit(&snapshot, "rhel8-labelled.json");
    assert!(skips(&labelled).is_empty(), "{labelled}");
    let findings = labelled["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{labelled}");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("source package ruby 3.1.2-141.module+el8.8.0+18473+3d0e8a5b has 4 known vulnerabilities"),
        "{}",
        findings[0]["message"]
    );
}

#[test]
fn dockaudit_image_output_names_the_unjudged_modular_packages() {
    // `dockaudit sbom` renders as `dockaudit image` does: a bill of materials of a RHEL 8 image
    // (purls as syft writes them) whose ruby build says no stream, since a purl carries no
    // MODULARITYLABEL.
    let dir = tempfile::tempdir().expect("tmp");
    let from = dir.path().join("feeds");
    let redhat = from.join("redhat");
    std::fs::create_dir_all(&redhat).expect("mkdir");
    let csaf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vulndb/tests/data/redhat-csaf/csaf");
    for entry in std::fs::read_dir(&csaf).expect("csaf fixtures") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, redhat.join(path.file_name().expect("name"))).expect("copy");
    }
    let db = dir.path().join("vulndb.sqlite");
    let out = dockaudit(&[
        "db",
        "build",
        "--from",
        from.to_str().expect("utf-8"),
        "--db",
        db.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let component = |name: &str, version: &str| {
        let escaped = version.replace('+', "%2B");
        serde_json::json!({
            "type": "library", "name": name, "version": version,
            "purl": format!("pkg:rpm/redhat/{name}@{escaped}?arch=x86_64&distro=rhel-8.9&upstream={name}-{escaped}.src.rpm"),
        })
    };
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [
            component("sudo", "1.9.5p2-1.el8_9"),
            component("ruby", "3.1.2-141.module+el8.8.0+18473+3d0e8a5b"),
        ],
    });
    let file = dir.path().join("rhel8.cdx.json");
    std::fs::write(&file, serde_json::to_vec(&bom).expect("json")).expect("write");
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
            .args(["sbom", "--format", format, "--fail-on", "never"])
            .arg(&file)
            .env("DOCKAUDIT_DB", &db)
            .env("XDG_DATA_HOME", "/nonexistent/dockaudit-test")
            .env("XDG_CONFIG_HOME", "/nonexistent/dockaudit-test")
            .output()
            .expect("dockaudit runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let doc: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    assert_eq!(
        doc["vulnerabilities_unjudged"],
        serde_json::json!([{
            "reason": "module streams not matched: no module stream (rpm MODULARITYLABEL) is recorded for these modular builds, so their stream's records cannot be chosen",
            "packages": ["ruby 3.1.2-141.module+el8.8.0+18473+3d0e8a5b"],
        }]),
        "{doc}"
    );
    let terminal = run("terminal");
    assert!(
        terminal.contains("vulnerabilities: 1 package NOT judged (module streams not matched: "),
        "{terminal}"
    );
    assert!(
        terminal.contains("ruby 3.1.2-141.module+el8.8.0+18473+3d0e8a5b"),
        "{terminal}"
    );
}
