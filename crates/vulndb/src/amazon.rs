//! Amazon Linux 2 and 2023: Amazon's ALAS advisories. Each release has an RSS list
//! (`https://alas.aws.amazon.com/AL2/alas.rss`, `/AL2023/alas.rss`) whose items give the advisory's
//! id, Amazon's severity (`critical`, `important`, `medium`, `low`), the package and the CVEs; the
//! fixed versions are only on each advisory's page (`/AL2/ALAS-2018-939.html`), in its "New
//! Packages" list. That list is read for its `src:` part: the source rpm's name and EVR
//! (`kernel-4.9.76-38.79.amzn2.src`, an epoch written `name-1:version-release`), so records are per
//! source package, as the installed rpms' `SOURCERPM` names them.
//!
//! On disk a release is a directory `amazon/RELEASE/` (`2`, `2022`, `2023`) holding `alas.rss` and
//! the pages in `html/` (`html/ALAS-2018-939`, with or without `.html`), as vunnel stores them. An
//! item whose page is missing is skipped and counted; a page that is not an ALAS page (or is cut
//! short) fails the import with its path.
//!
//! Amazon publishes fixes only: every record is [`Status::Fixed`], one per (source package, CVE),
//! the advisory id as its alias. An advisory naming no CVE is stored under its own id. AL2's
//! Extras advisories (`ALAS2KERNEL-5.10-…`) are kept on a channel of their own
//! ([`extras_channel`]); no recorded Extras item was at hand, so that reading is tested on ids only.

use std::path::Path;

use crate::oval::vendor_severity;
use crate::schema::{Advisory, Distro, Severity, Status};
use crate::{FeedError, FeedLimits, ImportStats, VulnDbError};

/// The source name in the database.
pub const SOURCE: &str = "amazon-alas";
/// Amazon's security center; release `2` is under `AL2/`, `2023` under `AL2023/`.
pub const BASE_URL: &str = "https://alas.aws.amazon.com";
/// The releases `db update` fetches and the path of each under [`BASE_URL`].
pub const RELEASES: &[(&str, &str)] = &[("2", "AL2"), ("2023", "AL2023")];

/// A release directory's name, when it is one (`2`, `2022`, `2023`).
pub fn release_of_dir(name: &str) -> Option<&str> {
    matches!(name, "1" | "2" | "2022" | "2023").then_some(name)
}

/// One item of an ALAS RSS list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RssItem {
    /// The advisory id (`ALAS-2018-939`), from the title.
    pub id: String,
    /// Amazon's severity word (`critical`).
    pub severity: Option<String>,
    /// The package the title names.
    pub package: Option<String>,
    /// The CVEs the description lists.
    pub cves: Vec<String>,
    /// The advisory's page.
    pub link: Option<String>,
}

/// Reads an ALAS RSS list.
pub fn parse_rss(xml: &str, origin: &str) -> Result<Vec<RssItem>, FeedError> {
    let doc = roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 10_000_000,
        },
    )
    .map_err(|e| FeedError::new(origin, format!("not an RSS document: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "rss" {
        return Err(FeedError::new(
            origin,
            format!(
                "not an RSS document (root element <{}>)",
                root.tag_name().name()
            ),
        ));
    }
    let text_of = |n: roxmltree::Node<'_, '_>, name: &str| {
        n.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let mut out = Vec::new();
    for item in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "item")
    {
        let Some(title) = text_of(item, "title") else {
            return Err(FeedError::new(origin, "an item without a title"));
        };
        // `ALAS-2018-939 (critical): kernel`
        let (head, package) = match title.split_once(':') {
            Some((h, p)) => (h.trim(), Some(p.trim().to_owned())),
            None => (title.trim(), None),
        };
        let (id, severity) = match head.split_once(" (") {
            Some((id, rest)) => (
                id.trim(),
                Some(rest.trim_end_matches(')').trim().to_owned()),
            ),
            None => (head, None),
        };
        if !id.starts_with("ALAS") {
            return Err(FeedError::new(
                origin,
                format!("item title {title:?} does not start with an ALAS id"),
            ));
        }
        out.push(RssItem {
            id: id.to_owned(),
            severity,
            package,
            cves: cve_ids(&text_of(item, "description").unwrap_or_default()),
            link: text_of(item, "link"),
        });
    }
    Ok(out)
}

/// The CVE ids in a text, in order, once each.
fn cve_ids(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("CVE-") {
        let tail = &rest[i..];
        let end = tail[4..]
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .map_or(tail.len(), |e| e + 4);
        let id = tail[..end].trim_end_matches('-');
        let ok = id.len() > 9 && id[4..].split('-').count() == 2;
        if ok && !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
        rest = &tail[end.max(4)..];
    }
    out
}

/// What an advisory's page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlasPage {
    /// The id in its heading (`ALAS2023-2023-126`).
    pub id: Option<String>,
    /// The severity word (`Important`).
    pub severity: Option<String>,
    /// The CVEs in its references.
    pub cves: Vec<String>,
    /// The source packages of its New Packages list, as (name, EVR).
    pub source_packages: Vec<(String, String)>,
}

