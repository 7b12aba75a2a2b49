//! `dockaudit db`: the vulnerability database's commands.
//!
//! - `db update` downloads the distributions' feeds (Debian's security tracker and DSA/DLA lists,
//!   Alpine's secdb, Canonical's Ubuntu OSV and VEX) and builds the database; every URL can point at
//!   a mirror (flags or `DOCKAUDIT_*_URL` variables), `--skip` leaves feeds out;
//! - `db build --from DIR` builds it from feeds already on disk (air-gapped hosts);
//! - `db status` shows the sources, the build time, counts per release, and warns when the database
//!   is older than a week.
//!
//! Both builds write a temporary file beside the database and replace it only when the new one is
//! complete and valid: a failed update leaves the previous database as it was. The database lives
//! at `--db`, `DOCKAUDIT_DB`, or `$XDG_DATA_HOME/dockaudit/vulndb.sqlite`
//! (`~/.local/share/dockaudit/vulndb.sqlite`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use dockaudit_vulndb::build::{self, BuildOptions, BuildSummary, FeedSet};
use dockaudit_vulndb::fetch::{self, FetchConfig};
use dockaudit_vulndb::{
    alpine, azurelinux, debian, epss, human_bytes, kev, nvd, redhat, rhel_osv, ubuntu, wolfi,
    DbStatus, FeedLimits, Status, VulnDb, VulnDbError, STALE_AFTER_DAYS,
};

use crate::cli::Format;

/// `dockaudit db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// What to do with the database.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// `dockaudit db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the distributions' security feeds and rebuild the vulnerability database.
    Update(Box<UpdateArgs>),
    /// Build the vulnerability database from feeds on disk (for hosts without network access).
    Build(BuildArgs),
    /// Show the database's sources, build time and counts; warn when it is stale.
    Status(StatusArgs),
}

/// Where the database is.
#[derive(Debug, Args, Clone)]
pub struct DbPathArgs {
    /// The database file [default: $XDG_DATA_HOME/dockaudit/vulndb.sqlite, else
    /// ~/.local/share/dockaudit/vulndb.sqlite].
    #[arg(long, value_name = "FILE", env = "DOCKAUDIT_DB")]
    pub db: Option<PathBuf>,
}

/// A feed `db update` can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeedName {
    /// Debian's security tracker (and with it the DSA and DLA lists).
    Debian,
    /// Debian's DSA list (advisory ids only).
    DebianDsa,
    /// Debian's DLA list (advisory ids only).
    DebianDla,
    /// Alpine's secdb.
    Alpine,
    /// Canonical's Ubuntu OSV records (and with them the VEX statements).
    Ubuntu,
    /// Canonical's Ubuntu VEX statements (will-not-fix and not-affected).
    UbuntuVex,
    /// Microsoft's Azure Linux and CBL-Mariner OVAL.
    Azurelinux,
    /// Wolfi's secdb.
    Wolfi,
    /// Chainguard's secdb.
    Chainguard,
    /// Red Hat's CSAF VEX archive (RHEL, and CentOS matched against it).
    Redhat,
    /// AlmaLinux's OSV errata (OSV's AlmaLinux/all.zip).
    Almalinux,
    /// Rocky Linux's OSV errata (OSV's Rocky Linux/all.zip).
    Rocky,
    /// Amazon's ALAS advisories (Amazon Linux 2 and 2023).
    Amazon,
    /// Oracle's ELSA OVAL (Oracle Linux).
    Oracle,
    /// SUSE's OVAL (SLES, openSUSE Leap).
    Suse,
    /// NVD's CVSS scores (fkie-cad's mirror of the CVE API 2.0).
    Nvd,
    /// CISA's Known Exploited Vulnerabilities catalogue.
    Kev,
    /// FIRST's EPSS scores.
    Epss,
    /// OSV's records of application packages (PyPI, npm, Go, Maven, …).
    Osv,
}

