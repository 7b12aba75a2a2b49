//! The severity, Azure Linux, Wolfi/Chainguard, Alma/Rocky, Red Hat CSAF, Amazon, Oracle and SUSE
//! parsers, and the SBOM reader, on
//! arbitrary bytes and on damaged real records: an error naming the input or a result, never a panic.

use std::path::Path;

use dockaudit_vulndb::{
    amazon, azurelinux, cve5, epss, kev, nvd, oracle, redhat, rhel_osv, suse, wolfi, Distro,
};
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
        let _ = oracle::parse_oval(text, "x");
        let _ = suse::parse_oval(text, "x", Distro::Sles, None);
        let _ = suse::parse_oval(text, "x", Distro::OpensuseLeap, Some("15.6"));
        let _ = amazon::parse_rss(text, "x");
        let _ = amazon::parse_page(text, "x");
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
    fn damaged_real_records(which in 0usize..13, cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = real([
            "enrichment/nvd/CVE-2021-44228.json",
            "enrichment/cve5/CVE-2024-24790.json",
            "enrichment/kev/known_exploited_vulnerabilities.json",
            "wolfi/security.json",
            "rocky/RLSA-2024_3671.json",
            "azurelinux/azurelinux-3.0-oval.xml",
            "redhat-csaf/csaf/cve-2024-10041.json",
            "redhat-csaf/csaf/rhsa-2024_0010.json",
            "oracle/elsa-mock_data.xml",
            "oracle/elsa-mock_per_arch_data.xml",
            "suse/suse.linux.enterprise.server.15.xml",
            "amazon/2/alas.rss",
            "amazon/2023/html/ALAS-2023-126",
        ][which]);
        let at = flip.index(bytes.len());
        bytes[at] = byte;
        bytes.truncate(cut.index(bytes.len() + 1));
        all(&bytes);
    }
}
