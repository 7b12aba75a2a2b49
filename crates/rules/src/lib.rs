//! dockaudit's rules: one file per rule under [`checks`], listed in the [`registry`], and the
//! [`engine`] that selects and runs them over a Snapshot to build a Report.
//!
//! Rules are pure: they read the [`AuditInput`] (a Snapshot narrowed to the selected targets) and
//! report into [`Checks`]. They never read the clock, the environment or the disk; "now" is the
//! snapshot's `collected_at`. A rule whose facts are missing skips with the reason; it never passes.
#![forbid(unsafe_code)]

pub mod checks;
pub mod engine;
pub mod facts;
pub mod host;
pub mod image_contents;
pub mod input;
pub mod inputs;
pub mod registry;
pub mod rule;
pub mod select;
pub mod source;
pub mod suppress;

pub use engine::{audit, audit_input, lint, AuditOptions};
pub use input::{AuditInput, TargetFilter, VulnerabilityFilter};
pub use registry::{find_rule, RULES, SOURCE_CHECKS};
pub use rule::{Checks, Failure, Rule, RuleMeta, Verdict};
pub use select::RuleSelection;
pub use source::{SourceCheck, SourceInput};
pub use suppress::{IgnoreEntry, SuppressError, Suppressions, IGNORE_LABEL};

/// A selection or filter the user gave that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectError {
    /// A `--select`/`--ignore` value that names no rule, prefix, category or CIS control.
    #[error("unknown rule selector `{0}`: use a rule id (CTR001), id prefix (CTR), rule name (privileged-container), category (mounts) or CIS id (cis:5.5); `dockaudit rules` lists them")]
    UnknownSelector(String),
    /// A container name pattern that is not a valid glob.
    #[error("invalid container name pattern `{0}`: {1}")]
    BadGlob(String, String),
    /// A label condition without a key.
    #[error("invalid label filter `{0}`: expected KEY or KEY=VALUE")]
    BadLabel(String),
}

/// What rule files import.
// Not every rule file needs every name; the prelude is a convenience, not a contract.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use dockaudit_report::{Category, Severity};
    pub use dockaudit_snapshot::{Container, Image};
    pub use serde_json::json;

    pub use crate::facts;
    pub use crate::input::{container_target, image_target, AuditInput};
    pub use crate::rule::{Checks, Rule, RuleMeta, Verdict};
    pub use crate::source::{SourceCheck, SourceInput};
}

/// Helpers for the rules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use dockaudit_snapshot::{Container, Snapshot};

    use crate::{AuditInput, Checks, TargetFilter};

    /// What `check` reports on a snapshot holding only `container`.
    pub fn check_one(check: fn(&AuditInput, &mut Checks), container: Container) -> Checks {
        let snapshot = Snapshot {
            containers: vec![container],
            ..Snapshot::default()
        };
        let mut checks = Checks::default();
        check(
            &AuditInput::new(&snapshot, &TargetFilter::default()),
            &mut checks,
        );
        checks
    }
}
