//! What the rules see of source files (Dockerfiles and Compose projects), and how a rule judges
//! them under its own id.
//!
//! A rule whose concept exists in source (CTR001 privileged: `privileged: true` on a Compose
//! service; IMG001 runs as root: no non-root `USER` in a Dockerfile) adds a [`SourceCheck`] beside
//! its runtime `check`, in its own file; the rules only source can judge (the `DKF` Dockerfile and
//! `CMP` Compose families) have a runtime `check` that is never called ([`Rule::judges_source_only`]).
//! [`SOURCE_CHECKS`] lists the source checks in id order; `engine::lint` runs them.

use dockaudit_report::Target;
use dockaudit_source::compose::{At, ComposeProject, Service};
use dockaudit_source::dockerfile::Dockerfile;
use dockaudit_source::Pos;

use crate::input::AuditInput;
use crate::rule::{Checks, Failure};
use crate::Rule;

/// The parsed source files a lint judges.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceInput<'a> {
    /// Dockerfiles.
    pub dockerfiles: &'a [Dockerfile],
    /// Compose projects (their files merged).
    pub compose: &'a [ComposeProject],
}

impl SourceInput<'_> {
    /// Every service of every project, with its project.
    pub fn services(&self) -> impl Iterator<Item = (&ComposeProject, &Service)> {
        self.compose
            .iter()
            .flat_map(|p| p.services.iter().map(move |s| (p, s)))
    }
}

/// A rule's judgement of source files, registered under the rule's id.
#[derive(Clone, Copy)]
pub struct SourceCheck {
    /// The id of the rule it belongs to.
    pub id: &'static str,
    /// The check. Pure: reads only `input`, reports only into `checks`, every failure with a
    /// location.
    pub check: fn(&SourceInput, &mut Checks),
}

impl std::fmt::Debug for SourceCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceCheck").field("id", &self.id).finish()
    }
}

/// The runtime check of a rule that judges only source: never called, since the engine does not
/// run source-only rules over a Snapshot.
pub fn source_only(_: &AuditInput, _: &mut Checks) {}

impl Rule {
    /// Whether the rule judges only source files (the `DKF` and `CMP` families): `audit` does not
    /// run it over a Snapshot; `lint` does.
    pub fn judges_source_only(&self) -> bool {
        self.meta.id.starts_with("DKF") || self.meta.id.starts_with("CMP")
    }
}

/// The source check of the rule with this id.
pub fn source_check(id: &str) -> Option<&'static SourceCheck> {
    crate::registry::SOURCE_CHECKS.iter().find(|c| c.id == id)
}

/// The report target for a Dockerfile.
pub fn dockerfile_target(df: &Dockerfile) -> Target {
    Target {
        kind: "file".into(),
        id: df.path.clone(),
        name: df.path.clone(),
    }
}

/// The report target for a Compose service: kind `service`, id `FILE#SERVICE` (the project's
/// first file), name the service's name.
pub fn service_target(project: &ComposeProject, service: &Service) -> Target {
    Target {
        kind: "service".into(),
        id: format!("{}#{}", project.main_file(), service.name),
        name: service.name.clone(),
    }
}

/// Reports a failure on a Dockerfile at `pos`.
pub fn fail_dockerfile<'c>(
    checks: &'c mut Checks,
    df: &Dockerfile,
    pos: Pos,
    message: impl Into<String>,
) -> &'c mut Failure {
    let f = checks.fail(dockerfile_target(df), message);
    f.location(df.path.clone(), pos.line, pos.column);
    f
}

/// Reports a failure on a Compose service at `at` (file and position).
pub fn fail_service<'c>(
    checks: &'c mut Checks,
    project: &ComposeProject,
    service: &Service,
    at: &At,
    message: impl Into<String>,
) -> &'c mut Failure {
    let f = checks.fail(service_target(project, service), message);
    f.location(at.file.clone(), at.pos.line, at.pos.column);
    f
}

/// One problem a source check found: where, what, facts, and a severity other than the rule's.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Where (file and position).
    pub at: dockaudit_source::compose::At,
    /// What is wrong.
    pub message: String,
    /// Facts the judgement rests on.
    pub evidence: serde_json::Value,
    /// A severity other than the rule's default.
    pub severity: Option<dockaudit_report::Severity>,
}

