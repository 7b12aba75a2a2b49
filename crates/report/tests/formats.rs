//! Every emitter over the same canonical reports, built from the recorded scenario snapshot
//! (crates/rules/tests/fixtures/scenario.json) by selecting rules and targets, never written by hand:
//!
//! - `clean`: rules that all pass on the scenario;
//! - `severities`: a few containers and rules with a finding of every severity;
//! - `skips`: rules skipped whole (no AppArmor, no swarm) and on single targets (unreadable logs,
//!   no OS release file), beside a passing and a failing rule.
//!
//! SARIF is validated against the official 2.1.0 schema (tests/data), JUnit is parsed and its counts
//! compared with the report's, and every format is pinned with an insta snapshot.

use std::path::PathBuf;
use std::sync::OnceLock;

use dockaudit_report::emit::{
    write_html, write_json, write_junit, write_markdown, write_sarif, write_terminal,
    TerminalOptions,
};
use dockaudit_report::{
    Category, Location, Report, RuleInfo, RuleStatus, Score, Severity, Suppression,
};
use dockaudit_rules::{AuditOptions, RuleSelection, TargetFilter, RULES};
use dockaudit_snapshot::Snapshot;
use serde_json::Value;

fn scenario() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json");
        Snapshot::load(&path).expect("the recorded scenario loads")
    })
}

/// The catalogue as the binary gives it, read the way `dockaudit rules --format json` writes it.
fn catalogue() -> Vec<RuleInfo> {
    let metas: Vec<_> = RULES.iter().map(|r| r.meta).collect();
    serde_json::from_value(serde_json::to_value(metas).unwrap())
        .expect("rule metadata is a catalogue")
}

fn audit(select: &[&str], containers: &[&str]) -> Report {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let options = AuditOptions {
        selection: RuleSelection::new(&strings(select), &[], RULES).unwrap(),
        filter: TargetFilter::new(&strings(containers), &[], &[], &[]).unwrap(),
        tool_version: "0.0.0-test".into(),
        ..AuditOptions::default()
    };
    dockaudit_rules::audit(scenario(), RULES, &options)
}

fn clean() -> Report {
    audit(
        &[
            "DMN003", "DMN004", "DMN005", "DMN007", "HST008", "HST010", "NET008",
        ],
        &[],
    )
}

fn severities() -> Report {
    audit(
        &["CTR001", "CTR005", "CTR009", "DMN001", "DMN008", "NET004"],
        &["fx-privileged", "fx-caps", "fx-namespaces", "fx-ports"],
    )
}

fn skips() -> Report {
    audit(
        &["CTR003", "DMN020", "LOG004", "IMG007", "DMN003", "DMN001"],
        &[],
    )
}

