//! Listening sockets of host-network containers: the host's socket tables
//! (`/proc/PID/net/{tcp,tcp6,udp,udp6}`) narrowed to the sockets the container's own processes hold
//! (`/proc/PID/fd/*` → `socket:[INODE]`). A host-network container shares the host's socket table,
//! so without that narrowing every host daemon would be blamed on it. Reading another process's
//! descriptors needs root.

use std::collections::BTreeSet;
use std::io::{self, Read};
use std::net::{Ipv4Addr, Ipv6Addr};

use dockaudit_snapshot::host::Listener;
use dockaudit_snapshot::Fact;

use super::rootfs::HostRoot;

/// Processes looked at per container at most.
const MAX_PIDS: usize = 64;
/// Descriptors looked at per process at most.
const MAX_FDS: usize = 8192;

/// A listening socket with its inode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    /// What it listens on.
    pub listener: Listener,
    /// Its inode, which `/proc/PID/fd` links name.
    pub inode: u64,
}

/// Decodes a `/proc/net/tcp` address (`0100007F:1F90`): the kernel prints each 32-bit word of the
/// network-order address as a native integer, so the bytes come back with `to_ne_bytes`.
fn decode_address(hex: &str) -> Option<(String, u16)> {
    let (addr, port) = hex.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Option<Vec<[u8; 4]>> = (0..addr.len() / 8)
        .map(|i| {
            addr.get(i * 8..i * 8 + 8)
                .and_then(|w| u32::from_str_radix(w, 16).ok())
                .map(u32::to_ne_bytes)
        })
        .collect();
    let bytes: Vec<u8> = words?.concat();
    let ip = match bytes.len() {
        4 => Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(&bytes);
            Ipv6Addr::from(b).to_string()
        }
        _ => return None,
    };
    Some((ip, port))
}

/// Parses one `/proc/net/{tcp,tcp6,udp,udp6}` table (`proto` names it): TCP sockets in LISTEN
/// state, UDP sockets bound with no peer. Malformed lines are skipped.
pub fn parse_proc_net(text: &str, proto: &str) -> Vec<Socket> {
    let udp = proto.starts_with("udp");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 {
                return None;
            }
            let (address, port) = decode_address(f[1])?;
            let listening = if udp {
                // Unconnected UDP sockets (TCP_CLOSE) with no remote end receive from anyone.
                f[3] == "07" && decode_address(f[2]).is_some_and(|(_, p)| p == 0)
            } else {
                f[3] == "0A"
            };
            if !listening {
                return None;
            }
            Some(Socket {
                listener: Listener {
                    proto: proto.to_string(),
                    address,
                    port,
                },
                inode: f[9].parse().ok()?,
            })
        })
        .collect()
}

/// The socket inodes of `readlink` targets (`socket:[1234]`).
pub fn socket_inodes<'a>(links: impl IntoIterator<Item = &'a str>) -> BTreeSet<u64> {
    links
        .into_iter()
        .filter_map(|l| l.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok())
        .collect()
}

/// The listening sockets held by processes `pids` (host pids of one container).
pub fn container_listeners(host: &HostRoot, pids: &[u32]) -> Fact<Vec<Listener>> {
    if pids.is_empty() {
        return Fact::Missing("no process id is known for it".into());
    }
    let mut table: Option<Vec<Socket>> = None;
    let mut inodes = BTreeSet::new();
    let mut seen_any = false;
    for pid in pids.iter().take(MAX_PIDS) {
        if table.is_none() {
            match read_tables(host, *pid) {
                Ok(t) => table = Some(t),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Fact::Missing(host.why(&format!("/proc/{pid}/net/tcp"), &e)),
            }
        }
        let fd_dir = format!("/proc/{pid}/fd");
        let entries = match std::fs::read_dir(host.local(&fd_dir)) {
            Ok(entries) => entries,
            // The process ended while we looked.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Fact::Missing(host.why(&fd_dir, &e)),
        };
        seen_any = true;
        let links: Vec<String> = entries
            .filter_map(Result::ok)
            .take(MAX_FDS)
            .filter_map(|e| std::fs::read_link(e.path()).ok())
            .map(|t| t.to_string_lossy().into_owned())
            .collect();
        inodes.extend(socket_inodes(links.iter().map(String::as_str)));
    }
    let (Some(table), true) = (table, seen_any) else {
        return Fact::Missing("its processes ended while the audit ran".into());
    };
    let mut listeners: Vec<Listener> = table
        .into_iter()
        .filter(|s| inodes.contains(&s.inode))
        .map(|s| s.listener)
        .collect();
    listeners.sort();
    listeners.dedup();
    Fact::Value(listeners)
}

fn read_tables(host: &HostRoot, pid: u32) -> io::Result<Vec<Socket>> {
    let mut all = Vec::new();
    for proto in ["tcp", "tcp6", "udp", "udp6"] {
        let path = format!("/proc/{pid}/net/{proto}");
        // Socket tables of busy hosts are large; 16 MiB holds ~100k sockets.
        let read = std::fs::File::open(host.local(&path)).and_then(|f| {
            let mut bytes = Vec::new();
            f.take(16 * 1024 * 1024).read_to_end(&mut bytes)?;
            Ok(bytes)
        });
        match read {
            Ok(bytes) => all.extend(parse_proc_net(&String::from_utf8_lossy(&bytes), proto)),
            // A kernel without IPv6 has no tcp6 table.
            Err(e) if e.kind() == io::ErrorKind::NotFound && proto.ends_with('6') => {}
            Err(e) => return Err(e),
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_sockets_of_each_table() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0
   2: 0100007F:0277 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1
";
        let sockets = parse_proc_net(tcp, "tcp");
        assert_eq!(sockets.len(), 2);
        if cfg!(target_endian = "little") {
            assert_eq!(sockets[1].listener.address, "127.0.0.1");
        }
        assert_eq!(sockets[0].listener.display(), "0.0.0.0:8080/tcp");
        assert!(sockets[0].listener.on_all_interfaces());
        assert_eq!(sockets[0].inode, 1001);

        let tcp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0035 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
";
        let s = parse_proc_net(tcp6, "tcp6");
        assert_eq!(s[0].listener.display(), "[::]:53/tcp6");

        let udp = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3001 2 0000000000000000 0
  2: 0100007F:0035 0200007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 3002 2 0000000000000000 0
";
        let s = parse_proc_net(udp, "udp");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].listener.port, 68);
        assert!(parse_proc_net("header\ngarbage line\n 0: zz:zz", "tcp").is_empty());
        assert_eq!(
            socket_inodes(["socket:[12]", "pipe:[3]", "/dev/null", "socket:[x]"]),
            BTreeSet::from([12])
        );
    }
}
