//! Running a read-only host tool (`iptables-save`, `nft`, `auditctl -l`) with a time limit and a
//! bound on what is read, and telling its absence or a permission refusal from a real failure, so
//! the caller can record a fact as missing with the right reason.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where tools are looked for besides `PATH`: an unprivileged user's `PATH` often lacks the sbin
/// directories where firewall and audit tools live.
const EXTRA_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// What a tool printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    /// Standard output, lossily decoded, at most the bound.
    pub stdout: String,
    /// Whether standard output was cut at the bound (the tool was then stopped).
    pub truncated: bool,
}

/// Why a tool gave no usable output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// Not found in `PATH` or the sbin directories.
    #[error("{0} not installed")]
    NotInstalled(String),
    /// It ran but was refused (needs root or a capability).
    #[error("{tool} was refused: {detail} (run dockaudit as root)")]
    Permission {
        /// The tool.
        tool: String,
        /// What it said.
        detail: String,
    },
    /// It ran and failed.
    #[error("{tool} failed ({status}): {detail}")]
    Failed {
        /// The tool.
        tool: String,
        /// Exit status as text.
        status: String,
        /// The first line of what it said on stderr.
        detail: String,
    },
    /// It did not finish in time and was stopped.
    #[error("{tool} did not finish within {secs} s and was stopped")]
    TimedOut {
        /// The tool.
        tool: String,
        /// The limit.
        secs: u64,
    },
    /// It could not be started.
    #[error("{tool} could not be started: {detail}")]
    Spawn {
        /// The tool.
        tool: String,
        /// The OS error.
        detail: String,
    },
}

/// Finds `name` in `PATH` and the usual sbin/bin directories.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path_var)
        .chain(EXTRA_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Runs `name args…` with `LC_ALL=C`, no stdin, at most `timeout`, keeping at most `max_bytes` of
/// standard output. A tool that prints more is stopped and its output marked truncated.
pub fn run_tool(
    name: &str,
    args: &[&str],
    timeout: Duration,
    max_bytes: usize,
) -> Result<ToolOutput, ToolError> {
    let program = find_tool(name).ok_or_else(|| ToolError::NotInstalled(name.to_string()))?;
    run_program(name, &program, args, timeout, max_bytes)
}

fn run_program(
    name: &str,
    program: &Path,
    args: &[&str],
    timeout: Duration,
    max_bytes: usize,
) -> Result<ToolOutput, ToolError> {
    let mut child = Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ToolError::Spawn {
            tool: name.to_string(),
            detail: e.to_string(),
        })?;
    let hit_bound = Arc::new(AtomicBool::new(false));
    let stdout = child
        .stdout
        .take()
        .map(|s| read_bounded(s, max_bytes, Some(hit_bound.clone())));
    let stderr = child.stderr.take().map(|s| read_bounded(s, 8 * 1024, None));

    let status = wait_with_timeout(&mut child, timeout, &hit_bound);
    // A process the tool started may still hold the pipes after the tool itself was stopped:
    // give the readers a moment, then leave them behind rather than wait for it.
    let grace = Instant::now() + Duration::from_secs(1);
    let (out, out_truncated) = stdout.map(|r| join(r, grace)).unwrap_or_default();
    let (err, _) = stderr.map(|r| join(r, grace)).unwrap_or_default();
    if out_truncated {
        // It printed more than the bound and was stopped (or died of the closed pipe): what was
        // read is kept, marked as cut.
        return Ok(ToolOutput {
            stdout: String::from_utf8_lossy(&out).into_owned(),
            truncated: true,
        });
    }
    let status = match status {
        Some(s) => s,
        None => {
            return Err(ToolError::TimedOut {
                tool: name.to_string(),
                secs: timeout.as_secs(),
            })
        }
    };
    let err_text = String::from_utf8_lossy(&err);
    if !status.success() {
        let detail = err_text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim()
            .to_string();
        let lower = err_text.to_ascii_lowercase();
        if lower.contains("permission denied")
            || lower.contains("operation not permitted")
            || lower.contains("must be root")
        {
            return Err(ToolError::Permission {
                tool: name.to_string(),
                detail,
            });
        }
        return Err(ToolError::Failed {
            tool: name.to_string(),
            status: status.to_string(),
            detail,
        });
    }
    Ok(ToolOutput {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        truncated: out_truncated,
    })
}

type Reader = std::thread::JoinHandle<(Vec<u8>, bool)>;

/// Reads at most `max` bytes on a thread. On more: with `hit_bound`, stops reading, raises it and
/// reports truncation (the waiting side then stops the child); without, drops the rest.
fn read_bounded(
    mut source: impl Read + Send + 'static,
    max: usize,
    hit_bound: Option<Arc<AtomicBool>>,
) -> Reader {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match source.read(&mut chunk) {
                Ok(0) | Err(_) => return (buf, false),
                Ok(n) => {
                    let room = max.saturating_sub(buf.len());
                    if n > room {
                        buf.extend_from_slice(&chunk[..room]);
                        match &hit_bound {
                            Some(flag) => {
                                flag.store(true, Ordering::SeqCst);
                                return (buf, true);
                            }
                            // Keep draining (and dropping) so the child never blocks on a full
                            // pipe: only stdout's bound stops the tool.
                            None => continue,
                        }
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    })
}

/// The reader's bytes, if it finishes before `deadline`; otherwise nothing (it is detached).
fn join(reader: Reader, deadline: Instant) -> (Vec<u8>, bool) {
    while !reader.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    if reader.is_finished() {
        reader.join().unwrap_or_default()
    } else {
        (Vec::new(), false)
    }
}

/// Waits for the child; `None` when it was stopped (time limit, or stdout over its bound).
fn wait_with_timeout(
    child: &mut Child,
    timeout: Duration,
    hit_bound: &AtomicBool,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if hit_bound.load(Ordering::SeqCst) || Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_is_not_installed() {
        assert_eq!(
            run_tool("dockaudit-no-such-tool", &[], Duration::from_secs(1), 1024),
            Err(ToolError::NotInstalled("dockaudit-no-such-tool".into()))
        );
    }

    #[test]
    fn output_is_bounded_and_slow_tools_are_stopped() {
        let out = run_tool("sh", &["-c", "yes abc"], Duration::from_secs(10), 1000)
            .expect("bounded output is kept");
        assert!(out.truncated);
        assert_eq!(out.stdout.len(), 1000);

        let err = run_tool("sh", &["-c", "sleep 5"], Duration::from_millis(200), 1000)
            .expect_err("stopped");
        assert!(matches!(err, ToolError::TimedOut { .. }), "{err:?}");

        let ok = run_tool("sh", &["-c", "echo hi"], Duration::from_secs(5), 1000).expect("runs");
        assert_eq!(ok.stdout, "hi\n");
        assert!(!ok.truncated);
    }

    #[test]
    fn refusals_and_failures_are_told_apart() {
        let err = run_tool(
            "sh",
            &[
                "-c",
                "echo 'iptables: Permission denied (you must be root)' >&2; exit 4",
            ],
            Duration::from_secs(5),
            1000,
        )
        .expect_err("refused");
        assert!(matches!(err, ToolError::Permission { .. }), "{err:?}");
        let err = run_tool(
            "sh",
            &["-c", "echo 'something broke' >&2; exit 1"],
            Duration::from_secs(5),
            1000,
        )
        .expect_err("fails");
        assert!(
            matches!(&err, ToolError::Failed { detail, .. } if detail == "something broke"),
            "{err:?}"
        );
    }
}
