//! `dockaudit.toml`: what the command line sets, kept with the project, and the `[[ignore]]`
//! entries that accept a known risk.
//!
//! Found with `--config FILE`, else `./dockaudit.toml`, else `$XDG_CONFIG_HOME/dockaudit/dockaudit.toml`
//! (`~/.config/dockaudit/dockaudit.toml`). A command-line value replaces the file's. `dockaudit image`
//! reads the same file for what applies to one image: rules, severities, ignores and `fail-on`. Every mistake
//! (malformed TOML, unknown key, wrong type, unknown rule, missing reason) is an error naming the
//! file, line and key; nothing is silently ignored.
//!
//! ```toml
//! fail-on = "medium"
//! format = ["terminal", "sarif=audit.sarif", "html=audit.html"]
//! color = "auto"
//! no-image-scan = false
//! [engine]
//! host = "tcp://build-host:2376"          # or a list: a fleet, audited into one report
//! context = ["prod"]                       # Docker contexts, with or instead of hosts
//! timeout = 60
//! concurrency = 8
//! no-logs = true
//! no-sizes = false
//! host-root = "/host"
//! [vulnerabilities]
//! ignore-unfixed = true
//! severity = ["critical", "high"]
//! [rules]
//! select = ["CTR", "mounts"]
//! ignore = ["LOG004"]
//! [targets]
//! container = ["web-*"]
//! exclude-container = []
//! label = ["com.docker.compose.project=shop"]
//! exclude-label = []
//! [[ignore]]
//! rule = "CTR001"
//! target = "legacy-*"
//! reason = "the vendor appliance needs it; tracked in OPS-123"
//! expires = 2027-03-31
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use dockaudit_report::{Location, Severity};
use dockaudit_rules::{IgnoreEntry, Suppressions, RULES};
use serde::Deserialize;
use toml::Spanned;

use dockaudit_collect::EndpointEnv;

use crate::cli::{
    parse_format_spec, AuditArgs, ColorWhen, EngineArgs, FailOn, FormatSpec, ReportFormat,
};

/// The file name looked for.
pub const FILE_NAME: &str = "dockaudit.toml";

/// A configuration mistake, with where it is.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}: {key}{message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// `key `name`: `, or empty when the mistake is not about one key.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    fail_on: Option<Spanned<String>>,
    format: Option<Spanned<OneOrMany>>,
    color: Option<Spanned<String>>,
    no_image_scan: Option<bool>,
    engine: Option<RawEngine>,
    vulnerabilities: Option<RawVulnerabilities>,
    rules: Option<RawRules>,
    targets: Option<RawTargets>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