fn canonical() -> [(&'static str, Report); 3] {
    [
        ("clean", clean()),
        ("severities", severities()),
        ("skips", skips()),
    ]
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    f(&mut buf).expect("an emitter writes to memory");
    String::from_utf8(buf).expect("UTF-8 output")
}

/// Removes ANSI SGR sequences (`ESC [ … m`), so terminal snapshots are readable.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---- the canonical reports are what they claim to be ----

#[test]
fn canonical_reports_cover_what_they_are_for() {
    let c = clean();
    assert!(c.findings.is_empty() && c.skipped.is_empty());
    assert_eq!(c.score.overall, Some(100));

    let s = severities();
    for sev in Severity::ALL {
        assert!(
            s.summary.by_severity.get(sev) > 0,
            "no {sev} finding in the severities report"
        );
    }
    assert!(s.skipped.is_empty());

    let k = skips();
    assert!(k.skipped.iter().any(|s| s.target.is_none()));
    assert!(k.skipped.iter().any(|s| s.target.is_some()));
    assert!(k.results.iter().any(|r| r.status == RuleStatus::Passed));
    assert!(k.results.iter().any(|r| r.status == RuleStatus::Failed));
}

// ---- score ----

#[test]
fn score_is_severity_weighted_share_of_checks_passed() {
    let r = severities();
    let (mut passed, mut total) = (0u64, 0u64);
    for x in &r.results {
        let w = Score::weight(x.severity);
        passed += w * (x.checked - x.failed) as u64;
        total += w * x.checked as u64;
    }
    assert_eq!(r.score.overall, Some((passed * 100 / total) as u8));
    // DMN008 is info (weight 0): the daemon's score is DMN001's alone, which failed its one check.
    assert_eq!(r.score.by_category.get(&Category::Daemon), Some(&0));
    assert!(r.score.by_category.contains_key(&Category::Containers));
    assert!(!r.score.by_category.contains_key(&Category::Mounts));
}

#[test]
fn skipped_rules_do_not_count_in_the_score() {
    let only_skipped = audit(&["CTR003", "DMN020"], &[]);
    assert_eq!(only_skipped.score, Score::default());
    let json = serde_json::to_value(&only_skipped).unwrap();
    assert_eq!(
        json["score"],
        serde_json::json!({"overall": null, "by_category": {}})
    );
}

#[test]
fn full_scenario_score_is_in_the_json_report() {
    let report = audit(&[], &[]);
    let json: Value = serde_json::from_str(&render(|b| write_json(&report, b))).unwrap();
    let overall = json["score"]["overall"].as_u64().unwrap();
    assert!(overall > 0 && overall < 100, "{overall}");
    assert!(json["score"]["by_category"]["containers"].is_u64());
    // A report written before `score` existed still reads.
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("score");
    let back: Report = serde_json::from_value(old).unwrap();
    assert_eq!(back.score, Score::default());
}

// ---- SARIF ----

fn sarif_errors(sarif: &Value) -> Vec<String> {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = SCHEMA.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json"))
            .expect("the schema is JSON");
        jsonschema::validator_for(&schema).expect("the schema compiles")
    });
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn sarif_of(report: &Report) -> Value {
    serde_json::from_str(&render(|b| write_sarif(report, &catalogue(), b))).unwrap()
}

#[test]
fn sarif_of_the_full_scenario_is_valid_and_every_result_is_located() {
    let report = audit(&[], &[]);
    let sarif = sarif_of(&report);
    assert_eq!(sarif_errors(&sarif), Vec::<String>::new());

    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "dockaudit");
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), report.results.len());
    let ctr001 = rules.iter().find(|r| r["id"] == "CTR001").unwrap();
    assert_eq!(ctr001["name"], "privileged-container");
    assert_eq!(ctr001["properties"]["security-severity"], "9.5");
    let tags = ctr001["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&"containers".into()) && tags.contains(&"cis:5.5".into()));
    assert!(ctr001["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("--privileged"));

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    for (r, f) in results.iter().zip(&report.findings) {
        assert_eq!(r["ruleId"], f.rule.as_str());
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            f.rule.as_str()
        );
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&f.remediation));
        let loc = &r["locations"][0];
        // GitHub code scanning needs an artifact URI on every result.
        assert!(
            loc["physicalLocation"]["artifactLocation"]["uri"].is_string(),
            "result without an artifact location: {r}"
        );
        if f.location.is_none() {
            assert_eq!(
                loc["logicalLocations"][0]["fullyQualifiedName"],
                loc["physicalLocation"]["artifactLocation"]["uri"]
            );
        }
        assert!(r["partialFingerprints"]["dockaudit/v1"].is_string());
    }
    let privileged = results
        .iter()
        .find(|r| r["ruleId"] == "CTR001")
        .expect("CTR001 fails on the scenario");
    assert_eq!(
        privileged["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "docker://localhost/container/fx-privileged"
    );
    assert_eq!(privileged["level"], "error");
    // Skips reach SARIF as notifications.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["associatedRule"]["id"] == "DMN020"));
}

#[test]
fn sarif_file_findings_get_a_physical_location_and_suppressions_are_carried() {
    let mut report = severities();
    report.findings[0].location = Some(Location {
        path: "/etc/docker/daemon.json".into(),
        line: 3,
        column: 5,
    });
    report.findings[1].location = Some(Location {
        path: "deploy/compose.yaml".into(),
        line: 12,
        column: 7,
    });
    report.findings[2].suppressed = Some(Suppression {
        reason: "accepted until the migration".into(),
        source: "config".into(),
    });
    let sarif = sarif_of(&report);
    assert_eq!(sarif_errors(&sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results[2]["suppressions"][0]["justification"],
        "accepted until the migration"
    );
    assert!(results[0].get("suppressions").is_none());
    let abs = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        abs["artifactLocation"]["uri"],
        "file:///etc/docker/daemon.json"
    );
    assert_eq!(abs["region"]["startLine"], 3);
    assert_eq!(abs["region"]["startColumn"], 5);
    let rel = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(rel["artifactLocation"]["uri"], "deploy/compose.yaml");
}

