//! The HTML report in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs; `DOCKAUDIT_CHROMIUM` names another binary) opens the page the binary wrote for the
//! recorded scenario, and the tests read the DOM it has after the page's script ran.
//!
//! They check what a reader sees: the summary numbers equal the JSON report's from the same audit, a
//! known finding's text and fix are on the page, an accepted risk is listed apart with its reason,
//! the filters (driven through the address fragment) hide exactly what they should, and the page
//! renders to a screenshot of the size asked for.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::Value;

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json")
}

/// The browser binary: `DOCKAUDIT_CHROMIUM`, else the first of the usual names on PATH.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("DOCKAUDIT_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "no Chromium found for the HTML report test: install Debian's `chromium` (.ci/run does) \
         or set DOCKAUDIT_CHROMIUM to a Chromium or Chrome binary"
    );
}

/// One audit of the scenario, written as HTML and JSON, with one finding accepted by an ignore.
struct Written {
    dir: tempfile::TempDir,
    report: Value,
}

impl Written {
    fn html(&self) -> PathBuf {
        self.dir.path().join("report.html")
    }
}

fn write_reports() -> Written {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        dir.path().join("dockaudit.toml"),
        "[[ignore]]\nrule = \"CTR006\"\ntarget = \"fx-procs\"\nreason = \"lab box, accepted\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
        .args(["audit", "--snapshot"])
        .arg(scenario())
        .args(["-f", "html=report.html", "-f", "json=report.json"])
        .args(["--fail-on", "never"])
        .output()
        .expect("dockaudit runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    Written { dir, report }
}

/// Runs the browser headless on `url` with `args`, killing it after two minutes; returns stdout.
fn browse(work: &Path, args: &[&str], url: &str) -> String {
    let stdout_path = work.join(format!("browser-{}.out", std::process::id()));
    let profile = tempfile::tempdir_in(work).expect("a browser profile dir");
    let mut child = Command::new(chromium())
        .args(["--headless", "--disable-gpu", "--no-first-run"])
        // The sandbox needs user namespaces or a setuid helper, which CI (root in a container) lacks.
        .arg("--no-sandbox")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("the browser starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the browser failed on {url}: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser did not finish with {url} within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(&stdout_path).unwrap()
}

fn dom(written: &Written, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", written.html().display());
    let dom = browse(written.dir.path(), &["--dump-dom"], &url);
    assert!(dom.contains("</html>"), "no DOM from the browser: {dom}");
    dom
}

/// The text of the element that carries `attribute` (e.g. `data-count="critical"`).
fn text_of(dom: &str, attribute: &str) -> String {
    let re = Regex::new(&format!(r#"{}[^>]*>([^<]*)<"#, regex::escape(attribute))).unwrap();
    let caps = re
        .captures(dom)
        .unwrap_or_else(|| panic!("no element with {attribute} on the page"));
    caps[1].trim().to_string()
}

/// Escapes text the way the page shows it, for finding it in the DOM.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn the_page_shows_the_reports_numbers_and_findings() {
    let written = write_reports();
    let report = &written.report;
    let dom = dom(&written, "");

    let summary = &report["summary"];
    for key in ["failed", "passed", "skipped", "suppressed"] {
        assert_eq!(
            text_of(&dom, &format!("data-count=\"{key}\"")),
            summary[key].to_string(),
            "{key}"
        );
    }
    assert_eq!(summary["suppressed"], 1, "the ignore accepted one finding");
    let mut open = 0;
    for severity in ["critical", "high", "medium", "low", "info"] {
        let n = summary["by_severity"][severity].as_u64().unwrap();
        open += n;
        assert_eq!(
            text_of(&dom, &format!("data-count=\"{severity}\"")),
            n.to_string(),
            "{severity}"
        );
    }
    assert_eq!(text_of(&dom, "data-count=\"findings\""), open.to_string());
    assert_eq!(text_of(&dom, "id=\"shown\""), open.to_string());
    let score = report["score"]["overall"].as_u64().expect("a score");
    assert_eq!(text_of(&dom, "id=\"score\""), score.to_string());
    for (category, n) in report["score"]["by_category"].as_object().unwrap() {
        let row = Regex::new(&format!(
            r#"<tr data-category="{category}"><td>[^<]*</td><td[^>]*><b>(\d+)</b>"#
        ))
        .unwrap();
        let caps = row
            .captures(&dom)
            .unwrap_or_else(|| panic!("no score row for {category}"));
        assert_eq!(&caps[1], n.to_string(), "{category}");
    }

    // A known finding, in its target's group, with its message and fix.
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CTR001")
        .expect("CTR001 fails on the scenario");
    assert_eq!(privileged["target"]["name"], "fx-privileged");
    let (_, group) = dom
        .split_once(r#"<section class="target" data-kind="container" data-name="fx-privileged">"#)
        .expect("a group for fx-privileged");
    let group = group.split("</section>").next().unwrap();
    assert!(
        group.contains(r#"data-rule="CTR001""#),
        "CTR001 not in the fx-privileged group"
    );
    assert!(group.contains(&html_text(privileged["message"].as_str().unwrap())));
    assert!(group.contains("Remove --privileged"), "{group}");

    // The accepted risk is listed apart, with its reason, and not among the open findings.
    let (open_part, accepted) = dom
        .split_once(r#"<section id="suppressed">"#)
        .expect("an accepted-risks section");
    assert!(accepted.contains("lab box, accepted"));
    let procs_group = open_part
        .split_once(r#"data-name="fx-procs">"#)
        .map(|(_, g)| g.split("</section>").next().unwrap().to_string())
        .unwrap_or_default();
    assert!(!procs_group.contains(r#"data-rule="CTR006""#));

    // Skipped rules and their reasons are on the page.
    for skip in report["skipped"].as_array().unwrap() {
        assert!(
            dom.contains(&format!("<td>{}</td>", skip["rule"].as_str().unwrap())),
            "skip of {} not shown",
            skip["rule"]
        );
    }
}

/// Which findings a filter should leave shown.
type FindingFilter = dyn Fn(&Value) -> bool;

#[test]
fn the_filters_hide_exactly_what_they_should() {
    let written = write_reports();
    let findings: Vec<&Value> = written.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .collect();
    let article = Regex::new(r#"<article class="finding" data-rule="([A-Z]+\d+)" data-severity="(\w+)" data-category="(\w+)"( hidden="")?>"#).unwrap();
    let cases: [(&str, &FindingFilter); 3] = [
        ("#severity=critical,high", &|f| {
            f["severity"] == "critical" || f["severity"] == "high"
        }),
        ("#category=images&severity=critical", &|f| {
            f["category"] == "images" && f["severity"] == "critical"
        }),
        ("#q=fx-privileged", &|f| {
            f["target"]["name"] == "fx-privileged"
        }),
    ];
    for (fragment, wanted) in cases {
        let dom = dom(&written, fragment);
        let expected = findings.iter().filter(|f| wanted(f)).count();
        assert!(
            expected > 0,
            "{fragment}: the scenario has matching findings"
        );
        assert_eq!(
            text_of(&dom, "id=\"shown\""),
            expected.to_string(),
            "{fragment}"
        );
        let mut shown = 0;
        let mut all = 0;
        for caps in article.captures_iter(&dom) {
            all += 1;
            if caps.get(4).is_none() {
                shown += 1;
                // A shown finding matches the filter (the text filter also matches on target names).
                if !fragment.starts_with("#q=") {
                    assert!(
                        findings.iter().any(|f| wanted(f)
                            && f["rule"] == caps[1]
                            && f["severity"] == caps[2]
                            && f["category"] == caps[3]),
                        "{fragment}: {} shown",
                        &caps[0]
                    );
                }
            }
        }
        assert_eq!(
            all,
            findings.len(),
            "{fragment}: every finding is on the page"
        );
        assert_eq!(shown, expected, "{fragment}");
    }
}

#[test]
fn the_page_renders_to_a_screenshot() {
    let written = write_reports();
    let png = written.dir.path().join("report.png");
    let url = format!("file://{}", written.html().display());
    browse(
        written.dir.path(),
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", png.display()),
        ],
        &url,
    );
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 1600));
    // A blank page compresses to almost nothing; the report's text and chart do not.
    assert!(bytes.len() > 50_000, "{} bytes: a blank page?", bytes.len());
}
