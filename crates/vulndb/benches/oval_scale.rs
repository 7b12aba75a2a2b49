//! How the OVAL importers (Oracle, SUSE) scale: the real ELSA and SUSE definitions of the test data
//! repeated under new ids until the file is the size asked for (`OVAL_MB`, default 100 MB of XML
//! each), then compressed as the vendors ship them (bzip2, gzip) and built into a database with
//! `db build --from`. Prints the file sizes, records, build time and each build's peak memory
//! (and the process's memory when the build starts, which the peak includes; the importers read
//! the XML as a stream). Not a timed test: `cargo bench -p dockaudit-vulndb --bench oval_scale`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use dockaudit_vulndb::build::{build, BuildOptions, FeedSet};
use dockaudit_vulndb::FeedLimits;

fn data(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel),
    )
    .expect(rel)
}

/// The text between the first `open` and the last `close` (inclusive of `close`).
fn body<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let a = xml.find(open).expect(open);
    let b = xml.rfind(close).expect(close) + close.len();
    &xml[a..b]
}

/// The inside of the section that `open` starts and the last `close` ends.
fn inside<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let a = xml.find(open).expect(open) + open.len();
    let b = xml.rfind(close).expect(close);
    &xml[a..b]
}

/// `xml`'s definitions (and, for SUSE, its tests, objects and states) repeated with every OVAL id
/// and CVE id made unique per copy, until about `target` bytes.
fn scaled(xml: &str, target: usize, with_tables: bool) -> String {
    let head = &xml[..xml.find("<definitions>").expect("definitions") + "<definitions>".len()];
    let defs = body(xml, "<definition ", "</definition>");
    // SUSE's file: <tests>, <objects>, and its states in a <state> container.
    let tables = with_tables.then(|| {
        [
            inside(xml, "<tests>", "</tests>"),
            inside(xml, "<objects>", "</objects>"),
            inside(xml, "\n  <state>", "</state>\n</oval_definitions>"),
        ]
    });
    let mut out = [String::new(), String::new(), String::new(), String::new()];
    let mut copy = 0u32;
    while out.iter().map(String::len).sum::<usize>() < target {
        copy += 1;
        let unique = |s: &str| {
            s.replace(":def:", &format!(":def:{copy}x"))
                .replace(":tst:", &format!(":tst:{copy}x"))
                .replace(":obj:", &format!(":obj:{copy}x"))
                .replace(":ste:", &format!(":ste:{copy}x"))
                .replace("ELSA-", &format!("ELSA-{copy}-"))
                .replace("CVE-", &format!("CVE-{copy}"))
        };
        out[0].push_str(&unique(defs));
        if let Some(t) = &tables {
            for (i, part) in t.iter().enumerate() {
                out[i + 1].push_str(&unique(part));
            }
        }
    }
    let [d, t, o, st] = out;
    if with_tables {
        format!("{head}{d}</definitions><tests>{t}</tests><objects>{o}</objects><state>{st}</state></oval_definitions>")
    } else {
        format!("{head}{d}</definitions></oval_definitions>")
    }
}

fn peak_rss_mb() -> String {
    status_mb("VmHWM:")
}

/// A memory line of /proc/self/status (`VmHWM:` the peak, `VmRSS:` now), in MB.
fn status_mb(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or("?".into(), |kb| format!("{:.0} MB", kb as f64 / 1024.0))
}

fn main() {
    let mb: usize = std::env::var("OVAL_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("oracle")).unwrap();
    std::fs::create_dir_all(dir.path().join("suse")).unwrap();

    let started = Instant::now();
    let elsa = scaled(&data("oracle/elsa-mock_per_arch_data.xml"), mb << 20, false);
    let mut enc = bzip2::write::BzEncoder::new(
        std::fs::File::create(dir.path().join("oracle/com.oracle.elsa-ol9.xml.bz2")).unwrap(),
        bzip2::Compression::default(),
    );
    enc.write_all(elsa.as_bytes()).unwrap();
    enc.finish().unwrap();
    let suse = scaled(
        &data("suse/suse.linux.enterprise.server.15.xml"),
        mb << 20,
        true,
    );
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(
            dir.path()
                .join("suse/suse.linux.enterprise.server.15.xml.gz"),
        )
        .unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(suse.as_bytes()).unwrap();
    enc.finish().unwrap();
    let size = |rel: &str| std::fs::metadata(dir.path().join(rel)).unwrap().len() as f64 / 1e6;
    println!(
        "synthetic Oracle OVAL: {:.1} MB XML ({:.1} MB .bz2), SUSE OVAL: {:.1} MB XML ({:.1} MB .gz); made in {:.1} s",
        elsa.len() as f64 / 1e6,
        size("oracle/com.oracle.elsa-ol9.xml.bz2"),
        suse.len() as f64 / 1e6,
        size("suse/suse.linux.enterprise.server.15.xml.gz"),
        started.elapsed().as_secs_f64()
    );
    drop((elsa, suse));
    println!("peak memory before the build: {}", peak_rss_mb());

    // `OVAL_ONLY=suse` (or `oracle`) builds one of the two, for a peak not shared with the other.
    let only = std::env::var("OVAL_ONLY").ok();
    for feed in ["oracle", "suse"] {
        if only.as_deref().is_some_and(|o| o != feed) {
            continue;
        }
        let only = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(only.path().join(feed)).unwrap();
        for e in std::fs::read_dir(dir.path().join(feed)).unwrap() {
            let e = e.unwrap();
            std::fs::rename(e.path(), only.path().join(feed).join(e.file_name())).unwrap();
        }
        let feeds = FeedSet::discover(only.path()).expect("feeds");
        let target = only.path().join("vulndb.sqlite");
        let options = BuildOptions {
            built_at: time::OffsetDateTime::now_utc(),
            built_by: "oval_scale bench".into(),
            limits: FeedLimits::default(),
            force: false,
        };
        // Resets the peak (Linux: "5" to clear_refs), so it is this build's.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let at_start = status_mb("VmRSS:");
        let t = Instant::now();
        let summary = build(&feeds, &target, &options, &mut |_| {}).expect("build");
        println!(
            "db build --from ({feed}): {} records, {} skipped, {:.2} s, database {:.1} MB; peak memory {} ({at_start} at the start)",
            summary.records,
            summary.skipped.skipped,
            t.elapsed().as_secs_f64(),
            summary.file_bytes as f64 / 1e6,
            peak_rss_mb()
        );
    }
}