/// `format = "json"` or `format = ["terminal", "sarif=audit.sarif"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEngine {
    host: Option<Spanned<OneOrMany>>,
    context: Option<Spanned<OneOrMany>>,
    timeout: Option<u64>,
    concurrency: Option<usize>,
    no_logs: Option<bool>,
    no_sizes: Option<bool>,
    host_root: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawVulnerabilities {
    ignore_unfixed: Option<bool>,
    severity: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRules {
    select: Option<Spanned<Vec<String>>>,
    ignore: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTargets {
    #[serde(default)]
    container: Vec<String>,
    #[serde(default)]
    exclude_container: Vec<String>,
    #[serde(default)]
    label: Vec<String>,
    #[serde(default)]
    exclude_label: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    rule: Spanned<String>,
    target: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

/// What a `dockaudit.toml` sets.
#[derive(Debug, Default)]
pub struct Config {
    /// `fail-on`: critical, high, medium, low, info or never.
    pub fail_on: Option<String>,
    /// `format`: the report formats of `audit`, as `--format` takes them.
    pub formats: Vec<FormatSpec>,
    /// `color`: auto, always or never.
    pub color: Option<ColorWhen>,
    /// `no-image-scan`.
    pub no_image_scan: bool,
    /// `[engine]`: how to reach the engine and how much to read.
    pub engine: EngineConfig,
    /// `[vulnerabilities] ignore-unfixed`.
    pub ignore_unfixed: bool,
    /// `[vulnerabilities] severity`: the distribution severities reported.
    pub vulnerability_severities: Vec<String>,
    /// `[rules] select`.
    pub select: Vec<String>,
    /// `[rules] ignore`.
    pub ignore: Vec<String>,
    /// `[targets] container`.
    pub containers: Vec<String>,
    /// `[targets] exclude-container`.
    pub exclude_containers: Vec<String>,
    /// `[targets] label`.
    pub labels: Vec<String>,
    /// `[targets] exclude-label`.
    pub exclude_labels: Vec<String>,
    /// What the engine applies: ignores and severity overrides.
    pub policy: Policy,
}

/// `[engine]`: what `--host`, `--timeout`, `--concurrency`, `--no-logs`, `--no-sizes` and
/// `--host-root` set.
#[derive(Debug, Default)]
pub struct EngineConfig {
    /// `host`: the endpoint URL (the first, when the file lists several).
    pub host: Option<String>,
    /// `host` as a list: every endpoint URL (`host = ["unix:///…", "tcp://…"]` is a fleet).
    pub hosts: Vec<String>,
    /// `context`: Docker contexts, one or a list.
    pub contexts: Vec<String>,
    /// `timeout`: seconds per request.
    pub timeout: Option<u64>,
    /// `concurrency`: requests in flight.
    pub concurrency: Option<usize>,
    /// `no-logs`.
    pub no_logs: bool,
    /// `no-sizes`.
    pub no_sizes: bool,
    /// `host-root`.
    pub host_root: Option<PathBuf>,
}

/// What the engine applies centrally, from the configuration.
#[derive(Debug, Default)]
pub struct Policy {
    /// The `[[ignore]]` entries, validated.
    pub suppressions: Suppressions,
    /// `[severity]`: rule id to severity.
    pub severity: BTreeMap<String, Severity>,
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Where the configuration is: `explicit`, else `dockaudit.toml` in the working directory, else in
/// the user's config directory. `None` when there is none.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    // Found in the working directory, it is named relative to it, as the user and a SARIF viewer
    // (which resolves paths against the checkout) know it.
    if Path::new(FILE_NAME).is_file() {
        return Some(PathBuf::from(FILE_NAME));
    }
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let dir = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let user = dir.join("dockaudit").join(FILE_NAME);
    user.is_file().then_some(user)
}

/// Reads and validates the configuration at `path`.
pub fn load(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read configuration {}: {e}", path.display()))?;
    Ok(parse(&text, &path.display().to_string())?)
}

/// Parses and validates configuration `text` read from `path` (named in errors).
pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
    let err = |offset: usize, key: &str, message: String| ConfigError {
        path: path.to_string(),
        line: line_of(text, offset),
        key: if key.is_empty() {
            String::new()
        } else {
            format!("key `{key}`: ")
        },
        message,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        err(offset, "", e.message().trim_end().to_string())
    })?;

    let mut config = Config::default();
    if let Some(f) = raw.fail_on {
        let v = f.get_ref().to_ascii_lowercase();
        if !["critical", "high", "medium", "low", "info", "never"].contains(&v.as_str()) {
            return Err(err(
                f.span().start,
                "fail-on",
                format!(
                    "`{}` is not a threshold: use critical, high, medium, low, info or never",
                    f.get_ref()
                ),
            ));
        }
        config.fail_on = Some(v);
    }
    if let Some(f) = raw.format {
        let at = f.span().start;
        let values = match f.into_inner() {
            OneOrMany::One(v) => vec![v],
            OneOrMany::Many(v) => v,
        };
        for v in values {
            let spec = parse_format_spec(&v).map_err(|e| err(at, "format", e))?;
            config.formats.push(spec);
        }
    }
    if let Some(c) = raw.color {
        let value = ColorWhen::from_str(c.get_ref(), true).map_err(|_| {
            err(
                c.span().start,
                "color",
                format!(
                    "`{}` is not a colour choice: use auto, always or never",
                    c.get_ref()
                ),
            )
        })?;
        config.color = Some(value);
    }
    config.no_image_scan = raw.no_image_scan.unwrap_or(false);
    if let Some(e) = raw.engine {
        let list = |v: Option<Spanned<OneOrMany>>| -> (usize, Vec<String>) {
            match v {
                None => (0, Vec::new()),
                Some(v) => {
                    let at = v.span().start;
                    match v.into_inner() {
                        OneOrMany::One(one) => (at, vec![one]),
                        OneOrMany::Many(many) => (at, many),
                    }
                }
            }
        };
        let (at, hosts) = list(e.host);
        for host in &hosts {
            // The same check `--host` gets, before any connection is tried.
            dockaudit_collect::resolve_endpoint(Some(host), &EndpointEnv::default())
                .map_err(|x| err(at, "engine.host", x.to_string()))?;
        }
        let (_, contexts) = list(e.context);
        config.engine = EngineConfig {
            host: hosts.first().cloned(),
            hosts,
            contexts,
            timeout: e.timeout,
            concurrency: e.concurrency,
            no_logs: e.no_logs.unwrap_or(false),
            no_sizes: e.no_sizes.unwrap_or(false),
            host_root: e.host_root,
        };
    }
    if let Some(v) = raw.vulnerabilities {
        config.ignore_unfixed = v.ignore_unfixed.unwrap_or(false);
        if let Some(list) = v.severity {
            for s in list.get_ref() {
                crate::commands::image::parse_vuln_severity(s)
                    .map_err(|e| err(list.span().start, "vulnerabilities.severity", e))?;
            }
            config.vulnerability_severities = list.into_inner();
        }
    }
    if let Some(rules) = raw.rules {
        for (key, list, out) in [
            ("rules.select", rules.select, &mut config.select),
            ("rules.ignore", rules.ignore, &mut config.ignore),
        ] {
            if let Some(list) = list {
                // Each value must name something: the same check the command line gets.
                for v in list.get_ref() {
                    dockaudit_rules::RuleSelection::new(std::slice::from_ref(v), &[], RULES)
                        .map_err(|e| err(list.span().start, key, e.to_string()))?;
                }
                *out = list.into_inner();
            }
        }
    }
    if let Some(t) = raw.targets {
        dockaudit_rules::TargetFilter::new(
            &t.container,
            &t.exclude_container,
            &t.label,
            &t.exclude_label,
        )
        .map_err(|e| err(0, "targets", e.to_string()))?;
        config.containers = t.container;
        config.exclude_containers = t.exclude_container;
        config.labels = t.label;
        config.exclude_labels = t.exclude_label;
    }

    for (rule, value) in raw.severity {
        let key = format!("severity.{rule}");
        let at = value.span().start;
        let id = RULES
            .iter()
            .find(|r| r.meta.id.eq_ignore_ascii_case(&rule) || r.meta.name == rule)
            .map(|r| r.meta.id)
            .ok_or_else(|| {
                err(
                    at,
                    &key,
                    format!("no rule `{rule}`; `dockaudit rules` lists them"),
                )
            })?;
        let severity = Severity::parse(value.get_ref()).ok_or_else(|| {
            err(
                at,
                &key,
                format!(
                    "`{}` is not a severity: use critical, high, medium, low or info",
                    value.get_ref()
                ),
            )
        })?;
        config.policy.severity.insert(id.to_string(), severity);
    }

    let mut entries = Vec::new();
    for (n, item) in raw.ignore.into_iter().enumerate() {
        let start = item.span().start;
        let key = |k: &str| format!("ignore[{n}].{k}");
        let item = item.into_inner();
        let rule_span = item.rule.span().start;
        let reason = match item.reason {
            Some(r) if !r.get_ref().trim().is_empty() => r.into_inner(),
            Some(r) => {
                return Err(err(
                    r.span().start,
                    &key("reason"),
                    "the reason is blank: say why the risk is accepted".into(),
                ))
            }
            None => {
                return Err(err(
                    start,
                    &key("reason"),
                    "missing: every ignore needs a reason saying why the risk is accepted".into(),
                ))
            }
        };
        let expires = match item.expires {
            None => None,
            Some(v) => {
                let at = v.span().start;
                let text = match v.into_inner() {
                    toml::Value::String(s) => s,
                    toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                        d.to_string()
                    }
                    other => {
                        return Err(err(
                            at,
                            &key("expires"),
                            format!("`{other}` is not a date: write expires = 2027-03-31"),
                        ))
                    }
                };
                Some((text, at))
            }
        };
        let entry = IgnoreEntry {
            rule: item.rule.get_ref().clone(),
            target: item.target.map(Spanned::into_inner),
            reason,
            expires: expires.as_ref().map(|(t, _)| t.clone()),
            origin: Some(Location {
                path: path.to_string(),
                line: line_of(text, start),
                column: 1,
            }),
        };
        // Validate one at a time, so the error points at the entry at fault.
        if let Err(e) = Suppressions::new(vec![entry.clone()], RULES) {
            let (field, at) = match e {
                dockaudit_rules::SuppressError::UnknownRule(_)
                | dockaudit_rules::SuppressError::IgnoresItself(_) => ("rule", rule_span),
                dockaudit_rules::SuppressError::BadDate(..) => {
                    ("expires", expires.as_ref().map_or(start, |(_, at)| *at))
                }
                dockaudit_rules::SuppressError::BadGlob(..) => ("target", start),
                dockaudit_rules::SuppressError::NoReason(_) => ("reason", start),
            };
            return Err(err(at, &key(field), e.to_string()));
        }
        entries.push(entry);
    }
    config.policy.suppressions =
        Suppressions::new(entries, RULES).map_err(|e| err(0, "ignore", e.to_string()))?;
    Ok(config)
}