#[test]
fn sarif_fingerprints_are_stable_and_distinct() {
    let a = sarif_of(&severities());
    let b = sarif_of(&severities());
    let prints = |s: &Value| -> Vec<String> {
        s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["dockaudit/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(prints(&a), prints(&b));
    let mut unique = prints(&a);
    unique.sort();
    unique.dedup();
    let report = severities();
    let mut pairs: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.target.id.clone()))
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(unique.len(), pairs.len());
}

#[test]
fn sarif_of_every_canonical_report_is_valid() {
    for (name, report) in canonical() {
        assert_eq!(
            sarif_errors(&sarif_of(&report)),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

// ---- JUnit ----

fn junit_of(report: &Report) -> String {
    render(|b| write_junit(report, &catalogue(), b))
}

/// (tests, failures, skipped) counted from the cases of a JUnit document, checking the suites'
/// own attributes agree.
fn junit_counts(xml: &str) -> (usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("JUnit output is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        let skip = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
            .count();
        let attr = |n: &str| suite.attribute(n).unwrap().parse::<usize>().unwrap();
        assert_eq!(attr("tests"), cases.len());
        assert_eq!(attr("failures"), failed);
        // quick-junit writes a suite's skipped count as `disabled`.
        assert_eq!(attr("disabled"), skip);
        tests += cases.len();
        failures += failed;
        skipped += skip;
    }
    let total = |n: &str| root.attribute(n).unwrap().parse::<usize>().unwrap();
    assert_eq!(total("tests"), tests);
    assert_eq!(total("failures"), failures);
    (tests, failures, skipped)
}

#[test]
fn junit_counts_equal_the_reports() {
    let mut with_suppression = severities();
    with_suppression.findings[0].suppressed = Some(Suppression {
        reason: "accepted".into(),
        source: "label".into(),
    });
    let extra = [
        ("full", audit(&[], &[])),
        ("with a suppression", with_suppression),
    ];
    for (name, report) in canonical().into_iter().chain(extra) {
        let (tests, failures, skipped) = junit_counts(&junit_of(&report));
        let suppressed = report
            .findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .count();
        assert_eq!(
            failures,
            report.findings.len() - suppressed,
            "{name}: failures"
        );
        assert_eq!(
            skipped,
            report.skipped.len() + suppressed,
            "{name}: skipped"
        );
        // One passed case per passing rule, and per failing rule that also passed some targets.
        let passes = report
            .results
            .iter()
            .filter(|r| {
                r.status == RuleStatus::Passed
                    || (r.status == RuleStatus::Failed && r.checked > r.failed)
            })
            .count();
        assert_eq!(tests, failures + skipped + passes, "{name}: tests");
        if name == "with a suppression" {
            assert_eq!(suppressed, 1);
        }
    }
}

#[test]
fn junit_failures_carry_message_and_remediation() {
    let report = severities();
    let xml = junit_of(&report);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let f = &report.findings[0];
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("message") == Some(f.message.as_str()))
        .expect("the first finding is a failure case");
    let text = failure.text().unwrap();
    assert!(text.contains(&f.remediation), "{text}");
    let case = failure.parent().unwrap();
    assert_eq!(
        case.attribute("classname"),
        Some("dockaudit.containers.CTR001")
    );
}

// ---- snapshots of every format ----

/// Ids, digests, fingerprints and times come from the recorded scenario and change whenever it is
/// re-recorded: the snapshots pin the layout and the judgements, not those values.
fn snapshot_filters() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
        "[TIME]",
    );
    settings.add_filter(r"\b[0-9a-f]{64}\b", "[ID]");
    // The engine's own id: `XXXX:XXXX:…` (12 groups) before Engine 23, a UUID since.
    settings.add_filter(r"\b[A-Z0-9]{4}(:[A-Z0-9]{4}){11}\b", "[ENGINE-ID]");
    settings.add_filter(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        "[ENGINE-ID]",
    );
    settings.add_filter(r"\b[0-9a-f]{16}\b", "[FINGERPRINT]");
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[SHORT-ID]");
    settings
}

