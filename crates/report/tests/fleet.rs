//! Fleet reports: the recorded scenario (crates/rules/tests/fixtures/scenario.json) judged as two
//! hosts with different target filters, plus a host that could not be reached, merged into one
//! report; then every emitter shows the host of every finding.

use std::path::PathBuf;
use std::sync::OnceLock;

use dockaudit_report::emit::{
    write_html, write_json, write_junit, write_markdown, write_sarif, write_terminal,
    TerminalOptions,
};
use dockaudit_report::fleet::{merge, HostOutcome, HostStatus};
use dockaudit_report::{Report, RuleInfo, RuleStatus, Severity};
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

fn catalogue() -> Vec<RuleInfo> {
    let metas: Vec<_> = RULES.iter().map(|r| r.meta).collect();
    serde_json::from_value(serde_json::to_value(metas).unwrap()).unwrap()
}

/// The scenario judged by `select` on the containers `containers`.
fn host(select: &[&str], containers: &[&str]) -> Report {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let options = AuditOptions {
        selection: RuleSelection::new(&strings(select), &[], RULES).unwrap(),
        filter: TargetFilter::new(&strings(containers), &[], &[], &[]).unwrap(),
        tool_version: "0.0.0-test".into(),
        ..AuditOptions::default()
    };
    dockaudit_rules::audit(scenario(), RULES, &options)
}

const RULES_SEEN: [&str; 4] = ["CTR001", "CTR005", "DMN001", "DMN020"];

/// Host `web` has a privileged container; host `db` has a container CTR001 passes on; `gone` is
/// unreachable.
fn fleet() -> (Report, Report, Report) {
    let web = host(&RULES_SEEN, &["fx-privileged"]);
    let db = host(&RULES_SEEN, &["fx-mounts"]);
    let merged = merge(vec![
        ("web".into(), HostOutcome::Audited(Box::new(web.clone()))),
        ("db".into(), HostOutcome::Audited(Box::new(db.clone()))),
        (
            "gone".into(),
            HostOutcome::Unreachable("connection refused".into()),
        ),
    ]);
    (merged, web, db)
}

#[test]
fn every_finding_skip_and_gap_names_its_host_and_the_counts_are_the_hosts_summed() {
    let (fleet, web, db) = fleet();
    assert!(fleet.is_fleet());
    assert_eq!(fleet.findings.len(), web.findings.len() + db.findings.len());
    for f in &fleet.findings {
        let host = f.host.as_deref().expect("every finding has its host");
        let own = if host == "web" { &web } else { &db };
        let mut unlabelled = f.clone();
        unlabelled.host = None;
        assert!(own.findings.contains(&unlabelled), "{host}: {f:?}");
    }
    assert!(fleet.skipped.iter().all(|s| s.host.is_some()));
    assert_eq!(fleet.skipped.len(), web.skipped.len() + db.skipped.len());
    for sev in Severity::ALL {
        assert_eq!(
            fleet.summary.by_severity.get(sev),
            web.summary.by_severity.get(sev) + db.summary.by_severity.get(sev)
        );
    }
    // The privileged container is on web only: the rule failed on the fleet, with web's count.
    let ctr001 = |r: &Report| {
        r.results
            .iter()
            .find(|r| r.rule == "CTR001")
            .cloned()
            .unwrap()
    };
    assert_eq!(ctr001(&web).status, RuleStatus::Failed);
    assert_eq!(ctr001(&db).status, RuleStatus::Passed);
    let both = ctr001(&fleet);
    assert_eq!(both.status, RuleStatus::Failed);
    assert_eq!(both.checked, ctr001(&web).checked + ctr001(&db).checked);
    assert_eq!(both.failed, ctr001(&web).failed);
    assert!(fleet
        .findings
        .iter()
        .filter(|f| f.rule == "CTR001")
        .all(|f| f.host.as_deref() == Some("web")));
    // Skipped on both hosts (no swarm in the scenario): skipped on the fleet.
    assert_eq!(
        fleet
            .results
            .iter()
            .find(|r| r.rule == "DMN020")
            .unwrap()
            .status,
        RuleStatus::Skipped
    );
    assert_eq!(fleet.summary.rules, RULES_SEEN.len());
    assert_eq!(
        fleet.summary.passed + fleet.summary.failed + fleet.summary.skipped,
        fleet.summary.rules
    );

    // The hosts: two audited with their own summaries, one not, which is also a gap naming it.
    let statuses: Vec<_> = fleet
        .hosts
        .iter()
        .map(|h| (h.host.as_str(), h.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("web", HostStatus::Audited),
            ("db", HostStatus::Audited),
            ("gone", HostStatus::Unreachable)
        ]
    );
    assert_eq!(fleet.hosts[0].summary.as_ref(), Some(&web.summary));
    assert_eq!(fleet.hosts[1].score.as_ref(), Some(&db.score));
    assert_eq!(fleet.hosts[2].error.as_deref(), Some("connection refused"));
    let gone: Vec<_> = fleet
        .gaps
        .iter()
        .filter(|g| g.host.as_deref() == Some("gone"))
        .collect();
    assert_eq!(gone.len(), 1);
    assert!(gone[0].why.contains("connection refused"));
}

