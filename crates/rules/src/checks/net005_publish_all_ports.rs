//! NET005 publish-all-ports: `-P` publishes every port the image exposes, on every interface, on
//! random host ports: nobody decided which ports are reachable, or where.
//!
//! Skipped on Podman, which turns `-P` into explicit bindings (judged by NET003/NET004) and always
//! reports `PublishAllPorts: false`.

use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET005",
        name: "publish-all-ports",
        title: "Container publishes every exposed port (-P)",
        rationale: "With -P every EXPOSE of the image (including debug or admin ports added by a base image) is published on all interfaces at an ephemeral host port, so what is reachable changes with the image and each restart.",
        remediation: "Drop -P/--publish-all and publish only the ports needed, on a chosen address: `-p 127.0.0.1:8080:8080` (compose: list only the needed `ports:`, e.g. `[\"127.0.0.1:8080:8080\"]`, and avoid `docker compose run --service-ports`).",
        category: Category::Network,
        severity: Severity::Low,
        cis: &["5.9"],
        cis_v1_6: &["5.8"],
        references: &[
            "https://docs.docker.com/reference/cli/docker/container/run/#publish-all",
            "https://docs.docker.com/engine/network/#published-ports",
            "https://cwe.mitre.org/data/definitions/1327.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    if facts::is_podman(input.snapshot) {
        checks.skip("the engine is Podman, which turns -P into explicit port bindings and always reports PublishAllPorts: false; NET003 and NET004 judge those bindings");
        return;
    }
    checks.each_container(input, |c| {
        if !c.inspect.host_config.publish_all_ports {
            return Verdict::Pass;
        }
        let exposed: Vec<&String> = c.inspect.config.exposed_ports.keys().collect();
        let what = if exposed.is_empty() {
            "no port is exposed yet, but any the image gains will be".to_string()
        } else {
            exposed
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Verdict::fail(format!(
            "publishes every exposed port on a random host port (-P): {what}"
        ))
        .with_evidence(json!({"HostConfig.PublishAllPorts": true, "Config.ExposedPorts": exposed}))
    });
}
