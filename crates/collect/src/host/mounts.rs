//! The mount table (`/proc/PID/mountinfo`, or `/proc/mounts`), and which mount holds a directory:
//! is the Docker root directory on a partition of its own (CIS 1.1.1)?

use dockaudit_snapshot::host::DockerRootMount;

/// One mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    /// Where it is mounted.
    pub mount_point: String,
    /// `major:minor` (mountinfo) or the source (`/proc/mounts`).
    pub device: String,
    /// The directory of the filesystem mounted there (`/` unless a bind mount of a subdirectory;
    /// mountinfo only).
    pub fs_root: String,
    /// Filesystem type.
    pub fs_type: String,
}

/// Undoes the kernel's octal escapes in mount fields (`\040` is a space).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            let digits = &bytes[i + 1..i + 4];
            if digits.iter().all(|b| (b'0'..=b'7').contains(b)) {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
                if let Ok(v) = u8::try_from(value) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `/proc/PID/mountinfo`. Malformed lines are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let (pre, post) = line.split_once(" - ")?;
            let pre: Vec<&str> = pre.split_whitespace().collect();
            let post: Vec<&str> = post.split_whitespace().collect();
            if pre.len() < 5 || post.is_empty() {
                return None;
            }
            Some(MountEntry {
                mount_point: unescape(pre[4]),
                device: pre[2].to_string(),
                fs_root: unescape(pre[3]),
                fs_type: post[0].to_string(),
            })
        })
        .collect()
}

/// Parses `/proc/mounts` (fstab format). Malformed lines are skipped.
pub fn parse_proc_mounts(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 3 {
                return None;
            }
            Some(MountEntry {
                mount_point: unescape(f[1]),
                device: unescape(f[0]),
                fs_root: String::new(),
                fs_type: f[2].to_string(),
            })
        })
        .collect()
}

/// The mount holding `path`: the longest mount point that is `path` or a directory above it; of
/// mounts stacked on one point, the last (the visible one).
pub fn mount_of<'a>(mounts: &'a [MountEntry], path: &str) -> Option<&'a MountEntry> {
    let path = path.trim_end_matches('/');
    let mut best: Option<&MountEntry> = None;
    for m in mounts {
        let point = m.mount_point.trim_end_matches('/');
        let holds = point.is_empty() || path == point || path.starts_with(&format!("{point}/"));
        if holds && best.is_none_or(|b| point.len() >= b.mount_point.trim_end_matches('/').len()) {
            best = Some(m);
        }
    }
    best
}

/// Judges whether `resolved_dir` (the Docker root directory with symlinks resolved) has a
/// partition of its own. `None` when the table has no root mount.
pub fn docker_root_mount(
    mounts: &[MountEntry],
    docker_root_dir: &str,
    resolved_dir: &str,
    source: &str,
) -> Option<DockerRootMount> {
    let root = mount_of(mounts, "/")?;
    let holder = mount_of(mounts, resolved_dir)?;
    // A bind mount of a directory of the root filesystem has a mount point of its own but the
    // root's device: it shares the root filesystem's space, so it is not a separate partition.
    let separate = holder.mount_point != "/" && holder.device != root.device;
    Some(DockerRootMount {
        docker_root_dir: docker_root_dir.to_string(),
        resolved_dir: if resolved_dir == docker_root_dir {
            String::new()
        } else {
            resolved_dir.to_string()
        },
        mount_point: holder.mount_point.clone(),
        device: holder.device.clone(),
        fs_type: holder.fs_type.clone(),
        root_device: root.device.clone(),
        separate,
        source: source.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 254:0 /var/lib/docker /var/lib/docker rw,relatime - ext4 /dev/vda rw
41 27 254:16 / /srv/docker\\040data rw,relatime - xfs /dev/vdb rw
";

    #[test]
    fn a_bind_mount_of_the_root_device_is_not_a_partition() {
        let mounts = parse_mountinfo(MOUNTINFO);
        assert_eq!(mounts.len(), 4);
        let m = docker_root_mount(&mounts, "/var/lib/docker", "/var/lib/docker", "mountinfo")
            .expect("found");
        assert_eq!(m.mount_point, "/var/lib/docker");
        assert!(!m.separate);
        let m = docker_root_mount(&mounts, "/d", "/srv/docker data/x", "mountinfo").expect("found");
        assert_eq!(m.mount_point, "/srv/docker data");
        assert_eq!(m.device, "254:16");
        assert!(m.separate);
        assert_eq!(m.resolved_dir, "/srv/docker data/x");
        let m = docker_root_mount(&mounts, "/opt/docker", "/opt/docker", "mountinfo").unwrap();
        assert_eq!(m.mount_point, "/");
        assert!(!m.separate);
    }

    #[test]
    fn proc_mounts_and_stacked_mounts() {
        let mounts = parse_proc_mounts(
            "/dev/vda / ext4 rw 0 0\n/dev/vdb /var/lib/docker xfs rw 0 0\ntmpfs /var/lib/docker tmpfs rw 0 0\n",
        );
        let m = mount_of(&mounts, "/var/lib/docker/overlay2").unwrap();
        assert_eq!(m.fs_type, "tmpfs");
        assert!(parse_mountinfo("garbage\n\n1 2").is_empty());
        assert_eq!(unescape("a\\040b\\134c\\0"), "a b\\c\\0");
    }
}
