//! The plan file: every item `prune plan` found, the state it was planned in, the options that
//! found it, the engine it was found on, and a digest of all of it. `prune apply` refuses a plan
//! whose digest does not match (edited), that does not parse (truncated), or that names another
//! engine.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The plan format's version.
pub const PLAN_VERSION: u32 = 1;

/// A reviewed list of what `prune apply` may remove.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub dockaudit_prune_plan: u32,
    /// When it was made (the snapshot's `collected_at`).
    pub created_at: String,
    /// The engine it was made on.
    pub engine: PlanEngine,
    /// What found the items.
    pub options: PlanOptions,
    /// The items, in the order they would be removed.
    pub items: Vec<PlanItem>,
    /// The sum of the items' known sizes.
    pub bytes_reclaimable: u64,
    /// `sha256:HEX` of the plan as compact JSON with its keys sorted and this field empty.
    pub digest: String,
}

/// The engine a plan belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanEngine {
    /// `GET /info`'s `ID`, which stays the same across restarts of one engine.
    pub id: String,
    /// Where it was reached.
    pub endpoint: String,
    /// Its version.
    pub version: String,
}

/// What `prune plan` was asked for; `prune apply` re-checks the items with the same options.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanOptions {
    /// Only objects at least this old (seconds).
    pub older_than_secs: u64,
    /// Unused volumes too.
    pub volumes: bool,
    /// Unused tagged images too, not only dangling ones.
    pub all_images: bool,
    /// Objects with any of these labels (`KEY=VALUE` or `KEY`) are never planned;
    /// `dockaudit.keep=true` is always one of them.
    pub keep_labels: Vec<String>,
    /// Only objects with these labels are planned.
    pub labels: Vec<String>,
}

/// One object to remove.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    /// `container`, `image`, `volume` or `network`.
    pub kind: String,
    /// The engine's id (a volume's name).
    pub id: String,
    /// A name people know it by.
    pub name: String,
    /// When it was created, or (a stopped container) when it last stopped.
    pub since: String,
    /// Age in seconds at planning.
    pub age_secs: u64,
    /// Bytes it holds, when known.
    pub bytes: Option<u64>,
    /// Why it is unused: the lifecycle rule's finding.
    pub why: String,
    /// What could break if it goes.
    pub risks: Vec<String>,
    /// The state it was planned in; `apply` removes it only if this is unchanged.
    pub state: serde_json::Value,
}

impl Plan {
    /// The digest of the plan's content (everything but `digest`). Through a `Value`, whose
    /// maps are sorted, so the form hashed does not depend on field order in this code.
    pub fn compute_digest(&self) -> String {
        let mut copy = self.clone();
        copy.digest = String::new();
        let bytes = serde_json::to_value(&copy)
            .and_then(|v| serde_json::to_vec(&v))
            .unwrap_or_default();
        format!("sha256:{}", hex(&Sha256::digest(&bytes)))
    }

    /// Sets the digest.
    pub fn seal(mut self) -> Plan {
        self.digest = self.compute_digest();
        self
    }

    /// Reads a plan and checks its version and digest, naming the file in every error.
    pub fn load(path: &Path) -> Result<Plan> {
        let text = super::read_document(path)?;
        let plan: Plan = serde_json::from_slice(&text).with_context(|| {
            format!(
                "the plan {} is not a dockaudit prune plan (truncated or not one)",
                path.display()
            )
        })?;
        if plan.dockaudit_prune_plan != PLAN_VERSION {
            bail!(
                "the plan {} has format version {}; this dockaudit reads version {PLAN_VERSION}",
                path.display(),
                plan.dockaudit_prune_plan
            );
        }
        let digest = plan.compute_digest();
        if digest != plan.digest {
            bail!(
                "the plan {} was changed after it was made: its digest is {} but its content hashes to {digest}. Make a new plan with `dockaudit prune plan` and review it",
                path.display(),
                plan.digest
            );
        }
        Ok(plan)
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            dockaudit_prune_plan: PLAN_VERSION,
            created_at: "2026-12-04T12:00:00Z".into(),
            engine: PlanEngine {
                id: "ABCD".into(),
                endpoint: "unix:///var/run/docker.sock".into(),
                version: "20.10.24".into(),
            },
            options: PlanOptions {
                older_than_secs: 3600,
                keep_labels: vec!["dockaudit.keep=true".into()],
                ..Default::default()
            },
            items: vec![PlanItem {
                kind: "volume".into(),
                id: "data".into(),
                name: "data".into(),
                since: "2026-12-01T00:00:00Z".into(),
                age_secs: 3 * 86_400,
                bytes: Some(10),
                why: "volume no container mounts".into(),
                risks: vec![],
                state: serde_json::json!({"CreatedAt": "2026-12-01T00:00:00Z"}),
            }],
            bytes_reclaimable: 10,
            digest: String::new(),
        }
        .seal()
    }

    #[test]
    fn a_sealed_plan_loads_and_any_edit_or_cut_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let text = serde_json::to_string_pretty(&plan()).unwrap();
        std::fs::write(&path, &text).unwrap();
        assert_eq!(Plan::load(&path).unwrap(), plan());

        // An item added by hand: the digest no longer matches.
        std::fs::write(&path, text.replace("\"data\"", "\"other\"")).unwrap();
        let e = format!("{:#}", Plan::load(&path).unwrap_err());
        assert!(
            e.contains("plan.json") && e.contains("changed after it was made"),
            "{e}"
        );

        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        let e = format!("{:#}", Plan::load(&path).unwrap_err());
        assert!(e.contains("plan.json") && e.contains("truncated"), "{e}");

        // A field this version does not know is not silently ignored.
        std::fs::write(&path, text.replacen('{', "{\"force\": true,", 1)).unwrap();
        assert!(Plan::load(&path).is_err());
    }
}
