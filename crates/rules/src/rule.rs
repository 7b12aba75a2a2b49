//! What a rule is: static metadata plus a pure check function, and the [`Checks`] sink the check
//! reports into (pass, fail, skip per target).

use dockaudit_report::{Category, Severity, Target};
use serde::Serialize;
use serde_json::Value;

use crate::input::AuditInput;

/// Everything a person or a report needs to know about a rule, independent of any audit.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// Stable id, never reused: family prefix + number (`CTR001`).
    pub id: &'static str,
    /// Kebab-case name of the flagged pattern (`privileged-container`).
    pub name: &'static str,
    /// One line: what is checked.
    pub title: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// What to do, imperative, with the `docker run` / compose / daemon.json form.
    pub remediation: &'static str,
    /// Audit area.
    pub category: Category,
    /// Default severity of a finding.
    pub severity: Severity,
    /// CIS Docker Benchmark v1.8.0 control ids.
    pub cis: &'static [&'static str],
    /// The same controls' ids in CIS v1.6.0 (what docker-bench-security prints), where they differ.
    pub cis_v1_6: &'static [&'static str],
    /// Docker docs, CIS, CWE.
    pub references: &'static [&'static str],
}

/// A rule: metadata and the function that judges a Snapshot.
#[derive(Clone, Copy)]
pub struct Rule {
    /// The rule's metadata.
    pub meta: RuleMeta,
    /// The check. Pure: reads only `input`, reports only into `checks`.
    pub check: fn(&AuditInput, &mut Checks),
}

impl Rule {
    /// Whether the rule judges the ignore entries themselves (the META family) rather than the
    /// host: the engine runs these after the others, on what became of each entry.
    pub fn judges_ignores(&self) -> bool {
        self.meta.id.starts_with("META")
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.meta.id).finish()
    }
}

/// A failure a check reported, before the engine turns it into a report finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What it is about.
    pub target: Target,
    /// What is wrong for this target.
    pub message: String,
    /// Facts the judgement rests on.
    pub evidence: Value,
    /// Set when this case is worse (or milder) than the rule's default.
    pub severity: Option<Severity>,
    /// Where in a file, for findings about a file (daemon.json, a Dockerfile, a compose file).
    pub location: Option<dockaudit_report::Location>,
}

impl Failure {
    /// Places the finding at a line and column (1-based) of a file.
    pub fn location(&mut self, path: impl Into<String>, line: usize, column: usize) -> &mut Self {
        self.location = Some(dockaudit_report::Location {
            path: path.into(),
            line,
            column,
        });
        self
    }

    /// Attaches evidence.
    pub fn evidence(&mut self, evidence: Value) -> &mut Self {
        self.evidence = evidence;
        self
    }

    /// Overrides the rule's default severity for this case.
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = Some(severity);
        self
    }
}

/// Where a check reports what it found. One per rule per audit.
#[derive(Debug, Default)]
pub struct Checks {
    pub(crate) passed: Vec<Target>,
    pub(crate) failures: Vec<Failure>,
    pub(crate) target_skips: Vec<(Target, String)>,
    pub(crate) rule_skip: Option<String>,
}

impl Checks {
    /// Records that `target` was judged and is fine.
    pub fn pass(&mut self, target: Target) {
        self.passed.push(target);
    }

    /// Records a problem on `target`; chain `.evidence(…)` and `.severity(…)` on the result.
    pub fn fail(&mut self, target: Target, message: impl Into<String>) -> &mut Failure {
        self.failures.push(Failure {
            target,
            message: message.into(),
            evidence: Value::Null,
            severity: None,
            location: None,
        });
        self.failures.last_mut().expect("just pushed")
    }

    /// Records that `target` could not be judged, and why.
    pub fn skip_target(&mut self, target: Target, reason: impl Into<String>) {
        self.target_skips.push((target, reason.into()));
    }

    /// Records that the rule as a whole could not be evaluated (a fact it needs is missing).
    pub fn skip(&mut self, reason: impl Into<String>) {
        self.rule_skip = Some(reason.into());
    }

    /// The failures reported so far (for tests).
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// The targets that passed (for tests).
    pub fn passed(&self) -> &[Target] {
        &self.passed
    }

    /// The whole-rule skip reason, if any (for tests).
    pub fn rule_skip(&self) -> Option<&str> {
        self.rule_skip.as_deref()
    }

    /// Per-target skips (for tests).
    pub fn target_skips(&self) -> &[(Target, String)] {
        &self.target_skips
    }
}

/// What a per-target check decided; see [`Checks::each`].
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Judged and fine.
    Pass,
    /// A problem: message, evidence, optional severity override.
    Fail {
        /// What is wrong for this target.
        message: String,
        /// Facts the judgement rests on.
        evidence: Value,
        /// A severity other than the rule's default.
        severity: Option<Severity>,
    },
    /// Could not be judged, and why.
    Skip(String),
    /// The rule does not apply to this target (neither pass nor fail: not counted).
    NotApplicable,
}

impl Verdict {
    /// A failure with this message.
    pub fn fail(message: impl Into<String>) -> Verdict {
        Verdict::Fail {
            message: message.into(),
            evidence: Value::Null,
            severity: None,
        }
    }

    /// Attaches evidence to a failure (no effect on other verdicts).
    pub fn with_evidence(mut self, value: Value) -> Verdict {
        if let Verdict::Fail { evidence, .. } = &mut self {
            *evidence = value;
        }
        self
    }

    /// Overrides the severity of a failure (no effect on other verdicts).
    pub fn with_severity(mut self, value: Severity) -> Verdict {
        if let Verdict::Fail { severity, .. } = &mut self {
            *severity = Some(value);
        }
        self
    }
}

impl Checks {
    /// Judges each item with `judge` and records the verdict against its target.
    pub fn each<'a, T: 'a>(
        &mut self,
        items: impl IntoIterator<Item = &'a T>,
        target: impl Fn(&T) -> Target,
        judge: impl Fn(&T) -> Verdict,
    ) {
        for item in items {
            match judge(item) {
                Verdict::Pass => self.pass(target(item)),
                Verdict::Fail {
                    message,
                    evidence,
                    severity,
                } => {
                    self.failures.push(Failure {
                        target: target(item),
                        message,
                        evidence,
                        severity,
                        location: None,
                    });
                }
                Verdict::Skip(reason) => self.skip_target(target(item), reason),
                Verdict::NotApplicable => {}
            }
        }
    }

    /// [`Checks::each`] over the selected containers.
    pub fn each_container(
        &mut self,
        input: &AuditInput,
        judge: impl Fn(&dockaudit_snapshot::Container) -> Verdict,
    ) {
        self.each(
            input.containers.iter().copied(),
            crate::input::container_target,
            judge,
        );
    }

    /// [`Checks::each`] over the images the selected containers run.
    pub fn each_image_in_use(
        &mut self,
        input: &AuditInput,
        judge: impl Fn(&dockaudit_snapshot::Image) -> Verdict,
    ) {
        self.each(
            input.images_in_use.iter().copied(),
            crate::input::image_target,
            judge,
        );
    }
}
