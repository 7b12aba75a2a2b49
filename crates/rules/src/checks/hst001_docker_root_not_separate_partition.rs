//! HST001 docker-root-not-separate-partition: the Docker root directory (`/var/lib/docker`, or the
//! engine's `DockerRootDir`) shares a filesystem with `/`, so images, containers' writable layers,
//! volumes and logs can fill the host's root filesystem.
//!
//! Judged from the host init's mount table: the mount holding the directory must be below `/` and
//! on another device than `/`. A bind mount of a directory of the root filesystem has a mount point
//! of its own but the root's device, and is not a separate partition.
//!
//! CIS ids: v1.8.0 numbering confirmed for 1.1.5, 1.1.10 and 1.1.11 (Tenable's v1.8.0 audit); the
//! other section 1 ids are v1.7.0's, which match v1.6.0, and are assumed unchanged in v1.8.0.

use crate::host::{fact, host_facts, host_target};
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST001",
        name: "docker-root-not-separate-partition",
        title: "Docker root directory is not on a partition of its own",
        rationale: "Images, writable layers, volumes and json-file logs all live under the Docker root directory; on the root filesystem, a container that writes without bound or a pull of large images fills `/` and takes the host's own services down with it.",
        remediation: "Give the Docker root directory a filesystem of its own (a partition or logical volume mounted at /var/lib/docker, listed in /etc/fstab), or move it there with daemon.json `\"data-root\": \"/srv/docker\"` on a dedicated mount, then restart the daemon.",
        category: Category::Host,
        severity: Severity::Low,
        cis: &["1.1.1"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/daemon/#daemon-data-directory",
            "https://docs.docker.com/reference/cli/dockerd/#daemon-data-directory",
            "https://cwe.mitre.org/data/definitions/400.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let mount = match host_facts(snapshot)
        .and_then(|h| fact(&h.docker_root_mount, "the mount table").map(|m| (h, m)))
    {
        Ok(found) => found,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let (facts, mount) = mount;
    let target = host_target(snapshot, Some(facts));
    if mount.separate {
        checks.pass(target);
        return;
    }
    let dir = if mount.resolved_dir.is_empty() {
        mount.docker_root_dir.clone()
    } else {
        format!("{} (really {})", mount.docker_root_dir, mount.resolved_dir)
    };
    let message = if mount.mount_point == "/" {
        format!(
            "{dir} is on the root filesystem ({} {})",
            mount.fs_type, mount.device
        )
    } else {
        format!(
            "{dir} is mounted at {} but from the root filesystem's own device {} (a bind mount, not a partition)",
            mount.mount_point, mount.device
        )
    };
    checks.fail(target, message).evidence(json!({
        "docker_root_dir": mount.docker_root_dir,
        "resolved_dir": mount.resolved_dir,
        "mount_point": mount.mount_point,
        "device": mount.device,
        "root_device": mount.root_device,
        "fs_type": mount.fs_type,
        "source": mount.source,
    }));
}
