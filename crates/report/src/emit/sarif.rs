//! SARIF 2.1.0, for code scanning (GitHub and others): one run whose `tool.driver.rules` is the rule
//! catalogue and whose results are the findings, each with a location (the file and line for file
//! findings; otherwise a stable `docker://HOST/KIND/NAME`, as a logical location and as the artifact
//! URI, since GitHub code scanning rejects results without one) and a fingerprint that
//! stays the same from audit to audit. Whole-rule skips and gaps are carried as tool execution
//! notifications, so "skipped" is visible here too.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::{Finding, Report, RuleInfo, Severity, Target};

/// Where the tool is documented (`tool.driver.informationUri`).
pub const INFORMATION_URI: &str = "https://example.invalid/dockaudit";

/// The SARIF schema this emitter follows.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF `level` for a severity.
pub fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like number, as a string) for a severity.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Writes the report as a SARIF 2.1.0 log. `catalogue` describes the rules (normally every rule of
/// the registry); `tool.driver.rules` lists those of it that ran. A finding whose rule is not in it
/// still gets a result, without `ruleIndex`.
pub fn write_sarif(report: &Report, catalogue: &[RuleInfo], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif_value(report, catalogue))
        .map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// The SARIF log as a JSON value.
pub fn sarif_value(report: &Report, catalogue: &[RuleInfo]) -> Value {
    let report = &*super::printable::printable(report);
    // Describe the rules that ran (every rule of the catalogue for a report without `results`).
    let catalogue: Vec<&RuleInfo> = catalogue
        .iter()
        .filter(|r| report.results.is_empty() || report.results.iter().any(|x| x.rule == r.id))
        .collect();
    let index: HashMap<&str, usize> = catalogue
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let host = engine_host(&report.engine.endpoint);
    let rules: Vec<Value> = catalogue.iter().map(|r| rule_descriptor(r)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            // In a fleet report each finding names its own host (percent-encoded: a label can be
            // a URL); a single-host report keeps the engine's host.
            let host = f.host.as_deref().map_or_else(|| host.clone(), host_segment);
            result(f, index.get(f.rule.as_str()).copied(), &host)
        })
        .collect();

    let mut notifications: Vec<Value> = report
        .skipped
        .iter()
        .map(|s| {
            let text = match &s.target {
                Some(t) => format!("{} skipped on {} {}: {}", s.rule, t.kind, t.name, s.reason),
                None => format!("{} skipped: {}", s.rule, s.reason),
            };
            let text = match &s.host {
                Some(h) => format!("[{h}] {text}"),
                None => text,
            };
            let mut n = json!({
                "level": "note",
                "message": {"text": text},
                "associatedRule": {"id": s.rule},
            });
            if let Some(i) = index.get(s.rule.as_str()) {
                n["associatedRule"]["index"] = json!(i);
            }
            n
        })
        .collect();
    notifications.extend(report.gaps.iter().map(|g| {
        json!({
            "level": "warning",
            "message": {"text": match &g.host {
                Some(h) => format!("[{h}] not collected: {}: {}", g.what, g.why),
                None => format!("not collected: {}: {}", g.what, g.why),
            }},
        })
    }));

    let mut log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "engine": report.engine,
                "collectedAt": report.collected_at,
                "summary": report.summary,
                "score": report.score,
            },
        }],
    });
    if !report.hosts.is_empty() {
        log["runs"][0]["properties"]["hosts"] = json!(report.hosts);
    }
    log
}

fn rule_descriptor(rule: &RuleInfo) -> Value {
    let mut tags = vec![
        "security".to_string(),
        "docker".to_string(),
        rule.category.as_str().to_string(),
    ];
    tags.extend(rule.cis.iter().map(|c| format!("cis:{c}")));
    let mut markdown = format!(
        "{}\n\n**Why it matters:** {}\n\n**How to fix:** {}",
        rule.title, rule.rationale, rule.remediation
    );
    if !rule.cis.is_empty() {
        markdown.push_str(&format!(
            "\n\nCIS Docker Benchmark v1.8.0: {}",
            rule.cis.join(", ")
        ));
    }
    if !rule.references.is_empty() {
        markdown.push_str("\n\n**References:**\n");
        for r in &rule.references {
            markdown.push_str(&format!("\n- {r}"));
        }
    }
    let mut d = json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.remediation, "markdown": markdown},
        "defaultConfiguration": {"level": sarif_level(rule.severity)},
        "properties": {
            "security-severity": security_severity(rule.severity),
            "severity": rule.severity,
            "category": rule.category,
            "tags": tags,
        },
    });
    if let Some(uri) = rule.references.iter().find(|r| r.starts_with("https://")) {
        d["helpUri"] = json!(uri);
    }
    d
}

