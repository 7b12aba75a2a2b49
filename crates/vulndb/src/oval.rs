//! What the OVAL importers share ([`crate::azurelinux`], [`crate::oracle`], [`crate::suse`]):
//! reading an OVAL definitions document as a stream (no DTDs, bounded), resolving an
//! `rpminfo_test` to its package name and state, and the vendors' severity words.
//!
//! The document is never held whole. A pull parser (quick-xml) reads it from the (decompressing)
//! file; each `<definition>` is gathered into a small [`Element`] tree of its own and handed to
//! the importer as soon as it closes, and every other element with an `id` (the tests, objects and
//! states the definitions' criteria refer to) is reduced to the few strings a criterion needs
//! ([`Tables`]). Memory then grows with what the importers keep, not with the size of the XML.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use crate::schema::Severity;
use crate::{FeedError, VulnDbError};

/// One element of an OVAL document, read on its own (a definition, a test, an object, a state):
/// its local name, attributes and content. Whitespace-only text is dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    name: Box<str>,
    attributes: Vec<(Box<str>, Box<str>)>,
    children: Vec<Content>,
}

/// What an element holds.
#[derive(Debug, Clone)]
enum Content {
    Element(Element),
    Text(String),
    Comment,
}

impl Element {
    /// The local name (`definition` for `<oval-def:definition>`).
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The value of the attribute `name` (unprefixed), unescaped.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| &**v)
    }

    /// The child elements, in order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Content::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The element's own text: its first child, when that is text (as roxmltree's `text()`).
    pub(crate) fn text(&self) -> Option<&str> {
        match self.children.first() {
            Some(Content::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// This element and every element under it, in document order.
    pub(crate) fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
            out.push(e);
            for c in e.elements() {
                walk(c, out);
            }
        }
        walk(self, &mut out);
        out
    }
}

/// The first child element of `n` named `name` (any namespace).
pub(crate) fn child<'a>(n: &'a Element, name: &str) -> Option<&'a Element> {
    n.elements().find(|c| c.name() == name)
}

/// The child elements of `n` named `name`.
pub(crate) fn children<'a>(n: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> {
    n.elements().filter(move |c| c.name() == name)
}

/// An element's trimmed text, when it has some.
pub(crate) fn text(n: Option<&Element>) -> Option<String> {
    n.and_then(Element::text)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A state's bound: the `operation` and the text of its `<evr>` or `<version>`.
type Bound = Option<(Box<str>, Box<str>)>;

/// What a criterion may need of an element with an `id` outside the definitions: only these
/// strings are kept.
#[derive(Debug)]
enum Entry {
    /// A test: its `<object object_ref>` and `<state state_ref>`.
    Test {
        object_ref: Option<Box<str>>,
        state_ref: Option<Box<str>>,
    },
    /// An object: its `<name>`.
    Object { name: Option<Box<str>> },
    /// A state (or anything else): its `<evr>` and `<version>` bounds.
    State(Box<(Bound, Bound)>),
}

impl Entry {
    fn of(e: &Element) -> Self {
        let bound = |tag: &str| -> Bound {
            let n = child(e, tag)?;
            Some((n.attribute("operation")?.into(), text(Some(n))?.into()))
        };
        let object = child(e, "object");
        let state = child(e, "state");
        if object.is_some() || state.is_some() {
            return Entry::Test {
                object_ref: object
                    .and_then(|o| o.attribute("object_ref"))
                    .map(Into::into),
                state_ref: state.and_then(|s| s.attribute("state_ref")).map(Into::into),
            };
        }
        if let Some(name) = child(e, "name") {
            return Entry::Object {
                name: text(Some(name)).map(Into::into),
            };
        }
        Entry::State(Box::new((bound("evr"), bound("version"))))
    }
}

/// The tests, objects and states of a document, by id, reduced to what [`resolve_rpm_test`]
/// reads.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    by_id: HashMap<Box<str>, Entry>,
}

/// The containers of an OVAL document: never gathered whole, even if one had an `id`.
const CONTAINERS: &[&str] = &[
    "oval_definitions",
    "generator",
    "definitions",
    "tests",
    "objects",
    "states",
    "state",
    "variables",
];

/// A read or unpack error that is the size bound.
#[derive(Debug)]
struct TooLarge(u64);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unpacks to more than {} bytes", self.0)
    }
}

