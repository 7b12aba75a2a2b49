//! IMG001 image-runs-as-root: an image without a non-root `USER` makes every container started from
//! it run as root unless each `docker run` remembers `--user`.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG001",
        name: "image-runs-as-root",
        title: "Image has no non-root USER",
        rationale: "Containers run as the image's USER by default; root in a container is root on the host's kernel, so a break-out or a writable host mount turns an application bug into a host compromise.",
        remediation: "Create an unprivileged user in the Dockerfile and switch to it (`RUN adduser -D -u 10001 app` then `USER 10001:10001`); until the image is rebuilt, run its containers with --user 10001:10001 (compose: `user: \"10001:10001\"`) or enable user namespace remapping (daemon.json: `\"userns-remap\": \"default\"`).",
        category: Category::Images,
        severity: Severity::Medium,
        cis: &["4.1"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#user",
            "https://docs.docker.com/build/building/best-practices/#user",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_image_in_use(input, |image| {
        let user = image.inspect.config.user.as_str();
        if !facts::is_root_user(user) {
            return Verdict::Pass;
        }
        let message = if user.trim().is_empty() {
            "sets no USER: its containers run as root unless started with --user".to_string()
        } else {
            format!("sets USER {user}: its containers run as root unless started with --user")
        };
        Verdict::fail(message).with_evidence(json!({ "Config.User": user }))
    });
}

/// The Dockerfile check: the final stage's last `USER` (followed through `FROM` an earlier stage)
/// is root, or no stage on the way sets one (the base image's user, root for most). hadolint's
/// DL3002 reports only an explicit root `USER`.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG001",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        let Some(mut stage) = df.final_stage() else {
            return Vec::new();
        };
        let last = stage.from.pos;
        loop {
            let user = stage.instructions.iter().rev().find_map(|i| match &i.kind {
                Kind::User { raw, resolved } => Some((i, raw, resolved)),
                _ => None,
            });
            match user {
                Some((i, raw, resolved)) => {
                    let Some(user) = resolved else {
                        return Vec::new(); // a variable without a known value: cannot tell
                    };
                    if facts::is_root_user(user) {
                        return vec![crate::source::Hit::in_dockerfile(
                            df,
                            i.pos,
                            format!("the final stage's last USER is root (`USER {raw}`)"),
                        )
                        .evidence(json!({"user": raw}))];
                    }
                    return Vec::new();
                }
                None if stage.from.is_stage => {
                    match df.stages.iter().find(|s| {
                        s.name
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(&stage.from.resolved))
                    }) {
                        Some(base) if base.index < stage.index => stage = base,
                        _ => return Vec::new(),
                    }
                }
                None => {
                    return vec![crate::source::Hit::in_dockerfile(
                        df,
                        last,
                        format!(
                            "no USER in the final stage: it runs as {}'s user, root unless that image sets one",
                            stage.from.resolved
                        ),
                    )
                    .evidence(json!({"base": stage.from.resolved}))
                    .severity(Severity::Low)];
                }
            }
        }
    });
}
