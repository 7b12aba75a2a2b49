//! A running container's processes read from the host's `/proc` instead of the engine's `top`: the
//! container's cgroup lists its processes, and each one's `stat`, `status` and `cmdline` give the
//! row Docker's `ps -ef` gives (`UID PID PPID C STIME TTY TIME CMD`). No request to the engine and
//! no `ps` run by the daemon: a few file reads where `top` costs a round trip and a fork.
//!
//! It is used only when it can be trusted: the container's `State.Pid` exists under the host root's
//! `/proc`, its cgroup names the container, and its PID namespace is not the host's (unless the
//! container shares the host's). Anything else (an engine in another PID namespace, a rootless
//! engine whose containers have no cgroup of their own, permission denied, the process gone) is an
//! error saying why, and the collector asks the engine's `top` instead.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use dockaudit_snapshot::Top;

use crate::host::accounts::Accounts;
use crate::host::rootfs::HostRoot;

/// The column titles of Docker's default `top` (`ps -ef`).
pub(crate) const PS_EF_TITLES: [&str; 8] =
    ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];

/// Clock ticks per second of the times in `/proc/PID/stat` (`USER_HZ`: 100 on every architecture
/// Linux exposes to user space).
const TICKS_PER_SECOND: u64 = 100;

/// Cgroup directories read below a container's own (systemd or an engine inside make nested ones).
const MAX_CGROUP_DIRS: usize = 4096;

/// Processes listed per container before the engine's `top` is asked instead.
const MAX_PROCESSES: usize = 65_536;

/// `ps` shows a user name that does not fit its 8-character column cut to 7 and a `+`.
const PS_USER_WIDTH: usize = 8;

/// `PF_KTHREAD` in `/proc/PID/stat`'s flags: a kernel thread, shown by `ps` as `[name]`.
const PF_KTHREAD: u64 = 0x0020_0000;

/// Reads containers' processes under one host root. Built once per collection.
#[derive(Debug)]
pub(crate) struct ProcReader {
    host: HostRoot,
    /// User names from the host's `/etc/passwd` (never this machine's name service).
    accounts: Accounts,
    /// Seconds since the epoch at boot (`btime` of `/proc/stat`).
    boot_time: u64,
    /// Seconds since boot when the reader was built (`/proc/uptime`).
    uptime: f64,
    /// Now, for `ps`'s choice of `STIME` format (time today, day this year, else year).
    now: time::OffsetDateTime,
    /// The host's PID namespace (`/proc/1/ns/pid`), to tell a container's process from a host one.
    host_pid_ns: Option<String>,
    /// Whether `/sys/fs/cgroup` is the unified (v2) hierarchy.
    unified: bool,
}

impl ProcReader {
    /// Reads what every listing needs from the host under `root`: boot time, uptime, user names.
    /// Fails, saying why, when `root`'s `/proc` is not a readable procfs.
    pub(crate) fn new(root: &Path) -> Result<ProcReader, String> {
        let host = HostRoot::new(root);
        let read = |path: &str| {
            std::fs::read_to_string(host.local(path))
                .map_err(|e| format!("{}: {}", host.local(path).display(), e))
        };
        let stat = read("/proc/stat")?;
        let boot_time = stat
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("{}: no btime line", host.local("/proc/stat").display()))?;
        let uptime = read("/proc/uptime")?
            .split_whitespace()
            .next()
            .and_then(|u| u.parse::<f64>().ok())
            .ok_or_else(|| format!("{}: unreadable", host.local("/proc/uptime").display()))?;
        // Without /etc/passwd every user shows as its number, which is what `ps` does too.
        let passwd = host
            .read_text("/etc/passwd", 4 * 1024 * 1024)
            .map(|(text, _)| text)
            .unwrap_or_default();
        let host_pid_ns = std::fs::read_link(host.local("/proc/1/ns/pid"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned());
        Ok(ProcReader {
            unified: host.local("/sys/fs/cgroup/cgroup.controllers").exists(),
            accounts: Accounts::parse(&passwd, ""),
            host,
            boot_time,
            uptime,
            now: time::OffsetDateTime::now_utc(),
            host_pid_ns,
        })
    }

