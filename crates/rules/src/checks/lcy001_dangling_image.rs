//! LCY001 dangling-image: an untagged image no container runs is left over from a rebuild or a
//! re-pull: it takes disk space and keeps old, unpatched software around where it can be run again.
//!
//! An untagged image a container runs, or that an image a container runs was built from, is in use
//! and passes. (Kept private here and in LCY002: "built from" compares image histories, since
//! BuildKit records no parent image.)

use std::collections::BTreeSet;

use dockaudit_snapshot::{Fact, Snapshot};

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY001",
        name: "dangling-image",
        title: "Dangling (untagged) image",
        rationale: "Dangling images are superseded builds or pulls; they waste disk space, clutter audits, and keep old vulnerable software on the host that anyone with engine access can still start by id.",
        remediation: "Review and remove them: `docker image ls --filter dangling=true`, then `docker image prune` (removes dangling images only); build with `docker build --rm` and prune in CI after builds (compose: `docker compose build` followed by `docker image prune -f`).",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &["6.1"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/image/prune/",
            "https://docs.docker.com/engine/manage-resources/pruning/",
            "https://cwe.mitre.org/data/definitions/1164.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let used = used_image_ids(snapshot);
    checks.each(input.images.iter().copied(), image_target, |image| {
        if !image.is_untagged() || in_use(image, snapshot, &used) {
            return Verdict::Pass;
        }
        let size = facts::human_bytes(image.inspect.size);
        let digest = image
            .inspect
            .repo_digests
            .iter()
            .find(|d| d.as_str() != "<none>@<none>");
        let message = match digest {
            Some(d) => format!("untagged image ({size}, pulled as {d}) that no container uses"),
            None => format!("untagged image ({size}) that no container uses"),
        };
        Verdict::fail(message).with_evidence(json!({
            "Id": image.inspect.id,
            "Size": image.inspect.size,
            "Created": image.inspect.created,
            "RepoDigests": image.inspect.repo_digests,
        }))
    });
}

/// Ids of the images the snapshot's containers (selected or not) run.
fn used_image_ids(snapshot: &Snapshot) -> BTreeSet<&str> {
    snapshot
        .containers
        .iter()
        .map(|c| c.inspect.image.as_str())
        .collect()
}

/// Whether a container runs `image`, or runs an image built from it.
fn in_use(image: &Image, snapshot: &Snapshot, used: &BTreeSet<&str>) -> bool {
    used.contains(image.inspect.id.as_str())
        || snapshot
            .images
            .iter()
            .filter(|other| used.contains(other.inspect.id.as_str()))
            .any(|child| built_from(child, image))
}

/// Whether `child` was built on top of `base`: the history links them (classic builder), or
/// `base`'s whole history is the bottom of `child`'s (any builder).
fn built_from(child: &Image, base: &Image) -> bool {
    let (Some(Fact::Value(child_history)), Some(Fact::Value(base_history))) =
        (&child.history, &base.history)
    else {
        return false;
    };
    if child.inspect.id == base.inspect.id {
        return false;
    }
    if child_history.iter().any(|h| h.id == base.inspect.id) {
        return true;
    }
    !base_history.is_empty()
        && child_history.len() > base_history.len()
        && child_history[child_history.len() - base_history.len()..]
            .iter()
            .zip(base_history)
            .all(|(c, b)| c.created == b.created && c.created_by == b.created_by)
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::HistoryEntry;

    use super::*;

    fn image(id: &str, layers: &[(i64, &str)]) -> Image {
        let mut i = Image {
            history: Some(Fact::Value(
                layers
                    .iter()
                    .map(|(created, by)| HistoryEntry {
                        id: "<missing>".into(),
                        created: *created,
                        created_by: (*by).into(),
                        ..HistoryEntry::default()
                    })
                    .collect(),
            )),
            ..Image::default()
        };
        i.inspect.id = id.into();
        i
    }

    #[test]
    fn children_are_recognised_by_history() {
        let base = image("sha256:b", &[(1, "")]);
        let child = image("sha256:c", &[(3, "USER 1000"), (1, "")]);
        let sibling = image("sha256:s", &[(2, "LABEL x=y"), (1, "")]);
        assert!(built_from(&child, &base));
        assert!(!built_from(&child, &sibling));
        assert!(!built_from(&base, &child));
        assert!(!built_from(&child, &child));
    }
}
