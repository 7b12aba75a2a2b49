//! HST005 docker-engine-unsupported: the engine's Docker release line is past its end of
//! maintenance (no more security fixes upstream), or behind the latest patch release of a
//! maintained line (CIS 1.2.2).
//!
//! Judged against an embedded, dated table of Docker Engine release lines
//! (`data/docker-engine-releases.json`, with its `as_of` date and source), on the snapshot's
//! collection day, never the clock. A table more than a year older than the snapshot cannot say
//! what is maintained now, and the rule skips rather than pass an engine on stale data. An engine
//! newer than every line in the table is taken as maintained. Distribution builds (`+dfsg`) may
//! carry backported fixes; the message says so. The table will be overridable from the command
//! line; until then a newer dockaudit brings a newer table.
//!
//! CIS ids: v1.8.0 numbering confirmed for 1.1.5, 1.1.10 and 1.1.11 (Tenable's v1.8.0 audit); the
//! other section 1 ids are v1.7.0's, which match v1.6.0, and are assumed unchanged in v1.8.0.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::host::days_from_date;
use crate::input::daemon_target;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HST005",
        name: "docker-engine-unsupported",
        title: "Docker Engine release is out of maintenance or behind on patches",
        rationale: "A Docker Engine line past its end of maintenance gets no security fixes, and a maintained line behind its latest patch release misses the ones already published; both leave known vulnerabilities in a root-privileged daemon (runc and BuildKit escapes among them).",
        remediation: "Upgrade to a maintained Docker Engine release line and its latest patch release (https://docs.docker.com/engine/install/), or confirm that your distribution still ships security fixes for the packaged version.",
        category: Category::Host,
        severity: Severity::High,
        cis: &["1.2.2"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/engine/release-notes/",
            "https://github.com/moby/moby/blob/master/project/BRANCHES-AND-TAGS.md",
            "https://endoflife.date/docker-engine",
            "https://cwe.mitre.org/data/definitions/1104.html",
        ],
    },
    check,
};

/// The embedded release table.
#[derive(Debug, Deserialize)]
pub struct ReleaseTable {
    /// The day the table describes.
    pub as_of: String,
    /// Where it came from.
    pub source: String,
    /// Release lines, newest first.
    pub releases: Vec<ReleaseLine>,
}

/// One release line (`20.10`, or `29` for the lines versioned by major alone).
#[derive(Debug, Deserialize)]
pub struct ReleaseLine {
    /// `29`, `26.1`, `20.10`.
    pub cycle: String,
    /// First release of the line.
    pub released: String,
    /// End of maintenance, if announced.
    pub eol: Option<String>,
    /// Latest patch release as of the table's date.
    pub latest: String,
}