/// `dockaudit baseline`: what to audit, as for `audit`; it writes TOML, so none of `audit`'s
/// report options (format, colour, fail-on, verbosity) apply.
#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub engine: crate::cli::EngineArgs,
    #[command(flatten)]
    pub targets: crate::cli::TargetArgs,
    /// Write the baseline for this snapshot file (from `dockaudit collect`) instead of a live engine.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host", "contexts"])]
    pub snapshot: Option<PathBuf>,
    /// Write the ignore entries to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: ./dockaudit.toml, then ~/.config/dockaudit/dockaudit.toml]: its
    /// ignores are honoured (an accepted finding gets no second entry).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: crate::cli::RuleArgs,
    /// Do not look inside the images the containers use.
    #[arg(long)]
    pub no_image_scan: bool,
    #[command(flatten)]
    pub vulns: crate::commands::image::VulnArgs,
}

impl BaselineArgs {
    /// The audit a baseline is written from.
    pub fn into_audit(self) -> AuditArgs {
        AuditArgs {
            engine: self.engine,
            targets: self.targets,
            snapshot: self.snapshot.into_iter().collect(),
            format: Vec::new(),
            output: self.output,
            fail_on: None,
            config: self.config,
            rules: self.rules,
            color: None,
            verbose: false,
            quiet: false,
            no_image_scan: self.no_image_scan,
            vulns: self.vulns,
        }
    }
}

