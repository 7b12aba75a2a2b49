//! LCY001 dangling-image: an untagged image no container runs is left over from a rebuild or a
//! re-pull: it takes disk space and keeps old, unpatched software around where it can be run again.
//!
//! An untagged image a container runs, or that an image a container runs was built from, is in use
//! and passes ([`facts::ImagesInUse`], shared with LCY002: "built from" compares image histories,
//! since BuildKit records no parent image).
//!
//! A snapshot collected with `--label` holds only some containers: what would be reported unused
//! is skipped with the reason ([`facts::unused_unknowable`]).

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
    let unknowable = facts::unused_unknowable(input.snapshot);
    let in_use = facts::ImagesInUse::new(input.snapshot);
    checks.each(input.images.iter().copied(), image_target, |image| {
        if !image.is_untagged() || in_use.contains(image) {
            return Verdict::Pass;
        }
        if let Some(reason) = &unknowable {
            return Verdict::Skip(reason.clone());
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