/// `dockaudit db update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// The Debian security tracker's JSON feed (a mirror's URL, say).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_DEBIAN_URL", default_value = debian::TRACKER_URL)]
    pub debian_url: String,
    /// Debian's DSA list.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_DEBIAN_DSA_URL", default_value = debian::DSA_LIST_URL)]
    pub debian_dsa_url: String,
    /// Debian's DLA list.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_DEBIAN_DLA_URL", default_value = debian::DLA_LIST_URL)]
    pub debian_dla_url: String,
    /// Alpine's secdb base URL (BASE/v3.NN/main.json).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_ALPINE_URL", default_value = alpine::SECDB_URL)]
    pub alpine_url: String,
    /// Alpine releases to fetch (3.19,3.20,edge) [default: every release the secdb lists].
    #[arg(long = "alpine-release", value_name = "RELEASE", value_delimiter = ',')]
    pub alpine_releases: Vec<String>,
    /// Canonical's Ubuntu OSV tarball.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_UBUNTU_OSV_URL", default_value = ubuntu::OSV_URL)]
    pub ubuntu_osv_url: String,
    /// Canonical's Ubuntu VEX tarball.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_UBUNTU_VEX_URL", default_value = ubuntu::VEX_URL)]
    pub ubuntu_vex_url: String,
    /// Wolfi's secdb.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_WOLFI_URL", default_value = wolfi::WOLFI_URL)]
    pub wolfi_url: String,
    /// Chainguard's secdb.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_CHAINGUARD_URL", default_value = wolfi::CHAINGUARD_URL)]
    pub chainguard_url: String,
    /// Red Hat's CSAF VEX directory (BASE/archive_latest.txt names the csaf_vex_*.tar.zst to fetch).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_REDHAT_URL", default_value = redhat::VEX_BASE_URL)]
    pub redhat_url: String,
    /// AlmaLinux's OSV errata zip.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_ALMALINUX_URL", default_value = rhel_osv::ALMA_OSV_URL)]
    pub almalinux_url: String,
    /// Rocky Linux's OSV errata zip.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_ROCKY_URL", default_value = rhel_osv::ROCKY_OSV_URL)]
    pub rocky_url: String,
    /// Microsoft's Azure Linux / CBL-Mariner OVAL base URL (BASE/cbl-mariner-2.0-oval.xml,
    /// BASE/azurelinux-3.0-oval.xml).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_AZURELINUX_URL", default_value = azurelinux::BASE_URL)]
    pub azurelinux_url: String,
    /// Amazon's ALAS base URL (BASE/AL2/alas.rss and one page per advisory, BASE/AL2023/…).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_AMAZON_URL", default_value = dockaudit_vulndb::amazon::BASE_URL)]
    pub amazon_url: String,
    /// Oracle's OVAL base URL (BASE/com.oracle.elsa-ol{7,8,9}.xml.bz2).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_ORACLE_URL", default_value = dockaudit_vulndb::oracle::BASE_URL)]
    pub oracle_url: String,
    /// SUSE's OVAL base URL (BASE/suse.linux.enterprise.server.{12,15}.xml.gz,
    /// BASE/opensuse.leap.15.{5,6}.xml.gz).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_SUSE_URL", default_value = dockaudit_vulndb::suse::BASE_URL)]
    pub suse_url: String,
    /// NVD's records, all in one xz file (fkie-cad's mirror of the CVE API 2.0).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_NVD_URL", default_value = nvd::CVE_ALL_URL)]
    pub nvd_url: String,
    /// CISA's Known Exploited Vulnerabilities catalogue.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_KEV_URL", default_value = kev::URL)]
    pub kev_url: String,
    /// FIRST's EPSS scores (gzip CSV).
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_EPSS_URL", default_value = epss::URL)]
    pub epss_url: String,
    /// OSV's base URL (BASE/ECOSYSTEM/all.zip) for application packages.
    #[arg(long, value_name = "URL", env = "DOCKAUDIT_OSV_URL", default_value = dockaudit_vulndb::osv::DOWNLOAD_BASE)]
    pub osv_url: String,
    /// OSV ecosystems to fetch (PyPI,npm,Go,Maven,RubyGems,crates.io,Packagist,NuGet) [default: all of them].
    #[arg(
        long = "osv-ecosystem",
        value_name = "ECOSYSTEM",
        value_delimiter = ','
    )]
    pub osv_ecosystems: Vec<String>,
    /// Leave these feeds out (repeatable, comma-separated).
    #[arg(long, value_enum, value_name = "FEED", value_delimiter = ',')]
    pub skip: Vec<FeedName>,
    /// Seconds to wait for a connection, or for a stalled download, before giving up.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
    /// Replace the file at --db even when it is not a dockaudit database.
    #[arg(long)]
    pub force: bool,
}