#[test]
fn findings_keep_the_report_order_with_the_host_last() {
    let (fleet, _, _) = fleet();
    let key = |f: &dockaudit_report::Finding| {
        (
            std::cmp::Reverse(f.severity),
            f.rule.clone(),
            f.target.name.clone(),
            f.target.id.clone(),
            f.message.clone(),
            f.host.clone(),
        )
    };
    assert!(fleet.findings.windows(2).all(|w| key(&w[0]) <= key(&w[1])));
}

#[test]
fn a_single_host_report_has_no_host_fields_and_a_fleet_report_reads_back() {
    let single = host(&RULES_SEEN, &["fx-privileged"]);
    let json = serde_json::to_value(&single).unwrap();
    assert!(json.get("hosts").is_none());
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("host").is_none()));

    let (fleet, _, _) = fleet();
    let mut text = Vec::new();
    write_json(&fleet, &mut text).unwrap();
    let back: Report = serde_json::from_slice(&text).unwrap();
    assert_eq!(back, fleet);
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    f(&mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn the_text_formats_label_each_finding_and_list_the_hosts() {
    let (fleet, _, _) = fleet();
    let terminal = render(|b| write_terminal(&fleet, b, TerminalOptions::default()));
    assert!(terminal.contains("fleet of 3 hosts"), "{terminal}");
    assert!(terminal.contains("NOT AUDITED"), "{terminal}");
    let privileged = terminal
        .lines()
        .find(|l| l.contains("container fx-privileged"))
        .expect("the privileged container is listed");
    assert!(privileged.contains("[web]"), "{privileged}");
    let (_, fix_first) = terminal
        .split_once("Fix these first")
        .expect("a fix-first list");
    assert!(fix_first.contains("[web] fx-privileged"), "{fix_first}");

    let markdown = render(|b| write_markdown(&fleet, b));
    assert!(
        markdown.contains("| `gone` | **not audited**"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- `web` container **fx-privileged**"),
        "{markdown}"
    );

    let html = render(|b| write_html(&fleet, &catalogue(), b));
    assert!(html.contains("fleet of 3 hosts"));
    assert!(html.contains(r#"<span class="host"><code>web</code></span>"#));

    let junit = render(|b| write_junit(&fleet, &catalogue(), b));
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(
        failed.len(),
        fleet
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .count()
    );
    assert!(failed
        .iter()
        .any(|n| n.contains("[web] container fx-privileged")));
    assert!(failed.iter().any(|n| n.contains("[db] ")));
}

#[test]
fn sarif_results_carry_the_host_and_the_same_target_on_two_hosts_is_two_results() {
    // The same container judged on two hosts.
    let one = host(&["CTR001"], &["fx-privileged"]);
    let fleet = merge(vec![
        ("a".into(), HostOutcome::Audited(Box::new(one.clone()))),
        ("unix:///b.sock".into(), HostOutcome::Audited(Box::new(one))),
    ]);
    let sarif: Value =
        serde_json::from_str(&render(|b| write_sarif(&fleet, &catalogue(), b))).unwrap();
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&sarif));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let fingerprints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["dockaudit/v1"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), 2, "one fingerprint per host");
    let names: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        names.contains(&"docker://a/container/fx-privileged"),
        "{names:?}"
    );
    assert!(
        names.contains(&"docker://unix%3A%2F%2F%2Fb.sock/container/fx-privileged"),
        "{names:?}"
    );
    assert!(results.iter().all(|r| r["properties"]["host"].is_string()));
    assert_eq!(
        sarif["runs"][0]["properties"]["hosts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
