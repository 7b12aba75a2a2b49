//! Oracle Linux: Oracle's ELSA errata as OVAL, one file for every release
//! (`https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2`) or one per release
//! (`com.oracle.elsa-ol9.xml.bz2`, what `db update` fetches); the releases come from the
//! definitions either way.
//!
//! Each definition is one erratum (`ELSA-2022-4803`) with Oracle's severity word (`IMPORTANT`,
//! `MODERATE`, …), the CVEs it fixes, and a criteria tree whose criterion comments say what it
//! checks: `Oracle Linux 7 is installed`, `Oracle Linux arch is aarch64`, `rsyslog is earlier than
//! 0:8.24.0-57.0.4.el7_9.3`, `openssl is ksplice-based`. The comments are read, as vunnel and grype
//! read them: Oracle writes them uniformly, and its published trims of the file keep them while
//! dropping the tests they stand for. Each (release, binary package, CVE) becomes a fixed record
//! with the erratum as an alias.
//!
//! - **Architectures.** An erratum may be respun per architecture at different revisions; the
//!   matcher knows no architecture, so the x86_64 (or architecture-less) fix is kept, else the
//!   lowest.
//! - **Ksplice.** Userspace ksplice packages (a sibling criterion `… is ksplice-based`, or
//!   `ksplice` in the release) patch running processes and are versioned apart from the ordinary
//!   packages; they are skipped and counted.
//! - **Modules.** Modular builds (`.module+el8…`) are skipped and counted, as for AlmaLinux and
//!   Rocky: which stream an image has enabled is not known.
//!
//! Oracle publishes only fixes: every record is [`Status::Fixed`].

use std::collections::BTreeMap;

use dockaudit_scan::inventory::PackageFormat;
use std::io::BufRead;

use crate::oval::{self, child, children, text, Element};
use crate::schema::{Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "oracle-oval";
/// Where Oracle publishes its OVAL files.
pub const BASE_URL: &str = "https://linux.oracle.com/security/oval";
/// Every release in one file (bzip2): `db build --from` reads it like the per-release files (as
/// a stream, so its size costs time, not memory).
pub const ALL_FILE: &str = "com.oracle.elsa-all.xml.bz2";
/// The per-release files `db update` fetches (Oracle Linux 7, 8, 9), bzip2.
pub const FILES: &[&str] = &[
    "com.oracle.elsa-ol7.xml.bz2",
    "com.oracle.elsa-ol8.xml.bz2",
    "com.oracle.elsa-ol9.xml.bz2",
];

/// One package fix a criteria tree states.
#[derive(Debug, Clone)]
struct Fix {
    release: Option<String>,
    arch: Option<String>,
    package: String,
    evr: String,
    ksplice: bool,
}

/// The release number in `Oracle Linux 7 is installed` (or a `<platform>Oracle Linux 7`).
fn release_in(s: &str) -> Option<String> {
    let rest = s.trim().strip_prefix("Oracle Linux ")?;
    let n = rest.split_whitespace().next()?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| n.to_owned())
}

/// Walks a criteria node, carrying the release and architecture its ancestors (or its own
/// criterion children) set.
fn walk(node: &Element, release: Option<&str>, arch: Option<&str>, out: &mut Vec<Fix>) {
    let mut release = release.map(str::to_owned);
    let mut arch = arch.map(str::to_owned);
    let mut ksplice = false;
    let comments: Vec<&str> = children(node, "criterion")
        .filter_map(|c| c.attribute("comment"))
        .collect();
    for c in &comments {
        if let Some(r) = c.strip_suffix(" is installed").and_then(release_in) {
            release = Some(r);
        } else if let Some(a) = c.strip_prefix("Oracle Linux arch is ") {
            arch = Some(a.trim().to_owned());
        } else if c.ends_with(" is ksplice-based") {
            ksplice = true;
        }
    }
    for c in &comments {
        if let Some((package, evr)) = c.split_once(" is earlier than ") {
            out.push(Fix {
                release: release.clone(),
                arch: arch.clone(),
                package: package.trim().to_owned(),
                evr: evr.trim().to_owned(),
                ksplice,
            });
        }
    }
    for sub in children(node, "criteria") {
        walk(sub, release.as_deref(), arch.as_deref(), out);
    }
}

/// Reads Oracle's ELSA OVAL into records for every release it names.
pub fn parse_oval(xml: &str, origin: &str) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    read_oval(xml.as_bytes(), origin)
}

/// [`parse_oval`] from a stream (a file as it unpacks).
pub fn read_oval(
    input: impl BufRead,
    origin: &str,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let mut out = Vec::new();
    let stats = import_oval(input, origin, &mut |adv| {
        out.push(adv);
        Ok(())
    })?;
    Ok((out, stats))
}