    /// The processes of the running container `id`, whose main process is `pid` on the host, in
    /// the shape of Docker's `top` (rows in PID order, as `ps -ef` prints them). `shares_host_pid`:
    /// the container runs in the host's PID namespace (`--pid host`).
    pub(crate) fn container_top(
        &self,
        id: &str,
        pid: u32,
        shares_host_pid: bool,
    ) -> Result<Top, String> {
        let cgroup_file = self.host.local(&format!("/proc/{pid}/cgroup"));
        let cgroups = std::fs::read_to_string(&cgroup_file).map_err(|e| {
            if is_gone(&e) {
                format!(
                    "its process {pid} is not in {} (the engine's PID namespace is not visible here)",
                    self.host.local("/proc").display()
                )
            } else {
                format!("{}: {e}", cgroup_file.display())
            }
        })?;
        if id.is_empty() || !cgroups.contains(id) {
            return Err(format!(
                "the cgroup of process {pid} does not name the container (another process has its number here, or the engine gives containers no cgroup of their own)"
            ));
        }
        let ns_link = self.host.local(&format!("/proc/{pid}/ns/pid"));
        let ns = std::fs::read_link(&ns_link)
            .map_err(|e| format!("{}: {e}", ns_link.display()))?
            .to_string_lossy()
            .into_owned();
        if !shares_host_pid && self.host_pid_ns.as_deref() == Some(ns.as_str()) {
            return Err(format!(
                "process {pid} is in the host's PID namespace, but the container has its own"
            ));
        }
        let dir = self.cgroup_dir(&cgroups).ok_or_else(|| {
            format!(
                "no cgroup directory of process {pid} under {}",
                self.host.local("/sys/fs/cgroup").display()
            )
        })?;
        let pids = cgroup_pids(&dir)?;
        if !pids.contains(&pid) {
            return Err(format!(
                "{} does not list the container's process {pid}",
                dir.display()
            ));
        }
        let mut processes = Vec::with_capacity(pids.len());
        for member in pids {
            match self.row(member) {
                Ok(row) => processes.push(row),
                // Gone since the cgroup was read: `ps` would not have listed it either.
                Err(e) if is_gone(&e) && member != pid => {}
                Err(e) => {
                    return Err(format!(
                        "{}: {e}",
                        self.host.local(&format!("/proc/{member}")).display()
                    ))
                }
            }
        }
        Ok(Top {
            titles: PS_EF_TITLES.iter().map(|t| t.to_string()).collect(),
            processes,
        })
    }

    /// The container's cgroup directory under `/sys/fs/cgroup`, from `/proc/PID/cgroup`: the
    /// unified hierarchy's on cgroup v2, else the first v1 hierarchy present of `pids`, `cpu`,
    /// `devices`, `memory` and systemd's (every process of a container is in each).
    fn cgroup_dir(&self, cgroups: &str) -> Option<PathBuf> {
        let lines: Vec<(&str, &str)> = cgroups
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
                // A path outside our cgroup namespace (`/../..`) cannot be found under its root.
                (!path.split('/').any(|c| c == "..")).then_some((controllers, path))
            })
            .collect();
        let sys = self.host.local("/sys/fs/cgroup");
        let existing = |mount: &str, path: &str| {
            let dir = sys.join(mount).join(path.trim_start_matches('/'));
            dir.is_dir().then_some(dir)
        };
        if self.unified {
            let (_, path) = lines.iter().find(|(c, _)| c.is_empty())?;
            return existing("", path);
        }
        ["pids", "cpu", "devices", "memory", "name=systemd"]
            .iter()
            .find_map(|wanted| {
                let (controllers, path) = lines
                    .iter()
                    .find(|(c, _)| c.split(',').any(|one| one == *wanted))?;
                let mount = wanted.strip_prefix("name=").unwrap_or(wanted);
                existing(controllers, path).or_else(|| existing(mount, path))
            })
    }

    /// One `ps -ef` row of a process.
    fn row(&self, pid: u32) -> io::Result<Vec<String>> {
        let dir = self.host.local(&format!("/proc/{pid}"));
        let stat = std::fs::read_to_string(dir.join("stat"))?;
        let status = std::fs::read_to_string(dir.join("status"))?;
        let cmdline = std::fs::read(dir.join("cmdline"))?;
        let stat = Stat::parse(&stat)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unexpected stat format"))?;
        let euid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|u| u.parse::<u32>().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no Uid line in status"))?;
        let cpu_seconds = (stat.utime + stat.stime) / TICKS_PER_SECOND;
        let started_after_boot = stat.starttime / TICKS_PER_SECOND;
        let age = (self.uptime as u64).saturating_sub(started_after_boot);
        // `ps`'s C: CPU time over lifetime, in percent, at most 99.
        let c = ((stat.utime + stat.stime) * 100 / TICKS_PER_SECOND)
            .checked_div(age)
            .unwrap_or(0)
            .min(99);
        Ok(vec![
            self.user(euid),
            pid.to_string(),
            stat.ppid.to_string(),
            c.to_string(),
            self.stime(self.boot_time + started_after_boot),
            tty_name(stat.tty_nr),
            cpu_time(cpu_seconds),
            command(&cmdline, &stat),
        ])
    }

    /// A user as `ps` shows it: the host's name for the uid, cut to its column, else the number.
    fn user(&self, uid: u32) -> String {
        match self.accounts.user_name(uid) {
            Some(name) if name.chars().count() > PS_USER_WIDTH => {
                let cut: String = name.chars().take(PS_USER_WIDTH - 1).collect();
                format!("{cut}+")
            }
            Some(name) => name.to_string(),
            None => uid.to_string(),
        }
    }

    /// `ps`'s STIME: `HH:MM` when started today, `MonDD` this year, else the year. `ps` shows local
    /// time; this is UTC (the collector does not read the time zone).
    fn stime(&self, started: u64) -> String {
        let Ok(start) = time::OffsetDateTime::from_unix_timestamp(started as i64) else {
            return "?".to_string();
        };
        if start.year() != self.now.year() {
            start.year().to_string()
        } else if start.ordinal() != self.now.ordinal() {
            let month = format!("{:?}", start.month());
            format!("{}{:02}", &month[..3], start.day())
        } else {
            format!("{:02}:{:02}", start.hour(), start.minute())
        }
    }
}