impl std::error::Error for TooLarge {}

/// A reader that fails with [`TooLarge`] once more than its bound has come through.
struct Bounded<R> {
    inner: R,
    max: u64,
    read: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(std::io::Error::other(TooLarge(self.max)));
        }
        Ok(n)
    }
}

/// Opens an OVAL file on disk for [`read_oval`]: plain `.xml`, or compressed as publishers ship
/// them (`.xml.bz2` from Oracle, `.xml.gz` from SUSE), unpacked as it is read. The file is bounded
/// by `max_file_bytes`, its unpacked text by `max_unpacked` (reading fails past it).
pub(crate) fn open_xml_file(
    path: &Path,
    origin: &str,
    max_file_bytes: u64,
    max_unpacked: u64,
) -> Result<Box<dyn BufRead>, VulnDbError> {
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
    Ok(Box::new(BufReader::with_capacity(
        1 << 16,
        Bounded {
            inner: reader,
            max: max_unpacked,
            read: 0,
        },
    )))
}

/// The element being gathered, and where it sits.
struct Gathering {
    /// The open elements, outermost (the definition, test, …) first.
    open: Vec<Element>,
}

/// Reads an OVAL definitions document from `input`, handing each `<definition>` to
/// `on_definition` as soon as it is read (an error from it stops the reading), and returns the
/// tests, objects and states (by id) with the number of definitions. Errors name `origin`: input
/// that is not well-formed XML, a DTD, a root other than `<oval_definitions>`, a read or unpack
/// failure, the size bound. One gathered element (a definition) is bounded only by the input's.
pub(crate) fn read_oval<R: BufRead>(
    input: R,
    origin: &str,
    on_definition: &mut dyn FnMut(Element) -> Result<(), FeedError>,
) -> Result<(Tables, usize), FeedError> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut tables = Tables::default();
    let mut definitions = 0usize;
    let mut depth = 0usize; // open elements outside the one being gathered
    let mut root_seen = false;
    let mut gathering = Gathering { open: Vec::new() };
    let mut buf = Vec::new();
    let xml_error = |reader: &quick_xml::Reader<R>, e: quick_xml::Error| -> FeedError {
        if let quick_xml::Error::Io(io) = &e {
            if let Some(big) = io.get_ref().and_then(|i| i.downcast_ref::<TooLarge>()) {
                return FeedError::new(origin, big.to_string());
            }
            return FeedError::new(origin, format!("cannot read or unpack: {io}"));
        }
        FeedError::new(
            origin,
            format!("not OVAL XML: {e} (at byte {})", reader.error_position()),
        )
    };
    let malformed = |reader: &quick_xml::Reader<R>, what: &str| {
        FeedError::new(
            origin,
            format!(
                "not OVAL XML: {what} (at byte {})",
                reader.buffer_position()
            ),
        )
    };
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(&reader, e))?;
        let (start, empty) = match &event {
            Event::Start(s) => (Some(s), false),
            Event::Empty(s) => (Some(s), true),
            _ => (None, false),
        };
        if let Some(s) = start {
            let local = s.local_name();
            let local = std::str::from_utf8(local.as_ref())
                .map_err(|e| malformed(&reader, &format!("a tag name is not UTF-8: {e}")))?;
            if gathering.open.is_empty() && depth == 0 {
                if root_seen {
                    return Err(malformed(&reader, "a second root element"));
                }
                root_seen = true;
                if local != "oval_definitions" {
                    return Err(FeedError::new(origin, "not an OVAL definitions document"));
                }
            }
            let gather = !gathering.open.is_empty()
                || local == "definition"
                || (!CONTAINERS.contains(&local) && has_id(s));
            if gather {
                let element =
                    element_of(s, local, reader.decoder()).map_err(|e| xml_error(&reader, e))?;
                gathering.open.push(element);
                if empty {
                    close(&mut gathering, &mut tables, &mut definitions, on_definition)?;
                }
            } else if !empty {
                depth += 1;
            }
            continue;
        }
        // Text between the gathered elements (the indentation of the tables) is not looked at.
        let outside = gathering.open.is_empty() && depth > 0;
        match event {
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) | Event::Comment(_)
                if outside => {}
            Event::End(_) => {
                if gathering.open.is_empty() {
                    depth = depth.saturating_sub(1);
                } else {
                    close(&mut gathering, &mut tables, &mut definitions, on_definition)?;
                }
            }
            Event::Text(t) => {
                let t = t
                    .xml10_content()
                    .map_err(|e| xml_error(&reader, e.into()))?;
                push_text(&mut gathering, depth, &t).map_err(|w| malformed(&reader, w))?;
            }
            Event::CData(t) => {
                let t = t.decode().map_err(|e| xml_error(&reader, e.into()))?;
                push_text(&mut gathering, depth, &t).map_err(|w| malformed(&reader, w))?;
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| xml_error(&reader, e))? {
                    Some(c) => c,
                    None => match &*r.decode().map_err(|e| xml_error(&reader, e.into()))? {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(malformed(&reader, &format!("unknown entity &{other};")))
                        }
                    },
                };
                push_text(&mut gathering, depth, c.encode_utf8(&mut [0; 4]))
                    .map_err(|w| malformed(&reader, w))?;
            }
            Event::Comment(_) => {
                if let Some(e) = gathering.open.last_mut() {
                    e.children.push(Content::Comment);
                }
            }
            Event::DocType(_) => return Err(malformed(&reader, "a DTD is not allowed")),
            Event::Eof => {
                if !gathering.open.is_empty() || depth > 0 {
                    return Err(malformed(
                        &reader,
                        "the document ends before its elements do",
                    ));
                }
                if !root_seen {
                    return Err(malformed(&reader, "no root element"));
                }
                return Ok((tables, definitions));
            }
            Event::Decl(_) | Event::PI(_) | Event::Start(_) | Event::Empty(_) => {}
        }
    }
}

