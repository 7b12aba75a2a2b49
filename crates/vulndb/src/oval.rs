//! What the OVAL importers share ([`crate::azurelinux`], [`crate::oracle`], [`crate::suse`]):
//! reading an OVAL definitions document (no DTDs, bounded), finding elements by id, resolving an
//! `rpminfo_test` to its package name and state, and the vendors' severity words.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use roxmltree::{Document, Node, ParsingOptions};

use crate::schema::Severity;
use crate::{FeedError, VulnDbError};

/// Parses `xml` as an OVAL definitions document; the error names `origin`.
pub(crate) fn parse_document<'i>(xml: &'i str, origin: &str) -> Result<Document<'i>, FeedError> {
    let doc = Document::parse_with_options(
        xml,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: 50_000_000,
        },
    )
    .map_err(|e| FeedError::new(origin, format!("not OVAL XML: {e}")))?;
    if doc.root_element().tag_name().name() != "oval_definitions" {
        return Err(FeedError::new(origin, "not an OVAL definitions document"));
    }
    Ok(doc)
}

/// The first child element of `n` named `name` (any namespace).
pub(crate) fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The child elements of `n` named `name`.
pub(crate) fn children<'a, 'i: 'a>(
    n: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// An element's trimmed text, when it has some.
pub(crate) fn text(n: Option<Node<'_, '_>>) -> Option<String> {
    n.and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The definitions of a document, in order.
pub(crate) fn definitions<'a, 'i>(doc: &'a Document<'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    doc.root_element()
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "definition")
}

/// Every element with an `id` attribute (tests, objects, states), by id.
pub(crate) fn index_by_id<'a, 'i>(doc: &'a Document<'i>) -> HashMap<&'a str, Node<'a, 'i>> {
    doc.root_element()
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| Some((n.attribute("id")?, n)))
        .collect()
}

/// Reads an OVAL file from disk as text: plain `.xml`, or compressed as publishers ship them
/// (`.xml.bz2` from Oracle, `.xml.gz` from SUSE). The file is bounded by `max_file_bytes`, its
/// unpacked text by `max_unpacked` (a DOM is built from it).
pub(crate) fn read_xml_file(
    path: &Path,
    origin: &str,
    max_file_bytes: u64,
    max_unpacked: u64,
) -> Result<String, VulnDbError> {
    let file = crate::build::open_bounded(path, origin, max_file_bytes)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let reader: Box<dyn Read> = if name.ends_with(".bz2") {
        Box::new(bzip2::read::BzDecoder::new(file))
    } else if name.ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut bytes = Vec::new();
    reader
        .take(max_unpacked.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FeedError::new(origin, format!("cannot read or unpack: {e}")))?;
    if bytes.len() as u64 > max_unpacked {
        return Err(
            FeedError::new(origin, format!("unpacks to more than {max_unpacked} bytes")).into(),
        );
    }
    String::from_utf8(bytes).map_err(|e| FeedError::new(origin, format!("not UTF-8: {e}")).into())
}

/// What an `rpminfo_test` checks: the package it names and its state's bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RpmTest {
    /// The package name (the object's `<name>`).
    pub name: String,
    /// The state's `<evr>` operation and value, when it has one.
    pub evr: Option<(String, String)>,
    /// The state's `<version>` operation and value, when it has one (release packages, `==0`).
    pub version: Option<(String, String)>,
}

/// Resolves the test a criterion refers to; `None` when the test, its object or its state is
/// missing.
pub(crate) fn resolve_rpm_test(
    by_id: &HashMap<&str, Node<'_, '_>>,
    test_ref: &str,
) -> Option<RpmTest> {
    let test = by_id.get(test_ref)?;
    let object_ref = child(*test, "object")?.attribute("object_ref")?;
    let name = text(child(*by_id.get(object_ref)?, "name"))?;
    let state = match child(*test, "state").and_then(|s| s.attribute("state_ref")) {
        Some(r) => Some(*by_id.get(r)?),
        None => None,
    };
    let bound = |tag: &str| {
        let n = child(state?, tag)?;
        Some((n.attribute("operation")?.to_owned(), text(Some(n))?))
    };
    Some(RpmTest {
        name,
        evr: bound("evr"),
        version: bound("version"),
    })
}

/// The vendors' words (Red Hat's and Oracle's `Important`, SUSE's `Moderate`, Amazon's
/// `medium`) on our scale; `None` for a word we do not know.
pub(crate) fn vendor_severity(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "important" | "high" => Some(Severity::High),
        "moderate" | "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "none" | "negligible" => Some(Severity::Negligible),
        _ => None,
    }
}

/// Whether an rpm EVR names a modular build (`.module+el8…`, `.module_el8…`): which module stream
/// an image has enabled is not known, so such records are skipped and counted.
pub(crate) fn is_modular(evr: &str) -> bool {
    evr.contains(".module+") || evr.contains(".module_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_words() {
        assert_eq!(vendor_severity("IMPORTANT"), Some(Severity::High));
        assert_eq!(vendor_severity(" Moderate "), Some(Severity::Medium));
        assert_eq!(vendor_severity("medium"), Some(Severity::Medium));
        assert_eq!(vendor_severity("critical"), Some(Severity::Critical));
        assert_eq!(vendor_severity("N/A"), None);
    }
}
