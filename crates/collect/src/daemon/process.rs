//! Finding `dockerd` processes under a host root's `/proc`, with what identifies each one: its
//! command line, user and (when readable) the environment variables that change its defaults.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest `/proc/PID/cmdline` or `environ` read; dockerd's are a few hundred bytes.
const MAX_PROC_FILE: u64 = 64 * 1024;

/// A running dockerd.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Process id.
    pub pid: u32,
    /// `/proc/PID/cmdline` as the host sees it.
    pub cmdline_path: String,
    /// Its arguments, as read (not yet masked).
    pub args: Vec<String>,
    /// Real user id, from `/proc/PID/status`.
    pub uid: Option<u32>,
    /// The environment variables that matter here, `None` when `environ` was not readable
    /// (it is readable only by the process's user and root).
    pub env: Option<Vec<(String, String)>>,
}

impl Candidate {
    /// An environment variable, when the environment was read and has it non-empty.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Variables kept from a dockerd's environment.
const KEPT_ENV: &[&str] = &[
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_RUNTIME_DIR",
];

/// `path` under `root` (`/etc/docker/daemon.json` under `/host` is `/host/etc/docker/daemon.json`).
pub(crate) fn under(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

/// Reads at most [`MAX_PROC_FILE`] bytes.
fn read_small(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_PROC_FILE)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Every dockerd process under `root/proc`, or why none could be looked for.
pub(crate) fn find_dockerd(root: &Path) -> Result<Vec<Candidate>, String> {
    let proc_dir = under(root, "/proc");
    let entries = std::fs::read_dir(&proc_dir)
        .map_err(|e| format!("{} could not be read: {e}", proc_dir.display()))?;
    let mut out = Vec::new();
    let mut seen_any = false;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        seen_any = true;
        let dir = entry.path();
        // A process that exits while we look, or one we may not read, is simply not a candidate.
        let Ok(raw) = read_small(&dir.join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let Some(program) = args.first() else {
            continue;
        };
        if program.rsplit('/').next() != Some("dockerd") {
            continue;
        }
        let uid = std::fs::read_to_string(dir.join("status"))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            });
        let env = read_small(&dir.join("environ")).ok().map(|raw| {
            raw.split(|b| *b == 0)
                .filter_map(|kv| {
                    let kv = String::from_utf8_lossy(kv);
                    let (k, v) = kv.split_once('=')?;
                    KEPT_ENV
                        .contains(&k)
                        .then(|| (k.to_string(), v.to_string()))
                })
                .collect()
        });
        out.push(Candidate {
            pid,
            cmdline_path: format!("/proc/{pid}/cmdline"),
            args,
            uid,
            env,
        });
    }
    if !seen_any {
        return Err(format!(
            "{} lists no processes (is it a mounted procfs?)",
            proc_dir.display()
        ));
    }
    if out.is_empty() && !under(root, "/proc/1").exists() {
        // With `hidepid`, other users' processes are invisible: no dockerd seen proves nothing.
        return Err(format!(
            "other users' processes are hidden in {} (mounted with hidepid); run dockaudit as root to read the dockerd command line",
            proc_dir.display()
        ));
    }
    out.sort_by_key(|c| c.pid);
    Ok(out)
}

/// The home directory of `uid` from the host's `/etc/passwd`.
pub(crate) fn home_of(root: &Path, uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string(under(root, "/etc/passwd")).ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() >= 6 && fields[2].parse::<u32>().ok() == Some(uid))
            .then(|| fields[5].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, content: &[u8]) {
        let p = under(root, path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    #[test]
    fn dockerd_processes_are_found_with_user_and_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "/proc/1/cmdline", b"/sbin/init\0");
        write(
            root,
            "/proc/1423/cmdline",
            b"/usr/sbin/dockerd\0-H\0fd://\0",
        );
        write(
            root,
            "/proc/1423/status",
            b"Name:\tdockerd\nUid:\t0\t0\t0\t0\n",
        );
        write(
            root,
            "/proc/1423/environ",
            b"PATH=/bin\0DOCKER_TLS_VERIFY=1\0HOME=/root\0",
        );
        write(root, "/proc/2000/cmdline", b"containerd\0--config\0x\0");
        write(root, "/proc/self/cmdline", b"dockerd\0");
        let found = find_dockerd(root).expect("readable");
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.pid, 1423);
        assert_eq!(d.args, ["/usr/sbin/dockerd", "-H", "fd://"]);
        assert_eq!(d.uid, Some(0));
        assert_eq!(d.env_var("DOCKER_TLS_VERIFY"), Some("1"));
        assert_eq!(d.env_var("PATH"), None);
    }

    #[test]
    fn unreadable_or_hidden_proc_is_a_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(find_dockerd(dir.path())
            .unwrap_err()
            .contains("could not be read"));
        write(dir.path(), "/proc/77/cmdline", b"bash\0");
        assert!(find_dockerd(dir.path()).unwrap_err().contains("hidepid"));
    }

    #[test]
    fn homes_come_from_passwd() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            "/etc/passwd",
            b"root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken\n",
        );
        assert_eq!(home_of(dir.path(), 1000).as_deref(), Some("/home/alice"));
        assert_eq!(home_of(dir.path(), 5), None);
    }
}
