//! Azure Linux and CBL-Mariner: Microsoft's OVAL definitions
//! (`https://raw.githubusercontent.com/microsoft/AzureLinuxVulnerabilityData/main/{azurelinux-3.0,
//! cbl-mariner-2.0}-oval.xml`), one file per release.
//!
//! Each definition names one CVE and one package (the spec, i.e. source, name) through an
//! `rpminfo_test`: its object names the package, its state an `evr` bound. "less than" with
//! `<patchable>true</patchable>` is a fix (status fixed, first fixed version); "less than or equal"
//! (no patch yet) is affected up to and including that version, unfixed. The definition's
//! `<severity>` is Microsoft's rating. Versions compare by rpm's rules.

use std::io::BufRead;

use crate::oval::{self, child, children, text, Element};
use crate::schema::{Advisory, Distro, Severity, Status};
use crate::severity::severity_of_word;
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "azurelinux-oval";
/// Where Microsoft publishes the files; `{release}` is `azurelinux-3.0` or `cbl-mariner-2.0`.
pub const BASE_URL: &str =
    "https://raw.githubusercontent.com/microsoft/AzureLinuxVulnerabilityData/main";
/// The files and the release each covers.
pub const FILES: &[(&str, &str)] = &[
    ("cbl-mariner-2.0-oval.xml", "2.0"),
    ("azurelinux-3.0-oval.xml", "3.0"),
];

/// The release a file name is about (`cbl-mariner-2.0-oval.xml` → `2.0`).
pub fn release_of_file(name: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, r)| *r)
        .or_else(|| {
            let stem = name.strip_suffix("-oval.xml")?;
            let version = stem.rsplit('-').next()?;
            FILES.iter().map(|(_, r)| *r).find(|r| *r == version)
        })
}

/// Reads one OVAL file into records for `release`.
pub fn parse_oval(
    xml: &str,
    origin: &str,
    release: &str,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    read_oval(xml.as_bytes(), origin, release)
}

/// What a definition holds that its record needs, kept until the tests are read (they come
/// after the definitions).
struct Definition {
    id: String,
    meta: Option<Meta>,
    /// The `test_ref` of every criterion in the definition.
    test_refs: Vec<Option<String>>,
}

/// A definition's metadata, as its record uses it.
struct Meta {
    cves: Vec<String>,
    severity_word: Option<String>,
    patchable: bool,
    description: Option<String>,
}

impl Definition {
    fn of(def: &Element) -> Self {
        let meta = child(def, "metadata").map(|meta| Meta {
            cves: children(meta, "reference")
                .filter_map(|r| r.attribute("ref_id"))
                .map(str::to_owned)
                .collect(),
            severity_word: text(child(meta, "severity")),
            patchable: text(child(meta, "patchable")).as_deref() == Some("true"),
            description: text(child(meta, "description")),
        });
        Definition {
            id: def.attribute("id").unwrap_or("?").to_owned(),
            meta,
            test_refs: def
                .descendants()
                .into_iter()
                .filter(|n| n.name() == "criterion")
                .map(|c| c.attribute("test_ref").map(str::to_owned))
                .collect(),
        }
    }
}

/// [`parse_oval`] from a stream (the file as it is read): definitions are kept as far as their
/// records need them, the tests, objects and states as the strings a criterion resolves to.
pub fn read_oval(
    input: impl BufRead,
    origin: &str,
    release: &str,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let mut defs = Vec::new();
    let (tables, _) = oval::read_oval(input, origin, &mut |def| {
        defs.push(Definition::of(&def));
        Ok(())
    })?;
    let mut stats = ImportStats::default();
    let mut out = Vec::new();
    for def in defs {
        let def_id = &def.id;
        let Some(meta) = def.meta else {
            stats.skip(format!("{def_id}: no metadata"));
            continue;
        };
        let cves = meta.cves;
        let Some(id) = cves.first().cloned() else {
            stats.skip(format!("{def_id}: no CVE reference"));
            continue;
        };
        let severity_word = meta.severity_word;
        let patchable = meta.patchable;
        if def.test_refs.len() != 1 {
            stats.skip(format!(
                "{def_id}: {} criteria, one expected",
                def.test_refs.len()
            ));
            continue;
        }
        let resolved = (|| {
            let test = oval::resolve_rpm_test(&tables, def.test_refs[0].as_deref()?)?;
            let (operation, evr) = test.evr?;
            Some((test.name, operation, evr))
        })();
        let Some((package, operation, evr)) = resolved else {
            stats.skip(format!(
                "{def_id}: its test, object or state cannot be resolved"
            ));
            continue;
        };
        let (status, fixed_version, affected_through) = match (operation.as_str(), patchable) {
            ("less than", true) => (Status::Fixed, Some(evr), None),
            // Still affected; a "less than" bound without a patch says where it stops.
            ("less than", false) => (Status::AffectedUnfixed, None, None),
            ("less than or equal", _) => (Status::AffectedUnfixed, None, Some(evr)),
            (other, _) => {
                stats.skip(format!("{def_id}: evr operation {other:?}"));
                continue;
            }
        };
        if let Some(v) = fixed_version.as_deref().or(affected_through.as_deref()) {
            if let Err(e) = dockaudit_scan::version::rpm::RpmVersion::parse(v) {
                stats.skip(format!("{def_id}: version {v:?}: {e}"));
                continue;
            }
        }
        out.push(Advisory {
            distro: Distro::Azurelinux,
            release: release.to_owned(),
            package,
            id: id.clone(),
            channel: None,
            status,
            fixed_version,
            affected_through,
            severity: severity_word
                .as_deref()
                .and_then(severity_of_word)
                .unwrap_or(Severity::Unknown),
            rating: severity_word,
            aliases: cves[1..].to_vec(),
            description: meta.description,
            url: Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
            source: SOURCE.to_owned(),
            note: (!patchable).then(|| "no patch is available yet".to_owned()),
        });
    }
    if out.is_empty() && stats.skipped == 0 {
        return Err(FeedError::new(origin, "the file holds no definitions"));
    }
    stats.records = out.len() as u64;
    Ok((out, stats))
}
