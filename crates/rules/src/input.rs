//! What the rules see: the Snapshot narrowed to the targets the user selected.
//!
//! Container name globs narrow the containers; label filters narrow every labelled object
//! (containers, volumes, networks, and images for the lifecycle rules), so that
//! `--label com.docker.compose.project=shop` audits exactly one compose project.

use std::collections::{BTreeMap, BTreeSet};

use dockaudit_report::Target;
use dockaudit_snapshot::contents::VulnerabilityMatch;
use dockaudit_snapshot::{Container, Image, Network, Snapshot, Volume};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::SelectError;

/// A `KEY` or `KEY=VALUE` label condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    key: String,
    value: Option<String>,
}

impl LabelMatch {
    /// Parses `KEY` or `KEY=VALUE`.
    pub fn parse(s: &str) -> Result<LabelMatch, SelectError> {
        let (key, value) = match s.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (s, None),
        };
        if key.is_empty() {
            return Err(SelectError::BadLabel(s.to_string()));
        }
        Ok(LabelMatch {
            key: key.to_string(),
            value,
        })
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match (labels.get(&self.key), &self.value) {
            (Some(_), None) => true,
            (Some(v), Some(want)) => v == want,
            (None, _) => false,
        }
    }
}

/// Which of an image's known vulnerabilities the VLN rules report (`--ignore-unfixed`,
/// `--severity`). The snapshot keeps every match; this only narrows what is judged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VulnerabilityFilter {
    /// Drop vulnerabilities with no fix to install (affected-unfixed, will-not-fix, deferred).
    pub ignore_unfixed: bool,
    /// The distribution severities to report (`critical`, `high`, `medium`, `low`, `negligible`,
    /// `unknown`, lower case); `None`: all.
    pub severities: Option<Vec<String>>,
}

impl VulnerabilityFilter {
    /// Whether `v` is reported.
    pub fn keeps(&self, v: &VulnerabilityMatch) -> bool {
        if self.ignore_unfixed && v.is_unfixed() {
            return false;
        }
        self.severities
            .as_ref()
            .is_none_or(|s| s.iter().any(|s| s.eq_ignore_ascii_case(&v.severity)))
    }
}

/// Which targets to audit.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    /// The `--container` globs as given, for messages.
    include_name_patterns: Vec<String>,
    /// The `--label` conditions as given, for messages.
    include_label_patterns: Vec<String>,
    include_names: Option<GlobSet>,
    exclude_names: Option<GlobSet>,
    include_labels: Vec<LabelMatch>,
    exclude_labels: Vec<LabelMatch>,
    /// Which vulnerabilities of the images are judged.
    pub vulnerabilities: VulnerabilityFilter,
}

fn globset(patterns: &[String]) -> Result<Option<GlobSet>, SelectError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p.trim_start_matches('/'))
            .map_err(|e| SelectError::BadGlob(p.clone(), e.to_string()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| SelectError::BadGlob(patterns.join(","), e.to_string()))
}

impl TargetFilter {
    /// Builds a filter from name globs and label conditions (all may be empty: everything).
    pub fn new(
        include_names: &[String],
        exclude_names: &[String],
        include_labels: &[String],
        exclude_labels: &[String],
    ) -> Result<TargetFilter, SelectError> {
        Ok(TargetFilter {
            include_name_patterns: include_names.to_vec(),
            include_label_patterns: include_labels.to_vec(),
            include_names: globset(include_names)?,
            exclude_names: globset(exclude_names)?,
            include_labels: include_labels
                .iter()
                .map(|l| LabelMatch::parse(l))
                .collect::<Result<_, _>>()?,
            exclude_labels: exclude_labels
                .iter()
                .map(|l| LabelMatch::parse(l))
                .collect::<Result<_, _>>()?,
            vulnerabilities: VulnerabilityFilter::default(),
        })
    }

    /// Whether the filter narrows the audit at all (names or labels; the vulnerability filter does not
    /// change which targets are judged).
    pub fn narrows(&self) -> bool {
        self.include_names.is_some()
            || self.exclude_names.is_some()
            || !self.include_labels.is_empty()
            || !self.exclude_labels.is_empty()
    }

    /// Whether label conditions keep an object with these labels.
    fn labels_ok(&self, labels: &BTreeMap<String, String>) -> bool {
        self.include_labels.iter().all(|m| m.matches(labels))
            && !self.exclude_labels.iter().any(|m| m.matches(labels))
    }

    /// Whether a container is audited.
    pub fn keeps_container(&self, c: &Container) -> bool {
        let name = c.name();
        let name_ok = self
            .include_names
            .as_ref()
            .is_none_or(|set| set.is_match(name))
            && !self
                .exclude_names
                .as_ref()
                .is_some_and(|set| set.is_match(name));
        name_ok && self.labels_ok(&c.inspect.config.labels)
    }