fn result(f: &Finding, rule_index: Option<usize>, host: &str) -> Value {
    let location = match &f.location {
        Some(loc) => {
            let mut region = Map::new();
            region.insert("startLine".into(), json!(loc.line.max(1)));
            if loc.column >= 1 {
                region.insert("startColumn".into(), json!(loc.column));
            }
            json!({"physicalLocation": {
                "artifactLocation": {"uri": file_uri(&loc.path)},
                "region": region,
            }})
        }
        // GitHub code scanning rejects a whole log if one result has no artifact URI (a logical
        // location alone is not enough), so the stable docker:// name is given as both.
        None => {
            let name = logical_name(host, &f.target);
            json!({
                "physicalLocation": {"artifactLocation": {"uri": name}},
                "logicalLocations": [{
                    "name": f.target.name,
                    "fullyQualifiedName": name,
                    "kind": "resource",
                }],
            })
        }
    };
    let mut r = json!({
        "ruleId": f.rule,
        "level": sarif_level(f.severity),
        "message": {"text": format!("{}\nFix: {}", f.message, f.remediation)},
        "locations": [location],
        "partialFingerprints": {"dockaudit/v1": fingerprint_on(f.host.as_deref(), &f.rule, &f.target)},
        "properties": {
            "severity": f.severity,
            "security-severity": security_severity(f.severity),
            "category": f.category,
            "target": f.target,
        },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(h) = &f.host {
        r["properties"]["host"] = json!(h);
    }
    // An accepted risk stays in the log, marked, so code scanning shows it as dismissed.
    if let Some(s) = &f.suppressed {
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": s.reason,
            "properties": {"source": s.source},
        }]);
    }
    r
}

/// The engine's host as it appears in logical locations: `localhost` for a local socket, else the
/// endpoint's host (and port).
pub fn engine_host(endpoint: &str) -> String {
    let Some((scheme, rest)) = endpoint.split_once("://") else {
        return "localhost".into();
    };
    match scheme {
        "unix" | "npipe" | "" => "localhost".into(),
        _ => {
            let authority = rest.split('/').next().unwrap_or_default();
            let host = authority.rsplit('@').next().unwrap_or_default();
            if host.is_empty() {
                "localhost".into()
            } else {
                host.to_string()
            }
        }
    }
}

/// `docker://HOST/KIND/NAME` (`docker://HOST/KIND` when the target has no name).
pub fn logical_name(host: &str, target: &Target) -> String {
    let name = if target.name.is_empty() {
        &target.id
    } else {
        &target.name
    };
    if name.is_empty() {
        format!("docker://{host}/{}", target.kind)
    } else {
        format!("docker://{host}/{}/{}", target.kind, uri_escape(name))
    }
}

/// A file path as a SARIF artifact URI: absolute paths as `file://` URIs, relative ones (a
/// Dockerfile in the repository being scanned) left relative so code scanning maps them to the repo.
fn file_uri(path: &str) -> String {
    // `dockaudit lint .` names files `./compose.yaml`; code scanning wants them relative to the
    // repository root, as `compose.yaml`.
    let path = path.strip_prefix("./").unwrap_or(path);
    let escaped = uri_escape(path);
    if path.starts_with('/') {
        format!("file://{escaped}")
    } else {
        escaped
    }
}

/// A fleet host label as the host part of a `docker://` name: everything but unreserved characters
/// percent-encoded (`unix:///run/a.sock` → `unix%3A%2F%2F%2Frun%2Fa.sock`).
fn host_segment(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for b in label.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn uri_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A stable fingerprint of a rule on a target: FNV-1a (64 bit) of rule, target kind and target id,
/// in hex. Same rule and target, same fingerprint, in every audit and on every platform.
pub fn fingerprint(rule: &str, target: &Target) -> String {
    fingerprint_on(None, rule, target)
}

/// [`fingerprint`], with the host of a fleet report's finding hashed in too: the same container
/// id on two hosts is two results. Without a host it is [`fingerprint`] exactly.
pub fn fingerprint_on(host: Option<&str>, rule: &str, target: &Target) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in host
        .into_iter()
        .chain([rule, target.kind.as_str(), target.id.as_str()])
    {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_host_names_the_daemon_host() {
        assert_eq!(engine_host("unix:///var/run/docker.sock"), "localhost");
        assert_eq!(engine_host("tcp://10.0.0.5:2376"), "10.0.0.5:2376");
        assert_eq!(engine_host("ssh://ops@build-1"), "build-1");
        assert_eq!(engine_host(""), "localhost");
    }

    #[test]
    fn logical_names_are_uris() {
        let t = Target {
            kind: "image".into(),
            id: "sha256:abc".into(),
            name: "registry.example:5000/team/app:1 beta".into(),
        };
        assert_eq!(
            logical_name("localhost", &t),
            "docker://localhost/image/registry.example:5000/team/app:1%20beta"
        );
        assert_eq!(
            file_uri("/etc/docker/daemon.json"),
            "file:///etc/docker/daemon.json"
        );
        assert_eq!(file_uri("deploy/compose.yaml"), "deploy/compose.yaml");
    }
}