#[test]
fn snapshots_of_every_format() {
    let _filters = snapshot_filters().bind_to_scope();
    for (name, report) in canonical() {
        insta::assert_snapshot!(
            format!("{name}.terminal"),
            strip_ansi(&render(|b| write_terminal(
                &report,
                b,
                TerminalOptions::default()
            )))
        );
        insta::assert_snapshot!(format!("{name}.json"), render(|b| write_json(&report, b)));
        insta::assert_snapshot!(
            format!("{name}.sarif"),
            render(|b| write_sarif(&report, &catalogue(), b))
        );
        insta::assert_snapshot!(format!("{name}.junit"), junit_of(&report));
        insta::assert_snapshot!(
            format!("{name}.markdown"),
            render(|b| write_markdown(&report, b))
        );
        insta::assert_snapshot!(
            format!("{name}.html"),
            render(|b| write_html(&report, &catalogue(), b))
        );
    }
}

#[test]
fn markdown_lists_suppressed_findings_apart() {
    let mut report = severities();
    report.findings[0].suppressed = Some(Suppression {
        reason: "lab machine, accepted".into(),
        source: "config".into(),
    });
    let md = render(|b| write_markdown(&report, b));
    let (open, rest) = md
        .split_once("<details><summary>Suppressed (1)")
        .expect("a suppressed block");
    assert!(!open.contains("fx-privileged"), "{open}");
    assert!(
        rest.contains("CTR001 on container **fx-privileged**: lab machine, accepted"),
        "{rest}"
    );
}

#[test]
fn terminal_shows_accepted_risks_apart_dimmed_with_their_reason() {
    let mut report = severities();
    let accepted = report.findings[0].clone();
    report.findings[0].suppressed = Some(Suppression {
        reason: "the CI runner needs it until Q3".into(),
        source: "config".into(),
    });
    report.summary.suppressed = 1;
    let coloured = render(|b| write_terminal(&report, b, TerminalOptions::default()));
    let text = strip_ansi(&coloured);
    let (findings, rest) = text
        .split_once("Accepted risks (suppressed)")
        .expect("a section of its own");
    // Not among the findings (unless the same rule hit another target)...
    let target_line = format!(
        "{} {}: {}",
        accepted.target.kind, accepted.target.name, accepted.message
    );
    assert!(!findings.contains(&target_line), "{findings}");
    // ...but in its own section, with the reason, before the summary, which counts it apart.
    let (section, summary) = rest.split_once("Summary: ").unwrap();
    assert!(section.contains(&accepted.rule) && section.contains(&accepted.target.name));
    assert!(section.contains("accepted (config): the CI runner needs it until Q3"));
    assert!(summary.contains("(1 suppressed)"), "{summary}");
    let first_line = summary.lines().next().unwrap();
    let active = report.findings.len() - 1;
    assert!(
        first_line.contains(&format!(" {active} findings: ")),
        "{first_line}"
    );
    // Dimmed: every line of the section is written inside a DIMMED style.
    let dim = anstyle::Style::new()
        .effects(anstyle::Effects::DIMMED)
        .render()
        .to_string();
    let raw_section = coloured
        .split_once("Accepted risks (suppressed)")
        .unwrap()
        .1
        .split_once("\n\n")
        .unwrap()
        .0;
    let entries: Vec<&str> = raw_section.lines().skip(1).collect();
    assert_eq!(entries.len(), 2, "{raw_section}");
    assert!(entries.iter().all(|l| l.contains(&dim)), "{raw_section:?}");
}

#[test]
fn terminal_quiet_is_the_summary_and_score_lines_only() {
    let report = severities();
    let opts = TerminalOptions {
        quiet: true,
        ..TerminalOptions::default()
    };
    let text = strip_ansi(&render(|b| write_terminal(&report, b, opts)));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("Summary: ") && lines[1].starts_with("Score: "));
}

