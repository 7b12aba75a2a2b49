//! LCY004 unused-volume: a volume no container (running or not) mounts is left over data: disk
//! space at best, an old database copy with credentials and personal data at worst.
//!
//! A volume counts as used when any container in the whole snapshot mounts it: in its resolved
//! `Mounts`, a `-v NAME:/path` bind, or a `--mount type=volume,src=NAME`.
//!
//! A snapshot collected with `--label` holds only some containers: what would be reported unused
//! is skipped with the reason ([`facts::unused_unknowable`]).

use dockaudit_snapshot::{Fact, MeasuredSize, Volume};

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
        if containers.iter().any(|c| c.uses_volume(&v.name)) {
            return Verdict::Pass;
        }
        if let Some(reason) = &unknowable {
            return Verdict::Skip(reason.clone());
        }
        let kind = if is_anonymous(v) {
            "anonymous volume"
        } else {
            "volume"
        };
        let size = VolumeSize::of(v, input.snapshot.settings.sizes);
        let message = match size.holds() {
            Some(holds) => format!("{kind} no container mounts; {holds}"),
            None => format!("{kind} no container mounts"),
        };
        Verdict::fail(message).with_evidence(json!({
            "Driver": v.driver,
            "Mountpoint": v.mountpoint,
            "CreatedAt": v.created_at,
            "Size": size.bytes(),
            "Files": size.files(),
            "SizeComplete": size.complete(),
            "SizeUnknown": size.unknown(),
        }))
    });
}

/// Whether the engine named the volume (64 hex characters): it was created implicitly by a
/// container's `VOLUME` or `-v /path`.
fn is_anonymous(v: &Volume) -> bool {
    v.name.len() == 64 && v.name.chars().all(|c| c.is_ascii_hexdigit())
}

/// What is known of an unused volume's size: the engine's figure, dockaudit's measure of its
/// directory, or why neither is there.
enum VolumeSize<'a> {
    /// `UsageData.Size` from the engine.
    Engine(i64),
    /// Measured on the host's disk.
    Measured(&'a MeasuredSize),
    /// Why it is unknown.
    Unknown(String),
}

impl<'a> VolumeSize<'a> {
    fn of(v: &'a Volume, sizes_collected: bool) -> VolumeSize<'a> {
        if let Some(size) = v.usage_data.as_ref().map(|u| u.size).filter(|s| *s >= 0) {
            return VolumeSize::Engine(size);
        }
        match &v.measured_size {
            Some(Fact::Value(m)) => VolumeSize::Measured(m),
            Some(Fact::Missing(why)) => VolumeSize::Unknown(format!("not measured: {why}")),
            None if !sizes_collected => {
                VolumeSize::Unknown("sizes were not collected (--no-sizes)".to_string())
            }
            None => VolumeSize::Unknown("not measured".to_string()),
        }
    }

    /// `holds 1.2 GiB in 3 400 files` (`at least …` when the walk stopped at a bound).
    fn holds(&self) -> Option<String> {
        match self {
            VolumeSize::Engine(bytes) => Some(format!("holds {}", facts::human_bytes(*bytes))),
            VolumeSize::Measured(m) => Some(format!(
                "holds {}{} in {} file{}",
                if m.complete { "" } else { "at least " },
                facts::human_bytes(i64::try_from(m.bytes).unwrap_or(i64::MAX)),
                thousands(m.files),
                if m.files == 1 { "" } else { "s" }
            )),
            VolumeSize::Unknown(_) => None,
        }
    }

    fn bytes(&self) -> Option<u64> {
        match self {
            VolumeSize::Engine(bytes) => u64::try_from(*bytes).ok(),
            VolumeSize::Measured(m) => Some(m.bytes),
            VolumeSize::Unknown(_) => None,
        }
    }

    fn files(&self) -> Option<u64> {
        match self {
            VolumeSize::Measured(m) => Some(m.files),
            _ => None,
        }
    }

    fn complete(&self) -> Option<bool> {
        match self {
            VolumeSize::Measured(m) => Some(m.complete),
            VolumeSize::Engine(_) => Some(true),
            VolumeSize::Unknown(_) => None,
        }
    }

    fn unknown(&self) -> Option<&str> {
        match self {
            VolumeSize::Unknown(why) => Some(why),
            _ => None,
        }
    }
}

/// `3 400`: digits in groups of three, as the messages write counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_in_groups_of_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(3400), "3 400");
        assert_eq!(thousands(1_234_567), "1 234 567");
    }
}
