//! CTR002 container-runs-as-root: the container's effective user (`Config.User`, with the image's
//! `USER` merged in by the engine) is root. Root in a container is root on the host's kernel: one
//! escape or one writable host mount away from owning the host.
//!
//! Under a daemon with user-namespace remapping (`--userns-remap`) or a rootless engine, root in
//! the container maps to an unprivileged host user, so the finding is lowered to Low and says so
//! (unless the container opts out with `--userns host`).

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "CTR002",
        name: "container-runs-as-root",
        title: "Container runs as root",
        rationale: "Processes running as root in a container are root on the host kernel: a kernel or runtime escape, a writable host mount or an added capability turns a compromised app into a host compromise.",
        remediation: "Run as an unprivileged user: add `USER 1000:1000` to the Dockerfile or start it with `docker run --user 1000:1000` (compose: `user: \"1000:1000\"`); where root is unavoidable, enable user-namespace remapping (daemon.json: `\"userns-remap\": \"default\"`).",
        category: Category::Containers,
        severity: Severity::Medium,
        cis: &["4.1"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#user",
            "https://docs.docker.com/engine/containers/run/#user",
            "https://docs.docker.com/engine/security/userns-remap/",
            "https://cwe.mitre.org/data/definitions/250.html",
        ],
    },
    check,
};

/// Whether `user` names root: [`facts::is_root_user`], plus numeric forms of uid 0 such as `00`.
fn is_root(user: &str) -> bool {
    let user_part = user.split(':').next().unwrap_or("").trim();
    facts::is_root_user(user) || user_part.parse::<u64>().is_ok_and(|uid| uid == 0)
}

/// How the engine maps root in a container to the host.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mapping {
    /// Root in the container is root on the host (or the engine did not say otherwise).
    Direct,
    /// The daemon remaps user namespaces (`--userns-remap`); `--userns host` opts out.
    Remapped,
    /// The engine itself runs as an unprivileged user: nothing in it is ever host root.
    Rootless,
}

fn mapping(input: &AuditInput) -> Mapping {
    let info = input.snapshot.info.as_ref();
    if input.snapshot.engine.rootless || info.is_some_and(|i| i.has_security_option("rootless")) {
        Mapping::Rootless
    } else if info.is_some_and(|i| i.has_security_option("userns")) {
        Mapping::Remapped
    } else {
        Mapping::Direct
    }
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let mapping = mapping(input);
    checks.each_container(input, |c| {
        let user = c.inspect.config.user.as_str();
        if !is_root(user) {
            return Verdict::Pass;
        }
        let shown = if user.is_empty() {
            "User is empty".to_string()
        } else {
            format!("User is {user:?}")
        };
        let opts_out = facts::is_host_mode(&c.inspect.host_config.userns_mode);
        let evidence = json!({
            "Config.User": user,
            "HostConfig.UsernsMode": c.inspect.host_config.userns_mode,
            "State.Status": c.status(),
        });
        match (mapping, opts_out) {
            (Mapping::Rootless, _) => Verdict::fail(format!(
                "runs as root ({shown}); the engine is rootless, so this is root only inside its user namespace"
            ))
            .with_evidence(evidence)
            .with_severity(Severity::Low),
            (Mapping::Remapped, false) => Verdict::fail(format!(
                "runs as root ({shown}); the daemon remaps user namespaces, so this is root only inside the namespace"
            ))
            .with_evidence(evidence)
            .with_severity(Severity::Low),
            (Mapping::Remapped, true) => Verdict::fail(format!(
                "runs as root ({shown}) with --userns host, which opts out of the daemon's user-namespace remapping"
            ))
            .with_evidence(evidence),
            (Mapping::Direct, _) => {
                Verdict::fail(format!("runs as root ({shown})")).with_evidence(evidence)
            }
        }
    });
}

/// The Compose check: `user:` names root (`root`, `0`, `0:0`). Without `user:` the image decides
/// (IMG001 judges its Dockerfile), so the service is not judged.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "CTR002",
    check: source,
};

fn source(input: &SourceInput, checks: &mut Checks) {
    crate::source::each_service(checks, input, |_, s| {
        let user = s.get("user")?.as_str()?;
        if facts::is_root_user(user) {
            crate::source::one(s.key_at("user"), format!("user: {user} runs it as root"))
        } else {
            Some(Vec::new())
        }
    });
}

#[cfg(test)]
mod tests {
    use super::is_root;

    #[test]
    fn root_forms() {
        for u in ["", "root", "0", "0:0", "root:root", "00", "0:1000"] {
            assert!(is_root(u), "{u}");
        }
        for u in ["1000", "1000:0", "app", "nobody", "10"] {
            assert!(!is_root(u), "{u}");
        }
    }
}
