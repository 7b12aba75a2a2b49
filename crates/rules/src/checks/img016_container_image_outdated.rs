//! IMG016 container-image-outdated: the tag a container was created from now names another image
//! than the one it runs. Someone pulled or built a newer image (typically with the fixes) but the
//! container was never re-created, so the old code is what is running; or the tag was moved back
//! and the container runs something nobody can name any more. Neither the CIS benchmark nor image
//! scanners see this: it needs the container and the engine's current tags side by side.
//!
//! Judged per container on its `Config.Image`:
//! - a digest (`name@sha256:…`) or an image id is pinned by design: not applicable;
//! - a tag (a bare name means `:latest`) that names no image on this engine any more: skipped, with
//!   the reason (what it pointed to cannot be known);
//! - a tag that names the image the container runs passes; one that names another image fails.
//!
//! Registry prefixes are compared the way the engine writes them (`docker.io/library/nginx` and
//! `nginx` are the same reference), so Podman's fully qualified names match too.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG016",
        name: "container-image-outdated",
        title: "Container runs an older image than its tag now names",
        rationale: "Pulling or building a fixed image does not change running containers: each keeps the image it was created from until it is re-created. A host can show the patched image in `docker images` while the vulnerable one is what actually runs.",
        remediation: "Re-create the container from the current image: `docker compose up -d` (compose re-creates containers whose image changed), or `docker rm -f NAME` and the original `docker run`; then remove the old image (`docker image prune`). If the old image is wanted, pin it by digest instead of a tag.",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/compose/up/",
            "https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier",
            "https://cwe.mitre.org/data/definitions/1104.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_container(input, |c| {
        let reference = c.inspect.config.image.trim();
        if reference.is_empty() {
            return Verdict::Skip(
                "the image reference the container was created from is not recorded".into(),
            );
        }
        let Some(wanted) = tag_of(reference, &c.inspect.image) else {
            return Verdict::NotApplicable;
        };
        let named = input.snapshot.images.iter().find(|i| {
            i.inspect
                .repo_tags
                .iter()
                .any(|t| normalize(t).as_deref() == Some(wanted.as_str()))
        });
        let Some(current) = named else {
            return Verdict::Skip(format!(
                "`{reference}` names no image on this engine any more: what it points to now is unknown"
            ));
        };
        if current.inspect.id == c.inspect.image {
            return Verdict::Pass;
        }
        let running = input.snapshot.image_by_id(&c.inspect.image);
        let running_created = running.map(|i| i.inspect.created.as_str()).unwrap_or("");
        let current_created = current.inspect.created.as_str();
        // RFC 3339 times in the same zone compare as text; the engine writes UTC.
        let relation = if running_created.is_empty() || current_created.is_empty() {
            "another image"
        } else if current_created > running_created {
            "a newer image"
        } else {
            "an older image"
        };
        Verdict::fail(format!(
            "created from `{reference}`, which now names {relation} ({}, created {}) than the one it runs ({}{})",
            dockaudit_snapshot::engine::short_image_id(&current.inspect.id),
            short_time(current_created),
            dockaudit_snapshot::engine::short_image_id(&c.inspect.image),
            if running_created.is_empty() {
                String::new()
            } else {
                format!(", created {}", short_time(running_created))
            }
        ))
        .with_evidence(json!({
            "Config.Image": reference,
            "Image": c.inspect.image,
            "ImageCreated": running_created,
            "TagNowNames": current.inspect.id,
            "TagNowNamesCreated": current_created,
        }))
    });
}

/// The tag a reference names, normalised; `None` for a digest or an image id (pinned by design).
fn tag_of(reference: &str, image_id: &str) -> Option<String> {
    if facts::classify_image_reference(reference, image_id).is_pinned() {
        return None;
    }
    normalize(reference)
}

/// `nginx`, `nginx:latest`, `docker.io/nginx:latest` and `docker.io/library/nginx:latest` all
/// become `nginx:latest`; other registries keep their name (`ghcr.io/o/app:1`).
fn normalize(reference: &str) -> Option<String> {
    if reference.is_empty() || reference == "<none>:<none>" {
        return None;
    }
    let name = reference
        .strip_prefix("docker.io/library/")
        .or_else(|| reference.strip_prefix("index.docker.io/library/"))
        .or_else(|| reference.strip_prefix("docker.io/"))
        .or_else(|| reference.strip_prefix("index.docker.io/"))
        .unwrap_or(reference);
    // A tag is after the last `:` that comes after the last `/` (a registry port is not a tag).
    let last_part = name.rsplit('/').next().unwrap_or(name);
    Some(if last_part.contains(':') {
        name.to_string()
    } else {
        format!("{name}:latest")
    })
}

/// `2026-11-28T10:41:52.64Z` → `2026-11-28 10:41`.
fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => rfc3339.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, tag_of};

    #[test]
    fn references_are_compared_the_way_the_engine_writes_them() {
        for same in [
            "nginx",
            "nginx:latest",
            "docker.io/nginx",
            "docker.io/library/nginx:latest",
        ] {
            assert_eq!(normalize(same).as_deref(), Some("nginx:latest"), "{same}");
        }
        assert_eq!(
            normalize("registry.local:5000/team/app").as_deref(),
            Some("registry.local:5000/team/app:latest")
        );
        assert_eq!(
            normalize("ghcr.io/o/app:1.2").as_deref(),
            Some("ghcr.io/o/app:1.2")
        );
        assert_eq!(normalize("<none>:<none>"), None);
    }

    #[test]
    fn digests_and_ids_are_pinned_by_design() {
        let id = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(tag_of("nginx@sha256:abc", id), None);
        assert_eq!(tag_of(id, id), None);
        assert_eq!(tag_of("0123456789ab", id), None);
        assert_eq!(tag_of("app:2", id).as_deref(), Some("app:2"));
    }
}
