//! IMG004 image-add-instruction: `ADD` fetches URLs and unpacks archives implicitly; `COPY` does only
//! what it says. The base image's root filesystem layer (`ADD file:… in /` at the bottom of the
//! history) is how every distribution image starts and is not reported.

use dockaudit_snapshot::redact::redact_text;

use crate::facts::Builder;
use crate::prelude::*;

/// The rule.
pub const RULE: Rule = Rule {
    meta: RuleMeta {
        id: "IMG004",
        name: "image-add-instruction",
        title: "Image uses ADD where COPY would do",
        rationale: "ADD downloads remote URLs (unverified unless --checksum is given) and silently extracts local archives, so what lands in the image can differ from what the Dockerfile suggests; COPY copies exactly the named files.",
        remediation: "Use COPY for local files (`COPY app.conf /etc/app/`); fetch remote content in a RUN step that verifies it (`RUN curl -fsSLo /tmp/x.tgz URL && echo \"SHA256  /tmp/x.tgz\" | sha256sum -c -`) or pin it with `ADD --checksum=sha256:… URL DEST`; extract archives explicitly with RUN tar, then rebuild (`docker build`, compose `docker compose build`).",
        category: Category::Images,
        severity: Severity::Low,
        cis: &["4.9"],
        cis_v1_6: &[],
        references: &[
            "https://docs.docker.com/reference/dockerfile/#add",
            "https://docs.docker.com/build/building/best-practices/#add-or-copy",
            "https://cwe.mitre.org/data/definitions/494.html",
        ],
    },
    check,
};

/// Longest instruction quoted in a message.
const MAX_INSTRUCTION_CHARS: usize = 100;

/// One `ADD` layer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Add {
    /// The instruction as shown (`ADD file:0123456789ab… in /app/`).
    shown: String,
    /// Whether a source is a URL or git repository.
    remote: bool,
    /// Whether `--checksum` pins the remote content.
    checksum: bool,
    /// Whether the destination is the root directory.
    to_root: bool,
}

fn check(input: &AuditInput, checks: &mut Checks) {
    checks.each_image_in_use(input, |image| match facts::history_lines(image) {
        Ok(lines) => judge(&lines),
        Err(why) => Verdict::Skip(why),
    });
}

/// Judges an image's history lines, newest first as the engine lists them.
fn judge(created_by: &[&str]) -> Verdict {
    let last = created_by.len().saturating_sub(1);
    let mut adds: Vec<Add> = created_by
        .iter()
        .enumerate()
        .filter_map(|(i, line)| parse_add(line).map(|add| (i, add)))
        // The bottom layer `ADD file:… in /` (or BuildKit's `ADD rootfs.tar /`) is the base rootfs.
        .filter(|(i, add)| !(*i == last && add.to_root))
        .map(|(_, add)| add)
        .collect();
    if adds.is_empty() {
        return Verdict::Pass;
    }
    adds.reverse();
    let risky = adds.iter().any(|a| a.remote && !a.checksum);
    let listed: Vec<String> = adds
        .iter()
        .map(|a| {
            if a.remote && !a.checksum {
                format!("`{}` (remote, no checksum)", a.shown)
            } else {
                format!("`{}`", a.shown)
            }
        })
        .collect();
    let evidence: Vec<_> = adds
        .iter()
        .map(|a| json!({"instruction": a.shown, "remote": a.remote, "checksum": a.checksum}))
        .collect();
    let verdict = Verdict::fail(format!(
        "uses ADD in {} {}: {}",
        adds.len(),
        if adds.len() == 1 { "layer" } else { "layers" },
        listed.join(", ")
    ))
    .with_evidence(json!({ "layers": evidence }));
    if risky {
        verdict.with_severity(Severity::Medium)
    } else {
        verdict
    }
}

/// An `ADD` history line in either builder's form: classic `/bin/sh -c #(nop) ADD file:HASH in DEST `
/// or BuildKit `ADD [--flags] SRC… DEST # buildkit`.
fn parse_add(created_by: &str) -> Option<Add> {
    let add = facts::history_instruction(created_by).filter(|h| h.instruction == "ADD")?;
    let rest = add.args;
    if add.builder == Builder::Classic {
        let (source, dest) = rest.rsplit_once(" in ").unwrap_or((rest, ""));
        let source = source.trim();
        let dest = dest.trim();
        let remote = is_remote(source);
        return Some(Add {
            shown: facts::shorten(
                &redact_text(&format!("ADD {} in {dest}", short_hash(source))).0,
                MAX_INSTRUCTION_CHARS,
            ),
            remote,
            checksum: false,
            to_root: dest == "/",
        });
    }
    let args: Vec<&str> = rest.split_whitespace().collect();
    let checksum = args.iter().any(|a| a.starts_with("--checksum"));
    let paths: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (dest, sources) = paths.split_last()?;
    Some(Add {
        shown: facts::shorten(
            &redact_text(&format!("ADD {rest}")).0,
            MAX_INSTRUCTION_CHARS,
        ),
        remote: sources.iter().any(|s| is_remote(s)),
        checksum,
        to_root: *dest == "/",
    })
}