// ---- HTML (the browser test is crates/dockaudit/tests/html_browser.rs) ----

/// Text as the page's auto-escaping writes it (minijinja also escapes `/`).
fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn html_of(report: &Report) -> String {
    render(|b| write_html(report, &catalogue(), b))
}

#[test]
fn html_escapes_what_the_audit_read() {
    let mut report = severities();
    let hostile = "<script>alert(1)</script>\"'&";
    report.findings[0].target.name = hostile.into();
    report.findings[0].message = format!("container {hostile} with `{hostile}`");
    report.gaps.push(dockaudit_report::Gap {
        what: hostile.into(),
        why: hostile.into(),
        host: None,
    });
    let html = html_of(&report);
    assert!(
        !html.contains("<script>alert"),
        "unescaped text in the page"
    );
    assert!(html.contains(&html_attr(hostile)));
    // The one script is the page's own filter script.
    assert_eq!(html.matches("<script").count(), 1);
}

#[test]
fn html_is_self_contained() {
    let html = html_of(&audit(&[], &[]));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    // Nothing the browser would fetch: no external script, style sheet, image or frame.
    for fetch in ["src=\"http", "<link", "@import", "url(http", "<iframe"] {
        assert!(!html.contains(fetch), "the page fetches: {fetch}");
    }
}

#[test]
fn html_groups_by_target_and_lists_accepted_risks_apart() {
    let mut report = severities();
    let accepted = report.findings[0].clone();
    report.findings[0].suppressed = Some(Suppression {
        reason: "lab machine, accepted".into(),
        source: "config".into(),
    });
    let html = html_of(&report);
    let (findings, rest) = html
        .split_once("<section id=\"suppressed\">")
        .expect("an accepted-risks section");
    // Every target with an open finding has one group, holding exactly its open findings.
    for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let group = format!("data-name=\"{}\"", html_attr(&f.target.name));
        assert_eq!(findings.matches(&group).count(), 1, "{}", f.target.name);
    }
    let open_articles = findings.matches("<article class=\"finding\"").count();
    assert_eq!(open_articles, report.findings.len() - 1);
    let accepted_rule = format!("data-rule=\"{}\"", accepted.rule);
    let accepted_still_open = report
        .findings
        .iter()
        .skip(1)
        .any(|f| f.rule == accepted.rule);
    assert_eq!(findings.contains(&accepted_rule), accepted_still_open);
    assert!(rest.contains("lab machine, accepted"));
}

// ---- Markdown on a large host ----

/// The full scenario's findings, each repeated on `copies` renamed targets: a host of many
/// containers with the same problems.
fn large_report(copies: usize) -> Report {
    let mut report = audit(&[], &[]);
    let mut findings = Vec::new();
    for f in &report.findings {
        for n in 0..copies {
            let mut g = f.clone();
            g.target.name = format!("{}-{n}", f.target.name);
            g.target.id = format!("{}-{n}", f.target.id);
            findings.push(g);
        }
    }
    report.findings = findings;
    report
}

#[test]
fn markdown_of_a_large_host_stays_postable_and_accounts_for_every_finding() {
    let report = large_report(40);
    let total = report.findings.len();
    let md = render(|b| write_markdown(&report, b));
    // GitHub refuses comments over 65,536 characters.
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    let start = md.find("\n### ").expect("a severity section");
    let (listing, rest) = md[start..]
        .split_once("\n_")
        .expect("a note about the findings not listed");
    let unlisted: usize = rest
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the note counts them");
    assert!(rest.contains("not listed here"), "{rest}");
    let mut accounted = unlisted;
    for line in listing.lines() {
        if let Some(more) = line.strip_prefix("- … and ") {
            accounted += more.trim_end_matches(" more").parse::<usize>().unwrap();
        } else if line.starts_with("- ") && !line.starts_with("- Fix: ") {
            accounted += 1;
        }
    }
    assert_eq!(accounted, total);
    // Each rule lists at most ten targets.
    for group in listing.split("\n\n**").skip(1) {
        let targets = group
            .lines()
            .filter(|l| l.starts_with("- ") && !l.starts_with("- Fix: ") && !l.starts_with("- … "))
            .count();
        assert!(targets <= 10, "{group}");
    }
    // The worst findings are the ones listed: every critical rule is there.
    for f in report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
    {
        assert!(listing.contains(&format!("**{}**", f.rule)), "{}", f.rule);
    }
    // Low and info findings are folded away.
    assert!(md.contains("<details><summary>Low ("), "{md}");
}