/// `dockaudit db build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// The feeds: DIR/debian/tracker.json, DIR/debian/DSA-list, DIR/alpine/v3.NN/main.json,
    /// DIR/ubuntu/osv-all.tar.xz (or osv/), DIR/ubuntu/vex-all.tar.xz (or vex/); any subset. Severities:
    /// DIR/nvd/ (CVE API 2.0 .json files, or CVE-all.json.xz), DIR/cve5/ (CVE JSON 5 records),
    /// DIR/kev/*.json (CISA KEV), DIR/epss/*.csv[.gz] (FIRST EPSS). Azure Linux / CBL-Mariner:
    /// DIR/azurelinux/{cbl-mariner-2.0,azurelinux-3.0}-oval.xml. Wolfi, Chainguard:
    /// DIR/wolfi/security.json, DIR/chainguard/security.json. Red Hat: DIR/redhat/ (a
    /// csaf_vex_*.tar.zst, or CSAF .json files). AlmaLinux, Rocky: DIR/alma/, DIR/rocky/ (all.zip or
    /// OSV .json files). Amazon Linux: DIR/amazon/{2,2023}/alas.rss with the advisory pages in
    /// DIR/amazon/RELEASE/html/. Oracle Linux: DIR/oracle/*.xml[.bz2]. SLES and openSUSE Leap:
    /// DIR/suse/suse.linux.enterprise.server.N.xml[.gz], DIR/suse/opensuse.leap.N.M.xml[.gz].
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Replace the file at --db even when it is not a dockaudit database.
    #[arg(long)]
    pub force: bool,
}

/// `dockaudit db status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,
}

/// Runs a `dockaudit db` command.
pub fn run(args: DbArgs) -> Result<ExitCode> {
    match args.command {
        DbCommand::Update(a) => update(*a),
        DbCommand::Build(a) => build_from(a),
        DbCommand::Status(a) => status(a),
    }
}

