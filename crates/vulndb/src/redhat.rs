//! Red Hat Enterprise Linux: Red Hat's CSAF 2.0 documents. The feed is Red Hat's VEX files, one
//! per CVE (`https://security.access.redhat.com/data/csaf/v2/vex/`, shipped whole as
//! `csaf_vex_YYYY-MM-DD.tar.zst`); its security advisories (RHSA, same CSAF schema, category
//! `csaf_security_advisory`) read the same way.
//!
//! A document's `product_tree` names platforms (a CPE: `cpe:/o:redhat:enterprise_linux:9::baseos`)
//! and components (a purl: `pkg:rpm/redhat/pam@1.5.1-21.el9_5?arch=src&epoch=0`); each
//! `default_component_of` relationship joins one of each into the product id the vulnerability's
//! `product_status` lists. A record is kept per (major release, source package, CVE):
//!
//! - the release is the major version of a **mainline** RHEL CPE (`enterprise_linux:N`). Extended
//!   streams (`rhel_eus`, `rhel_aus`, `rhel_tus`, `rhel_e4s`, `rhel_els`, …) are skipped and counted:
//!   their fixes are older builds on a branch a plain RHEL, UBI or CentOS image does not follow, and
//!   taking them as fixes would hide the mainline fix. Other products (OpenShift, …) are ignored;
//! - the package is the source rpm (`arch=src`); a document that lists only binary rpms for a fix
//!   is read by binary name;
//! - the status: `fixed` (the component's EVR, epoch kept when not 0), `known_not_affected`,
//!   `known_affected` refined by its remediation (`no_fix_planned` "Will not fix" → will-not-fix,
//!   "Out of support scope" → end-of-life; `none_available` "Fix deferred" → deferred, "Affected"
//!   → affected-unfixed), `under_investigation` → affected-unfixed with a note; a product only a
//!   remediation names takes its word (a `vendor_fix` is a fix). Several products
//!   of one release agreeing on a package merge: a fix beats an open status, the lowest fixed
//!   version wins (mainline versions only grow);
//! - the severity is the `impact` threat for the product (or the document's aggregate severity):
//!   Critical, Important → high, Moderate → medium, Low; the word is kept as the rating;
//! - aliases: the RHSA (the advisory's own id, or the `vendor_fix` remediation's errata URL).
//!
//! **Module streams are stored per stream.** A component of a module stream (a purl with
//! `rpmmod=ruby:3.1:…`, a product id with a `::ruby:3.1` suffix or `ruby:3.1/name`) is stored with
//! the channel `module:NAME:STREAM` ([`crate::matcher::module_channel`]), merged per (release,
//! package, stream); the matcher judges an installed build against its own stream's records only
//! (by its rpm `MODULARITYLABEL`), and every other package against the records of no stream, so a
//! stream's fix is never compared with another stream's build. A component whose stream cannot be
//! told (a `.module+el` release without one, a module's own `pkg:rpmmod/` purl) is skipped and
//! counted: [`Parsed::modular_skipped`] and the build's skip count say how many.

use dockaudit_scan::sbom::percent_decode;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::schema::{Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "redhat-csaf";
/// Red Hat's VEX directory; `archive_latest.txt` in it names the newest whole archive
/// (`csaf_vex_YYYY-MM-DD.tar.zst`).
pub const VEX_BASE_URL: &str = "https://security.access.redhat.com/data/csaf/v2/vex/";

/// The archive `archive_latest.txt` names (its first line, `csaf_vex_2026-11-29.tar.zst`), when
/// it is a plain file name of that form.
pub fn archive_name(text: &str) -> Option<&str> {
    let name = text.lines().next()?.trim();
    let ok = name.starts_with("csaf_vex_")
        && name.ends_with(".tar.zst")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then_some(name)
}

/// What one document gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The records, one per (release, source package, CVE).
    pub advisories: Vec<Advisory>,
    /// Skipped product entries, with a sample of why (module streams and extended streams are
    /// only counted, below).
    pub stats: ImportStats,
    /// Product entries of a module stream skipped because the stream could not be told (or the
    /// entry is the module itself, not an rpm).
    pub modular_skipped: u64,
    /// Product entries of extended RHEL streams (EUS, AUS, TUS, E4S, ELS) skipped.
    pub extended_stream_skipped: u64,
}