/// Reads Oracle's ELSA OVAL from a stream, handing each record to `sink` as soon as its definition
/// is read: memory holds one definition, not the document or its records. An error from `sink`
/// stops the reading and is returned.
pub fn import_oval(
    input: impl BufRead,
    origin: &str,
    sink: &mut dyn FnMut(Advisory) -> Result<(), FeedError>,
) -> Result<ImportStats, FeedError> {
    let mut stats = ImportStats::default();
    let mut records = 0u64;
    let mut out = Vec::new();
    let (_, definitions) = oval::read_oval(input, origin, &mut |def| {
        definition(&def, &mut stats, &mut out);
        for adv in out.drain(..) {
            records += 1;
            sink(adv)?;
        }
        Ok(())
    })?;
    if definitions == 0 {
        return Err(FeedError::new(origin, "the file holds no definitions"));
    }
    stats.records = records;
    Ok(stats)
}

/// One definition's records into `out`.
fn definition(def: &Element, stats: &mut ImportStats, out: &mut Vec<Advisory>) {
    let def_id = def.attribute("id").unwrap_or("?");
    let Some(meta) = child(def, "metadata") else {
        stats.skip(format!("{def_id}: no metadata"));
        return;
    };
    let references: Vec<(&str, &str)> = children(meta, "reference")
        .filter_map(|r| Some((r.attribute("source")?, r.attribute("ref_id")?)))
        .collect();
    let title = text(child(meta, "title")).unwrap_or_default();
    let Some(elsa) = references
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case("elsa"))
        .map(|(_, id)| (*id).to_owned())
        .or_else(|| {
            let t = title.split(':').next()?.trim();
            t.starts_with("ELSA-").then(|| t.to_owned())
        })
    else {
        stats.skip(format!("{def_id}: no ELSA id"));
        return;
    };
    let advisory = child(meta, "advisory");
    let mut cves: Vec<String> = advisory
        .into_iter()
        .flat_map(|a| children(a, "cve"))
        .filter_map(|c| text(Some(c)))
        .chain(
            references
                .iter()
                .filter(|(s, _)| s.eq_ignore_ascii_case("cve"))
                .map(|(_, id)| (*id).to_owned()),
        )
        .filter(|c| c.starts_with("CVE-"))
        .collect();
    cves.sort();
    cves.dedup();
    if cves.is_empty() {
        // A bug-fix or enhancement erratum flagged as security without a CVE: the erratum
        // itself is the vulnerability id.
        cves.push(elsa.clone());
    }
    let rating = text(advisory.and_then(|a| child(a, "severity")));
    let severity = rating
        .as_deref()
        .and_then(oval::vendor_severity)
        .unwrap_or(Severity::Unknown);
    let platforms: Vec<String> = child(meta, "affected")
        .into_iter()
        .flat_map(|a| children(a, "platform"))
        .filter_map(|p| text(Some(p)))
        .filter_map(|p| release_in(&p))
        .collect();
    let mut fixes = Vec::new();
    for criteria in children(def, "criteria") {
        walk(criteria, None, None, &mut fixes);
    }
    if fixes.is_empty() {
        stats.skip(format!("{elsa}: no package criteria"));
        return;
    }
    // (release, package) → (prefer this arch?, evr), the best candidate.
    let mut chosen: BTreeMap<(String, String), (bool, String)> = BTreeMap::new();
    for fix in fixes {
        let release = match (&fix.release, platforms.as_slice()) {
            (Some(r), _) => r.clone(),
            (None, [only]) => only.clone(),
            _ => {
                stats.skip(format!("{elsa} {}: no Oracle Linux release", fix.package));
                continue;
            }
        };
        if fix.ksplice || fix.evr.contains("ksplice") || fix.package.contains("ksplice") {
            stats.skip(format!(
                "{elsa} {} {}: a ksplice package (not matched)",
                fix.package, fix.evr
            ));
            continue;
        }
        if oval::is_modular(&fix.evr) {
            stats.skip(format!(
                "{elsa} {} {}: a modular package (module streams are not handled)",
                fix.package, fix.evr
            ));
            continue;
        }
        if let Err(e) = dockaudit_scan::version::rpm::RpmVersion::parse(&fix.evr) {
            stats.skip(format!("{elsa} {}: {:?}: {e}", fix.package, fix.evr));
            continue;
        }
        let other_arch = fix.arch.as_deref().is_some_and(|a| a != "x86_64");
        let key = (release, fix.package);
        let better = match chosen.get(&key) {
            None => true,
            Some((was_other, evr)) => match (other_arch, *was_other) {
                (false, true) => true,
                (true, false) => false,
                _ => PackageFormat::Rpm.compare_versions(&fix.evr, evr).is_lt(),
            },
        };
        if better {
            chosen.insert(key, (other_arch, fix.evr));
        }
    }
    for ((release, package), (_, evr)) in chosen {
        for cve in &cves {
            out.push(Advisory {
                distro: Distro::Oracle,
                release: release.clone(),
                package: package.clone(),
                id: cve.clone(),
                channel: None,
                status: Status::Fixed,
                fixed_version: Some(evr.clone()),
                affected_through: None,
                severity,
                rating: rating.clone(),
                aliases: if *cve == elsa {
                    Vec::new()
                } else {
                    vec![elsa.clone()]
                },
                description: text(child(meta, "description"))
                    .as_deref()
                    .and_then(crate::schema::clip_description),
                url: Some(format!("https://linux.oracle.com/errata/{elsa}.html")),
                source: SOURCE.to_owned(),
                note: None,
            });
        }
    }
}
