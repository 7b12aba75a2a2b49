//! `dockaudit db update`: downloads the feeds over HTTPS (or plain HTTP from a mirror) into a
//! staging directory beside the database, then builds with [`crate::build::build`],
//! which replaces the database only when the new one is complete and valid. Any failed download
//! fails the update with the URL in the message; the staging directory is removed either way.
//!
//! Every base URL can point at a mirror or proxy. `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
//! `NO_PROXY` are honoured (not for loopback addresses). Sizes are bounded by [`FeedLimits`].

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::build::{self, hex, BuildOptions, BuildSummary, Feed, FeedFile, FeedSet, TempPath};
use crate::{
    alpine, amazon, azurelinux, debian, epss, kev, nvd, oracle, redhat, rhel_osv, suse, ubuntu,
    wolfi, FeedError, FeedLimits, VulnDbError,
};

/// Where to fetch each feed from; `None` skips that feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The Debian security tracker JSON.
    pub debian_tracker_url: Option<String>,
    /// The DSA list (aliases).
    pub debian_dsa_url: Option<String>,
    /// The DLA list (aliases).
    pub debian_dla_url: Option<String>,
    /// The Alpine secdb's base URL (release files are `BASE/v3.NN/main.json`).
    pub alpine_base_url: Option<String>,
    /// Alpine releases to fetch (`v3.20`, `3.20`, `edge`); `None` reads the list from `BASE/`.
    pub alpine_releases: Option<Vec<String>>,
    /// Canonical's OSV tarball.
    pub ubuntu_osv_url: Option<String>,
    /// Canonical's VEX tarball.
    pub ubuntu_vex_url: Option<String>,
    /// Wolfi's secdb.
    pub wolfi_url: Option<String>,
    /// Chainguard's secdb.
    pub chainguard_url: Option<String>,
    /// Microsoft's Azure Linux / CBL-Mariner OVAL base URL (files `BASE/cbl-mariner-2.0-oval.xml`,
    /// `BASE/azurelinux-3.0-oval.xml`).
    pub azurelinux_base_url: Option<String>,
    /// Red Hat's CSAF VEX directory: `BASE/archive_latest.txt` names the newest whole archive
    /// (`csaf_vex_YYYY-MM-DD.tar.zst`), fetched from `BASE/NAME`.
    pub redhat_vex_base_url: Option<String>,
    /// AlmaLinux's OSV errata as one zip (OSV's `AlmaLinux/all.zip`).
    pub almalinux_osv_url: Option<String>,
    /// Rocky Linux's OSV errata as one zip (OSV's `Rocky Linux/all.zip`).
    pub rocky_osv_url: Option<String>,
    /// Amazon's ALAS base URL: each release's list is `BASE/AL2/alas.rss` (see
    /// [`amazon::RELEASES`]), each advisory's page `BASE/AL2/ALAS-….html`.
    pub amazon_base_url: Option<String>,
    /// Oracle's OVAL base URL; `None` skips Oracle.
    pub oracle_base_url: Option<String>,
    /// The Oracle files to fetch from it (default [`oracle::FILES`], bzip2).
    pub oracle_files: Vec<String>,
    /// SUSE's OVAL base URL; `None` skips SUSE.
    pub suse_base_url: Option<String>,
    /// The SUSE files to fetch from it (default [`suse::FILES`], gzip), named as SUSE names them
    /// (`suse.linux.enterprise.server.15.xml.gz`, `opensuse.leap.15.6.xml.gz`).
    pub suse_files: Vec<String>,
    /// NVD's records in one file (fkie-cad's `CVE-all.json.xz` mirror of the CVE API 2.0).
    pub nvd_url: Option<String>,
    /// CISA's KEV catalogue.
    pub kev_url: Option<String>,
    /// FIRST's EPSS scores (gzip CSV).
    pub epss_url: Option<String>,
    /// OSV's base URL (each ecosystem's records are `BASE/ECOSYSTEM/all.zip`); `None` skips them.
    pub osv_base_url: Option<String>,
    /// The OSV ecosystems to fetch (OSV's names: `PyPI`, `npm`, `Go`, `Maven`, …).
    pub osv_ecosystems: Vec<String>,
    /// Gives up on a connection, or a transfer that stalls, after this long.
    pub timeout: Duration,
    /// The User-Agent header.
    pub user_agent: String,
    /// Size bounds.
    pub limits: FeedLimits,
}

