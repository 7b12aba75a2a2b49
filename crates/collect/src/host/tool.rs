//! Running a read-only host tool (`iptables-save`, `nft`, `auditctl -l`) with a time limit and a
//! bound on what is read, and telling its absence or a permission refusal from a real failure, so
//! the caller can record a fact as missing with the right reason.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
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
    let deadline = Instant::now() + timeout;
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
    let stdout = child
        .stdout
        .take()
        .map(|s| read_bounded(s, max_bytes, true));
    let stderr = child
        .stderr
        .take()
        .map(|s| read_bounded(s, 8 * 1024, false));

    // Standard output ends when the tool closes it (normally by exiting) or reaches the bound:
    // wait for that rather than poll the child, so a fast tool costs no polling interval.
    let first = stdout
        .as_ref()
        .map(|rx| rx.recv_timeout(remaining(deadline)));
    let (status, read) = match first {
        Some(Ok((out, true))) => {
            // Over the bound: stop it.
            stop(&mut child);
            (None, Some((out, true)))
        }
        Some(Ok(read)) => (wait_until(&mut child, deadline), Some(read)),
        // The reader thread is gone without an answer: nothing was read.
        None | Some(Err(RecvTimeoutError::Disconnected)) => {
            (wait_until(&mut child, deadline), Some((Vec::new(), false)))
        }
        Some(Err(RecvTimeoutError::Timeout)) => {
            stop(&mut child);
            (None, None)
        }
    };
    // A process the tool started may still hold the pipes after the tool itself was stopped:
    // give the readers a moment, then leave them behind rather than wait for it.
    let grace = Instant::now() + GRACE;
    let (out, out_truncated) = read
        .or_else(|| stdout.and_then(|rx| rx.recv_timeout(remaining(grace)).ok()))
        .unwrap_or_default();
    let (err, _) = stderr
        .and_then(|rx| rx.recv_timeout(remaining(grace)).ok())
        .unwrap_or_default();
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
        truncated: false,
    })
}

/// How long a pipe's reader may take once the tool is stopped or its output has ended.
const GRACE: Duration = Duration::from_secs(1);

/// What a pipe gave: its bytes, and whether they were cut at the bound.
type Piped = (Vec<u8>, bool);

/// Time left until `deadline`.
fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Reads at most `max` bytes on a thread and sends them when the pipe ends. On more: with
/// `stop_at_bound`, stops reading and sends them marked as cut at once (the caller then stops
/// the child); without, drops the rest.
fn read_bounded(
    mut source: impl std::io::Read + Send + 'static,
    max: usize,
    stop_at_bound: bool,
) -> mpsc::Receiver<Piped> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        let truncated = loop {
            match source.read(&mut chunk) {
                Ok(0) | Err(_) => break false,
                Ok(n) => {
                    let room = max.saturating_sub(buf.len());
                    if n > room {
                        buf.extend_from_slice(&chunk[..room]);
                        if stop_at_bound {
                            break true;
                        }
                        // Keep draining (and dropping) so the child never blocks on a full
                        // pipe: only stdout's bound stops the tool.
                        continue;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        };
        // The receiver may have given up (time limit): then nobody wants the bytes.
        let _ = tx.send((buf, truncated));
    });
    rx
}

/// Waits for the child until `deadline`, then stops it; `None` when it was stopped. Its output
/// has ended, so it is exiting: the polling starts short.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<std::process::ExitStatus> {
    let mut pause = Duration::from_micros(200);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let left = remaining(deadline);
        if left.is_zero() {
            stop(child);
            return None;
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// Stops the child and reaps it.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
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
