//! SUSE Linux Enterprise Server and openSUSE Leap: SUSE's OVAL files
//! (`https://ftp.suse.com/pub/projects/security/oval/`), one per product line:
//! `suse.linux.enterprise.server.15.xml.gz` covers every service pack of SLES 15,
//! `opensuse.leap.15.6.xml.gz` one Leap release.
//!
//! Each definition is one CVE, rated by SUSE (`<advisory><severity>`: Critical, Important,
//! Moderate, Low). Its criteria tree pairs products with packages: a product is an
//! `rpminfo_test` on a `*-release` package with a version (`sles-release ==15.1` is SLES 15 SP1,
//! release key `15.1`, as os-release's `VERSION_ID` says it); a package test is either
//! `evr less than` a version (fixed there, [`Status::Fixed`]) or `version ==0` ("is not affected",
//! [`Status::NotAffected`]). The tests are resolved, not their comments read.
//!
//! - **Which products count for SLES.** `sles-release` and the `sle-module-*-release` modules
//!   SLES 15 is made of (Basesystem, Server Applications, …): a SLES image's packages come from
//!   them. `sles-ltss-release` (Long Term Service Pack Support, paid) is kept on the channel
//!   `ltss`, so the matcher counts an installed LTSS fix but shows the public fix first, as it
//!   does for Ubuntu Pro. Other products (SLES for SAP, Desktop, HPC, Micro, Manager) are not
//!   SLES images and are left out.
//! - **openSUSE Leap.** A Leap file is about one release, named by the file: its package tests
//!   all count for that release.
//! - **Several fixes.** When two products of one release fix a package at different versions, the
//!   lowest is kept (a package at it carries the fix SUSE shipped); a fix overrules a
//!   not-affected statement for the same package.
//!
//! SUSE's OVAL states fixes and non-affectedness; unfixed CVEs are not in these files.

use std::collections::BTreeMap;
use std::io::BufRead;

use dockaudit_scan::inventory::PackageFormat;

use crate::oval::{self, child, children, text, Element, RpmTest, Tables};
use crate::schema::{Advisory, Distro, Severity, Status};
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "suse-oval";
/// Where SUSE publishes the files.
pub const BASE_URL: &str = "https://ftp.suse.com/pub/projects/security/oval";
/// The files `db update` fetches by default.
pub const FILES: &[&str] = &[
    "suse.linux.enterprise.server.12.xml.gz",
    "suse.linux.enterprise.server.15.xml.gz",
    "opensuse.leap.15.5.xml.gz",
    "opensuse.leap.15.6.xml.gz",
];
/// The channel of records that only SUSE's LTSS subscription delivers.
pub const LTSS_CHANNEL: &str = "ltss";

/// Which product a file covers: SLES (every service pack of a major release, read from the
/// definitions) or one openSUSE Leap release (from the name). `None` for another file.
pub fn product_of_file(name: &str) -> Option<(Distro, Option<String>)> {
    let stem = name
        .strip_suffix(".xml.gz")
        .or_else(|| name.strip_suffix(".xml"))?;
    if let Some(major) = stem.strip_prefix("suse.linux.enterprise.server.") {
        return (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
            .then_some((Distro::Sles, None));
    }
    let release = stem.strip_prefix("opensuse.leap.")?;
    let ok = release.split('.').count() == 2
        && release
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| (Distro::OpensuseLeap, Some(release.to_owned())))
}

/// A product a criteria tree names, as (release key, channel).
type Product = (String, Option<String>);

/// A record's key within one definition: (release, channel, package).
type RecordKey = (String, Option<String>, String);

/// What one criterion is.
enum Criterion {
    /// A product of the file's distribution (`Some`), or another product (`None`).
    Product(Option<Product>),
    /// A package test.
    Package(RpmTest),
    /// A test that cannot be resolved.
    Unresolved(String),
}

/// A criteria tree as records need it: the tests its criteria refer to, nested as in the file.
enum Node {
    /// A `<criterion>`'s `test_ref`.
    Criterion(Option<Box<str>>),
    /// A `<criteria>`'s criteria and criterion, in order.
    Criteria(Vec<Node>),
}

impl Node {
    /// The criteria and criterion under a `<criteria>` element.
    fn children_of(e: &Element) -> Vec<Node> {
        e.elements()
            .filter_map(|c| match c.name() {
                "criterion" => Some(Node::Criterion(c.attribute("test_ref").map(Into::into))),
                "criteria" => Some(Node::Criteria(Node::children_of(c))),
                _ => None,
            })
            .collect()
    }

    /// The `test_ref` of every criterion under `nodes`, in document order.
    fn refs<'a>(nodes: &'a [Node], out: &mut Vec<Option<&'a str>>) {
        for n in nodes {
            match n {
                Node::Criterion(r) => out.push(r.as_deref()),
                Node::Criteria(kids) => Node::refs(kids, out),
            }
        }
    }
}