/// Finds and reads the configuration (`explicit`, else the usual places); the default when there
/// is none.
pub fn find_and_load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    match find(explicit) {
        Some(path) => load(&path),
        None => Ok(Config::default()),
    }
}

/// Finds and reads the configuration for `args` and merges it in: a list or threshold given on the
/// command line replaces the file's, and with no format anywhere the report goes to the terminal.
/// Returns the merged arguments and the validated ignores.
pub fn apply(mut args: AuditArgs) -> anyhow::Result<(AuditArgs, Policy)> {
    let config = find_and_load(args.config.as_deref())?;
    let fill = |cli: &mut Vec<String>, file: Vec<String>| {
        if cli.is_empty() {
            *cli = file;
        }
    };
    if args.format.is_empty() {
        args.format = config.formats;
    }
    args.color = args.color.or(config.color);
    args.no_image_scan |= config.no_image_scan;
    // A snapshot audit reads no engine: the file's host must not conflict with --snapshot.
    let reads_engine = args.snapshot.is_empty();
    apply_engine(&mut args.engine, config.engine, reads_engine);
    args.vulns.ignore_unfixed |= config.ignore_unfixed;
    fill(&mut args.vulns.severities, config.vulnerability_severities);
    fill(&mut args.rules.select, config.select);
    fill(&mut args.rules.ignore, config.ignore);
    fill(&mut args.targets.containers, config.containers);
    fill(
        &mut args.targets.exclude_containers,
        config.exclude_containers,
    );
    fill(&mut args.targets.labels, config.labels);
    fill(&mut args.targets.exclude_labels, config.exclude_labels);
    if args.fail_on.is_none() {
        args.fail_on = config
            .fail_on
            .map(|v| FailOn::from_str(&v, true).map_err(anyhow::Error::msg))
            .transpose()?;
    }
    if args.format.is_empty() {
        args.format.push(FormatSpec {
            format: ReportFormat::Terminal,
            file: None,
        });
    }
    Ok((args, config.policy))
}