/// The table shipped with this build.
pub fn release_table() -> Result<&'static ReleaseTable, String> {
    static TABLE: OnceLock<Result<ReleaseTable, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            serde_json::from_str(include_str!("../../data/docker-engine-releases.json"))
                .map_err(|e| format!("the embedded Docker Engine release table is malformed: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// `20.10.24+dfsg1` → `(20, 10, 24)`; a missing part is 0.
pub fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let v = v.trim().trim_start_matches('v');
    let numeric: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = numeric.split('.').filter(|p| !p.is_empty());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    Some((major, minor, patch))
}

fn cycle_key(cycle: &str) -> Option<(u64, u64)> {
    let (major, minor, _) = parse_version(cycle)?;
    Some((major, minor))
}

fn check(input: &AuditInput, checks: &mut Checks) {
    let snapshot = input.snapshot;
    if snapshot.engine.kind == "podman" {
        checks.skip("the engine is Podman: the release table is Docker Engine's");
        return;
    }
    let shown = snapshot
        .version
        .as_ref()
        .map(|v| v.version.as_str())
        .filter(|v| !v.is_empty())
        .unwrap_or(snapshot.engine.version.as_str());
    let Some(version) = parse_version(shown) else {
        checks.skip(format!(
            "the engine version {shown:?} was not collected or is not a version number"
        ));
        return;
    };
    let table = match release_table() {
        Ok(t) => t,
        Err(why) => {
            checks.skip(why);
            return;
        }
    };
    let (Some(today), Some(as_of)) = (
        days_from_date(&snapshot.collected_at),
        days_from_date(&table.as_of),
    ) else {
        checks.skip(format!(
            "the snapshot's collection time {:?} is not a date",
            snapshot.collected_at
        ));
        return;
    };
    if today - as_of > 365 {
        checks.skip(format!(
            "the release table is dated {}, more than a year before this snapshot ({}): it cannot tell what is maintained now",
            table.as_of,
            snapshot.collected_at.get(..10).unwrap_or(&snapshot.collected_at)
        ));
        return;
    }
    let target = daemon_target(snapshot);
    let line = table
        .releases
        .iter()
        .find(|r| cycle_key(&r.cycle) == Some((version.0, version.1)) && r.cycle.contains('.'))
        .or_else(|| {
            table.releases.iter().find(|r| {
                !r.cycle.contains('.') && parse_version(&r.cycle).map(|v| v.0) == Some(version.0)
            })
        });
    let distro = shown.contains('+') || shown.contains('~');
    let vendor_note = if distro {
        " (a distribution build: check whether your vendor still ships security fixes for it)"
    } else {
        ""
    };
    let Some(line) = line else {
        let newest = table
            .releases
            .iter()
            .filter_map(|r| cycle_key(&r.cycle))
            .max();
        let oldest = table
            .releases
            .iter()
            .filter_map(|r| cycle_key(&r.cycle))
            .min();
        match (newest, oldest) {
            (Some(n), _) if (version.0, version.1) > n => checks.pass(target),
            (_, Some(o)) if (version.0, version.1) < o => {
                checks
                    .fail(
                        target,
                        format!(
                            "Docker Engine {shown} is older than every release line the table lists, all of which are out of maintenance{vendor_note}"
                        ),
                    )
                    .evidence(json!({"version": shown, "table_as_of": table.as_of}));
            }
            _ => checks.skip(format!(
                "Docker Engine {shown} is not a release line the table (as of {}) lists",
                table.as_of
            )),
        }
        return;
    };
    let evidence = json!({
        "version": shown,
        "release_line": line.cycle,
        "released": line.released,
        "end_of_maintenance": line.eol,
        "latest_patch": line.latest,
        "table_as_of": table.as_of,
        "table_source": table.source,
    });
    if let Some(eol) = line.eol.as_deref() {
        if days_from_date(eol).is_some_and(|d| d <= today) {
            checks
                .fail(
                    target,
                    format!(
                        "Docker Engine {shown}: the {} release line reached its end of maintenance on {eol} (last patch {}){vendor_note}",
                        line.cycle, line.latest
                    ),
                )
                .evidence(evidence);
            return;
        }
    }
    match parse_version(&line.latest) {
        Some(latest) if version < latest => {
            checks
                .fail(
                    target,
                    format!(
                        "Docker Engine {shown} is behind {}, the latest patch release of the {} line as of {}{vendor_note}",
                        line.latest, line.cycle, table.as_of
                    ),
                )
                .evidence(evidence)
                .severity(Severity::Low);
        }
        _ => checks.pass(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_versions_read() {
        let table = release_table().expect("table parses");
        assert!(days_from_date(&table.as_of).is_some());
        for r in &table.releases {
            assert!(cycle_key(&r.cycle).is_some(), "{}", r.cycle);
            assert!(parse_version(&r.latest).is_some(), "{}", r.latest);
            assert!(r.eol.as_deref().is_none_or(|d| days_from_date(d).is_some()));
        }
        assert_eq!(parse_version("20.10.24+dfsg1"), Some((20, 10, 24)));
        assert_eq!(parse_version("v28.5.2"), Some((28, 5, 2)));
        assert_eq!(parse_version("29"), Some((29, 0, 0)));
        assert_eq!(parse_version("dev"), None);
    }
}