/// What a hostile container can put in its label values, log lines and commands: an OSC 8
/// hyperlink, a screen clear, a carriage return that overwrites the line, a bell, a backspace,
/// DEL and the 8-bit CSI.
const HOSTILE: &str = "x\u{1b}]8;;https://evil.example/\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J\rPASSED\u{8}\u{7f}\u{9b}31m";

/// The `severities` report with HOSTILE in every kind of text the engine can reach.
fn hostile_report() -> Report {
    let mut report = severities();
    report.engine.version.push_str(HOSTILE);
    for f in &mut report.findings {
        f.target.name.push_str(HOSTILE);
        f.message.push_str(HOSTILE);
        f.evidence = serde_json::json!({ "label": HOSTILE, "logs": [HOSTILE], HOSTILE: 1 });
    }
    report.findings[0].location = Some(Location {
        path: format!("/etc/{HOSTILE}"),
        line: 1,
        column: 1,
    });
    report.findings[1].suppressed = Some(Suppression {
        reason: HOSTILE.to_string(),
        source: HOSTILE.to_string(),
    });
    for s in &mut report.skipped {
        s.reason.push_str(HOSTILE);
    }
    report.gaps.push(dockaudit_report::Gap {
        what: HOSTILE.to_string(),
        why: HOSTILE.to_string(),
        host: None,
    });
    report
}

/// Control characters other than newline and tab in `text`, with our own colour sequences
/// (`ESC [ … m`) allowed when `colours` is set.
fn controls_in(text: &str, colours: bool) -> Vec<String> {
    let text = if colours {
        strip_ansi(text)
    } else {
        text.to_string()
    };
    text.char_indices()
        .filter(|(_, c)| c.is_control() && *c != '\n' && *c != '\t')
        .map(|(i, c)| format!("{c:?} at {i}: {:?}", &text[i.saturating_sub(20)..i]))
        .collect()
}

#[test]
fn no_text_format_passes_on_the_engines_control_characters() {
    let report = hostile_report();
    let coloured = TerminalOptions::default();
    let quiet = TerminalOptions {
        quiet: true,
        ..TerminalOptions::default()
    };
    let outputs = [
        (
            "terminal",
            render(|b| write_terminal(&report, b, coloured)),
            true,
        ),
        (
            "terminal quiet",
            render(|b| write_terminal(&report, b, quiet)),
            true,
        ),
        ("markdown", render(|b| write_markdown(&report, b)), false),
        (
            "html",
            render(|b| write_html(&report, &catalogue(), b)),
            false,
        ),
        ("junit", junit_of(&report), false),
        (
            "sarif",
            render(|b| write_sarif(&report, &catalogue(), b)),
            false,
        ),
    ];
    for (format, text, colours) in &outputs {
        let found = controls_in(text, *colours);
        assert!(
            found.is_empty(),
            "{format} passes on control characters: {found:?}"
        );
        // Shown, not dropped: a reader sees that there was an escape sequence.
        if !format.ends_with("quiet") {
            assert!(
                text.contains("␛]8;;https://evil.example/␇click"),
                "{format}:\n{text}"
            );
        }
    }
    // Our own colours survive: the coloured terminal still has escape sequences.
    assert!(outputs[0].1.contains("\u{1b}["));
    // The SARIF log and the JUnit XML still parse, and SARIF is still valid.
    assert!(sarif_errors(&sarif_of(&report)).is_empty());
    junit_counts(&junit_of(&report));
    // JSON escapes control characters itself and keeps the values exact.
    let json = render(|b| write_json(&report, b));
    assert!(controls_in(&json, false).is_empty(), "{json}");
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}