/// Fills what the command line left unset in `engine` from the file's `[engine]` section (`host`
/// only when `reads_engine`: an audit of a snapshot file reaches no engine). `audit`, `baseline`
/// and `collect` share it, so one file configures every command that reads the engine.
pub fn apply_engine(engine: &mut EngineArgs, file: EngineConfig, reads_engine: bool) {
    // Endpoints on the command line (hosts or contexts) replace the file's, all of them.
    if reads_engine && engine.host.is_empty() && engine.contexts.is_empty() {
        engine.host = file.hosts;
        engine.contexts = file.contexts;
    }
    engine.timeout = engine.timeout.or(file.timeout);
    engine.concurrency = engine.concurrency.or(file.concurrency);
    engine.no_logs |= file.no_logs;
    engine.no_sizes |= file.no_sizes;
    if engine.host_root.is_none() {
        engine.host_root = file.host_root;
    }
}

/// Writes the baseline of `report` to `--output` or stdout.
pub fn write_baseline(report: &dockaudit_report::Report, args: &AuditArgs) -> anyhow::Result<()> {
    let text = baseline(report);
    match &args.output {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write baseline {}: {e}", path.display()))?,
        None => crate::output::write_stdout(&mut std::io::stdout().lock(), text.as_bytes())?,
    }
    Ok(())
}

/// A `dockaudit.toml` fragment with one `[[ignore]]` entry per finding of `report` that is not
/// already suppressed (META findings excluded), each with a reason to fill in.
pub fn baseline(report: &dockaudit_report::Report) -> String {
    let mut out = String::from(
        "# Written by `dockaudit baseline`: every finding of this audit, accepted.\n\
         # Replace each reason with why the risk is accepted, or fix the finding and delete the entry.\n",
    );
    let mut seen = std::collections::BTreeSet::new();
    for f in &report.findings {
        if f.suppressed.is_some() || f.rule.starts_with("META") {
            continue;
        }
        let target = if f.target.name.is_empty() {
            &f.target.id
        } else {
            &f.target.name
        };
        if !seen.insert((f.rule.clone(), target.clone())) {
            continue;
        }
        let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
        out.push_str(&format!(
            "\n[[ignore]]\nrule = {}  # {}\ntarget = {}\nreason = \"TODO: why is this accepted?\"\n",
            quoted(&f.rule),
            f.name,
            quoted(&glob_escape(target)),
        ));
    }
    out
}

