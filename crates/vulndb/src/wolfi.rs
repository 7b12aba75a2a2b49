//! Wolfi and Chainguard: their secdb files (`https://packages.wolfi.dev/os/security.json`,
//! `https://packages.cgr.dev/chainguard/security.json`), in Alpine's secdb format (read by
//! [`crate::alpine::parse_secdb_of`]) for one rolling release. Versions compare by apk's rules.

use crate::alpine::{parse_secdb_of, SecdbOf};
use crate::schema::{Advisory, Distro};
use crate::{FeedError, ImportStats};

/// The release key of a rolling distribution.
pub const RELEASE: &str = "rolling";
/// Wolfi's source name in the database.
pub const WOLFI_SOURCE: &str = "wolfi-secdb";
/// Chainguard's source name in the database.
pub const CHAINGUARD_SOURCE: &str = "chainguard-secdb";
/// Wolfi's secdb.
pub const WOLFI_URL: &str = "https://packages.wolfi.dev/os/security.json";
/// Chainguard's secdb.
pub const CHAINGUARD_URL: &str = "https://packages.cgr.dev/chainguard/security.json";

/// Reads Wolfi's (`distro` Wolfi) or Chainguard's (`distro` Chainguard) secdb.
pub fn parse(
    bytes: &[u8],
    origin: &str,
    distro: Distro,
) -> Result<(Vec<Advisory>, ImportStats), FeedError> {
    let (source, url): (&'static str, fn(&str) -> String) = match distro {
        Distro::Chainguard => (CHAINGUARD_SOURCE, |id| {
            format!("https://images.chainguard.dev/security/{id}")
        }),
        _ => (WOLFI_SOURCE, |id| {
            format!("https://images.chainguard.dev/security/{id}")
        }),
    };
    parse_secdb_of(
        bytes,
        origin,
        &SecdbOf {
            distro,
            release: RELEASE.to_owned(),
            source,
            url,
        },
    )
}
