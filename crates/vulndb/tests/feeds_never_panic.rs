//! The severity, Azure Linux, Wolfi/Chainguard, Alma/Rocky and Red Hat CSAF parsers, and the SBOM reader, on
//! arbitrary bytes and on damaged real records: an error naming the input or a result, never a panic.

use std::path::Path;

use dockaudit_vulndb::{azurelinux, cve5, epss, kev, nvd, redhat, rhel_osv, wolfi, Distro};
use proptest::prelude::*;

fn all(bytes: &[u8]) {
    let _ = nvd::parse(bytes, "x");
    let _ = cve5::parse(bytes, "x");
    let _ = kev::parse(bytes, "x");
    let _ = epss::parse(bytes, "x", 1 << 20);
    let _ = wolfi::parse(bytes, "x", Distro::Wolfi);
    let _ = rhel_osv::parse(bytes, "x", Distro::Rocky);
    let _ = redhat::parse(bytes, "x");
    let _ = dockaudit_scan::sbom::read(bytes, "x");
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = azurelinux::parse_oval(text, "x", "2.0");
    }
}

fn real(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        all(&bytes);
    }

    #[test]
    fn damaged_real_records(which in 0usize..8, cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = real([
            "enrichment/nvd/CVE-2021-44228.json",
            "enrichment/cve5/CVE-2024-24790.json",
            "enrichment/kev/known_exploited_vulnerabilities.json",
            "wolfi/security.json",
            "rocky/RLSA-2024_3671.json",
            "azurelinux/azurelinux-3.0-oval.xml",
            "redhat-csaf/csaf/cve-2024-10041.json",
            "redhat-csaf/csaf/rhsa-2024_0010.json",
        ][which]);
        let at = flip.index(bytes.len());
        bytes[at] = byte;
        bytes.truncate(cut.index(bytes.len() + 1));
        all(&bytes);
    }
}
