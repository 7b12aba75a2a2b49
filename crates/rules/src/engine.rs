//! The engine: runs the selected rules over the narrowed Snapshot, counts pass/fail/skip, and builds
//! the Report. Rules know nothing of selection, filters or output; all of that is decided here.

use std::collections::BTreeMap;

use dockaudit_report::{
    BySeverity, Engine, Finding, Gap, Report, RuleResult, RuleStatus, Score, Severity, Skipped,
    Summary, Tool, REPORT_SCHEMA_VERSION,
};
use dockaudit_snapshot::Snapshot;

use crate::input::{AuditInput, TargetFilter};
use crate::rule::Checks;
use crate::select::RuleSelection;
use crate::source::SourceInput;
use crate::suppress::{self, Suppressions};
use crate::Rule;

/// Everything that shapes an audit besides the Snapshot.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Which rules run.
    pub selection: RuleSelection,
    /// Which targets are judged.
    pub filter: TargetFilter,
    /// Version of the tool, written into the report.
    pub tool_version: String,
    /// Accepted risks (`[[ignore]]` entries; the `dockaudit.ignore` label is always honoured).
    pub suppressions: Suppressions,
    /// Severity per rule id, replacing the rule's (for every finding and for the score).
    pub severity_overrides: BTreeMap<String, Severity>,
}

/// Runs `rules` (those selected) over `snapshot` and builds the report.
pub fn audit(snapshot: &Snapshot, rules: &[Rule], options: &AuditOptions) -> Report {
    let input = AuditInput::new(snapshot, &options.filter);
    audit_input(&input, rules, options)
}

/// Runs `rules` (those selected) over an input the caller narrowed itself (`dockaudit image`
/// judges one image that no container runs) and builds the report; `options.filter` is not applied.
pub fn audit_input(input: &AuditInput, rules: &[Rule], options: &AuditOptions) -> Report {
    audit_input_located(input, rules, options, |_| {})
}

/// [`audit_input`], with `locate` giving findings their place in a source file before the ignores
/// are applied (so a `# dockaudit-ignore` comment at that place accepts them).
pub fn audit_input_located(
    input: &AuditInput,
    rules: &[Rule],
    options: &AuditOptions,
    locate: impl FnOnce(&mut [dockaudit_report::Finding]),
) -> Report {
    let mut tally = Tally::default();
    // The rules that judge the host first; then the ignores are applied to their findings, and the
    // rules that judge the ignore entries themselves run on what became of each entry.
    for rule in rules
        .iter()
        .filter(|r| !r.judges_ignores() && !r.judges_source_only() && options.selection.includes(r))
    {
        tally.run(rule, input, options);
    }
    locate(&mut tally.findings);
    finish(input, tally, rules, options)
}

/// Runs the source checks of `rules` (those selected) over parsed Dockerfiles and Compose projects
/// and builds the report. `now` (RFC 3339, from the caller's clock: rules never read it) dates the
/// report and judges ignore expiry; `gaps` are what could not be read. A rule without a source check
/// does not run (it is not counted).
pub fn lint(
    sources: &SourceInput,
    rules: &[Rule],
    options: &AuditOptions,
    now: &str,
    gaps: Vec<dockaudit_snapshot::Gap>,
) -> Report {
    let snapshot = Snapshot {
        collected_at: now.to_string(),
        engine: dockaudit_snapshot::EngineMeta {
            kind: "source".into(),
            ..Default::default()
        },
        gaps,
        ..Snapshot::default()
    };
    let input = AuditInput::new(&snapshot, &TargetFilter::default());
    let mut tally = Tally::default();
    for rule in rules
        .iter()
        .filter(|r| !r.judges_ignores() && options.selection.includes(r))
    {
        if let Some(source) = crate::source::source_check(rule.meta.id) {
            tally.run_with(rule, options, |checks| (source.check)(sources, checks));
        }
    }
    finish(&input, tally, rules, options)
}