/// Whether a start tag has an (unprefixed) `id` attribute.
fn has_id(s: &BytesStart<'_>) -> bool {
    s.attributes()
        .with_checks(false)
        .flatten()
        .any(|a| a.key.as_ref() == b"id")
}

/// An element from its start tag: attribute values unescaped and normalised as XML says
/// (line ends and tabs become spaces).
fn element_of(
    s: &BytesStart<'_>,
    local: &str,
    decoder: quick_xml::encoding::Decoder,
) -> Result<Element, quick_xml::Error> {
    let mut attributes = Vec::new();
    for a in s.attributes() {
        let a = a?;
        let key = std::str::from_utf8(a.key.as_ref())
            .map_err(|e| quick_xml::Error::Encoding(e.into()))?;
        let value = a.decode_and_unescape_value(decoder)?;
        let value: Box<str> = if value.contains(['\t', '\n', '\r']) {
            value
                .replace("\r\n", "\n")
                .chars()
                .map(|c| {
                    if matches!(c, '\t' | '\n' | '\r') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            value.into()
        };
        attributes.push((key.into(), value));
    }
    Ok(Element {
        name: local.into(),
        attributes,
        children: Vec::new(),
    })
}

/// Adds text to the element being gathered (merged with text just before it). Outside one,
/// only whitespace may stand at the top level.
fn push_text(gathering: &mut Gathering, depth: usize, t: &str) -> Result<(), &'static str> {
    match gathering.open.last_mut() {
        Some(e) => {
            if let Some(Content::Text(prev)) = e.children.last_mut() {
                prev.push_str(t);
            } else {
                e.children.push(Content::Text(t.to_owned()));
            }
            Ok(())
        }
        None if depth == 0 && !t.trim().is_empty() => Err("text outside the root element"),
        None => Ok(()),
    }
}

/// Closes the innermost gathered element: into its parent, or, when it was the outermost, to
/// the caller (a definition) or the tables (anything else with an id).
fn close(
    gathering: &mut Gathering,
    tables: &mut Tables,
    definitions: &mut usize,
    on_definition: &mut dyn FnMut(Element) -> Result<(), FeedError>,
) -> Result<(), FeedError> {
    let Some(mut e) = gathering.open.pop() else {
        return Ok(());
    };
    e.children
        .retain(|c| !matches!(c, Content::Text(t) if t.trim().is_empty()));
    e.children.shrink_to_fit();
    match gathering.open.last_mut() {
        Some(parent) => parent.children.push(Content::Element(e)),
        None if e.name() == "definition" => {
            *definitions += 1;
            return on_definition(e);
        }
        None => {
            if let Some(id) = e.attribute("id") {
                tables.by_id.insert(id.into(), Entry::of(&e));
            }
        }
    }
    Ok(())
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
pub(crate) fn resolve_rpm_test(tables: &Tables, test_ref: &str) -> Option<RpmTest> {
    let Entry::Test {
        object_ref,
        state_ref,
    } = tables.by_id.get(test_ref)?
    else {
        return None;
    };
    let Entry::Object { name: Some(name) } = tables.by_id.get(object_ref.as_deref()?)? else {
        return None;
    };
    let bounds = match state_ref.as_deref() {
        Some(r) => match tables.by_id.get(r)? {
            Entry::State(b) => Some(&**b),
            _ => None,
        },
        None => None,
    };
    let owned = |b: &Bound| b.as_ref().map(|(op, v)| (op.to_string(), v.to_string()));
    Some(RpmTest {
        name: name.to_string(),
        evr: bounds.and_then(|(evr, _)| owned(evr)),
        version: bounds.and_then(|(_, version)| owned(version)),
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

    fn stream(xml: &str) -> Result<(Vec<Element>, Tables), FeedError> {
        let mut defs = Vec::new();
        let (tables, n) = read_oval(xml.as_bytes(), "t.xml", &mut |d| {
            defs.push(d);
            Ok(())
        })?;
        assert_eq!(n, defs.len());
        Ok((defs, tables))
    }

    /// The streamed element and roxmltree's DOM of it agree: names, unprefixed attributes,
    /// trimmed own text, child elements in order.
    fn same(mine: &Element, dom: roxmltree::Node<'_, '_>, at: &str) {
        assert_eq!(mine.name(), dom.tag_name().name(), "{at}");
        for a in dom.attributes().filter(|a| a.namespace().is_none()) {
            assert_eq!(
                mine.attribute(a.name()),
                Some(a.value()),
                "{at} @{}",
                a.name()
            );
        }
        let trimmed = |t: Option<&str>| {
            t.map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        assert_eq!(trimmed(mine.text()), trimmed(dom.text()), "{at} text");
        let kids: Vec<_> = dom.children().filter(|c| c.is_element()).collect();
        assert_eq!(mine.elements().count(), kids.len(), "{at} children");
        for (m, d) in mine.elements().zip(kids) {
            same(m, d, &format!("{at}/{}", d.tag_name().name()));
        }
    }

    /// How the DOM reader resolved a test (the code this module replaced).
    fn dom_resolve(doc: &roxmltree::Document<'_>, test_ref: &str) -> Option<RpmTest> {
        let by_id: HashMap<&str, roxmltree::Node<'_, '_>> = doc
            .descendants()
            .filter(|n| n.is_element())
            .filter_map(|n| Some((n.attribute("id")?, n)))
            .collect();
        fn kid<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
            n.children()
                .find(|c| c.is_element() && c.tag_name().name() == name)
        }
        let txt = |n: roxmltree::Node<'_, '_>| {
            n.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let test = by_id.get(test_ref)?;
        let name = txt(kid(
            *by_id.get(kid(*test, "object")?.attribute("object_ref")?)?,
            "name",
        )?)?;
        let state = match kid(*test, "state").and_then(|s| s.attribute("state_ref")) {
            Some(r) => Some(*by_id.get(r)?),
            None => None,
        };
        let bound = |tag: &str| {
            let n = kid(state?, tag)?;
            Some((n.attribute("operation")?.to_owned(), txt(n)?))
        };
        Some(RpmTest {
            name,
            evr: bound("evr"),
            version: bound("version"),
        })
    }

    #[test]
    fn the_stream_reads_what_a_dom_reads_in_the_real_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        for rel in [
            "oracle/elsa-mock_data.xml",
            "oracle/elsa-mock_ksplice_data.xml",
            "oracle/elsa-mock_per_arch_data.xml",
            "suse/suse.linux.enterprise.server.15.xml",
            "azurelinux/azurelinux-3.0-oval.xml",
            "azurelinux/cbl-mariner-2.0-oval.xml",
        ] {
            let xml = std::fs::read_to_string(dir.join(rel)).expect(rel);
            let doc = roxmltree::Document::parse(&xml).expect(rel);
            let (defs, tables) = stream(&xml).expect(rel);
            let dom_defs: Vec<_> = doc
                .descendants()
                .filter(|n| n.is_element() && n.tag_name().name() == "definition")
                .collect();
            assert_eq!(defs.len(), dom_defs.len(), "{rel}");
            assert!(!defs.is_empty(), "{rel}");
            for (m, d) in defs.iter().zip(dom_defs) {
                same(m, d, &format!("{rel} {}", d.attribute("id").unwrap_or("?")));
            }
            let mut resolved = 0;
            for c in doc
                .descendants()
                .filter(|n| n.tag_name().name() == "criterion")
            {
                let r = c.attribute("test_ref").unwrap_or("");
                let ours = resolve_rpm_test(&tables, r);
                resolved += usize::from(ours.is_some());
                assert_eq!(ours, dom_resolve(&doc, r), "{rel} {r}");
            }
            if rel.starts_with("suse") || rel.starts_with("azurelinux") {
                assert!(resolved > 0, "{rel}");
            }
        }
    }

    #[test]
    fn text_entities_cdata_and_comments() {
        let xml = "<?xml version='1.0'?>\n<oval_definitions xmlns='x'><definitions>\
            <definition id='d&amp;1' class='patch'><metadata><title> A &lt;b&gt; &#x43;&#86;E <![CDATA[&x]]> </title>\
            <description><!-- c -->late</description><reference ref_id='r\n1'/></metadata></definition>\
            </definitions><tests><t id='t1'><object object_ref='o1'/></t></tests>\
            <objects><o id='o1'><name>\n pkg \n</name></o></objects></oval_definitions>";
        let (defs, tables) = stream(xml).expect("parse");
        let def = &defs[0];
        assert_eq!(def.attribute("id"), Some("d&1"));
        let meta = child(def, "metadata").expect("metadata");
        assert_eq!(text(child(meta, "title")).as_deref(), Some("A <b> CVE &x"));
        // As in a DOM, a comment first means the element's own text is not its first child.
        assert_eq!(text(child(meta, "description")), None);
        assert_eq!(
            child(meta, "reference").and_then(|r| r.attribute("ref_id")),
            Some("r 1")
        );
        let t = resolve_rpm_test(&tables, "t1").expect("test");
        assert_eq!((t.name.as_str(), t.evr, t.version), ("pkg", None, None));
    }

    #[test]
    fn bad_documents_are_refused_with_the_origin() {
        for (xml, why) in [
            (
                "<oval_definitions><definitions><definition id='a'>",
                "not OVAL XML",
            ),
            ("<oval_definitions></oval_definitions><x/>", "not OVAL XML"),
            (
                "<!DOCTYPE x [<!ENTITY e 'boom'>]><oval_definitions/>",
                "not OVAL XML",
            ),
            (
                "<oval_definitions><definition id='a'>&e;</definition></oval_definitions>",
                "not OVAL XML",
            ),
            (
                "<oval_definitions><a></b></oval_definitions>",
                "not OVAL XML",
            ),
            ("", "not OVAL XML"),
            ("<rss/>", "not an OVAL definitions document"),
        ] {
            let err = stream(xml)
                .err()
                .unwrap_or_else(|| panic!("{xml} was read"));
            assert!(
                err.to_string().starts_with(&format!("t.xml: {why}")),
                "{xml}: {err}"
            );
        }
    }

    #[test]
    fn the_bound_is_named() {
        let xml = format!(
            "<oval_definitions>{}</oval_definitions>",
            " ".repeat(100_000)
        );
        let input = BufReader::new(Bounded {
            inner: xml.as_bytes(),
            max: 50_000,
            read: 0,
        });
        let err = read_oval(input, "big.xml", &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.to_string(), "big.xml: unpacks to more than 50000 bytes");
    }

    #[test]
    fn vendor_words() {
        assert_eq!(vendor_severity("IMPORTANT"), Some(Severity::High));
        assert_eq!(vendor_severity(" Moderate "), Some(Severity::Medium));
        assert_eq!(vendor_severity("medium"), Some(Severity::Medium));
        assert_eq!(vendor_severity("critical"), Some(Severity::Critical));
        assert_eq!(vendor_severity("N/A"), None);
    }
}
