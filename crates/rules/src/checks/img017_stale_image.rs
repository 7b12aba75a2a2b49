//! IMG017 stale-image: a container runs an image built more than [`MAX_AGE_DAYS`] days before the
//! facts were collected. Whatever its base image and packages have fixed since is not in it, and a
//! vulnerability database only knows about what was found; rebuilding regularly is what picks the
//! fixes up ("if you're still running Ubuntu 18.04 in containers, the clock's ticking"). IMG007
//! judges the OS release's end of life; this judges the build itself.
//!
//! The age is the image's `Created` against the snapshot's `collected_at`, never the clock. An image
//! dated before Docker existed (2013) is a reproducible build that pinned its time (often to the
//! Unix epoch): its age is unknown, so it is skipped with the reason.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::prelude::*;

/// Older than this, in days, an image is reported.
pub const MAX_AGE_DAYS: i64 = 180;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG017",
        name: "stale-image",
        title: "Container runs an image built more than 180 days ago",
        rationale: "An image is frozen at build time: security fixes to its base image and packages released since are not in it until it is rebuilt, whatever the distribution has published. Old images are also the ones whose provenance nobody remembers.",
        remediation: "Rebuild the image from an up-to-date base (`docker build --pull --no-cache`), redeploy its containers, and automate it: a scheduled CI rebuild (weekly or monthly) with a vulnerability scan, and base-image update bots (Renovate, Dependabot) for the FROM line.",
        category: Category::Images,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/build/building/best-practices/#rebuild-your-images-often",
            "https://docs.docker.com/reference/cli/docker/buildx/build/#pull",
            "https://cwe.mitre.org/data/definitions/1104.html",
        ],
    },
    check,
};

/// Docker's first release: an image dated before it did not record when it was built.
const DOCKER_EPOCH_YEAR: i32 = 2013;

fn check(input: &AuditInput, checks: &mut Checks) {
    let Ok(now) = OffsetDateTime::parse(&input.snapshot.collected_at, &Rfc3339) else {
        checks.skip(format!(
            "the snapshot's collection time `{}` is not an RFC 3339 time, so image ages are unknown",
            input.snapshot.collected_at
        ));
        return;
    };
    checks.each_image_in_use(input, |image| {
        let created = image.inspect.created.as_str();
        let Ok(built) = OffsetDateTime::parse(created, &Rfc3339) else {
            return Verdict::Skip(format!(
                "the image's build time `{created}` is not an RFC 3339 time"
            ));
        };
        if built.year() < DOCKER_EPOCH_YEAR {
            return Verdict::Skip(format!(
                "the image's build time is {}, before Docker existed: a reproducible build pinned it, so its age is unknown",
                &created[..created.len().min(10)]
            ));
        }
        let days = (now - built).whole_days();
        if days <= MAX_AGE_DAYS {
            return Verdict::Pass;
        }
        Verdict::fail(format!(
            "built {days} days before this audit ({}): fixes to its base image and packages since then are not in it",
            &created[..10]
        ))
        .with_evidence(json!({
            "Created": created,
            "collected_at": input.snapshot.collected_at,
            "age_days": days,
            "max_age_days": MAX_AGE_DAYS,
        }))
    });
}