impl Hit {
    /// A problem at `pos` of the Dockerfile.
    pub fn in_dockerfile(df: &Dockerfile, pos: Pos, message: impl Into<String>) -> Hit {
        Hit::at(
            &dockaudit_source::compose::At {
                file: df.path.clone(),
                pos,
            },
            message,
        )
    }

    /// A problem at `at`.
    pub fn at(at: &dockaudit_source::compose::At, message: impl Into<String>) -> Hit {
        Hit {
            at: at.clone(),
            message: message.into(),
            evidence: serde_json::Value::Null,
            severity: None,
        }
    }

    /// Attaches evidence.
    pub fn evidence(mut self, evidence: serde_json::Value) -> Hit {
        self.evidence = evidence;
        self
    }

    /// Overrides the severity.
    pub fn severity(mut self, severity: dockaudit_report::Severity) -> Hit {
        self.severity = Some(severity);
        self
    }
}

fn record(checks: &mut Checks, target: Target, hits: Vec<Hit>) {
    if hits.is_empty() {
        checks.pass(target);
        return;
    }
    for h in hits {
        let f = checks.fail(target.clone(), h.message);
        f.location(h.at.file, h.at.pos.line, h.at.pos.column);
        f.evidence(h.evidence);
        if let Some(s) = h.severity {
            f.severity(s);
        }
    }
}

/// Judges each Dockerfile: no hits passes it, each hit is a finding at its place.
pub fn each_dockerfile(
    checks: &mut Checks,
    input: &SourceInput,
    judge: impl Fn(&Dockerfile) -> Vec<Hit>,
) {
    for df in input.dockerfiles {
        record(checks, dockerfile_target(df), judge(df));
    }
}

/// Judges each Compose service: no hits passes it, each hit is a finding at its place; `None`
/// (the file does not say, e.g. no `user:`, so the image decides) judges nothing.
pub fn each_service(
    checks: &mut Checks,
    input: &SourceInput,
    judge: impl Fn(&ComposeProject, &Service) -> Option<Vec<Hit>>,
) {
    for (project, service) in input.services() {
        if let Some(hits) = judge(project, service) {
            record(checks, service_target(project, service), hits);
        }
    }
}

/// One hit at `at`, as `each_service` takes it.
pub fn one(at: &At, message: impl Into<String>) -> Option<Vec<Hit>> {
    Some(vec![Hit::at(at, message)])
}

/// A Compose mount (`volumes:` short or long syntax).
#[derive(Debug, Clone)]
pub struct ComposeMount<'a> {
    /// `bind` (a host path) or `volume` (a named volume), `tmpfs`…
    pub kind: String,
    /// The host path or volume name (empty for an anonymous volume).
    pub source: String,
    /// The path in the container.
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Where it is written.
    pub at: &'a At,
}

/// The service's `volumes`, host paths made absolute against the project directory (`~` is left
/// as written: whose home it is depends on who runs Compose).
pub fn compose_mounts<'a>(project: &ComposeProject, service: &'a Service) -> Vec<ComposeMount<'a>> {
    let Some(list) = service.get("volumes") else {
        return Vec::new();
    };
    let absolute = |src: &str| -> String {
        if src.starts_with('/') {
            normalize(std::path::Path::new(src))
        } else if src.starts_with('.') {
            normalize(&project.working_dir.join(src))
        } else {
            src.to_string()
        }
    };
    list.as_seq()
        .iter()
        .filter_map(|item| {
            if let Some(s) = item.as_str() {
                let parts: Vec<&str> = s.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [t] => ("", *t, ""),
                    [s, t] => (*s, *t, ""),
                    [s, t, m, ..] => (*s, *t, *m),
                    [] => return None,
                };
                let bind =
                    source.starts_with('/') || source.starts_with('.') || source.starts_with('~');
                Some(ComposeMount {
                    kind: if bind { "bind" } else { "volume" }.into(),
                    source: if bind {
                        absolute(source)
                    } else {
                        source.to_string()
                    },
                    target: trim_target(target),
                    read_only: mode.split(',').any(|m| m == "ro"),
                    at: &item.at,
                })
            } else {
                let kind = item
                    .get("type")
                    .and_then(|n| n.as_str())
                    .unwrap_or("volume")
                    .to_string();
                let source = item.get("source").and_then(|n| n.as_str()).unwrap_or("");
                Some(ComposeMount {
                    source: if kind == "bind" {
                        absolute(source)
                    } else {
                        source.to_string()
                    },
                    kind,
                    target: trim_target(item.get("target").and_then(|n| n.as_str()).unwrap_or("")),
                    read_only: item.get("read_only").is_some_and(|n| n.is_true()),
                    at: &item.at,
                })
            }
        })
        .collect()
}