/// Applies the ignores, runs the META rules on what became of them, and builds the report.
fn finish(input: &AuditInput, mut tally: Tally, rules: &[Rule], options: &AuditOptions) -> Report {
    let snapshot = input.snapshot;
    let outcomes = suppress::settle(
        &options.suppressions,
        snapshot,
        &mut tally.findings,
        &mut tally.results,
        &mut tally.summary,
        options.filter.narrows(),
    );
    if !outcomes.is_empty() {
        let judged = AuditInput {
            ignores: outcomes,
            ..input.clone()
        };
        for rule in rules
            .iter()
            .filter(|r| r.judges_ignores() && options.selection.includes(r))
        {
            tally.run(rule, &judged, options);
        }
    }
    let Tally {
        mut findings,
        mut skipped,
        results,
        mut summary,
    } = tally;
    summary.evaluated = summary.passed + summary.failed;

    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.target.name.cmp(&b.target.name))
            .then_with(|| a.target.id.cmp(&b.target.id))
            .then_with(|| a.message.cmp(&b.message))
    });
    let mut by_severity = BySeverity::default();
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        by_severity.add(f.severity);
    }
    summary.by_severity = by_severity;
    skipped.sort();

    let mut gaps: Vec<Gap> = snapshot
        .gaps
        .iter()
        .map(|g| Gap {
            what: g.what.clone(),
            why: g.why.clone(),
            host: None,
        })
        .collect();
    gaps.sort();

    let score = Score::from_results(&results);
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "dockaudit".into(),
            version: options.tool_version.clone(),
        },
        engine: Engine {
            kind: snapshot.engine.kind.clone(),
            version: snapshot.engine.version.clone(),
            api_version: snapshot.engine.api_version.clone(),
            endpoint: snapshot.engine.endpoint.clone(),
        },
        collected_at: snapshot.collected_at.clone(),
        summary,
        score,
        findings,
        skipped,
        gaps,
        results,
        hosts: Vec::new(),
    }
}

/// What the rules found so far.
#[derive(Default)]
struct Tally {
    findings: Vec<Finding>,
    skipped: Vec<Skipped>,
    results: Vec<RuleResult>,
    summary: Summary,
}

impl Tally {
    /// Runs one rule over `input` and adds what it found.
    fn run(&mut self, rule: &Rule, input: &AuditInput, options: &AuditOptions) {
        // A rule whose list the engine did not give would judge an empty list: skip it instead.
        self.run_with(rule, options, |checks| {
            match crate::inputs::missing_list(&rule.meta, input.snapshot) {
                Some(reason) => checks.skip(reason),
                None => (rule.check)(input, checks),
            }
        });
    }

    /// Runs `check` as `rule` and adds what it found.
    fn run_with(&mut self, rule: &Rule, options: &AuditOptions, check: impl FnOnce(&mut Checks)) {
        let meta = &rule.meta;
        let overridden = options.severity_overrides.get(meta.id).copied();
        let mut checks = Checks::default();
        check(&mut checks);
        self.summary.rules += 1;

        let status = if let Some(reason) = checks.rule_skip.take() {
            self.skipped.push(Skipped {
                rule: meta.id.to_string(),
                reason,
                target: None,
                host: None,
            });
            RuleStatus::Skipped
        } else if checks.failures.is_empty()
            && checks.passed.is_empty()
            && !checks.target_skips.is_empty()
        {
            // Every target was skipped and none judged: nothing passed (the skips say why).
            RuleStatus::Skipped
        } else if checks.failures.is_empty() {
            RuleStatus::Passed
        } else {
            RuleStatus::Failed
        };
        match status {
            RuleStatus::Passed => self.summary.passed += 1,
            RuleStatus::Failed => self.summary.failed += 1,
            RuleStatus::Skipped => self.summary.skipped += 1,
        }
        for (target, reason) in checks.target_skips.drain(..) {
            self.skipped.push(Skipped {
                rule: meta.id.to_string(),
                reason,
                target: Some(target),
                host: None,
            });
        }
        let mut failed_targets: Vec<&str> = Vec::new();
        let failures = std::mem::take(&mut checks.failures);
        for f in &failures {
            failed_targets.push(&f.target.id);
        }
        failed_targets.sort_unstable();
        failed_targets.dedup();
        self.results.push(RuleResult {
            rule: meta.id.to_string(),
            category: meta.category,
            severity: overridden.unwrap_or(meta.severity),
            status,
            checked: checks.passed.len() + failed_targets.len(),
            failed: failed_targets.len(),
        });
        // A skipped rule's partial failures would be misleading; a rule either judges or skips.
        if status == RuleStatus::Skipped {
            return;
        }
        for f in failures {
            self.findings.push(Finding {
                rule: meta.id.to_string(),
                name: meta.name.to_string(),
                title: meta.title.to_string(),
                category: meta.category,
                severity: overridden.or(f.severity).unwrap_or(meta.severity),
                cis: meta.cis.iter().map(|s| s.to_string()).collect(),
                target: f.target,
                message: f.message,
                evidence: f.evidence,
                remediation: meta.remediation.to_string(),
                location: f.location,
                suppressed: None,
                host: None,
            });
        }
    }
}