impl Default for FetchConfig {
    /// The distributions' own URLs.
    fn default() -> Self {
        Self {
            debian_tracker_url: Some(debian::TRACKER_URL.to_owned()),
            debian_dsa_url: Some(debian::DSA_LIST_URL.to_owned()),
            debian_dla_url: Some(debian::DLA_LIST_URL.to_owned()),
            alpine_base_url: Some(alpine::SECDB_URL.to_owned()),
            alpine_releases: None,
            ubuntu_osv_url: Some(ubuntu::OSV_URL.to_owned()),
            ubuntu_vex_url: Some(ubuntu::VEX_URL.to_owned()),
            azurelinux_base_url: Some(azurelinux::BASE_URL.to_owned()),
            wolfi_url: Some(wolfi::WOLFI_URL.to_owned()),
            chainguard_url: Some(wolfi::CHAINGUARD_URL.to_owned()),
            redhat_vex_base_url: Some(redhat::VEX_BASE_URL.to_owned()),
            almalinux_osv_url: Some(rhel_osv::ALMA_OSV_URL.to_owned()),
            rocky_osv_url: Some(rhel_osv::ROCKY_OSV_URL.to_owned()),
            amazon_base_url: Some(amazon::BASE_URL.to_owned()),
            oracle_base_url: Some(oracle::BASE_URL.to_owned()),
            oracle_files: oracle::FILES.iter().map(|f| (*f).to_owned()).collect(),
            suse_base_url: Some(suse::BASE_URL.to_owned()),
            suse_files: suse::FILES.iter().map(|f| (*f).to_owned()).collect(),
            nvd_url: Some(nvd::CVE_ALL_URL.to_owned()),
            kev_url: Some(kev::URL.to_owned()),
            epss_url: Some(epss::URL.to_owned()),
            osv_base_url: Some(crate::osv::DOWNLOAD_BASE.to_owned()),
            osv_ecosystems: crate::osv::ECOSYSTEMS
                .iter()
                .map(|e| (*e).to_owned())
                .collect(),
            timeout: Duration::from_secs(60),
            user_agent: format!("dockaudit/{}", env!("CARGO_PKG_VERSION")),
            limits: FeedLimits::default(),
        }
    }
}

