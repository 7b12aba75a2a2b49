//! FIRST's EPSS scores: the daily CSV (`#model_version:…,score_date:…`, then `cve,epss,percentile`
//! rows), plain or gzip-compressed.

use std::io::Read;

use crate::severity::Epss;
use crate::{FeedError, ImportStats};

/// The source name in the database.
pub const SOURCE: &str = "first-epss";
/// The current scores.
pub const URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// Reads the scores: (CVE id, score) pairs. `max_bytes` bounds the decompressed text.
pub fn parse(
    bytes: &[u8],
    origin: &str,
    max_bytes: u64,
) -> Result<(Vec<(String, Epss)>, ImportStats), FeedError> {
    let mut text = String::new();
    let read = if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes)
            .take(max_bytes.saturating_add(1))
            .read_to_string(&mut text)
    } else {
        bytes
            .take(max_bytes.saturating_add(1))
            .read_to_string(&mut text)
    };
    read.map_err(|e| {
        FeedError::new(
            origin,
            format!("unreadable (damaged gzip or not UTF-8): {e}"),
        )
    })?;
    if text.len() as u64 > max_bytes {
        return Err(FeedError::new(
            origin,
            format!("unpacks to more than {max_bytes} bytes"),
        ));
    }
    let mut date = None;
    let mut header_seen = false;
    let mut stats = ImportStats::default();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(meta) = line.strip_prefix('#') {
            for part in meta.split(',') {
                if let Some(d) = part.trim().strip_prefix("score_date:") {
                    date = d.get(..10).map(str::to_owned);
                }
            }
            continue;
        }
        if !header_seen {
            if !line.starts_with("cve,epss") {
                return Err(FeedError::new(
                    origin,
                    format!("line {}: expected the header `cve,epss,percentile`", n + 1),
                ));
            }
            header_seen = true;
            continue;
        }
        let mut cols = line.split(',');
        let parsed = (|| {
            let id = cols.next()?.trim();
            let score: f64 = cols.next()?.trim().parse().ok()?;
            let percentile: f64 = cols.next()?.trim().parse().ok()?;
            ((0.0..=1.0).contains(&score)
                && (0.0..=1.0).contains(&percentile)
                && id.starts_with("CVE-"))
            .then(|| (id.to_owned(), score, percentile))
        })();
        match parsed {
            Some((id, score, percentile)) => out.push((
                id,
                Epss {
                    score,
                    percentile,
                    date: None,
                },
            )),
            None => stats.skip(format!(
                "{origin}: line {}: not `CVE-…,score,percentile`",
                n + 1
            )),
        }
    }
    if !header_seen {
        return Err(FeedError::new(
            origin,
            "no `cve,epss,percentile` header: not an EPSS file",
        ));
    }
    for (_, e) in &mut out {
        e.date.clone_from(&date);
    }
    stats.records = out.len() as u64;
    Ok((out, stats))
}
