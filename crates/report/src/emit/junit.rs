//! JUnit XML, for CI systems that show test results: a suite per category, a case per rule × target.
//!
//! - every finding is a failed case (`RULE name · KIND NAME`), with the message and the remediation;
//!   a suppressed finding (an accepted risk) is a skipped case with the ignore's reason;
//! - every skip is a skipped case with its reason (a whole rule, or one rule on one target);
//! - the Report does not list the targets a rule passed, so the passes of a rule are one passed case
//!   (`RULE name`, or `RULE name · N other targets` for a rule that also failed somewhere).
//!
//! So `failures` equals the report's findings that are not suppressed, and `skipped` its skips plus
//! its suppressed findings.

use std::collections::HashMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::{Category, Report, RuleInfo, RuleStatus};

/// Writes the report as JUnit XML. `catalogue` supplies rule names for rules without findings; an
/// empty catalogue is fine (cases are then named by rule id alone).
pub fn write_junit(report: &Report, catalogue: &[RuleInfo], out: &mut dyn Write) -> io::Result<()> {
    let report = &*super::printable::printable(report);
    let names: HashMap<&str, &str> = catalogue
        .iter()
        .map(|r| (r.id.as_str(), r.name.as_str()))
        .chain(
            report
                .findings
                .iter()
                .map(|f| (f.rule.as_str(), f.name.as_str())),
        )
        .collect();
    let label = |rule: &str| match names.get(rule) {
        Some(name) => format!("{rule} {name}"),
        None => rule.to_string(),
    };

    let title = if report.is_fleet() {
        let hosts: Vec<&str> = report.hosts.iter().map(|h| h.host.as_str()).collect();
        format!("dockaudit fleet of {}", hosts.join(", "))
    } else {
        format!(
            "dockaudit {} {} at {}",
            report.engine.kind, report.engine.version, report.engine.endpoint
        )
    };
    let mut junit = quick_junit::Report::new(title);
    for category in Category::ALL {
        let results: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.category == category)
            .collect();
        if results.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(category.as_str());
        for r in results {
            let classname = format!("dockaudit.{}.{}", category.as_str(), r.rule);
            let mut push = |mut case: TestCase| {
                case.set_classname(classname.clone());
                suite.add_test_case(case);
            };
            for s in report.skipped.iter().filter(|s| s.rule == r.rule) {
                let mut status = TestCaseStatus::skipped();
                status.set_message(s.reason.clone());
                let name = match (&s.target, &s.host) {
                    (Some(t), host) => {
                        format!(
                            "{} · {}{} {}",
                            label(&r.rule),
                            on_host(host),
                            t.kind,
                            t.name
                        )
                    }
                    (None, Some(h)) => format!("{} · [{h}]", label(&r.rule)),
                    (None, None) => label(&r.rule),
                };
                push(TestCase::new(name, status));
            }
            if r.status == RuleStatus::Skipped {
                continue;
            }
            for f in report.findings.iter().filter(|f| f.rule == r.rule) {
                if let Some(sup) = &f.suppressed {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(format!("suppressed ({}): {}", sup.source, sup.reason));
                    push(TestCase::new(
                        format!(
                            "{} · {}{} {}",
                            label(&r.rule),
                            on_host(&f.host),
                            f.target.kind,
                            f.target.name
                        ),
                        status,
                    ));
                    continue;
                }
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(f.message.clone())
                    .set_type(f.severity.as_str())
                    .set_description(format!(
                        "{}\nFix: {}\nTarget: {} {} ({}){}",
                        f.message,
                        f.remediation,
                        f.target.kind,
                        f.target.name,
                        f.target.id,
                        f.location
                            .as_ref()
                            .map(|l| format!("\nAt: {}:{}:{}", l.path, l.line, l.column))
                            .unwrap_or_default()
                    ));
                push(TestCase::new(
                    format!(
                        "{} · {}{} {}",
                        label(&r.rule),
                        on_host(&f.host),
                        f.target.kind,
                        f.target.name
                    ),
                    status,
                ));
            }
            let passed = r.checked.saturating_sub(r.failed);
            if r.status == RuleStatus::Passed {
                push(TestCase::new(label(&r.rule), TestCaseStatus::success()));
            } else if passed > 0 {
                push(TestCase::new(
                    format!(
                        "{} · {passed} other target{}",
                        label(&r.rule),
                        if passed == 1 { "" } else { "s" }
                    ),
                    TestCaseStatus::success(),
                ));
            }
        }
        junit.add_test_suite(suite);
    }
    junit.serialize(&mut *out).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// `[host] ` before a target of a fleet report's finding; nothing in a single-host report.
fn on_host(host: &Option<String>) -> String {
    host.as_ref()
        .map_or_else(String::new, |h| format!("[{h}] "))
}
