//! Audit rules (CIS 1.1.3–1.1.18): the rules loaded in the kernel (`auditctl -l`) when dockaudit
//! can run it on the host itself, otherwise the configured ones (`/etc/audit/rules.d/*.rules` and
//! `/etc/audit/audit.rules`), and the paths they watch.

use std::time::Duration;

use dockaudit_snapshot::host::{AuditRules, AuditWatch};
use dockaudit_snapshot::Fact;

use super::rootfs::HostRoot;
use super::tool::{run_tool, ToolError};

/// Rule lines kept at most; a host with more audits far more than Docker.
const MAX_LINES: usize = 5000;
/// Rule files read at most from `rules.d`.
const MAX_FILES: usize = 256;

/// Parses audit rule text (`auditctl -l` output or a rules file): every rule line, and the paths
/// watched. `-w PATH` (a file, or a directory and all below it), `-F path=` (that path),
/// `-F dir=` (a directory and all below it); `-a never,…` rules exclude and are not watches.
pub fn parse_audit_rules(text: &str) -> (Vec<String>, Vec<AuditWatch>) {
    let mut lines = Vec::new();
    let mut watches = Vec::new();
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line == "No rules" {
            continue;
        }
        lines.push(line.to_string());
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let never = tokens
            .windows(2)
            .any(|w| matches!(w[0], "-a" | "-A") && w[1].starts_with("never"));
        if never {
            continue;
        }
        for (i, token) in tokens.iter().enumerate() {
            let watch = match *token {
                "-w" => tokens.get(i + 1).map(|p| (p.to_string(), true)),
                "-F" => tokens.get(i + 1).and_then(|f| {
                    f.strip_prefix("path=")
                        .map(|p| (p.to_string(), false))
                        .or_else(|| f.strip_prefix("dir=").map(|p| (p.to_string(), true)))
                }),
                _ => None,
            };
            if let Some((path, recursive)) = watch {
                watches.push(AuditWatch {
                    path,
                    recursive,
                    rule: line.to_string(),
                });
            }
        }
    }
    (lines, watches)
}

/// Reads the audit rules: `auditctl -l` when `run_tools` (the host root is this machine's `/`)
/// and it works, else the rule files under the root.
pub fn read_audit_rules(host: &HostRoot, run_tools: bool) -> Fact<AuditRules> {
    let why_not_auditctl = if run_tools {
        match run_tool(
            "auditctl",
            &["-l"],
            Duration::from_secs(10),
            4 * 1024 * 1024,
        ) {
            Ok(out) => {
                let (lines, watches) = parse_audit_rules(&out.stdout);
                return Fact::Value(bounded(AuditRules {
                    source: "auditctl -l".into(),
                    lines,
                    watches,
                }));
            }
            Err(e) => Some(e),
        }
    } else {
        Some(ToolError::NotInstalled(
            "auditctl (not run: the host root is not this machine's /)".into(),
        ))
    };
    let from_files = read_rule_files(host);
    match (from_files, why_not_auditctl) {
        (Ok(Some(rules)), _) => Fact::Value(rules),
        // Neither the tool nor its configuration exists: auditd is not installed, so nothing is
        // audited. That is a fact about the host, not a gap.
        (Ok(None), Some(ToolError::NotInstalled(_))) => Fact::Value(AuditRules {
            source: "none: auditd is not installed (no auditctl, no /etc/audit)".into(),
            ..AuditRules::default()
        }),
        (Ok(None), Some(e)) => Fact::Missing(format!("{e}, and there is no /etc/audit")),
        (Ok(None), None) => Fact::Missing("no audit rules source".into()),
        (Err(files), Some(e)) => Fact::Missing(format!("{e}; {files}")),
        (Err(files), None) => Fact::Missing(files),
    }
}

/// The rules of `/etc/audit/rules.d/*.rules` and `/etc/audit/audit.rules`; `Ok(None)` when there
/// is no `/etc/audit` at all.
fn read_rule_files(host: &HostRoot) -> Result<Option<AuditRules>, String> {
    if !host.exists("/etc/audit") {
        return Ok(None);
    }
    let mut files = Vec::new();
    match host
        .resolve("/etc/audit/rules.d")
        .and_then(|r| std::fs::read_dir(r.local))
    {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".rules"))
                .collect();
            names.sort();
            names.truncate(MAX_FILES);
            files.extend(names.into_iter().map(|n| format!("/etc/audit/rules.d/{n}")));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(host.why("/etc/audit/rules.d", &e)),
    }
    files.push("/etc/audit/audit.rules".to_string());
    let mut rules = AuditRules::default();
    let mut read = Vec::new();
    for file in &files {
        match host.read_text(file, 1024 * 1024) {
            Ok((text, _)) => {
                let (lines, watches) = parse_audit_rules(&text);
                rules.lines.extend(lines);
                rules.watches.extend(watches);
                read.push(file.as_str());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(host.why(file, &e)),
        }
    }
    rules.source = if read.is_empty() {
        "configured rules: /etc/audit has no rule files".to_string()
    } else {
        format!("configured rules: {}", read.join(", "))
    };
    // audit.rules is generated from rules.d by augenrules: the same watch appears twice.
    let mut seen = std::collections::BTreeSet::new();
    rules
        .watches
        .retain(|w| seen.insert((w.path.clone(), w.recursive)));
    Ok(Some(bounded(rules)))
}

fn bounded(mut rules: AuditRules) -> AuditRules {
    rules.lines.truncate(MAX_LINES);
    rules.watches.truncate(MAX_LINES);
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watches_in_every_form() {
        let text = "\
## Docker
-D
-b 8192
-w /usr/bin/dockerd -k docker
-w /etc/docker -p wa -k docker # the config
-a always,exit -F arch=b64 -F path=/usr/bin/runc -F perm=x -k docker
-a always,exit -F dir=/var/lib/docker -F perm=wa
-a never,exit -F path=/usr/bin/containerd
No rules
";
        let (lines, watches) = parse_audit_rules(text);
        assert_eq!(lines.len(), 7);
        let paths: Vec<(&str, bool)> = watches
            .iter()
            .map(|w| (w.path.as_str(), w.recursive))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("/usr/bin/dockerd", true),
                ("/etc/docker", true),
                ("/usr/bin/runc", false),
                ("/var/lib/docker", true),
            ]
        );
        assert_eq!(watches[1].rule, "-w /etc/docker -p wa -k docker");
    }
}