    /// Whether a host-wide object with these labels is audited.
    pub fn keeps_labelled(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels_ok(labels)
    }

    /// When the filter names what to audit (`--container`, `--label`) and nothing on the host
    /// matches, what matched nothing: an audit of nothing must not read as a pass (a typo in a CI
    /// job's filter would otherwise pass forever).
    pub fn matched_nothing(&self, input: &AuditInput) -> Option<String> {
        if !self.include_name_patterns.is_empty() && input.containers.is_empty() {
            let labels = if self.include_label_patterns.is_empty() {
                String::new()
            } else {
                format!(" with --label {}", self.include_label_patterns.join(","))
            };
            return Some(format!(
                "no container matches --container {}{labels} ({} containers on the host)",
                self.include_name_patterns.join(","),
                input.snapshot.containers.len()
            ));
        }
        let nothing_labelled = input.containers.is_empty()
            && input.volumes.is_empty()
            && input.networks.is_empty()
            && input.images.is_empty();
        if !self.include_label_patterns.is_empty() && nothing_labelled {
            return Some(format!(
                "no container, image, volume or network matches --label {}",
                self.include_label_patterns.join(",")
            ));
        }
        None
    }

    /// Whether any filter is set.
    pub fn is_narrowed(&self) -> bool {
        self.include_names.is_some()
            || self.exclude_names.is_some()
            || !self.include_labels.is_empty()
            || !self.exclude_labels.is_empty()
    }
}

/// The Snapshot as the rules see it: everything, plus the selected targets.
#[derive(Debug, Clone)]
pub struct AuditInput<'a> {
    /// The whole snapshot (daemon facts, gaps, every object for cross-references).
    pub snapshot: &'a Snapshot,
    /// Containers to judge, in snapshot order.
    pub containers: Vec<&'a Container>,
    /// Images the selected containers run, each once.
    pub images_in_use: Vec<&'a Image>,
    /// Images to judge for lifecycle (label filters applied).
    pub images: Vec<&'a Image>,
    /// Volumes to judge.
    pub volumes: Vec<&'a Volume>,
    /// Networks to judge.
    pub networks: Vec<&'a Network>,
    /// Which vulnerabilities of the images are judged.
    pub vulnerability_filter: VulnerabilityFilter,
    /// What became of each `[[ignore]]` entry: empty until the engine has run the other rules, then
    /// judged by the META rules.
    pub ignores: Vec<crate::suppress::IgnoreOutcome>,
}

impl<'a> AuditInput<'a> {
    /// Narrows `snapshot` by `filter`.
    pub fn new(snapshot: &'a Snapshot, filter: &TargetFilter) -> AuditInput<'a> {
        let containers: Vec<&Container> = snapshot
            .containers
            .iter()
            .filter(|c| filter.keeps_container(c))
            .collect();
        let used: BTreeSet<&str> = containers
            .iter()
            .map(|c| c.inspect.image.as_str())
            .collect();
        let images_in_use = snapshot
            .images
            .iter()
            .filter(|i| used.contains(i.inspect.id.as_str()))
            .collect();
        AuditInput {
            snapshot,
            containers,
            images_in_use,
            images: snapshot
                .images
                .iter()
                .filter(|i| filter.keeps_labelled(&i.inspect.config.labels))
                .collect(),
            volumes: snapshot
                .volumes
                .iter()
                .filter(|v| filter.keeps_labelled(&v.labels))
                .collect(),
            networks: snapshot
                .networks
                .iter()
                .filter(|n| filter.keeps_labelled(&n.labels))
                .collect(),
            vulnerability_filter: filter.vulnerabilities.clone(),
            ignores: Vec::new(),
        }
    }

    /// Every snapshot container, selected or not (for "is this image/volume used" questions).
    pub fn all_containers(&self) -> &'a [Container] {
        &self.snapshot.containers
    }
}

/// The report target for a container.
pub fn container_target(c: &Container) -> Target {
    Target {
        kind: "container".into(),
        id: c.inspect.id.clone(),
        name: c.name().to_string(),
    }
}

/// The report target for an image.
pub fn image_target(i: &Image) -> Target {
    Target {
        kind: "image".into(),
        id: i.inspect.id.clone(),
        name: i.display_name(),
    }
}

/// The report target for a volume.
pub fn volume_target(v: &Volume) -> Target {
    Target {
        kind: "volume".into(),
        id: v.name.clone(),
        name: v.name.clone(),
    }
}

/// The report target for a network.
pub fn network_target(n: &Network) -> Target {
    Target {
        kind: "network".into(),
        id: n.id.clone(),
        name: n.name.clone(),
    }
}

/// The report target for the daemon.
pub fn daemon_target(snapshot: &Snapshot) -> Target {
    Target {
        kind: "daemon".into(),
        id: snapshot
            .info
            .as_ref()
            .map(|i| i.id.clone())
            .unwrap_or_default(),
        name: snapshot.engine.endpoint.clone(),
    }
}