/// Downloads the configured feeds and builds the database at `target` from them.
pub fn update(
    config: &FetchConfig,
    target: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildSummary, VulnDbError> {
    // Refuse a foreign file before downloading anything.
    build::check_target(target, options.force)?;
    let dir = build::parent_dir(target);
    std::fs::create_dir_all(&dir).map_err(|e| VulnDbError::io(&dir, e))?;
    build::remove_stale_temps(target);
    let staging = TempPath::new(target, "feeds")?;
    std::fs::create_dir(staging.path()).map_err(|e| VulnDbError::io(staging.path(), e))?;
    let root = staging.path();
    let client = Client::new(config);
    let mut feeds = FeedSet::default();

    if let Some(url) = &config.debian_tracker_url {
        let file = client.fetch_required(url, &root.join("debian/tracker.json"), progress)?;
        feeds.push(Feed::DebianTracker(file));
    }
    for (name, url, rel) in [
        ("debian-dsa", &config.debian_dsa_url, "debian/DSA-list"),
        ("debian-dla", &config.debian_dla_url, "debian/DLA-list"),
    ] {
        if let Some(url) = url {
            let file = client.fetch_required(url, &root.join(rel), progress)?;
            feeds.push(Feed::DebianList {
                name: name.to_owned(),
                file,
            });
        }
    }
    if let Some(base) = &config.alpine_base_url {
        let base = base.trim_end_matches('/');
        let releases = match &config.alpine_releases {
            Some(list) => list
                .iter()
                .map(|r| {
                    let key = alpine::release_key(r).ok_or_else(|| {
                        FeedError::new(
                            base,
                            format!("{r:?} is not an Alpine release (v3.NN or edge)"),
                        )
                    })?;
                    Ok(if key == "edge" {
                        key
                    } else {
                        format!("v{key}")
                    })
                })
                .collect::<Result<Vec<_>, FeedError>>()?,
            None => {
                let index_url = format!("{base}/");
                let html = client.get_text(&index_url, 1 << 20)?;
                let found = alpine::parse_index(&html);
                if found.is_empty() {
                    return Err(FeedError::new(
                        index_url,
                        "the index lists no releases (v3.NN/ or edge/)",
                    )
                    .into());
                }
                found
            }
        };
        for release in releases {
            for repo in alpine::REPOSITORIES {
                let url = format!("{base}/{release}/{repo}.json");
                let dest = root
                    .join("alpine")
                    .join(&release)
                    .join(format!("{repo}.json"));
                match client.fetch(&url, &dest, progress) {
                    Ok(file) => feeds.push(Feed::Alpine {
                        release: release.clone(),
                        repository: (*repo).to_owned(),
                        file,
                    }),
                    // Old releases had no community repository.
                    Err(Fetched::NotFound) if *repo != "main" => {
                        progress(&format!("  {url}: not found, skipped"));
                    }
                    Err(e) => return Err(e.into_error(&url)),
                }
            }
        }
    }
    if let Some(url) = &config.ubuntu_osv_url {
        let file = client.fetch_required(url, &root.join("ubuntu/osv-all.tar.xz"), progress)?;
        feeds.push(Feed::UbuntuOsv(file));
    }
    if let Some(url) = &config.ubuntu_vex_url {
        let file = client.fetch_required(url, &root.join("ubuntu/vex-all.tar.xz"), progress)?;
        feeds.push(Feed::UbuntuVex(file));
    }
    if let Some(url) = &config.wolfi_url {
        let file = client.fetch_required(url, &root.join("wolfi/security.json"), progress)?;
        feeds.push(Feed::Wolfi(file));
    }
    if let Some(url) = &config.chainguard_url {
        let file = client.fetch_required(url, &root.join("chainguard/security.json"), progress)?;
        feeds.push(Feed::Chainguard(file));
    }
    if let Some(base) = &config.azurelinux_base_url {
        let base = base.trim_end_matches('/');
        for (name, release) in azurelinux::FILES {
            let url = format!("{base}/{name}");
            let file =
                client.fetch_required(&url, &root.join("azurelinux").join(name), progress)?;
            feeds.push(Feed::AzureLinux {
                release: (*release).to_owned(),
                file,
            });
        }
    }
    if let Some(base) = &config.amazon_base_url {
        let base = base.trim_end_matches('/');
        for (release, path) in amazon::RELEASES {
            let dir = root.join("amazon").join(release);
            let rss_url = format!("{base}/{path}/alas.rss");
            let file = client.fetch_required(&rss_url, &dir.join("alas.rss"), progress)?;
            let xml = std::fs::read_to_string(&file.path)
                .map_err(|e| FeedError::new(&rss_url, format!("not UTF-8 text: {e}")))?;
            let items = amazon::parse_rss(&xml, &rss_url)?;
            progress(&format!(
                "  {} advisories: fetching their pages",
                items.len()
            ));
            // The item's own link points at Amazon's site; a mirror keeps the same layout.
            let pages: Vec<(String, PathBuf)> = items
                .iter()
                .map(|item| {
                    (
                        format!("{base}/{path}/{}.html", item.id),
                        dir.join("html").join(&item.id),
                    )
                })
                .collect();
            let missing = client.fetch_pages(&pages, PAGE_CONCURRENCY)?;
            if missing > 0 {
                progress(&format!("  {missing} advisory pages not found, skipped"));
            }
            feeds.push(Feed::Amazon {
                release: (*release).to_owned(),
                file,
            });
        }
    }
    if let Some(base) = &config.oracle_base_url {
        let base = base.trim_end_matches('/');
        for name in &config.oracle_files {
            let url = format!("{base}/{name}");
            let file = client.fetch_required(&url, &root.join("oracle").join(name), progress)?;
            feeds.push(Feed::Oracle(file));
        }
    }
    if let Some(base) = &config.suse_base_url {
        let base = base.trim_end_matches('/');
        for name in &config.suse_files {
            let Some((distro, release)) = suse::product_of_file(name) else {
                return Err(FeedError::new(
                    format!("{base}/{name}"),
                    "not a SUSE OVAL file name (suse.linux.enterprise.server.N.xml.gz or opensuse.leap.N.M.xml.gz)",
                )
                .into());
            };
            let url = format!("{base}/{name}");
            let file = client.fetch_required(&url, &root.join("suse").join(name), progress)?;
            feeds.push(Feed::Suse {
                distro,
                release,
                file,
            });
        }
    }
    if let Some(base) = &config.redhat_vex_base_url {
        let base = base.trim_end_matches('/');
        let index_url = format!("{base}/archive_latest.txt");
        let text = client.get_text(&index_url, 4096)?;
        let name = redhat::archive_name(&text).ok_or_else(|| {
            FeedError::new(
                &index_url,
                format!(
                    "does not name a csaf_vex_*.tar.zst archive: {:?}",
                    text.chars().take(80).collect::<String>()
                ),
            )
        })?;
        let url = format!("{base}/{name}");
        let file = client.fetch_required(&url, &root.join("redhat").join(name), progress)?;
        feeds.push(Feed::RedHat(file));
    }
    for (url, rel, alma) in [
        (&config.almalinux_osv_url, "alma/all.zip", true),
        (&config.rocky_osv_url, "rocky/all.zip", false),
    ] {
        if let Some(url) = url {
            let file = client.fetch_required(url, &root.join(rel), progress)?;
            feeds.push(if alma {
                Feed::Alma(file)
            } else {
                Feed::Rocky(file)
            });
        }
    }
    if let Some(base) = &config.osv_base_url {
        let base = base.trim_end_matches('/');
        for ecosystem in &config.osv_ecosystems {
            let url = format!("{base}/{ecosystem}/all.zip");
            let file = client.fetch_required(
                &url,
                &root.join("osv").join(ecosystem).join("all.zip"),
                progress,
            )?;
            feeds.osv.push(crate::osv::OsvFeed {
                name: ecosystem.clone(),
                file,
            });
        }
    }
    // The severity feeds: NVD's CVSS scores, CISA's KEV catalogue, FIRST's EPSS.
    if let Some(url) = &config.nvd_url {
        let file = client.fetch_required(url, &root.join("nvd/CVE-all.json.xz"), progress)?;
        feeds.push(Feed::Nvd(file));
    }
    if let Some(url) = &config.kev_url {
        let file = client.fetch_required(
            url,
            &root.join("kev/known_exploited_vulnerabilities.json"),
            progress,
        )?;
        feeds.push(Feed::Kev(file));
    }
    if let Some(url) = &config.epss_url {
        let file = client.fetch_required(url, &root.join("epss/epss_scores.csv.gz"), progress)?;
        feeds.push(Feed::Epss(file));
    }
    if feeds.feeds.iter().all(|f| f.distro().is_none()) && feeds.osv.is_empty() {
        return Err(VulnDbError::Invalid(
            "every feed was skipped: nothing to build".to_owned(),
        ));
    }
    let summary = build::build(&feeds, target, options, progress)?;
    drop(staging);
    Ok(summary)
}

/// How many advisory pages (Amazon's, thousands for AL2) are fetched at once.
const PAGE_CONCURRENCY: usize = 8;

/// A download's failure, told apart where the caller cares.
enum Fetched {
    NotFound,
    Failed(VulnDbError),
}

impl Fetched {
    fn into_error(self, url: &str) -> VulnDbError {
        match self {
            Fetched::NotFound => FeedError::new(url, "HTTP 404 Not Found").into(),
            Fetched::Failed(e) => e,
        }
    }
}

struct Client {
    direct: ureq::Agent,
    proxied: ureq::Agent,
    limits: FeedLimits,
}

impl Client {
    fn new(config: &FetchConfig) -> Self {
        let agent = |proxy: Option<ureq::Proxy>| -> ureq::Agent {
            ureq::Agent::config_builder()
                .timeout_connect(Some(config.timeout))
                .timeout_recv_response(Some(config.timeout))
                .timeout_per_read(Some(config.timeout))
                .user_agent(config.user_agent.as_str())
                .http_status_as_error(true)
                .max_redirects(5)
                .proxy(proxy)
                .build()
                .into()
        };
        Self {
            direct: agent(None),
            proxied: agent(ureq::Proxy::try_from_env()),
            limits: config.limits,
        }
    }

    fn agent(&self, url: &str) -> &ureq::Agent {
        if is_loopback(url) {
            &self.direct
        } else {
            &self.proxied
        }
    }

    fn call(&self, url: &str) -> Result<ureq::http::Response<ureq::Body>, Fetched> {
        self.agent(url).get(url).call().map_err(|e| match e {
            ureq::Error::StatusCode(404) => Fetched::NotFound,
            ureq::Error::StatusCode(code) => {
                Fetched::Failed(FeedError::new(url, format!("HTTP status {code}")).into())
            }
            other => {
                Fetched::Failed(FeedError::new(url, format!("download failed: {other}")).into())
            }
        })
    }

    fn get_text(&self, url: &str, max: u64) -> Result<String, VulnDbError> {
        let resp = self.call(url).map_err(|e| e.into_error(url))?;
        let mut bytes = Vec::new();
        resp.into_body()
            .into_with_config()
            .limit(max)
            .reader()
            .read_to_end(&mut bytes)
            .map_err(|e| FeedError::new(url, format!("download failed: {e}")))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// [`Client::fetch`], where a missing file is an error like any other.
    fn fetch_required(
        &self,
        url: &str,
        dest: &Path,
        progress: &mut dyn FnMut(&str),
    ) -> Result<FeedFile, VulnDbError> {
        self.fetch(url, dest, progress)
            .map_err(|e| e.into_error(url))
    }

    /// Downloads one small file (an advisory page) to `dest` without a progress line, within
    /// [`FeedLimits::max_entry_bytes`].
    fn fetch_quiet(&self, url: &str, dest: &Path) -> Result<(), Fetched> {
        let resp = self.call(url)?;
        let mut bytes = Vec::new();
        resp.into_body()
            .into_with_config()
            .limit(self.limits.max_entry_bytes)
            .reader()
            .read_to_end(&mut bytes)
            .map_err(|e| {
                Fetched::Failed(FeedError::new(url, format!("download failed: {e}")).into())
            })?;
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Fetched::Failed(VulnDbError::io(parent, e)))?;
        }
        std::fs::write(dest, &bytes).map_err(|e| Fetched::Failed(VulnDbError::io(dest, e)))
    }

    /// Downloads small files (advisory pages), `(url, dest)`, with up to `concurrency` requests at
    /// once, and returns how many were not found (404). Any other failure fails the whole call
    /// (the first failing page in `pages`' order among those tried): the remaining pages are not
    /// started.
    fn fetch_pages(
        &self,
        pages: &[(String, PathBuf)],
        concurrency: usize,
    ) -> Result<usize, VulnDbError> {
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let missing = AtomicUsize::new(0);
        let errors: Mutex<Vec<(usize, VulnDbError)>> = Mutex::new(Vec::new());
        let worker = || {
            while !failed.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((url, dest)) = pages.get(i) else {
                    break;
                };
                match self.fetch_quiet(url, dest) {
                    Ok(()) => {}
                    // An advisory listed before its page is up: skipped (and counted) by the build.
                    Err(Fetched::NotFound) => {
                        missing.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        if let Ok(mut list) = errors.lock() {
                            list.push((i, e.into_error(url)));
                        }
                    }
                }
            }
        };
        std::thread::scope(|scope| {
            for _ in 0..concurrency.clamp(1, pages.len().max(1)) {
                scope.spawn(worker);
            }
        });
        let mut errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
        errors.sort_by_key(|(i, _)| *i);
        match errors.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(missing.into_inner()),
        }
    }

    /// Downloads `url` to `dest`, hashing on the way, within the size bound.
    fn fetch(
        &self,
        url: &str,
        dest: &Path,
        progress: &mut dyn FnMut(&str),
    ) -> Result<FeedFile, Fetched> {
        progress(&format!("fetching {url}"));
        let started = std::time::Instant::now();
        let fetched_at = OffsetDateTime::now_utc();
        let max = self.limits.max_file_bytes;
        let resp = self.call(url)?;
        let failed = |msg: String| Fetched::Failed(FeedError::new(url, msg).into());
        let declared = resp.body().content_length();
        if let Some(n) = declared.filter(|n| *n > max) {
            return Err(failed(format!("{n} bytes is over the {max}-byte limit")));
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Fetched::Failed(VulnDbError::io(parent, e)))?;
        }
        let mut out = File::create(dest).map_err(|e| Fetched::Failed(VulnDbError::io(dest, e)))?;
        let mut reader = resp.into_body().into_with_config().limit(max).reader();
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(failed(format!("download failed after {total} bytes: {e}"))),
            };
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| Fetched::Failed(VulnDbError::io(dest, e)))?;
            total += n as u64;
        }
        out.flush()
            .map_err(|e| Fetched::Failed(VulnDbError::io(dest, e)))?;
        progress(&format!(
            "  {} in {:.1} s",
            crate::human_bytes(total),
            started.elapsed().as_secs_f64()
        ));
        Ok(FeedFile {
            path: dest.to_path_buf(),
            url: Some(url.to_owned()),
            fetched_at: Some(fetched_at),
            digest: Some((total, hex(&hasher.finalize()))),
        })
    }
}

/// Whether a URL's host is a loopback address (no proxy for those).
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("http://127.0.0.1:8080/x"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:80/x"));
        assert!(is_loopback("http://u:p@127.0.0.2/"));
        assert!(!is_loopback(
            "https://security-tracker.debian.org/tracker/data/json"
        ));
    }
}