/// The fields of `/proc/PID/stat` a row needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stat {
    comm: String,
    state: char,
    ppid: u32,
    tty_nr: u64,
    flags: u64,
    utime: u64,
    stime: u64,
    starttime: u64,
}

impl Stat {
    /// Parses `pid (comm) state ppid …`; `comm` may hold spaces and parentheses, so the fields are
    /// counted from its last `)`.
    fn parse(text: &str) -> Option<Stat> {
        let open = text.find('(')?;
        let close = text.rfind(')')?;
        let comm = text.get(open + 1..close)?.to_string();
        let fields: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
        // fields[0] is field 3 of proc(5).
        let num = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
        Some(Stat {
            comm,
            state: fields.first()?.chars().next()?,
            ppid: u32::try_from(num(4)?).ok()?,
            tty_nr: num(7)?,
            flags: num(9)?,
            utime: num(14)?,
            stime: num(15)?,
            starttime: num(22)?,
        })
    }
}

/// `ps`'s CMD column: the argument vector joined with spaces (what `ps` prints), control
/// characters as `?`, whitespace runs as one space (how the engine splits `ps`'s output into
/// columns); `[comm]` when there is none (kernel threads, processes that cleared theirs), with
/// ` <defunct>` for a zombie.
fn command(cmdline: &[u8], stat: &Stat) -> String {
    let args = String::from_utf8_lossy(cmdline);
    let joined: String = args
        .trim_end_matches('\0')
        .chars()
        .map(|c| match c {
            '\0' | '\n' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    let joined = joined
        .split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if joined.is_empty() || stat.flags & PF_KTHREAD != 0 || stat.state == 'Z' {
        let name = format!("[{}]", stat.comm);
        if stat.state == 'Z' {
            return format!("{name} <defunct>");
        }
        return name;
    }
    joined
}

/// `ps`'s TTY column from `tty_nr`: `pts/N`, `ttyN`, `ttySN`, or `?` for none (or a device it
/// would look up in `/dev`).
fn tty_name(tty_nr: u64) -> String {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        0 => "?".to_string(),
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        _ => "?".to_string(),
    }
}

/// `ps`'s TIME column: `[D-]HH:MM:SS` of CPU time.
fn cpu_time(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let hms = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}-{hms}")
    } else {
        hms
    }
}

