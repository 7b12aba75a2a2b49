//! IMG006 image-reference-unpinned: a container created from `:latest` (or from a name with no tag,
//! which means `:latest`) runs whatever that tag pointed to at the last pull; a re-pull or re-create
//! can silently swap the image.
//!
//! Judged per container on the reference it was created from (`Config.Image`):
//! - `name@sha256:…` (digest-pinned) passes;
//! - `name:TAG` with any tag other than `latest` passes (tags can move, but a version tag is a
//!   deliberate choice);
//! - `name:latest` or a bare `name` fails;
//! - an image id (`sha256:…` or a hex prefix of the container's image id) passes: it is immutable,
//!   though unreadable and unknown to any registry, so a version tag or digest is still better.

use crate::facts::{classify_image_reference as classify, ImageReference as Reference};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG006",
        name: "image-reference-unpinned",
        title: "Container runs an image by :latest or by no tag",
        rationale: "`latest` is just the default tag: it moves with every push, so the same command can run different code on two hosts or after a re-pull, and an audit or rollback cannot tell which image was meant.",
        remediation: "Refer to images by a version tag or, better, a digest: `docker run nginx:1.27.3` or `docker run nginx@sha256:…` (compose: `image: nginx:1.27.3@sha256:…`; Dockerfile: `FROM nginx:1.27.3@sha256:…`), and update the pin deliberately.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier",
            "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
            "https://cwe.mitre.org/data/definitions/1357.html",
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
        let why = match classify(reference, &c.inspect.image) {
            Reference::Digest | Reference::ImageId | Reference::Tagged => return Verdict::Pass,
            Reference::Latest => "`:latest` moves with every push",
            Reference::NoTag => "no tag means `:latest`, which moves with every push",
        };
        let digests: Vec<&String> = input
            .snapshot
            .image_by_id(&c.inspect.image)
            .map(|i| i.inspect.repo_digests.iter().collect())
            .unwrap_or_default();
        Verdict::fail(format!("created from `{reference}`: {why}")).with_evidence(json!({
            "Config.Image": reference,
            "Image": c.inspect.image,
            "RepoDigests": digests,
        }))
    });
}

/// The Compose check: `image:` without a tag or with `:latest` (not judged when the service also
/// has `build:`: the image is then the name the build is tagged with).
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG006",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        if s.get("build").is_some() {
            return None;
        }
        let image = s.get("image")?.as_str()?;
        if image.contains('@') || image.contains('$') {
            return Some(Vec::new());
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        match last.split_once(':').map(|(_, t)| t) {
            None => crate::source::one(
                s.key_at("image"),
                format!("image {image} has no tag, which means :latest"),
            ),
            Some("latest") => crate::source::one(
                s.key_at("image"),
                format!("image {image} uses the moving :latest tag"),
            ),
            Some(_) => Some(Vec::new()),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn references_are_classified() {
        for (reference, want) in [
            ("nginx", Reference::NoTag),
            ("nginx:latest", Reference::Latest),
            ("nginx:1.27", Reference::Tagged),
            ("localhost:5000/app", Reference::NoTag),
            ("localhost:5000/app:latest", Reference::Latest),
            ("localhost:5000/team/app:2", Reference::Tagged),
            ("nginx@sha256:abc", Reference::Digest),
            ("nginx:1.27@sha256:abc", Reference::Digest),
            (ID, Reference::ImageId),
            ("0123456789ab", Reference::ImageId),
            ("deadbeefcafe", Reference::NoTag),
        ] {
            assert_eq!(classify(reference, ID), want, "{reference}");
        }
    }
}