/// A mount target without a trailing `/` (`/etc/pihole/` is `/etc/pihole`), as the engine reports it.
fn trim_target(target: &str) -> String {
    match target.trim_end_matches('/') {
        "" if target.starts_with('/') => "/".to_string(),
        t => t.to_string(),
    }
}

/// A path with `.` and `..` resolved lexically (as Compose does; symlinks are not followed), so
/// `./data/../../etc` is judged as the directory it names.
fn normalize(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// A published port of a Compose service.
#[derive(Debug, Clone)]
pub struct ComposePort<'a> {
    /// The host address (`None`: every interface).
    pub host_ip: Option<String>,
    /// The host port or range as written (`None`: an ephemeral port).
    pub published: Option<String>,
    /// The container port (`80`, `80/udp`).
    pub target: String,
    /// Where it is written.
    pub at: &'a At,
}

impl ComposePort<'_> {
    /// The first host port, when fixed.
    pub fn host_port(&self) -> Option<u16> {
        self.published.as_deref()?.split('-').next()?.parse().ok()
    }

    /// Whether it listens on every host address.
    pub fn on_all_interfaces(&self) -> bool {
        self.host_ip
            .as_deref()
            .is_none_or(|ip| ip.is_empty() || ip == "0.0.0.0" || ip == "::" || ip == "[::]")
    }

    /// The container port number.
    pub fn container_port(&self) -> Option<u16> {
        self.target.split(['/', '-']).next()?.parse().ok()
    }
}

/// The service's `ports` (short `[IP:][HOST:]CONTAINER[/PROTO]` and long syntax).
pub fn compose_ports(service: &Service) -> Vec<ComposePort<'_>> {
    let Some(list) = service.get("ports") else {
        return Vec::new();
    };
    list.as_seq()
        .iter()
        .filter_map(|item| {
            if let Some(s) = item.as_str() {
                // IPv6 host addresses are bracketed: `[::1]:80:80`.
                let (ip, rest) = match s.strip_prefix('[') {
                    Some(r) => {
                        let (ip, rest) = r.split_once("]:")?;
                        (Some(ip.to_string()), rest)
                    }
                    None => (None, s),
                };
                let parts: Vec<&str> = rest.split(':').collect();
                let (ip, published, target) = match (ip, parts.as_slice()) {
                    (ip, [t]) => (ip, None, *t),
                    (ip @ Some(_), [p, t]) => (ip, Some(*p), *t),
                    (None, [p, t]) => (None, Some(*p), *t),
                    (_, [i, p, t]) => (Some(i.to_string()), Some(*p), *t),
                    _ => return None,
                };
                Some(ComposePort {
                    host_ip: ip,
                    published: published.filter(|p| !p.is_empty()).map(str::to_string),
                    target: target.to_string(),
                    at: &item.at,
                })
            } else {
                let get = |k: &str| item.get(k).and_then(|n| n.as_str()).map(str::to_string);
                Some(ComposePort {
                    host_ip: get("host_ip"),
                    published: get("published"),
                    target: get("target").unwrap_or_default(),
                    at: &item.at,
                })
            }
        })
        .collect()
}

/// The service's `security_opt` entries, `:` and `=` forms alike (`seccomp=unconfined` reads as
/// `seccomp:unconfined`).
pub fn security_opts(service: &Service) -> Vec<(String, &At)> {
    service
        .list("security_opt")
        .into_iter()
        .map(|(s, at)| (s.replacen('=', ":", 1), at))
        .collect()
}

/// The first of these paths (`["deploy", "resources", "limits", "memory"]`) the service sets to a
/// non-empty, non-zero value.
pub fn first_set<'a>(service: &'a Service, paths: &[&[&str]]) -> Option<(&'a str, &'a At)> {
    paths.iter().find_map(|p| {
        let n = service.def.path(p)?;
        let v = n.as_str()?;
        (!v.is_empty() && v != "0").then_some((v, &n.at))
    })
}

/// Each `RUN` of a Dockerfile with its stage and the pipelines of its script.
pub fn runs(
    df: &Dockerfile,
) -> impl Iterator<
    Item = (
        &dockaudit_source::dockerfile::Stage,
        &dockaudit_source::dockerfile::Instruction,
        Vec<dockaudit_source::shell::Pipeline>,
    ),
