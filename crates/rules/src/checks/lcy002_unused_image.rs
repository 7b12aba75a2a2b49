//! LCY002 unused-image: a tagged image that no container on the host runs (selected or not) is a
//! candidate for removal: it holds disk space and old software.
//!
//! An image that an image in use was built from (`FROM`) counts as in use: removing its tag frees
//! nothing, since the child shares its layers. Untagged images are LCY001's.

use std::collections::BTreeSet;

use dockaudit_snapshot::{Fact, Snapshot};

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY002",
        name: "unused-image",
        title: "Image no container uses",
        rationale: "Images nobody runs still take disk space, still show up as attack surface for anyone with engine access, and tend to be old and unpatched; fewer images means less to audit and patch.",
        remediation: "Review the list and remove what is not needed: `docker image rm IMAGE`, or `docker image prune -a --filter until=720h` for everything unused and older than 30 days (careful: it removes every image without a container); in compose projects, `docker compose down --rmi local` removes the images a project built.",
        category: Category::Lifecycle,
        severity: Severity::Info,
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
        if image.is_untagged() {
            return Verdict::NotApplicable;
        }
        if in_use(image, snapshot, &used) {
            return Verdict::Pass;
        }
        let tags: Vec<&str> = image
            .inspect
            .repo_tags
            .iter()
            .map(String::as_str)
            .filter(|t| *t != "<none>:<none>")
            .collect();
        Verdict::fail(format!(
            "no container uses {} ({})",
            tags.join(", "),
            facts::human_bytes(image.inspect.size)
        ))
        .with_evidence(json!({
            "RepoTags": tags,
            "Size": image.inspect.size,
            "Created": image.inspect.created,
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