#[derive(Debug, Deserialize)]
struct Doc {
    document: Document,
    #[serde(default)]
    product_tree: Option<ProductTree>,
    #[serde(default)]
    vulnerabilities: Vec<Vuln>,
}

#[derive(Debug, Deserialize)]
struct Document {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    csaf_version: Option<String>,
    #[serde(default)]
    tracking: Option<Tracking>,
    #[serde(default)]
    aggregate_severity: Option<TextField>,
}

#[derive(Debug, Deserialize)]
struct Tracking {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TextField {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ProductTree {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Debug, Deserialize)]
struct Branch {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    product: Option<Product>,
}

#[derive(Debug, Deserialize)]
struct Product {
    product_id: String,
    #[serde(default)]
    product_identification_helper: Option<Helper>,
}

#[derive(Debug, Deserialize)]
struct Helper {
    #[serde(default)]
    cpe: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Relationship {
    #[serde(default)]
    category: Option<String>,
    full_product_name: FullName,
    product_reference: String,
    relates_to_product_reference: String,
}

#[derive(Debug, Deserialize)]
struct FullName {
    product_id: String,
}

#[derive(Debug, Deserialize)]
struct Vuln {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    notes: Vec<Note>,
    #[serde(default)]
    product_status: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    remediations: Vec<Remediation>,
    #[serde(default)]
    threats: Vec<Threat>,
}

#[derive(Debug, Deserialize)]
struct Note {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Remediation {
    category: String,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Threat {
    category: String,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
}

/// A component as its purl (or, failing that, its product id) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The rpm name.
    pub name: String,
    /// `[epoch:]version-release`, when the entry is versioned (a fixed build).
    pub evr: Option<String>,
    /// The architecture (`src` for a source rpm), when given.
    pub arch: Option<String>,
    /// The module stream (`ruby:3.1`), when the component belongs to one.
    pub module: Option<String>,
}

/// Where a platform CPE puts a product: a mainline RHEL major release, an extended stream of one,
/// or something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Platform {
    /// `cpe:/o:redhat:enterprise_linux:9[::baseos]`: release `9`.
    Mainline(String),
    /// `rhel_eus`, `rhel_aus`, `rhel_tus`, `rhel_e4s`, `rhel_els`, … of a release.
    Extended(String),
    /// Not RHEL.
    Other,
}

/// The CPE products of RHEL's extended streams (a minor release kept longer, or a major one past
/// its maintenance).
pub const EXTENDED_STREAMS: &[&str] = &[
    "rhel_eus",
    "rhel_eus_long_life",
    "rhel_aus",
    "rhel_tus",
    "rhel_e4s",
    "rhel_els",
    "rhel_mission_critical",
];

/// Reads a platform CPE (CPE 2.2 URI form, as Red Hat writes them).
pub fn platform_of_cpe(cpe: &str) -> Platform {
    let Some(rest) = cpe.strip_prefix("cpe:/") else {
        return Platform::Other;
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() < 4 || parts[1] != "redhat" {
        return Platform::Other;
    }
    let major = parts[3].split('.').next().unwrap_or("");
    if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
        return Platform::Other;
    }
    match parts[2] {
        "enterprise_linux" => Platform::Mainline(major.to_owned()),
        p if EXTENDED_STREAMS.contains(&p) => Platform::Extended(major.to_owned()),
        _ => Platform::Other,
    }
}

/// Reads an rpm purl (`pkg:rpm/redhat/NAME[@VERSION-RELEASE]?arch=…&epoch=…&rpmmod=…`); a
/// module's own purl (`pkg:rpmmod/redhat/nodejs@18:…`) is a component with its module set.
pub fn component_of_purl(purl: &str) -> Option<Component> {
    if let Some(rest) = purl.strip_prefix("pkg:rpmmod/") {
        let path = rest.split(['?', '#']).next().unwrap_or(rest);
        let (_namespace, name_version) = path.split_once('/')?;
        let name = percent_decode(name_version.split('@').next().unwrap_or(name_version));
        return Some(Component {
            module: Some(percent_decode(name_version)),
            name,
            evr: None,
            arch: None,
        });
    }
    let rest = purl.strip_prefix("pkg:rpm/")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = path.split('#').next().unwrap_or(path);
    let (_namespace, name_version) = path.split_once('/')?;
    let (name, version) = match name_version.split_once('@') {
        Some((n, v)) => (n, Some(percent_decode(v))),
        None => (name_version, None),
    };
    let mut arch = None;
    let mut epoch = None;
    let mut module = None;
    for q in query.split('&') {
        match q.split_once('=') {
            Some(("arch", a)) => arch = Some(percent_decode(a)),
            Some(("epoch", e)) => epoch = Some(percent_decode(e)),
            Some(("rpmmod", m)) => module = Some(percent_decode(m)),
            _ => {}
        }
    }
    let name = percent_decode(name);
    if name.is_empty() {
        return None;
    }
    let evr = version.filter(|v| !v.is_empty()).map(|v| match epoch {
        Some(e) if e != "0" && !v.contains(':') => format!("{e}:{v}"),
        _ => v,
    });
    Some(Component {
        name,
        evr,
        arch,
        module,
    })
}

const ARCHES: &[&str] = &[
    "src", "noarch", "x86_64", "aarch64", "ppc64le", "s390x", "i686", "i386", "ppc64", "s390",
];

/// Reads a component's product id when it has no purl: `pam`, `libxml2.src`,
/// `bind-32:9.8.2-0.68.rc1.el6_10.17.src`, `nodejs:16/nodejs` (a module stream's component),
/// `ruby-0:3.1.4-142.module+el8.9.0+21471+7d1e4a35.i686::ruby:3.1`.
pub fn component_of_id(id: &str) -> Option<Component> {
    let (id, module) = match id.split_once("::") {
        Some((c, m)) => (c, Some(m.to_owned())),
        None => match id.rsplit_once('/') {
            Some((m, c)) if m.contains(':') => (c, Some(m.to_owned())),
            _ => (id, None),
        },
    };
    let (base, arch) = match id.rsplit_once('.') {
        Some((b, a)) if ARCHES.contains(&a) => (b, Some(a.to_owned())),
        _ => (id, None),
    };
    // NAME-EPOCH:VERSION-RELEASE: the epoch's colon marks a versioned entry.
    if let Some(colon) = base.find(':') {
        let (head, vr) = (&base[..colon], &base[colon + 1..]);
        let (name, epoch) = head.rsplit_once('-')?;
        if !epoch.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() || !vr.contains('-') {
            return None;
        }
        let evr = if epoch == "0" {
            vr.to_owned()
        } else {
            format!("{epoch}:{vr}")
        };
        return Some(Component {
            name: name.to_owned(),
            evr: Some(evr),
            arch,
            module,
        });
    }
    // `rhel9/toolbox`: a container image's name, not an rpm's.
    (!base.is_empty() && !base.contains('/')).then(|| Component {
        name: base.to_owned(),
        evr: None,
        arch,
        module,
    })
}

/// Red Hat's severity words; `None` for any other word.
pub fn severity_of_impact(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "important" => Some(Severity::High),
        "moderate" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        _ => None,
    }
}

/// The status a `known_affected` product takes from its remediation (category, details).
pub fn status_of_remediation(category: &str, details: &str) -> (Status, Option<String>) {
    let d = details.trim();
    match (category, d.to_ascii_lowercase().as_str()) {
        ("no_fix_planned", "out of support scope") => (
            Status::EndOfLife,
            Some("Red Hat: out of support scope".to_owned()),
        ),
        ("no_fix_planned", _) => (Status::WillNotFix, Some(format!("Red Hat: {d}"))),
        ("none_available", "fix deferred") | ("none_available", "deferred") => {
            (Status::Deferred, Some("Red Hat: fix deferred".to_owned()))
        }
        _ => (Status::AffectedUnfixed, None),
    }
}

/// How strongly a status speaks when several products of one release disagree: lower wins.
fn precedence(s: Status) -> u8 {
    match s {
        Status::Fixed => 0,
        Status::AffectedUnfixed => 1,
        Status::Deferred => 2,
        Status::WillNotFix => 3,
        Status::EndOfLife => 4,
        Status::NotAffected => 5,
    }
}

fn is_modular(c: &Component) -> bool {
    c.module.is_some()
        || c.evr
            .as_deref()
            .is_some_and(|v| v.contains(".module+") || v.contains(".module_"))
}

/// Reads one CSAF document (a VEX file or an RHSA advisory).
pub fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, FeedError> {
    // One pass into the typed form (VEX files of the kernel run to megabytes): a syntax error is
    // "not JSON", a shape error "not a CSAF document".
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => FeedError::new(origin, format!("not a CSAF document ({e})")),
            _ => FeedError::new(origin, format!("not JSON: {e}")),
        }
    })?;
    if doc.document.csaf_version.is_none() {
        return Err(FeedError::new(
            origin,
            "not a CSAF document (no document.csaf_version)",
        ));
    }
    if doc.document.csaf_version.as_deref() != Some("2.0") {
        return Err(FeedError::new(
            origin,
            format!(
                "CSAF version {:?}, 2.0 expected",
                doc.document.csaf_version.unwrap_or_default()
            ),
        ));
    }
    let category = doc.document.category.clone().unwrap_or_default();
    if category != "csaf_vex" && category != "csaf_security_advisory" {
        return Err(FeedError::new(
            origin,
            format!("CSAF category {category:?}: csaf_vex or csaf_security_advisory expected"),
        ));
    }
    let tracking_id = doc.document.tracking.as_ref().and_then(|t| t.id.clone());
    let doc_rhsa = tracking_id.filter(|i| i.starts_with("RHSA-") || i.starts_with("RHBA-"));
    let aggregate = doc
        .document
        .aggregate_severity
        .as_ref()
        .and_then(|a| a.text.clone());

    let tree = doc.product_tree.unwrap_or_default();
    let mut helpers: HashMap<&str, &Helper> = HashMap::new();
    let mut stack: Vec<&Branch> = tree.branches.iter().collect();
    while let Some(b) = stack.pop() {
        if let Some(p) = &b.product {
            if let Some(h) = &p.product_identification_helper {
                helpers.insert(p.product_id.as_str(), h);
            }
        }
        stack.extend(b.branches.iter());
    }
    let relations: HashMap<&str, &Relationship> = tree
        .relationships
        .iter()
        .filter(|r| {
            r.category.as_deref().unwrap_or("default_component_of") == "default_component_of"
        })
        .map(|r| (r.full_product_name.product_id.as_str(), r))
        .collect();

    // A product id → (platform, component).
    let resolve = |pid: &str| -> Option<(Platform, Component)> {
        if let Some(r) = relations.get(pid) {
            let platform = helpers
                .get(r.relates_to_product_reference.as_str())
                .and_then(|h| h.cpe.as_deref())
                .map(platform_of_cpe)
                .or_else(|| platform_of_id(&r.relates_to_product_reference))?;
            let comp_id = r.product_reference.as_str();
            let purl = helpers.get(comp_id).and_then(|h| h.purl.as_deref());
            // A container image (`pkg:oci/…`) or anything else that is not an rpm: not ours.
            if purl.is_some_and(|p| !p.starts_with("pkg:rpm/") && !p.starts_with("pkg:rpmmod/")) {
                return None;
            }
            let component = purl
                .and_then(component_of_purl)
                .map(|mut c| {
                    // A module's component id says the stream even where its purl does not.
                    if c.module.is_none() {
                        c.module = component_of_id(comp_id).and_then(|i| i.module);
                    }
                    c
                })
                .or_else(|| component_of_id(comp_id))?;
            return Some((platform, component));
        }
        // A product the tree does not describe (`red_hat_enterprise_linux_7:pam`): its id says it.
        let (platform, comp) = pid.split_once(':')?;
        Some((platform_of_id(platform)?, component_of_id(comp)?))
    };

    let mut out = Parsed::default();
    for v in &doc.vulnerabilities {
        let Some(cve) = v.cve.clone() else {
            out.stats
                .skip(format!("{origin}: a vulnerability without a CVE id"));
            continue;
        };
        let description = v
            .notes
            .iter()
            .find(|n| n.category.as_deref() == Some("description"))
            .and_then(|n| n.text.as_deref())
            .and_then(crate::schema::clip_description);
        // Product → remediation, and product → impact word.
        let mut remediation: HashMap<&str, &Remediation> = HashMap::new();
        let mut errata: Vec<String> = Vec::new();
        for r in &v.remediations {
            if r.category == "vendor_fix" {
                if let Some(id) = r.url.as_deref().and_then(errata_id) {
                    if !errata.contains(&id) {
                        errata.push(id);
                    }
                }
            }
            if matches!(
                r.category.as_str(),
                "no_fix_planned" | "none_available" | "vendor_fix"
            ) {
                for p in &r.product_ids {
                    remediation.entry(p.as_str()).or_insert(r);
                }
            }
        }
        let mut impact: HashMap<&str, &str> = HashMap::new();
        let mut impact_all: Option<&str> = None;
        for t in v.threats.iter().filter(|t| t.category == "impact") {
            let Some(word) = t.details.as_deref() else {
                continue;
            };
            if t.product_ids.is_empty() {
                impact_all = Some(word);
            }
            for p in &t.product_ids {
                impact.insert(p.as_str(), word);
            }
        }
        // Every product id the vulnerability speaks of, with its status.
        let mut entries: Vec<(&str, Status, Option<String>)> = Vec::new();
        for (list, ids) in &v.product_status {
            let base = match list.as_str() {
                "fixed" | "first_fixed" => Status::Fixed,
                "known_not_affected" => Status::NotAffected,
                "known_affected" | "first_affected" | "last_affected" => Status::AffectedUnfixed,
                "under_investigation" => Status::AffectedUnfixed,
                _ => continue,
            };
            for pid in ids {
                let (status, note) = match (base, list.as_str()) {
                    (Status::AffectedUnfixed, "under_investigation") => (
                        Status::AffectedUnfixed,
                        Some("Red Hat: under investigation".to_owned()),
                    ),
                    (Status::AffectedUnfixed, _) => match remediation.get(pid.as_str()) {
                        Some(r) => {
                            status_of_remediation(&r.category, r.details.as_deref().unwrap_or(""))
                        }
                        None => (Status::AffectedUnfixed, None),
                    },
                    (s, _) => (s, None),
                };
                entries.push((pid.as_str(), status, note));
            }
        }
        // Products only a remediation names (no product_status entry): fixed by a vendor fix,
        // else affected as the remediation says.
        for (pid, r) in &remediation {
            if !entries.iter().any(|e| e.0 == *pid) {
                let (status, note) = if r.category == "vendor_fix" {
                    (Status::Fixed, None)
                } else {
                    status_of_remediation(&r.category, r.details.as_deref().unwrap_or(""))
                };
                entries.push((pid, status, note));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(b.0));

        // (product id, status, note, release, stream channel, component).
        type Resolved<'p> = (
            &'p str,
            Status,
            Option<String>,
            String,
            Option<String>,
            Component,
        );
        let mut resolved: Vec<Resolved<'_>> = Vec::new();
        for (pid, status, note) in entries {
            let Some((platform, component)) = resolve(pid) else {
                continue;
            };
            let release = match platform {
                Platform::Mainline(r) => r,
                Platform::Extended(_) => {
                    out.extended_stream_skipped += 1;
                    continue;
                }
                Platform::Other => continue,
            };
            let mut stream = None;
            if is_modular(&component) {
                // A module's own purl (`pkg:rpmmod/…@…`) is no rpm; an rpm names its stream.
                stream = component
                    .module
                    .as_deref()
                    .filter(|m| !m.contains('@'))
                    .and_then(crate::matcher::module_channel);
                if stream.is_none() {
                    out.modular_skipped += 1;
                    continue;
                }
            }
            resolved.push((pid, status, note, release, stream, component));
        }
        // Where a release (or a stream of it) has source rpms, binary rpms (named otherwise) are
        // not records of theirs.
        let with_src: std::collections::BTreeSet<(String, Option<String>)> = resolved
            .iter()
            .filter(|r| r.5.arch.as_deref() == Some("src"))
            .map(|r| (r.3.clone(), r.4.clone()))
            .collect();
        // (release, package, stream) → the record so far, and whether it came from a source rpm.
        type Key = (String, String, Option<String>);
        let mut merged: BTreeMap<Key, (Advisory, bool)> = BTreeMap::new();
        for (pid, status, note, release, stream, component) in resolved {
            let is_src = component.arch.as_deref().is_none_or(|a| a == "src");
            if !is_src && with_src.contains(&(release.clone(), stream.clone())) {
                continue;
            }
            let fixed_version = if status == Status::Fixed {
                let Some(evr) = component.evr.clone() else {
                    out.stats
                        .skip(format!("{cve} {pid}: fixed, but no fixed version"));
                    continue;
                };
                if let Err(e) = dockaudit_scan::version::rpm::RpmVersion::parse(&evr) {
                    out.stats.skip(format!("{cve} {pid}: version {evr:?}: {e}"));
                    continue;
                }
                Some(evr)
            } else {
                None
            };
            let word = impact
                .get(pid)
                .copied()
                .or(impact_all)
                .or(aggregate.as_deref())
                .map(str::to_owned);
            let severity = word
                .as_deref()
                .and_then(severity_of_impact)
                .unwrap_or(Severity::Unknown);
            let mut aliases: Vec<String> = doc_rhsa.iter().cloned().collect();
            if status == Status::Fixed {
                if let Some(id) = remediation
                    .get(pid)
                    .and_then(|r| r.url.as_deref())
                    .and_then(errata_id)
                {
                    if !aliases.contains(&id) {
                        aliases.push(id);
                    }
                }
            }
            let adv = Advisory {
                distro: Distro::Redhat,
                release: release.clone(),
                package: component.name.clone(),
                id: cve.clone(),
                channel: stream.clone(),
                status,
                fixed_version,
                affected_through: None,
                severity,
                rating: word,
                aliases,
                description: description.clone(),
                url: Some(format!("https://access.redhat.com/security/cve/{cve}")),
                source: SOURCE.to_owned(),
                note,
            };
            let key = (release, component.name.clone(), stream);
            match merged.get_mut(&key) {
                None => {
                    merged.insert(key, (adv, is_src));
                }
                Some((old, old_src)) => {
                    if merge_into(old, *old_src, adv, is_src) {
                        *old_src = is_src;
                    }
                }
            }
        }
        out.advisories.extend(merged.into_values().map(|(a, _)| a));
    }
    out.stats.records = out.advisories.len() as u64;
    Ok(out)
}