/// The database's path: `--db` (or `DOCKAUDIT_DB`), else the XDG data directory's.
pub fn db_path(arg: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = arg {
        return Ok(p);
    }
    dockaudit_vulndb::default_db_path(
        std::env::var_os("XDG_DATA_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
    )
    .context("cannot tell where the vulnerability database lives: set HOME or XDG_DATA_HOME, or pass --db")
}

fn build_options(force: bool) -> BuildOptions {
    BuildOptions {
        built_at: time::OffsetDateTime::now_utc(),
        built_by: format!("dockaudit {}", env!("CARGO_PKG_VERSION")),
        limits: FeedLimits::default(),
        force,
    }
}

fn progress(line: &str) {
    let _ = writeln!(anstream::stderr(), "dockaudit: {line}");
}

fn update(args: UpdateArgs) -> Result<ExitCode> {
    let path = db_path(args.db.db)?;
    let skip = |f: FeedName| args.skip.contains(&f);
    let keep = |f: FeedName, url: String| (!skip(f)).then_some(url);
    let config = FetchConfig {
        debian_tracker_url: keep(FeedName::Debian, args.debian_url),
        debian_dsa_url: keep(FeedName::DebianDsa, args.debian_dsa_url)
            .filter(|_| !skip(FeedName::Debian)),
        debian_dla_url: keep(FeedName::DebianDla, args.debian_dla_url)
            .filter(|_| !skip(FeedName::Debian)),
        alpine_base_url: keep(FeedName::Alpine, args.alpine_url),
        alpine_releases: (!args.alpine_releases.is_empty()).then_some(args.alpine_releases),
        ubuntu_osv_url: keep(FeedName::Ubuntu, args.ubuntu_osv_url),
        ubuntu_vex_url: keep(FeedName::UbuntuVex, args.ubuntu_vex_url)
            .filter(|_| !skip(FeedName::Ubuntu)),
        azurelinux_base_url: keep(FeedName::Azurelinux, args.azurelinux_url),
        amazon_base_url: keep(FeedName::Amazon, args.amazon_url),
        oracle_base_url: keep(FeedName::Oracle, args.oracle_url),
        suse_base_url: keep(FeedName::Suse, args.suse_url),
        wolfi_url: keep(FeedName::Wolfi, args.wolfi_url),
        chainguard_url: keep(FeedName::Chainguard, args.chainguard_url),
        redhat_vex_base_url: keep(FeedName::Redhat, args.redhat_url),
        almalinux_osv_url: keep(FeedName::Almalinux, args.almalinux_url),
        rocky_osv_url: keep(FeedName::Rocky, args.rocky_url),
        nvd_url: keep(FeedName::Nvd, args.nvd_url),
        kev_url: keep(FeedName::Kev, args.kev_url),
        epss_url: keep(FeedName::Epss, args.epss_url),
        osv_base_url: keep(FeedName::Osv, args.osv_url),
        osv_ecosystems: if args.osv_ecosystems.is_empty() {
            dockaudit_vulndb::osv::ECOSYSTEMS
                .iter()
                .map(|e| (*e).to_owned())
                .collect()
        } else {
            args.osv_ecosystems
        },
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..FetchConfig::default()
    };
    let summary = fetch::update(&config, &path, &build_options(args.force), &mut progress)
        .with_context(|| format!("the update failed; {}", kept(&path)))?;
    report(&summary);
    Ok(ExitCode::SUCCESS)
}

fn build_from(args: BuildArgs) -> Result<ExitCode> {
    let path = db_path(args.db.db)?;
    let feeds = FeedSet::discover(&args.from)?;
    let summary = build::build(&feeds, &path, &build_options(args.force), &mut progress)
        .with_context(|| format!("the build failed; {}", kept(&path)))?;
    report(&summary);
    Ok(ExitCode::SUCCESS)
}

/// What a failure left in place.
fn kept(path: &std::path::Path) -> String {
    if path.exists() {
        format!("{} was left as it was", path.display())
    } else {
        format!("no database was written to {}", path.display())
    }
}

fn report(s: &BuildSummary) {
    let mut err = anstream::stderr();
    for w in &s.warnings {
        let _ = writeln!(err, "dockaudit: warning: {w}");
    }
    if s.skipped.skipped > 0 {
        let _ = writeln!(
            err,
            "dockaudit: {} feed entries were skipped, for example:",
            s.skipped.skipped
        );
        for why in s.skipped.skipped_sample.iter().take(5) {
            let _ = writeln!(err, "  {why}");
        }
    }
    let releases: Vec<String> = s
        .releases
        .iter()
        .map(|r| format!("{} {}", r.distro, r.release))
        .collect();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "vulnerability database {}: {} from {} ({}, built in {:.1} s)",
        s.path.display(),
        plural(s.records, "record"),
        plural((s.sources.len() + s.osv_sources.len()) as u64, "feed"),
        human_bytes(s.file_bytes),
        s.elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "releases: {}", releases.join(", "));
    if !s.osv_sources.is_empty() {
        let osv: Vec<String> = s
            .osv_sources
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        let _ = writeln!(
            out,
            "application packages (OSV, affected packages): {}",
            osv.join(", ")
        );
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn status(args: StatusArgs) -> Result<ExitCode> {
    let path = db_path(args.db.db)?;
    let mut out = std::io::stdout().lock();
    let db = match VulnDb::open(&path) {
        Ok(db) => db,
        // No database yet is a state to report, not a failure: a fresh host has none.
        Err(VulnDbError::Missing { .. }) => {
            let hint = "run `dockaudit db update`, or `dockaudit db build --from DIR` offline";
            match args.format {
                Format::Json => {
                    let doc = serde_json::json!({
                        "path": path,
                        "exists": false,
                        "message": format!("no vulnerability database: {hint}"),
                    });
                    serde_json::to_writer_pretty(&mut out, &doc)?;
                    writeln!(out)?;
                }
                Format::Terminal => writeln!(
                    out,
                    "database:  none at {}\n           {hint}",
                    path.display()
                )?,
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    let st = db.status(time::OffsetDateTime::now_utc())?;
    let osv_sources = dockaudit_vulndb::osv::sources(&db);
    match args.format {
        Format::Json => {
            let mut doc = serde_json::to_value(&st)?;
            if let Some(object) = doc.as_object_mut() {
                object.insert("exists".into(), serde_json::Value::Bool(true));
                object.insert("osv_sources".into(), serde_json::to_value(&osv_sources)?);
            }
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Terminal => write_status(&mut out, &st, &osv_sources)?,
    }
    if st.stale {
        let _ = writeln!(
            anstream::stderr(),
            "dockaudit: warning: the vulnerability database is {} days old (more than {STALE_AFTER_DAYS}): run `dockaudit db update`",
            st.age_days
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn write_status(
    out: &mut impl Write,
    st: &DbStatus,
    osv: &[dockaudit_vulndb::osv::OsvSourceInfo],
) -> Result<()> {
    let m = &st.metadata;
    writeln!(
        out,
        "database:  {} ({})",
        st.path.display(),
        human_bytes(st.file_bytes)
    )?;
    let age = match st.age_days {
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n if n == i64::MAX => "unknown".to_owned(),
        n => format!("{n} days ago"),
    };
    writeln!(out, "built:     {} ({age}) by {}", m.built_at, m.built_by)?;
    writeln!(
        out,
        "schema:    {}; end-of-life table as of {}",
        m.schema_version,
        m.eol_table_as_of.as_deref().unwrap_or("-")
    )?;
    writeln!(out)?;
    let mut sources = comfy_table::Table::new();
    sources.load_style(comfy_table::presets::NOTHING);
    sources.set_header(["SOURCE", "RECORDS", "FETCHED", "SIZE", "SHA-256", "URL"]);
    for s in &m.sources {
        sources.add_row([
            s.name.clone(),
            s.records.to_string(),
            s.fetched_at
                .get(..19)
                .unwrap_or(&s.fetched_at)
                .replace('T', " "),
            human_bytes(s.bytes),
            s.sha256.get(..12).unwrap_or(&s.sha256).to_owned(),
            s.url.clone(),
        ]);
    }
    // OSV's application-package records: RECORDS counts affected packages.
    for s in osv {
        sources.add_row([
            s.name.clone(),
            s.records.to_string(),
            s.fetched_at
                .get(..19)
                .unwrap_or(&s.fetched_at)
                .replace('T', " "),
            human_bytes(s.bytes),
            s.sha256.get(..12).unwrap_or(&s.sha256).to_owned(),
            s.url.clone(),
        ]);
    }
    writeln!(out, "{sources}")?;
    writeln!(out)?;
    let mut counts = comfy_table::Table::new();
    counts.load_style(comfy_table::presets::NOTHING);
    let mut header = vec![
        "DISTRO".to_owned(),
        "RELEASE".to_owned(),
        "RECORDS".to_owned(),
    ];
    header.extend(Status::ALL.iter().map(|s| s.as_str().to_uppercase()));
    counts.set_header(header);
    for r in &st.releases {
        let mut row = vec![r.distro.to_string(), r.release.clone(), r.total.to_string()];
        row.extend(
            Status::ALL
                .iter()
                .map(|s| r.by_status.get(s).copied().unwrap_or(0).to_string()),
        );
        counts.add_row(row);
    }
    writeln!(out, "{counts}")?;
    Ok(())
}
