//! LCY004 unused-volume: a volume no container (running or not) mounts is left over data: disk
//! space at best, an old database copy with credentials and personal data at worst.
//!
//! A volume counts as used when any container in the whole snapshot mounts it: in its resolved
//! `Mounts`, a `-v NAME:/path` bind, or a `--mount type=volume,src=NAME`.
//!
//! A snapshot collected with `--label` holds only some containers: what would be reported unused
//! is skipped with the reason ([`facts::unused_unknowable`]).

use dockaudit_snapshot::Volume;

use crate::input::volume_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LCY004",
        name: "unused-volume",
        title: "Volume no container uses",
        rationale: "Unused volumes often hold data of retired services (databases, uploads, keys) that nobody patches, backs up or protects any more, and they fill the disk; anyone with engine access can mount and read them.",
        remediation: "Inspect what it holds (`docker volume inspect NAME`, `docker run --rm -v NAME:/v:ro busybox ls -la /v`), back it up if needed, then remove it: `docker volume rm NAME` (`docker volume prune` removes all unused anonymous volumes; add `-a` for named ones); use `docker run --rm` and `docker compose down -v` for throwaway volumes.",
        category: Category::Lifecycle,
        severity: Severity::Low,
        cis: &[],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/cli/docker/volume/prune/",
            "https://docs.docker.com/engine/storage/volumes/",
            "https://cwe.mitre.org/data/definitions/1164.html",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let unknowable = facts::unused_unknowable(input.snapshot);
    let containers = input.all_containers();
    checks.each(input.volumes.iter().copied(), volume_target, |v| {
        if containers.iter().any(|c| mounts(c, &v.name)) {
            return Verdict::Pass;
        }
        if let Some(reason) = &unknowable {
            return Verdict::Skip(reason.clone());
        }
        let size = v.usage_data.as_ref().map(|u| u.size).filter(|s| *s >= 0);
        let kind = if is_anonymous(v) {
            "anonymous volume"
        } else {
            "volume"
        };
        let message = match size {
            Some(s) => format!("{kind} no container mounts ({})", facts::human_bytes(s)),
            None => format!("{kind} no container mounts"),
        };
        Verdict::fail(message).with_evidence(json!({
            "Driver": v.driver,
            "Mountpoint": v.mountpoint,
            "CreatedAt": v.created_at,
            "Size": size,
        }))
    });
}

/// Whether the engine named the volume (64 hex characters): it was created implicitly by a
/// container's `VOLUME` or `-v /path`.
fn is_anonymous(v: &Volume) -> bool {
    v.name.len() == 64 && v.name.chars().all(|c| c.is_ascii_hexdigit())
}

/// Whether a container mounts the volume `name`.
fn mounts(c: &Container, name: &str) -> bool {
    if c.inspect
        .mounts
        .iter()
        .any(|m| m.kind == "volume" && m.name == name)
    {
        return true;
    }
    // `-v NAME:/path[:opts]`: a source without a slash is a volume name.
    if c.inspect
        .host_config
        .binds
        .iter()
        .any(|b| b.split(':').next() == Some(name))
    {
        return true;
    }
    // `--mount type=volume,src=NAME,…` as the engine records it.
    c.inspect
        .host_config
        .extra
        .get("Mounts")
        .and_then(|m| m.as_array())
        .is_some_and(|mounts| {
            mounts.iter().any(|m| {
                m.get("Type").and_then(|t| t.as_str()) == Some("volume")
                    && m.get("Source").and_then(|s| s.as_str()) == Some(name)
            })
        })
}