/// The part of `html` from the element with `id='NAME'` (or `id="NAME"`) to `end`, exclusive.
fn section<'a>(html: &'a str, name: &str, end: &str) -> Option<&'a str> {
    let start = html
        .find(&format!("id='{name}'"))
        .or_else(|| html.find(&format!("id=\"{name}\"")))?;
    let from = &html[start..];
    let stop = from.find(end)?;
    Some(&from[..stop])
}

/// `s` without tags, entities decoded where they matter here, whitespace collapsed.
fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits `name-[epoch:]version-release` into the name and the EVR.
fn split_nvr(nvr: &str) -> Option<(String, String)> {
    let (rest, release) = nvr.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name.to_owned(), format!("{version}-{release}")))
}

/// Reads an advisory's page. A page without a New Packages list (not an ALAS page, or cut short)
/// is an error.
pub fn parse_page(html: &str, origin: &str) -> Result<AlasPage, FeedError> {
    let Some(pre) = section(html, "new_packages", "</pre>") else {
        return Err(FeedError::new(
            origin,
            "not an ALAS advisory page, or cut short: no complete \"New Packages\" list",
        ));
    };
    let pre = pre
        .split_once("<pre>")
        .map(|(_, p)| p)
        .ok_or_else(|| FeedError::new(origin, "the \"New Packages\" list has no <pre> block"))?;
    let lines = pre.replace("<br />", "\n").replace("<br/>", "\n");
    let mut source_packages = Vec::new();
    let mut in_src = false;
    for line in lines.lines() {
        let line = plain(line);
        if line.is_empty() {
            continue;
        }
        if let Some(arch) = line.strip_suffix(':') {
            in_src = arch == "src";
            continue;
        }
        if in_src {
            let Some(nvr) = line.strip_suffix(".src") else {
                return Err(FeedError::new(
                    origin,
                    format!("source package {line:?} does not end in .src"),
                ));
            };
            let Some(pair) = split_nvr(nvr) else {
                return Err(FeedError::new(
                    origin,
                    format!("source package {line:?} is not name-version-release"),
                ));
            };
            source_packages.push(pair);
        }
    }
    let id = html.find("<h1").and_then(|i| {
        let h = &html[i..];
        let body = h.get(h.find('>')? + 1..h.find("</h1>")?)?;
        let t = plain(body);
        t.starts_with("ALAS").then_some(t)
    });
    let severity = section(html, "severity", "</div>")
        .map(|s| plain(s.split_once('>').map_or(s, |(_, r)| r)))
        .map(|s| s.trim_start_matches("Severity:").trim().to_owned())
        .filter(|s| !s.is_empty());
    let cves = section(html, "references", "</div>")
        .map(cve_ids)
        .unwrap_or_default();
    Ok(AlasPage {
        id,
        severity,
        cves,
        source_packages,
    })
}

/// The Amazon Linux Extras (AL2) topic an advisory id names, as a channel: `ALAS2KERNEL-5.10-2022-001`
/// is `kernel-5.10`, `ALAS2NITRO-ENCLAVES-2022-001` is `nitro-enclaves`; the core repository's
/// `ALAS-2018-939`, `ALAS2-…`, `ALAS2023-…` have none. Extras fix the same source package (the
/// kernel) at other versions than the core repository, so they stay apart: the matcher counts a fix
/// from either and shows the core one first.
pub fn extras_channel(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('-').collect();
    // The year: the first four-digit part after the prefix.
    let year = parts
        .iter()
        .skip(1)
        .position(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()))?
        + 1;
    let head = parts[0]
        .trim_start_matches("ALAS")
        .trim_start_matches(|c: char| c.is_ascii_digit());
    let mut topic: Vec<&str> = Vec::new();
    if !head.is_empty() {
        topic.push(head);
    }
    topic.extend(&parts[1..year]);
    (!topic.is_empty()).then(|| topic.join("-").to_ascii_lowercase())
}

