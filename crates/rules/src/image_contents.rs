//! What the image-contents rules (IMG007 on) share: judging each image the audited containers
//! use by what its layers hold, skipping (never passing) an image that was not scanned, whose scan
//! failed, or whose scan was cut short and found nothing.

use dockaudit_snapshot::contents::ImageContents;
use dockaudit_snapshot::{Fact, Image};

use crate::input::{image_target, AuditInput};
use crate::rule::{Checks, Verdict};

/// Why a rule skips when no image in use was scanned.
pub const NOT_SCANNED: &str =
    "the images were not scanned (audit run with --no-image-scan, or a snapshot collected without an image scan)";

/// Judges every image in use that was scanned; an image whose scan is missing is skipped with the
/// reason, and the whole rule is skipped when no image in use was scanned at all. A pass on a scan
/// that was cut short (a truncated layer, a bound reached) is a skip: absence proves less there.
pub fn each_scanned_image(
    input: &AuditInput,
    checks: &mut Checks,
    judge: impl Fn(&Image, &ImageContents) -> Verdict,
) {
    if !input.images_in_use.is_empty() && input.images_in_use.iter().all(|i| i.contents.is_none()) {
        checks.skip(NOT_SCANNED);
        return;
    }
    checks.each(
        input.images_in_use.iter().copied(),
        image_target,
        |image| match &image.contents {
            None => Verdict::Skip(NOT_SCANNED.to_owned()),
            Some(Fact::Missing(why)) => Verdict::Skip(why.clone()),
            Some(Fact::Value(contents)) => match judge(image, contents) {
                Verdict::Pass if !contents.is_complete() => Verdict::Skip(format!(
                    "the image's scan was incomplete ({}), so nothing found proves little",
                    contents
                        .problems
                        .first()
                        .map(String::as_str)
                        .unwrap_or("a bound was reached")
                )),
                v => v,
            },
        },
    );
}

/// `/path` for a path stored without its leading slash.
pub fn abs(path: &str) -> String {
    format!("/{path}")
}

/// The first `n` items joined by `, `, with how many more there are.
pub fn list(items: &[String], n: usize) -> String {
    let mut out = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        out.push_str(&format!(" and {} more", items.len() - n));
    }
    out
}

/// A byte count for people (`34.5 MB`).
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A snapshot with one container running one image of the given contents.

    use dockaudit_snapshot::contents::ImageContents;
    use dockaudit_snapshot::{Container, ContainerInspect, Fact, Image, ImageInspect, Snapshot};

    /// A snapshot collected on `collected_at` whose one container runs an image with `contents`.
    pub fn snapshot(contents: Option<Fact<ImageContents>>, collected_at: &str) -> Snapshot {
        Snapshot {
            schema_version: 1,
            collected_at: collected_at.into(),
            containers: vec![Container {
                inspect: ContainerInspect {
                    id: "c1".into(),
                    name: "/web".into(),
                    image: "sha256:img".into(),
                    ..ContainerInspect::default()
                },
                ..Container::default()
            }],
            images: vec![Image {
                inspect: ImageInspect {
                    id: "sha256:img".into(),
                    repo_tags: vec!["app:1".into()],
                    ..ImageInspect::default()
                },
                history: None,
                contents,
            }],
            ..Snapshot::default()
        }
    }

    /// Runs `rule` over a snapshot whose image has `contents`.
    pub fn run(rule: &crate::Rule, contents: ImageContents, collected_at: &str) -> crate::Checks {
        let snap = snapshot(Some(Fact::Value(contents)), collected_at);
        let input = crate::AuditInput::new(&snap, &crate::TargetFilter::default());
        let mut checks = crate::Checks::default();
        (rule.check)(&input, &mut checks);
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::snapshot;
    use super::*;
    use crate::TargetFilter;

    fn run(snap: &dockaudit_snapshot::Snapshot) -> Checks {
        let input = AuditInput::new(snap, &TargetFilter::default());
        let mut checks = Checks::default();
        each_scanned_image(&input, &mut checks, |_, c| {
            if c.sshd.is_empty() {
                Verdict::Pass
            } else {
                Verdict::fail("x")
            }
        });
        checks
    }

    #[test]
    fn unscanned_failed_and_incomplete_scans_skip() {
        let checks = run(&snapshot(None, ""));
        assert_eq!(checks.rule_skip(), Some(NOT_SCANNED));
        let checks = run(&snapshot(Some(Fact::Missing("engine said no".into())), ""));
        assert_eq!(checks.target_skips()[0].1, "engine said no");
        let mut partial = ImageContents::default();
        partial.stats.incomplete = true;
        partial.problems.push("layer x is damaged".into());
        let checks = run(&snapshot(Some(Fact::Value(partial.clone())), ""));
        assert!(checks.target_skips()[0].1.contains("layer x is damaged"));
        partial.sshd.push("/usr/sbin/sshd".into());
        let checks = run(&snapshot(Some(Fact::Value(partial)), ""));
        assert_eq!(checks.failures().len(), 1, "what was found still counts");
        let checks = run(&snapshot(Some(Fact::Value(ImageContents::default())), ""));
        assert_eq!(checks.passed().len(), 1);
    }

    #[test]
    fn helpers() {
        assert_eq!(bytes(34_500_000), "34.5 MB");
        assert_eq!(bytes(12), "12 B");
        let items: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list(&items, 2), "a, b and 1 more");
        assert_eq!(abs("etc/x"), "/etc/x");
    }
}