> {
    df.instructions()
        .filter_map(|(stage, ins)| match &ins.kind {
            dockaudit_source::dockerfile::Kind::Run { .. } => {
                let script = ins.kind.script().unwrap_or_default();
                Some((stage, ins, dockaudit_source::shell::pipelines(&script)))
            }
            _ => None,
        })
}

/// Whether a simple command runs `program` with `sub` as its first non-option argument
/// (`apt-get install`, `pip install`).
pub fn runs_subcommand(command: &[String], programs: &[&str], subs: &[&str]) -> bool {
    let Some((i, prog)) = dockaudit_source::shell::program(command) else {
        return false;
    };
    programs.contains(&prog)
        && command[i + 1..]
            .iter()
            .find(|w| !w.starts_with('-'))
            .is_some_and(|w| subs.contains(&w.as_str()))
}

/// The label Compose writes on each container: the project's files, comma-separated.
pub const COMPOSE_CONFIG_FILES_LABEL: &str = "com.docker.compose.project.config_files";
/// The label Compose writes on each container: the project's directory.
pub const COMPOSE_WORKING_DIR_LABEL: &str = "com.docker.compose.project.working_dir";
/// The label Compose writes on each container: its service.
pub const COMPOSE_SERVICE_LABEL: &str = "com.docker.compose.service";

/// The Compose files (absolute, relative ones resolved against the working directory) and service
/// a container's labels name, if Compose created it.
pub fn compose_origin(
    c: &dockaudit_snapshot::Container,
) -> Option<(Vec<std::path::PathBuf>, String)> {
    let files = c.label(COMPOSE_CONFIG_FILES_LABEL)?;
    let service = c.label(COMPOSE_SERVICE_LABEL)?;
    let dir = c.label(COMPOSE_WORKING_DIR_LABEL).unwrap_or("");
    let files = files
        .split(',')
        .filter(|f| !f.is_empty())
        .map(|f| std::path::Path::new(dir).join(f))
        .collect::<Vec<_>>();
    (!files.is_empty()).then(|| (files, service.to_string()))
}

/// Adds to each container finding without a location the Compose line that set it: where the same
/// rule's source check finds the same problem on the container's service (`privileged: true` for
/// CTR001), else the service's name in its file. `projects` are the Compose projects the caller
/// could read, each keyed by the files as the containers' labels name them (`files`); `rules` the
/// rules to run over them. Pure: the caller reads the files.
pub fn link_to_compose(
    findings: &mut [dockaudit_report::Finding],
    snapshot: &dockaudit_snapshot::Snapshot,
    projects: &[(Vec<std::path::PathBuf>, ComposeProject)],
    rules: &[Rule],
) {
    use std::collections::HashMap;
    if projects.is_empty() {
        return;
    }
    let loaded: Vec<ComposeProject> = projects.iter().map(|(_, p)| p.clone()).collect();
    let linted = crate::engine::lint(
        &SourceInput {
            dockerfiles: &[],
            compose: &loaded,
        },
        rules,
        &crate::AuditOptions::default(),
        &snapshot.collected_at,
        Vec::new(),
    );
    // (project's main file, service, rule) → where the source check found it.
    let mut found: HashMap<(String, String, String), dockaudit_report::Location> = HashMap::new();
    for f in linted.findings {
        if let (Some(loc), Some((main, service))) = (f.location, f.target.id.rsplit_once('#')) {
            found
                .entry((main.to_string(), service.to_string(), f.rule))
                .or_insert(loc);
        }
    }
    let containers: HashMap<&str, &dockaudit_snapshot::Container> = snapshot
        .containers
        .iter()
        .map(|c| (c.inspect.id.as_str(), c))
        .collect();
    for finding in findings
        .iter_mut()
        .filter(|f| f.target.kind == "container" && f.location.is_none())
    {
        let Some((files, service)) = containers
            .get(finding.target.id.as_str())
            .and_then(|c| compose_origin(c))
        else {
            continue;
        };
        let Some((_, project)) = projects.iter().find(|(f, _)| *f == files) else {
            continue;
        };
        let Some(s) = project.service(&service) else {
            continue;
        };
        let key = (
            project.main_file().to_string(),
            service,
            finding.rule.clone(),
        );
        finding.location = Some(
            found
                .get(&key)
                .cloned()
                .unwrap_or(dockaudit_report::Location {
                    path: s.at.file.clone(),
                    line: s.at.pos.line,
                    column: s.at.pos.column,
                }),
        );
    }
}