/// Whether an ADD source is fetched over the network.
fn is_remote(source: &str) -> bool {
    let s = source.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']' || c == ',');
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || (s.contains("://") && s.ends_with(".git"))
}

/// `file:0123…cdef` → `file:0123456789ab…` (the classic builder's content hash of the source).
fn short_hash(source: &str) -> String {
    match source.split_once(':') {
        Some((kind, hash))
            if matches!(kind, "file" | "dir" | "multi")
                && hash.len() > 12
                && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            format!("{kind}:{}…", &hash[..12])
        }
        _ => source.to_string(),
    }
}

/// The Dockerfile check: `ADD` of local files that are not archives (COPY does that; hadolint
/// DL3020), and `ADD` of a URL without `--checksum` (fetched unverified; hadolint does not report
/// it). `ADD` of a local archive (unpacked, which is what ADD is for) passes.
pub const SOURCE: SourceCheck = SourceCheck {
    id: "IMG004",
    check: source,
};

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz",
    ".bz2", ".xz", ".zst", ".lz", ".lzma", ".tb2", ".tz2",
];

fn source(input: &SourceInput, checks: &mut Checks) {
    use dockaudit_source::dockerfile::Kind;
    crate::source::each_dockerfile(checks, input, |df| {
        let mut hits = Vec::new();
        for (_, ins) in df.instructions() {
            let Kind::Add(t) = &ins.kind else {
                continue;
            };
            let is_url = |s: &str| s.contains("://") || s.starts_with("git@");
            let urls: Vec<&String> = t.sources.iter().filter(|s| is_url(s)).collect();
            let plain: Vec<&String> = t
                .sources
                .iter()
                .filter(|s| {
                    !is_url(s) && !ARCHIVES.iter().any(|a| s.to_ascii_lowercase().ends_with(a))
                })
                .collect();
            if !plain.is_empty() {
                hits.push(
                    crate::source::Hit::in_dockerfile(
                        df,
                        ins.pos,
                        format!(
                            "ADD of {} where COPY would do",
                            plain
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .evidence(json!({"sources": t.sources})),
                );
            } else if !urls.is_empty() && !t.checksum {
                hits.push(
                    crate::source::Hit::in_dockerfile(
                        df,
                        ins.pos,
                        format!("ADD fetches {} without --checksum", urls[0]),
                    )
                    .evidence(json!({"sources": t.sources})),
                );
            }
        }
        hits
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOTFS: &str = "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef in / ";

    fn fail(lines: &[&str]) -> Option<(String, Option<Severity>)> {
        match judge(lines) {
            Verdict::Fail {
                message, severity, ..
            } => Some((message, severity)),
            _ => None,
        }
    }

    #[test]
    fn base_rootfs_layer_is_not_reported() {
        assert_eq!(fail(&["/bin/sh -c #(nop)  CMD [\"bash\"]", ROOTFS]), None);
        assert_eq!(
            fail(&[
                "CMD [\"/bin/sh\"] # buildkit",
                "ADD alpine-minirootfs.tar.gz / # buildkit"
            ]),
            None
        );
        assert_eq!(fail(&["", "COPY x /x # buildkit"]), None);
    }

    #[test]
    fn local_adds_are_low_and_remote_ones_medium() {
        let (message, severity) =
            fail(&["ADD planted.txt /opt/planted.txt # buildkit", "", ROOTFS]).unwrap_or_default();
        assert_eq!(
            message,
            "uses ADD in 1 layer: `ADD planted.txt /opt/planted.txt`"
        );
        assert_eq!(severity, None);

        let (message, severity) = fail(&[
            "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef in /app/ ",
            "ADD https://example.com/tool.tgz /opt/ # buildkit",
            ROOTFS,
        ])
        .unwrap_or_default();
        assert_eq!(
            message,
            "uses ADD in 2 layers: `ADD https://example.com/tool.tgz /opt/` (remote, no checksum), `ADD file:0123456789ab… in /app/`"
        );
        assert_eq!(severity, Some(Severity::Medium));

        let (_, severity) = fail(&[
            "ADD --checksum=sha256:abc https://example.com/tool.tgz /opt/ # buildkit",
            ROOTFS,
        ])
        .unwrap_or_default();
        assert_eq!(severity, None);
    }

    #[test]
    fn a_root_add_above_the_bottom_is_reported() {
        assert!(fail(&["ADD extra.tar / # buildkit", ROOTFS]).is_some());
    }
}