/// Escapes glob metacharacters so a name matches only itself.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_example_is_a_valid_configuration() {
        let readme = include_str!("../../../README.md");
        let (_, rest) = readme
            .split_once("```toml\n")
            .expect("the README shows a dockaudit.toml");
        let (example, _) = rest.split_once("```").unwrap();
        let config = parse(example, "README.md").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.formats.len(), 3);
        assert_eq!(config.policy.severity.get("CTR015"), Some(&Severity::Info));
        assert!(!config.policy.suppressions.is_empty());
    }

    #[test]
    fn a_full_file_is_read() {
        let c = parse(
            r#"
fail-on = "Medium"
[rules]
select = ["CTR", "mounts"]
ignore = ["CTR002"]
[targets]
container = ["web-*"]
label = ["com.docker.compose.project=shop"]
[severity]
CTR002 = "low"
privileged-container = "medium"

[[ignore]]
rule = "CTR001"
target = "legacy-*"
reason = "vendor appliance"
expires = 2027-03-31

[[ignore]]
rule = "privileged-container"
reason = "string date"
expires = "2027-01-01"
"#,
            "dockaudit.toml",
        )
        .expect("valid");
        assert_eq!(c.fail_on.as_deref(), Some("medium"));
        assert_eq!(c.select, vec!["CTR", "mounts"]);
        assert_eq!(c.ignore, vec!["CTR002"]);
        assert_eq!(c.containers, vec!["web-*"]);
        assert!(!c.policy.suppressions.is_empty());
        assert_eq!(c.policy.severity.get("CTR002"), Some(&Severity::Low));
        assert_eq!(c.policy.severity.get("CTR001"), Some(&Severity::Medium));
    }

    #[test]
    fn engine_vulnerability_and_output_settings_are_read() {
        let c = parse(
            r#"
color = "never"
no-image-scan = true
[engine]
host = "tcp://build-host:2376"
timeout = 60
concurrency = 4
no-logs = true
host-root = "/host"
[vulnerabilities]
ignore-unfixed = true
severity = ["critical", "High"]
"#,
            "dockaudit.toml",
        )
        .expect("valid");
        assert_eq!(c.color, Some(ColorWhen::Never));
        assert!(c.no_image_scan && c.ignore_unfixed);
        assert_eq!(c.engine.host.as_deref(), Some("tcp://build-host:2376"));
        assert_eq!(
            (c.engine.timeout, c.engine.concurrency),
            (Some(60), Some(4))
        );
        assert!(c.engine.no_logs && !c.engine.no_sizes);
        assert_eq!(c.engine.host_root, Some(PathBuf::from("/host")));
        assert_eq!(c.vulnerability_severities, vec!["critical", "High"]);
    }

    #[test]
    fn bad_engine_vulnerability_and_output_settings_name_their_line() {
        let e = error("[engine]\nhost = \"ftp://x\"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:2: key `engine.host`: "),
            "{e}"
        );
        let e = error("\n[vulnerabilities]\nseverity = [\"awful\"]\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:3: key `vulnerabilities.severity`: "),
            "{e}"
        );
        let e = error("color = \"sometimes\"\n");
        assert!(
            e.contains(":1: key `color`: `sometimes` is not a colour choice"),
            "{e}"
        );
        let e = error("[engine]\ntimeout = \"soon\"\n");
        assert!(e.starts_with("/etc/x/dockaudit.toml:2: "), "{e}");
        let e = error("[engine]\nsocket = \"/x\"\n");
        assert!(e.contains("unknown field `socket`"), "{e}");
    }

    fn error(text: &str) -> String {
        parse(text, "/etc/x/dockaudit.toml")
            .expect_err("invalid")
            .to_string()
    }

    #[test]
    fn a_fleet_of_hosts_and_contexts_is_read_and_each_host_checked() {
        let c = parse(
            "[engine]\nhost = [\"unix:///run/a.sock\", \"tcp://b:2376\"]\ncontext = \"prod\"\n",
            "dockaudit.toml",
        )
        .expect("valid");
        assert_eq!(c.engine.hosts, ["unix:///run/a.sock", "tcp://b:2376"]);
        assert_eq!(c.engine.host.as_deref(), Some("unix:///run/a.sock"));
        assert_eq!(c.engine.contexts, ["prod"]);
        let e = error("[engine]\nhost = [\"unix:///run/a.sock\", \"ftp://x\"]\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:2: key `engine.host`: "),
            "{e}"
        );
        // The command line's endpoints replace the file's, hosts and contexts alike.
        let mut engine = crate::cli::EngineArgs {
            host: Vec::new(),
            contexts: vec!["staging".into()],
            timeout: None,
            concurrency: None,
            no_logs: false,
            no_sizes: false,
            host_root: None,
        };
        apply_engine(&mut engine, c.engine, true);
        assert!(engine.host.is_empty());
        assert_eq!(engine.contexts, ["staging"]);
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        let e = error("fail-on = \"high\"\n\n[rules\nselect = []\n");
        assert!(e.starts_with("/etc/x/dockaudit.toml:3: "), "{e}");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_file_line_and_key() {
        let e = error("[rules]\nselect = [\"CTR\"]\nsellect = [\"x\"]\n");
        assert!(e.starts_with("/etc/x/dockaudit.toml:3: "), "{e}");
        assert!(e.contains("sellect"), "{e}");
        let e = error("\nfail-on = \"hihg\"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:2: key `fail-on`"),
            "{e}"
        );
        let e = error("[rules]\n\nselect = [\"NOPE999\"]\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:3: key `rules.select`"),
            "{e}"
        );
        let e = error("[[ignore]]\nrule = \"NOPE999\"\nreason = \"r\"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:2: key `ignore[0].rule`"),
            "{e}"
        );
        let e = error("[[ignore]]\nrule = \"CTR001\"\nreason = \"r\"\nexpires = \"soon\"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:4: key `ignore[0].expires`"),
            "{e}"
        );
        let e = error("[severity]\nCTR001 = \"low\"\nCTR002 = \"urgent\"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:3: key `severity.CTR002`"),
            "{e}"
        );
        let e = error("[[ignore]]\nrule = \"CTR001\"\nreason = \"r\"\ncolour = 1\n");
        assert!(e.contains(":4: "), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn a_reason_is_required() {
        let e = error("[[ignore]]\nrule = \"CTR001\"\n\n[[ignore]]\nrule = \"CTR002\"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:1: key `ignore[0].reason`: missing"),
            "{e}"
        );
        let e = error("[[ignore]]\nrule = \"CTR001\"\nreason = \" \"\n");
        assert!(
            e.starts_with("/etc/x/dockaudit.toml:3: key `ignore[0].reason`"),
            "{e}"
        );
    }

    #[test]
    fn a_baseline_reads_back_as_ignores_with_a_reason_to_fill_in() {
        use dockaudit_report::{Category, Finding, Report, Severity, Target};
        let finding = |rule: &str, name: &str| Finding {
            rule: rule.into(),
            name: "privileged-container".into(),
            title: String::new(),
            category: Category::Containers,
            severity: Severity::Critical,
            cis: vec![],
            target: Target {
                kind: "container".into(),
                id: "abc".into(),
                name: name.into(),
            },
            message: String::new(),
            evidence: serde_json::Value::Null,
            remediation: String::new(),
            location: None,
            suppressed: None,
            host: None,
        };
        let report = Report {
            findings: vec![finding("CTR001", "web[1]"), finding("CTR001", "web[1]")],
            ..serde_json::from_value::<Report>(serde_json::json!({
                "schema_version": 1, "tool": {"name": "dockaudit", "version": "t"},
                "engine": {"kind": "docker", "version": "", "api_version": "", "endpoint": ""},
                "collected_at": "", "summary": {"rules": 0, "evaluated": 0, "passed": 0,
                "failed": 0, "skipped": 0, "by_severity": {"critical": 0, "high": 0,
                "medium": 0, "low": 0, "info": 0}}, "findings": [], "skipped": [], "gaps": [],
                "results": []
            }))
            .expect("report")
        };
        let text = baseline(&report);
        assert_eq!(text.matches("[[ignore]]").count(), 1, "{text}");
        assert!(text.contains("reason = \"TODO: why is this accepted?\""));
        let c = parse(&text, "baseline.toml").expect("a baseline is a valid config");
        assert!(!c.policy.suppressions.is_empty());
    }
}