struct Walker {
    tables: Tables,
    distro: Distro,
}

impl Walker {
    fn classify(&self, test_ref: Option<&str>) -> Criterion {
        let Some(test_ref) = test_ref else {
            return Criterion::Unresolved("a criterion without test_ref".into());
        };
        let Some(test) = oval::resolve_rpm_test(&self.tables, test_ref) else {
            return Criterion::Unresolved(format!("test {test_ref} cannot be resolved"));
        };
        if test.name.to_ascii_lowercase().ends_with("-release") {
            if let Some((op, version)) = &test.version {
                if op == "equals" {
                    return Criterion::Product(self.product(&test.name, version));
                }
            }
        }
        Criterion::Package(test)
    }

    fn product(&self, name: &str, version: &str) -> Option<Product> {
        if self.distro != Distro::Sles {
            return None;
        }
        let channel = match name {
            "sles-release" => None,
            "sles-ltss-release" => Some(LTSS_CHANNEL.to_owned()),
            n if n.starts_with("sle-module-") => None,
            _ => return None,
        };
        Some((version.to_owned(), channel))
    }

    /// Whether `node` is a group of product tests: every criterion under it that resolves is one,
    /// and at least one does (SUSE's trimmed files may lack some tests; those are counted when the
    /// group is read).
    fn only_products(&self, node: &[Node]) -> bool {
        let mut any = false;
        let mut refs = Vec::new();
        Node::refs(node, &mut refs);
        for r in refs {
            match self.classify(r) {
                Criterion::Product(_) => any = true,
                Criterion::Unresolved(_) => {}
                Criterion::Package(_) => return false,
            }
        }
        any
    }

    /// Walks `node` with the products its ancestors named (`None`: none named yet).
    fn walk(
        &self,
        node: &[Node],
        inherited: Option<&[Product]>,
        out: &mut Vec<(Product, RpmTest)>,
        problems: &mut Vec<String>,
    ) {
        let mut named: Option<Vec<Product>> = None;
        let mut packages = Vec::new();
        let mut nested = Vec::new();
        for c in node {
            match c {
                Node::Criterion(r) => match self.classify(r.as_deref()) {
                    // A Leap file's products are its release, named by the file.
                    Criterion::Product(_) if self.distro != Distro::Sles => {}
                    Criterion::Product(p) => named.get_or_insert_with(Vec::new).extend(p),
                    Criterion::Package(t) => packages.push(t),
                    Criterion::Unresolved(why) => problems.push(why),
                },
                Node::Criteria(c) if self.only_products(c) && self.distro != Distro::Sles => {}
                Node::Criteria(c) if self.only_products(c) => {
                    let list = named.get_or_insert_with(Vec::new);
                    let mut refs = Vec::new();
                    Node::refs(c, &mut refs);
                    for leaf in refs {
                        match self.classify(leaf) {
                            Criterion::Product(Some(p)) => list.push(p),
                            Criterion::Unresolved(why) => problems.push(why),
                            _ => {}
                        }
                    }
                }
                Node::Criteria(c) => nested.push(c),
            }
        }
        let products: Option<Vec<Product>> = named.or_else(|| inherited.map(<[_]>::to_vec));
        for t in packages {
            match &products {
                Some(list) => out.extend(list.iter().map(|p| (p.clone(), t.clone()))),
                None => problems.push(format!("package {} with no product", t.name)),
            }
        }
        for n in nested {
            self.walk(n, products.as_deref(), out, problems);
        }
    }
}

/// Reads one SUSE OVAL file. `distro` and `file_release` come from [`product_of_file`]: SLES
/// files name their releases in the definitions, a Leap file's release is `file_release`.
pub fn parse_oval(
    xml: &str,
    origin: &str,
    distro: Distro,
    file_release: Option<&str>,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    read_oval(xml.as_bytes(), origin, distro, file_release)
}

/// What a definition holds that records need, kept until the tests it refers to are read (they
/// come after the definitions).
struct Definition {
    id: String,
    meta: Option<Meta>,
    /// The top-level `<criteria>`, as the tests they refer to.
    criteria: Vec<Vec<Node>>,
}

/// A definition's metadata, as records use it.
struct Meta {
    title: Option<String>,
    rating: Option<String>,
    /// Already clipped.
    description: Option<String>,
}

impl Definition {
    fn of(def: &Element) -> Self {
        let meta = child(def, "metadata").map(|meta| Meta {
            title: text(child(meta, "title")),
            rating: text(child(meta, "advisory").and_then(|a| child(a, "severity"))),
            description: text(child(meta, "description"))
                .as_deref()
                .and_then(crate::schema::clip_description),
        });
        let criteria = children(def, "criteria").map(Node::children_of).collect();
        Definition {
            id: def.attribute("id").unwrap_or("?").to_owned(),
            meta,
            criteria,
        }
    }
}