/// The processes (`cgroup.procs`) of a cgroup and of every cgroup below it, in PID order.
fn cgroup_pids(dir: &Path) -> Result<BTreeSet<u32>, String> {
    let mut pids = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    let mut seen_dirs = 0;
    while let Some(current) = todo.pop() {
        seen_dirs += 1;
        if seen_dirs > MAX_CGROUP_DIRS {
            return Err(format!(
                "{} has more than {MAX_CGROUP_DIRS} cgroups below it",
                dir.display()
            ));
        }
        let procs = current.join("cgroup.procs");
        let text = match std::fs::read_to_string(&procs) {
            Ok(text) => text,
            // A nested cgroup removed while it was walked.
            Err(e) if is_gone(&e) && current != dir => continue,
            Err(e) => return Err(format!("{}: {e}", procs.display())),
        };
        pids.extend(text.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
        if pids.len() > MAX_PROCESSES {
            return Err(format!(
                "{} lists more than {MAX_PROCESSES} processes",
                dir.display()
            ));
        }
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if is_gone(&e) && current != dir => continue,
            Err(e) => return Err(format!("{}: {e}", current.display())),
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(entry.path());
            }
        }
    }
    Ok(pids)
}

/// Whether an error means the process (or cgroup) is gone: not found, or `ESRCH` from a `/proc`
/// file whose process exited between open and read.
fn is_gone(e: &io::Error) -> bool {
    const ESRCH: i32 = 3;
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(text: &str) -> Stat {
        Stat::parse(text).expect("parses")
    }

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let s = stat("4242 (my (odd) name) S 17 4242 4242 34816 4242 4194560 120 0 0 0 250 130 0 0 20 0 1 0 98765 2240512 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0");
        assert_eq!(s.comm, "my (odd) name");
        assert_eq!(s.state, 'S');
        assert_eq!(s.ppid, 17);
        assert_eq!(tty_name(s.tty_nr), "pts/0");
        assert_eq!((s.utime, s.stime, s.starttime), (250, 130, 98765));
        assert!(Stat::parse("4242 (truncated) S 1").is_none());
        assert!(Stat::parse("").is_none());
    }

    #[test]
    fn commands_read_as_ps_prints_them_and_the_engine_splits_them() {
        let running = stat("7 (sleep) S 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
        assert_eq!(command(b"sleep\x001000\x00", &running), "sleep 1000");
        // An empty argument and inner runs of spaces collapse; a newline is a space, a tab a `?`.
        assert_eq!(
            command(b"sh\x00-c\x00\x00a  b\x00x\ty\nz\x00", &running),
            "sh -c a b x?y z"
        );
        // nginx-style rewritten argv padded with NULs.
        assert_eq!(
            command(b"nginx: master process nginx\x00\x00\x00", &running),
            "nginx: master process nginx"
        );
        assert_eq!(command(b"", &running), "[sleep]");
        let zombie = stat("8 (sh) Z 1 8 8 0 -1 4194564 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
        assert_eq!(command(b"", &zombie), "[sh] <defunct>");
        let kthread = stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
        assert_eq!(command(b"", &kthread), "[kthreadd]");
    }

    #[test]
    fn tty_and_time_columns() {
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name((136 << 8) | 3), "pts/3");
        assert_eq!(tty_name((137 << 8) | 1), "pts/257");
        assert_eq!(tty_name((4 << 8) | 1), "tty1");
        assert_eq!(tty_name((4 << 8) | 65), "ttyS1");
        assert_eq!(cpu_time(0), "00:00:00");
        assert_eq!(cpu_time(3 * 3600 + 2 * 60 + 1), "03:02:01");
        assert_eq!(cpu_time(2 * 86_400 + 61), "2-00:01:01");
    }

    #[test]
    fn users_show_as_ps_shows_them() {
        let host = tempfile::tempdir().unwrap();
        for dir in ["proc", "etc"] {
            std::fs::create_dir_all(host.path().join(dir)).unwrap();
        }
        std::fs::write(
            host.path().join("proc/stat"),
            "cpu 1 2 3\nbtime 1700000000\n",
        )
        .unwrap();
        std::fs::write(host.path().join("proc/uptime"), "1234.5 99.0\n").unwrap();
        std::fs::write(
            host.path().join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nsystemd-timesync:x:997:997::/:/usr/sbin/nologin\n",
        )
        .unwrap();
        let reader = ProcReader::new(host.path()).unwrap();
        assert_eq!(reader.user(0), "root");
        assert_eq!(reader.user(997), "systemd+");
        assert_eq!(reader.user(4321), "4321");
    }

    #[test]
    fn a_root_without_proc_is_refused_with_the_path() {
        let empty = tempfile::tempdir().unwrap();
        let err = ProcReader::new(empty.path()).unwrap_err();
        assert!(err.contains("proc/stat"), "{err}");
    }
}