/// Merges `new` into `old` (same release, package, CVE): a fix beats an open status, a source
/// rpm's word beats a binary rpm's, the lowest fix wins. Returns whether `new` replaced `old`.
pub(crate) fn merge_into(old: &mut Advisory, old_src: bool, new: Advisory, new_src: bool) -> bool {
    let better = match (
        precedence(new.status).cmp(&precedence(old.status)),
        new_src,
        old_src,
    ) {
        (std::cmp::Ordering::Less, _, _) => true,
        (std::cmp::Ordering::Greater, _, _) => false,
        (_, true, false) => true,
        (_, false, true) => false,
        _ => match (&new.fixed_version, &old.fixed_version) {
            (Some(n), Some(o)) => {
                dockaudit_scan::inventory::PackageFormat::Rpm.compare_versions(n, o)
                    == std::cmp::Ordering::Less
            }
            _ => false,
        },
    };
    let mut aliases = old.aliases.clone();
    for a in &new.aliases {
        if !aliases.contains(a) {
            aliases.push(a.clone());
        }
    }
    if better {
        *old = new;
    }
    old.aliases = aliases;
    better
}

/// `red_hat_enterprise_linux_9` → release 9 (the product ids of unfixed entries, where the tree
/// gives no CPE).
fn platform_of_id(id: &str) -> Option<Platform> {
    let major = id.strip_prefix("red_hat_enterprise_linux_")?;
    (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Platform::Mainline(major.to_owned()))
}