/// The records one advisory gives for `release`: one per (source package, CVE).
pub fn records(item: &RssItem, page: &AlasPage, release: &str) -> Vec<Advisory> {
    let id = page.id.clone().unwrap_or_else(|| item.id.clone());
    let channel = extras_channel(&item.id);
    let rating = item.severity.clone().or_else(|| page.severity.clone());
    let severity = rating
        .as_deref()
        .and_then(vendor_severity)
        .unwrap_or(Severity::Unknown);
    let mut cves = if page.cves.is_empty() {
        item.cves.clone()
    } else {
        page.cves.clone()
    };
    if cves.is_empty() {
        cves.push(id.clone());
    }
    let mut out = Vec::new();
    for (package, evr) in &page.source_packages {
        for cve in &cves {
            out.push(Advisory {
                distro: Distro::Amazon,
                release: release.to_owned(),
                package: package.clone(),
                id: cve.clone(),
                channel: channel.clone(),
                status: Status::Fixed,
                fixed_version: Some(evr.clone()),
                affected_through: None,
                severity,
                rating: rating.clone(),
                aliases: if *cve == id {
                    Vec::new()
                } else {
                    vec![id.clone()]
                },
                description: None,
                url: item.link.clone(),
                source: SOURCE.to_owned(),
                note: channel
                    .as_ref()
                    .map(|c| format!("fixed in the Amazon Linux Extras topic {c}")),
            });
        }
    }
    out
}

/// The page of advisory `id` in a release directory, if it is there.
pub fn page_path(dir: &Path, id: &str) -> Option<std::path::PathBuf> {
    [
        dir.join("html").join(id),
        dir.join("html").join(format!("{id}.html")),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Reads a release directory (`alas.rss` and `html/`) into records.
pub fn import_dir(
    dir: &Path,
    release: &str,
    limits: &FeedLimits,
) -> Result<(Vec<Advisory>, ImportStats), VulnDbError> {
    let rss_path = dir.join("alas.rss");
    let rss_origin = rss_path.display().to_string();
    let bytes = crate::build::read_bounded(&rss_path, &rss_origin, limits.max_entry_bytes)?;
    let xml = std::str::from_utf8(&bytes)
        .map_err(|e| FeedError::new(&rss_origin, format!("not UTF-8: {e}")))?;
    let items = parse_rss(xml, &rss_origin)?;
    if items.is_empty() {
        return Err(FeedError::new(&rss_origin, "the list holds no advisories").into());
    }
    let mut stats = ImportStats::default();
    let mut out = Vec::new();
    for item in &items {
        let Some(path) = page_path(dir, &item.id) else {
            stats.skip(format!("{}: no page in {}/html", item.id, dir.display()));
            continue;
        };
        let origin = path.display().to_string();
        let bytes = crate::build::read_bounded(&path, &origin, limits.max_entry_bytes)?;
        let page = parse_page(&String::from_utf8_lossy(&bytes), &origin)?;
        if page.source_packages.is_empty() {
            stats.skip(format!("{}: its page lists no source package", item.id));
            continue;
        }
        for adv in records(item, &page, release) {
            match adv
                .fixed_version
                .as_deref()
                .map(dockaudit_scan::version::rpm::RpmVersion::parse)
            {
                Some(Err(e)) => {
                    stats.skip(format!("{} {}: {e}", item.id, adv.package));
                }
                _ => out.push(adv),
            }
        }
    }
    stats.records = out.len() as u64;
    Ok((out, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_in_text() {
        assert_eq!(
            cve_ids("CVE-2017-5715, CVE-2017-5754 and CVE-2017-5715; CVE-"),
            vec!["CVE-2017-5715", "CVE-2017-5754"]
        );
    }

    #[test]
    fn odd_headings_do_not_panic() {
        for html in ["<h1</h1>", "<h1>", "<h1 id='x'>ALAS-1</h1>"] {
            let _ = parse_page(html, "x");
        }
        let page = "<h1</h1><div id='new_packages'><pre>src:<br />a-1-1.src<br /></pre>";
        assert_eq!(parse_page(page, "x").unwrap().id, None);
    }

    #[test]
    fn extras_topics() {
        assert_eq!(extras_channel("ALAS-2018-939"), None);
        assert_eq!(extras_channel("ALAS2-2018-939"), None);
        assert_eq!(extras_channel("ALAS2023-2023-126"), None);
        assert_eq!(
            extras_channel("ALAS2KERNEL-5.10-2022-001").as_deref(),
            Some("kernel-5.10")
        );
        assert_eq!(
            extras_channel("ALAS2NITRO-ENCLAVES-2022-001").as_deref(),
            Some("nitro-enclaves")
        );
        assert_eq!(extras_channel("ALAS"), None);
    }

    #[test]
    fn nvr_split() {
        assert_eq!(
            split_nvr("kernel-4.9.76-38.79.amzn2"),
            Some(("kernel".into(), "4.9.76-38.79.amzn2".into()))
        );
        assert_eq!(
            split_nvr("java-1.8.0-openjdk-1:1.8.0.161-0.b14.amzn2"),
            Some((
                "java-1.8.0-openjdk".into(),
                "1:1.8.0.161-0.b14.amzn2".into()
            ))
        );
        assert_eq!(split_nvr("kernel"), None);
    }
}
