//! LCY002 unused-image: a tagged image that no container on the host runs (selected or not) is a
//! candidate for removal: it holds disk space and old software.
//!
//! An image that an image in use was built from (`FROM`) counts as in use: removing its tag frees
//! nothing, since the child shares its layers. Untagged images are LCY001's.
//!
//! A snapshot collected with `--label` holds only some containers: what would be reported unused
//! is skipped with the reason ([`facts::unused_unknowable`]).

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
    let unknowable = facts::unused_unknowable(input.snapshot);
    let in_use = facts::ImagesInUse::new(input.snapshot);
    checks.each(input.images.iter().copied(), image_target, |image| {
        if image.is_untagged() {
            return Verdict::NotApplicable;
        }
        if in_use.contains(image) {
            return Verdict::Pass;
        }
        if let Some(reason) = &unknowable {
            return Verdict::Skip(reason.clone());
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