/// `https://access.redhat.com/errata/RHSA-2024:9941` → `RHSA-2024:9941`.
fn errata_id(url: &str) -> Option<String> {
    let last = url.trim_end_matches('/').rsplit('/').next()?;
    (last.starts_with("RHSA-") || last.starts_with("RHBA-") || last.starts_with("RHEA-"))
        .then(|| last.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpes() {
        assert_eq!(
            platform_of_cpe("cpe:/o:redhat:enterprise_linux:9::baseos"),
            Platform::Mainline("9".into())
        );
        assert_eq!(
            platform_of_cpe("cpe:/a:redhat:enterprise_linux:8"),
            Platform::Mainline("8".into())
        );
        assert_eq!(
            platform_of_cpe("cpe:/o:redhat:rhel_eus:8.6::baseos"),
            Platform::Extended("8".into())
        );
        assert_eq!(
            platform_of_cpe("cpe:/o:redhat:rhel_els:6"),
            Platform::Extended("6".into())
        );
        assert_eq!(
            platform_of_cpe("cpe:/a:redhat:openshift:4.18::el9"),
            Platform::Other
        );
        assert_eq!(platform_of_cpe("nonsense"), Platform::Other);
    }

    #[test]
    fn components() {
        let c = component_of_purl("pkg:rpm/redhat/bind@9.8.2-0.68.rc1.el6_10.17?arch=src&epoch=32")
            .unwrap();
        assert_eq!(c.evr.as_deref(), Some("32:9.8.2-0.68.rc1.el6_10.17"));
        assert_eq!(c.arch.as_deref(), Some("src"));
        let m = component_of_purl("pkg:rpm/redhat/ruby@3.1.4-142.module%2Bel8.9.0%2B21471%2B7d1e4a35?arch=i686&rpmmod=ruby:3.1:8090020240311122605:a75119d5").unwrap();
        assert_eq!(
            m.evr.as_deref(),
            Some("3.1.4-142.module+el8.9.0+21471+7d1e4a35")
        );
        assert!(m.module.is_some());
        let u = component_of_purl("pkg:rpm/redhat/pam?arch=src").unwrap();
        assert_eq!((u.name.as_str(), u.evr), ("pam", None));
        assert_eq!(
            component_of_id("bind-32:9.8.2-0.68.rc1.el6_10.17.src")
                .unwrap()
                .evr
                .as_deref(),
            Some("32:9.8.2-0.68.rc1.el6_10.17")
        );
        assert_eq!(
            component_of_id("python3.9-0:3.9.18-3.el9_4.5.src").unwrap(),
            Component {
                name: "python3.9".into(),
                evr: Some("3.9.18-3.el9_4.5".into()),
                arch: Some("src".into()),
                module: None
            }
        );
        assert_eq!(
            component_of_id("nodejs:16/nodejs")
                .unwrap()
                .module
                .as_deref(),
            Some("nodejs:16")
        );
        assert_eq!(component_of_id("libxml2.src").unwrap().name, "libxml2");
        assert_eq!(component_of_id("pam").unwrap().arch, None);
        assert_eq!(component_of_id("rhel9/toolbox"), None);
        let module =
            component_of_purl("pkg:rpmmod/redhat/nodejs@18:8090020231019152822:a75119d5").unwrap();
        assert_eq!(module.name, "nodejs");
        assert!(module.module.is_some());
    }

    #[test]
    fn remediation_words() {
        assert_eq!(
            status_of_remediation("no_fix_planned", "Will not fix").0,
            Status::WillNotFix
        );
        assert_eq!(
            status_of_remediation("no_fix_planned", "Out of support scope").0,
            Status::EndOfLife
        );
        assert_eq!(
            status_of_remediation("none_available", "Fix deferred").0,
            Status::Deferred
        );
        assert_eq!(
            status_of_remediation("none_available", "Affected").0,
            Status::AffectedUnfixed
        );
        assert_eq!(severity_of_impact("Important"), Some(Severity::High));
        assert_eq!(severity_of_impact("Critical"), Some(Severity::Critical));
        assert_eq!(severity_of_impact("bogus"), None);
    }
}
