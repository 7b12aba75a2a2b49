//! DMN006 deprecated-storage-driver: the daemon stores images and containers with `aufs` or
//! `devicemapper`, drivers Docker has deprecated and removed (aufs in Docker 24, devicemapper in
//! Docker 25).
//!
//! Read from `/info` (`Driver`), so remote engines are judged too.
//!
//! CIS ids: v1.8.0 2.6 (aufs) and 2.7 (devicemapper, new in v1.8.0) come from a third-party
//! checklist of v1.8.0, not from the CIS document itself; v1.6.0 has aufs only (2.6).

use dockaudit_snapshot::daemon::Effective;

use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "DMN006",
        name: "deprecated-storage-driver",
        title: "Daemon uses the aufs or devicemapper storage driver",
        rationale: "aufs lives outside the mainline kernel and has caused kernel crashes; devicemapper in loop-lvm mode is slow and fragile; both are deprecated and removed from current Docker, so a host that depends on them cannot take security updates of the engine without migrating.",
        remediation: "Move to overlay2: save or push what must be kept, set \"storage-driver\": \"overlay2\" in daemon.json (or remove the setting to let dockerd choose), restart the daemon and pull or rebuild the images.",
        category: Category::Daemon,
        severity: Severity::Medium,
        cis: &["2.6", "2.7"],
        cis_v1_6: &["2.6"],
        references: &[
            "https://docs.docker.com/engine/storage/drivers/select-storage-driver/",
            "https://docs.docker.com/engine/deprecated/#aufs-storage-driver",
            "https://docs.docker.com/engine/deprecated/#device-mapper-storage-driver",
        ],
    },
    check,
};

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    let target = daemon_target(snapshot);
    match snapshot.daemon_setting("storage-driver") {
        Effective::Set(s) => {
            let driver = s.as_str().unwrap_or_default();
            if matches!(driver, "aufs" | "devicemapper") {
                checks
                    .fail(
                        target,
                        format!(
                            "the daemon uses the deprecated {driver} storage driver ({})",
                            s.source()
                        ),
                    )
                    .evidence(json!({"storage-driver": driver, "source": s.source()}));
            } else {
                checks.pass(target);
            }
        }
        // Without a setting dockerd picks a current driver (overlay2 where the kernel allows).
        Effective::Default => checks.pass(target),
        Effective::Unknown(why) => checks.skip(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockaudit_snapshot::{EngineInfo, Snapshot};

    #[test]
    fn aufs_and_devicemapper_fail_others_pass() {
        for (driver, fails) in [
            ("aufs", true),
            ("devicemapper", true),
            ("overlay2", false),
            ("fuse-overlayfs", false),
        ] {
            let snapshot = Snapshot {
                info: Some(EngineInfo {
                    driver: driver.into(),
                    ..EngineInfo::default()
                }),
                ..Snapshot::default()
            };
            let input = AuditInput::new(&snapshot, &crate::TargetFilter::default());
            let mut checks = Checks::default();
            check(&input, &mut checks);
            assert_eq!(checks.failures().len(), usize::from(fails), "{driver}");
        }
    }
}