/// [`parse_oval`] from a stream (a file as it unpacks): the definitions are kept only as far as
/// records need them, the tests, objects and states as the strings a criterion resolves to.
pub fn read_oval(
    input: impl BufRead,
    origin: &str,
    distro: Distro,
    file_release: Option<&str>,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let mut out = Vec::new();
    let stats = import_oval(input, origin, distro, file_release, &mut |adv| {
        out.push(adv);
        Ok(())
    })?;
    Ok((out, stats))
}

/// [`read_oval`], handing each record to `sink` rather than collecting them. An error from `sink`
/// stops the import and is returned.
pub fn import_oval(
    input: impl BufRead,
    origin: &str,
    distro: Distro,
    file_release: Option<&str>,
    sink: &mut dyn FnMut(Advisory) -> Result<(), FeedError>,
) -> Result<ImportStats, FeedError> {
    if distro == Distro::OpensuseLeap && file_release.is_none() {
        return Err(FeedError::new(
            origin,
            "an openSUSE Leap file needs its release (opensuse.leap.15.6.xml)",
        ));
    }
    let mut defs = Vec::new();
    let (tables, definitions) = oval::read_oval(input, origin, &mut |def| {
        defs.push(Definition::of(&def));
        Ok(())
    })?;
    let walker = Walker { tables, distro };
    let leap_product: Option<Vec<Product>> = file_release.map(|r| vec![(r.to_owned(), None)]);
    let mut stats = ImportStats::default();
    let mut records = 0u64;
    for def in defs {
        let def_id = &def.id;
        let Some(meta) = def.meta else {
            stats.skip(format!("{def_id}: no metadata"));
            continue;
        };
        let Some(id) = meta.title.filter(|t| t.starts_with("CVE-")) else {
            stats.skip(format!("{def_id}: its title is not a CVE id"));
            continue;
        };
        let rating = meta.rating;
        let severity = rating
            .as_deref()
            .and_then(oval::vendor_severity)
            .unwrap_or(Severity::Unknown);
        let mut pairs = Vec::new();
        let mut problems = Vec::new();
        for criteria in &def.criteria {
            walker.walk(criteria, leap_product.as_deref(), &mut pairs, &mut problems);
        }
        for p in problems {
            stats.skip(format!("{id}: {p}"));
        }
        // (release, channel, package) → (status, fixed version).
        let mut chosen: BTreeMap<RecordKey, (Status, Option<String>)> = BTreeMap::new();
        for ((release, channel), test) in pairs {
            let (status, fixed) = match (&test.evr, &test.version) {
                (Some((op, evr)), _) if op == "less than" => {
                    if let Err(e) = dockaudit_scan::version::rpm::RpmVersion::parse(evr) {
                        stats.skip(format!("{id} {}: {evr:?}: {e}", test.name));
                        continue;
                    }
                    (Status::Fixed, Some(evr.clone()))
                }
                (Some((op, evr)), _) => {
                    stats.skip(format!(
                        "{id} {}: evr operation {op:?} ({evr}) is not an OVAL comparison we read",
                        test.name
                    ));
                    continue;
                }
                (None, Some((op, v))) if op == "equals" && v == "0" => (Status::NotAffected, None),
                _ => {
                    stats.skip(format!("{id} {}: a test with no version bound", test.name));
                    continue;
                }
            };
            let key = (release, channel, test.name);
            let replace = match chosen.get(&key) {
                None => true,
                Some((Status::Fixed, Some(old))) => fixed
                    .as_deref()
                    .is_some_and(|new| PackageFormat::Rpm.compare_versions(new, old).is_lt()),
                Some(_) => status == Status::Fixed,
            };
            if replace {
                chosen.insert(key, (status, fixed));
            }
        }
        let description = meta.description;
        for ((release, channel, package), (status, fixed)) in chosen {
            let note = (channel.as_deref() == Some(LTSS_CHANNEL))
                .then(|| "fixed for SUSE's LTSS (Long Term Service Pack Support) only".to_owned());
            records += 1;
            sink(Advisory {
                distro,
                release,
                package,
                id: id.clone(),
                channel,
                status,
                fixed_version: fixed,
                affected_through: None,
                severity,
                rating: rating.clone(),
                aliases: Vec::new(),
                description: description.clone(),
                url: Some(format!("https://www.suse.com/security/cve/{id}/")),
                source: SOURCE.to_owned(),
                note,
            })?;
        }
    }
    if definitions == 0 {
        return Err(FeedError::new(origin, "the file holds no definitions"));
    }
    stats.records = records;
    Ok(stats)
}
