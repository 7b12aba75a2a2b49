//! Facts several rules derive the same way: who is root, Docker's default capabilities, which host
//! paths are sensitive, which ports a container publishes, what a history line says, which images
//! are in use; and how text is cut to fit a message. One definition each, so rules agree.

use std::collections::BTreeSet;

use dockaudit_snapshot::{Container, Fact, Image, Mount, PortBinding, Snapshot};

/// Whether a `User` value means root: empty (the default), `root`, `0`, with any group.
pub fn is_root_user(user: &str) -> bool {
    let user_part = user.split(':').next().unwrap_or("").trim();
    matches!(user_part, "" | "root" | "0")
}

/// The capabilities Docker grants every container unless dropped (moby's `DefaultCapabilities`).
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Capabilities that amount to (or lead straight to) root on the host.
pub const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "SYS_BOOT",
    "BPF",
    "PERFMON",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

/// `cap_sys_admin` / `CAP_SYS_ADMIN` / `SYS_ADMIN` → `SYS_ADMIN`.
pub fn normalize_capability(cap: &str) -> String {
    let upper = cap.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

/// Capabilities a container adds beyond Docker's defaults, normalised and sorted.
pub fn added_capabilities(c: &Container) -> Vec<String> {
    let mut caps: Vec<String> = c
        .inspect
        .host_config
        .cap_add
        .iter()
        .map(|cap| normalize_capability(cap))
        .filter(|cap| !DEFAULT_CAPABILITIES.contains(&cap.as_str()))
        .collect();
    caps.sort();
    caps.dedup();
    caps
}

/// Host paths whose exposure gives a container power over the host or its data (CIS 5.6), as
/// mount sources: system directories, home and backup directories, and the state of the engines
/// and orchestrators beside Docker (containerd's and CRI-O/Podman's storage, the kubelet's pods and
/// keys, Kubernetes' configuration and etcd's data).
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/sys",
    "/usr",
    "/bin",
    "/sbin",
    "/root",
    "/home",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/containers",
    "/var/lib/kubelet",
    "/var/lib/etcd",
    "/etc/kubernetes",
    "/run",
    "/var/run",
    "/var/log",
    "/backup",
    "/backups",
    "/var/backups",
    "/srv/backup",
    "/srv/backups",
    "/mnt/backup",
    "/mnt/backups",
];

/// Whether a host path is (inside) a sensitive directory, naming the most specific one: a store
/// of credentials ([`credential_store`], also found by name anywhere: `/srv/ci/.aws`), else the
/// longest [`SENSITIVE_HOST_PATHS`] entry it is or is under (`/` only matches itself: everything
/// is under `/`).
pub fn sensitive_host_path(source: &str) -> Option<&'static str> {
    let source = trim_path(source);
    credential_store(source).or_else(|| {
        SENSITIVE_HOST_PATHS
            .iter()
            .copied()
            .filter(|p| {
                if *p == "/" {
                    source == "/"
                } else {
                    is_at_or_under(source, p)
                }
            })
            .max_by_key(|p| p.len())
    })
}

/// Host paths whose contents are credentials: reading them is enough to act as the host, its
/// users or the cluster (host SSH keys and password hashes, Kubernetes' admin and kubelet keys,
/// etcd's data with every Kubernetes secret, the Docker daemon's TLS keys).
const CREDENTIAL_HOST_PATHS: &[&str] = &[
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/ssh",
    "/etc/docker",
    "/etc/kubernetes",
    "/var/lib/kubelet",
    "/var/lib/etcd",
    "/root/.ssh",
];

/// Directories and files that hold a user's credentials wherever the home directory is:
/// SSH keys, cloud CLIs' keys and tokens (AWS, Google Cloud, Azure), kubeconfig, registry logins
/// (`.docker/config.json`), GnuPG keys, and the password files of netrc and git.
const CREDENTIAL_NAMES: &[&str] = &[
    ".ssh",
    ".aws",
    ".azure",
    ".config/gcloud",
    ".kube",
    ".docker",
    ".gnupg",
    ".netrc",
    ".git-credentials",
];

/// Whether a host path is (inside) a store of credentials ([`CREDENTIAL_HOST_PATHS`], or a
/// [`CREDENTIAL_NAMES`] entry anywhere: `/srv/ci/.aws`, `/home/me/.kube/config`), naming it.
pub fn credential_store(source: &str) -> Option<&'static str> {
    let source = trim_path(source);
    CREDENTIAL_HOST_PATHS
        .iter()
        .copied()
        .find(|p| is_at_or_under(source, p))
        .or_else(|| {
            CREDENTIAL_NAMES.iter().copied().find(|name| {
                let needle = format!("/{name}");
                source.match_indices(&needle).any(|(at, _)| {
                    matches!(source[at + needle.len()..].chars().next(), None | Some('/'))
                })
            })
        })
}

/// A host path without trailing slashes: `/etc/` → `/etc`; `` and `/` → `/`.
pub fn trim_path(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// Whether `path` is `dir` or below it (`/etcetera` is not below `/etc`).
fn is_at_or_under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Directories that hold an engine's API socket: mounting one exposes the socket.
const ENGINE_SOCKET_DIRS: &[&str] = &[
    "/run",
    "/var/run",
    "/run/docker",
    "/var/run/docker",
    "/run/docker/containerd",
    "/var/run/docker/containerd",
    "/run/containerd",
    "/var/run/containerd",
    "/run/crio",
    "/var/run/crio",
    "/run/podman",
    "/var/run/podman",
];

/// Whether a host path is a container engine's API socket (Docker, containerd and its ttrpc
/// socket, CRI-O, Podman, the CRI shims of Kubernetes) or a directory holding one.
pub fn is_engine_socket(source: &str) -> bool {
    let source = trim_path(source);
    [
        "docker.sock",
        "podman.sock",
        "containerd.sock",
        "containerd.sock.ttrpc",
        "crio.sock",
        "cri-dockerd.sock",
        "dockershim.sock",
    ]
    .iter()
    .any(|name| source.ends_with(name))
        || ENGINE_SOCKET_DIRS.contains(&source)
}

/// The host path a container mount exposes: a bind mount's source, or the `device` of a local
/// volume created as a bind (`docker volume create --opt type=none --opt o=bind --opt
/// device=/etc`), which the mount shows only as the volume's own directory. `None` for other
/// volumes, tmpfs, and volumes the snapshot does not hold (collected with a label filter).
pub fn mount_host_path<'a>(mount: &'a Mount, snapshot: &'a Snapshot) -> Option<&'a str> {
    match mount.kind.as_str() {
        "bind" => Some(&mount.source),
        "volume" => {
            let volume = snapshot.volumes.iter().find(|v| v.name == mount.name)?;
            if volume.driver != "local" {
                return None;
            }
            let options = volume.extra.get("Options")?.as_object()?;
            let option = |key: &str| options.get(key).and_then(|v| v.as_str());
            let is_bind = option("o")
                .is_some_and(|o| o.split(',').any(|o| matches!(o.trim(), "bind" | "rbind")));
            if is_bind {
                option("device")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// One published port: container port (`80/tcp`) and the host binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// `80/tcp`.
    pub container_port: String,
    /// Where the host listens.
    pub binding: PortBinding,
}

impl Published {
    /// The host port as a number (None for an engine-chosen port not yet assigned).
    pub fn host_port(&self) -> Option<u16> {
        self.binding.host_port.parse().ok().filter(|p| *p != 0)
    }

    /// `0.0.0.0:8080->80/tcp`, as `docker ps` shows it.
    pub fn display(&self) -> String {
        let ip = if self.binding.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &self.binding.host_ip
        };
        let ip = if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.to_string()
        };
        let port = if self.binding.host_port.is_empty() {
            "(any)"
        } else {
            &self.binding.host_port
        };
        format!("{ip}:{port}->{}", self.container_port)
    }
}

/// Every port a container publishes on the host. For a running container that is what the engine
/// bound (`NetworkSettings.Ports`, which includes `-P` choices); for any other state, what it will
/// bind when started (`HostConfig.PortBindings`).
pub fn published_ports(c: &Container) -> Vec<Published> {
    let running_map = &c.inspect.network_settings.ports;
    let map = if c.inspect.state.running && running_map.values().any(Option::is_some) {
        running_map
    } else {
        &c.inspect.host_config.port_bindings
    };
    let mut out = Vec::new();
    for (container_port, bindings) in map {
        for b in bindings.iter().flatten() {
            out.push(Published {
                container_port: container_port.clone(),
                binding: b.clone(),
            });
        }
    }
    out
}

/// Whether the container shares a host namespace through a `*Mode` value of `host`.
pub fn is_host_mode(mode: &str) -> bool {
    mode == "host"
}

/// At most `max` characters of `s` (characters, not bytes), ending in `…` when cut: the `…` counts
/// towards `max` (so a `max` of 0 still gives `…`). For quoting commands, instructions and log lines
/// in one-line messages.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The program a command-line token names: `/usr/bin/nc` → `nc`. Quotes around the token and a
/// trailing `:` (process titles such as `sshd:` or `nginx: master process`) are removed; case is
/// kept.
pub fn program_name(token: &str) -> &str {
    let token = token.trim_matches(|c| c == '"' || c == '\'');
    token
        .rsplit('/')
        .next()
        .unwrap_or(token)
        .trim_end_matches(':')
}

/// Which builder wrote an image history line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    /// The classic builder: `/bin/sh -c #(nop)  ADD file:… in / ` for instructions that run
    /// nothing, the bare shell command (`/bin/sh -c apt-get update`) for `RUN`.
    Classic,
    /// BuildKit: the instruction as written, marked `# buildkit` (`RUN /bin/sh -c … # buildkit`).
    BuildKit,
}

/// One image history line (`docker history --no-trunc`, `CreatedBy`) read as the Dockerfile
/// instruction that made the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryInstruction<'a> {
    /// Which builder wrote the line.
    pub builder: Builder,
    /// The instruction keyword as written (`RUN`, `ADD`, `ENV`…).
    pub instruction: &'a str,
    /// What follows the keyword, trimmed, never empty. For `RUN` that is the command as the builder
    /// recorded it: `/bin/sh -c apt-get update`, or `|1 V=1 /bin/sh -c …` when build arguments were
    /// in force. For a classic `ADD`: `file:HASH in DEST`.
    pub args: &'a str,
}

/// Reads one history line in either builder's form. A line ending in `# buildkit` is BuildKit's;
/// otherwise one holding `#(nop)` is a classic non-`RUN` instruction, and any other non-empty line is
/// a classic `RUN`. `None` for an empty line and for an instruction without arguments.
pub fn history_instruction(created_by: &str) -> Option<HistoryInstruction<'_>> {
    let line = created_by.trim();
    let (builder, body) = if let Some(body) = line.strip_suffix("# buildkit") {
        (Builder::BuildKit, body)
    } else if let Some((_, body)) = line.split_once("#(nop)") {
        (Builder::Classic, body)
    } else if line.is_empty() {
        return None;
    } else {
        return Some(HistoryInstruction {
            builder: Builder::Classic,
            instruction: "RUN",
            args: line,
        });
    };
    let (instruction, args) = body.trim().split_once(' ')?;
    Some(HistoryInstruction {
        builder,
        instruction,
        args: args.trim(),
    })
}

/// The image's history lines (`CreatedBy`), newest first as the engine lists them, or why they are
/// missing (as a skip reason).
pub fn history_lines(image: &Image) -> Result<Vec<&str>, String> {
    match &image.history {
        None => Err("image history was not collected".into()),
        Some(Fact::Missing(why)) => Err(format!("image history was not collected: {why}")),
        Some(Fact::Value(history)) => Ok(history.iter().map(|h| h.created_by.as_str()).collect()),
    }
}

/// Whether `child` was built on top of `base`: the history links them (classic builder), or
/// `base`'s whole history is the bottom of `child`'s (any builder; BuildKit records no parent).
/// An image is not built from itself, and without both histories nothing is known: `false`.
pub fn built_from(child: &Image, base: &Image) -> bool {
    let (Some(Fact::Value(child_history)), Some(Fact::Value(base_history))) =
        (&child.history, &base.history)
    else {
        return false;
    };
    if child.inspect.id == base.inspect.id {
        return false;
    }
    if child_history.iter().any(|h| h.id == base.inspect.id) {
        return true;
    }
    !base_history.is_empty()
        && child_history.len() > base_history.len()
        && child_history[child_history.len() - base_history.len()..]
            .iter()
            .zip(base_history)
            .all(|(c, b)| c.created == b.created && c.created_by == b.created_by)
}

/// Why "nothing uses this" cannot be told from the snapshot, if it cannot: it was collected with
/// label filters (`dockaudit collect --label`), so a container outside the collection may use the
/// object. The lifecycle rules then skip what they would report unused (skip is not a finding).
pub fn unused_unknowable(snapshot: &dockaudit_snapshot::Snapshot) -> Option<String> {
    let labels = &snapshot.settings.labels;
    (!labels.is_empty()).then(|| {
        format!(
            "collected with --label {}: a container outside the collection may use it",
            labels.join(", --label ")
        )
    })
}

/// Which images the snapshot's containers use, for the lifecycle rules. Every container counts,
/// selected or not, whatever its state: an image is in use when a container runs it or runs an image
/// built from it ([`built_from`]).
#[derive(Debug)]
pub struct ImagesInUse<'a> {
    snapshot: &'a Snapshot,
    run: BTreeSet<&'a str>,
}

impl<'a> ImagesInUse<'a> {
    /// Collects the ids of the images the snapshot's containers run.
    pub fn new(snapshot: &'a Snapshot) -> ImagesInUse<'a> {
        ImagesInUse {
            snapshot,
            run: snapshot
                .containers
                .iter()
                .map(|c| c.inspect.image.as_str())
                .collect(),
        }
    }

    /// Whether a container runs `image`, or runs an image built from it.
    pub fn contains(&self, image: &Image) -> bool {
        self.run.contains(image.inspect.id.as_str())
            || self
                .snapshot
                .images
                .iter()
                .filter(|other| self.run.contains(other.inspect.id.as_str()))
                .any(|child| built_from(child, image))
    }
}

/// Human-readable bytes: `1.5 GiB`.
pub fn human_bytes(bytes: i64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", bytes.max(0))
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// Whether the engine is Podman, whose Docker-compatible API writes some fields as constants or
/// drops them (see the README's Podman section): rules that read those fields skip there.
pub fn is_podman(snapshot: &dockaudit_snapshot::Snapshot) -> bool {
    snapshot.engine.kind == "podman"
}

#[cfg(test)]
mod tests {
    use dockaudit_snapshot::HistoryEntry;

    use super::*;

    #[test]
    fn root_user_forms() {
        for u in ["", "root", "0", "0:0", "root:staff"] {
            assert!(is_root_user(u), "{u}");
        }
        for u in ["1000", "app", "1000:1000", "nobody"] {
            assert!(!is_root_user(u), "{u}");
        }
    }

    #[test]
    fn sensitive_paths_match_subdirectories_but_not_lookalikes() {
        assert_eq!(sensitive_host_path("/etc/nginx"), Some("/etc"));
        assert_eq!(sensitive_host_path("/"), Some("/"));
        assert_eq!(sensitive_host_path("/etcetera"), None);
        assert_eq!(sensitive_host_path("/srv/app"), None);
        assert_eq!(sensitive_host_path("/home/"), Some("/home"));
        // The most specific directory is named.
        assert_eq!(
            sensitive_host_path("/etc/kubernetes/admin.conf"),
            Some("/etc/kubernetes")
        );
        assert_eq!(
            sensitive_host_path("/var/lib/kubelet/pods"),
            Some("/var/lib/kubelet")
        );
        // Credential stores by name, outside the system directories.
        assert_eq!(sensitive_host_path("/srv/ci/.aws"), Some(".aws"));
        assert_eq!(
            sensitive_host_path("/opt/runner/.docker/config.json"),
            Some(".docker")
        );
        assert_eq!(sensitive_host_path("/srv/app/.awsome"), None);
        assert_eq!(sensitive_host_path("/home/me/.aws"), Some(".aws"));
        assert_eq!(sensitive_host_path("/home/me/src"), Some("/home"));
    }

    #[test]
    fn credential_stores_by_path_and_by_name() {
        assert_eq!(credential_store("/etc/ssh/"), Some("/etc/ssh"));
        assert_eq!(credential_store("/etc/sshd"), None);
        assert_eq!(credential_store("/home/me/.kube/config"), Some(".kube"));
        assert_eq!(
            credential_store("/home/me/.config/gcloud"),
            Some(".config/gcloud")
        );
        assert_eq!(credential_store("/home/me/.config"), None);
        assert_eq!(
            credential_store("/root/.ssh/id_ed25519"),
            Some("/root/.ssh")
        );
        assert_eq!(credential_store("/srv/data"), None);
    }

    #[test]
    fn engine_sockets_and_their_directories() {
        for socket in [
            "/var/run/docker.sock",
            "/run/containerd/containerd.sock",
            "/run/containerd/containerd.sock.ttrpc",
            "/run/k3s/containerd/containerd.sock",
            "/var/run/crio/crio.sock",
            "/run/cri-dockerd.sock",
            "/run/containerd/",
            "/run/podman",
            "/var/run",
        ] {
            assert!(is_engine_socket(socket), "{socket}");
        }
        for other in [
            "/run/user",
            "/var/run/containerd-data",
            "/srv/docker.sockets",
        ] {
            assert!(!is_engine_socket(other), "{other}");
        }
    }

    #[test]
    fn bind_volumes_expose_their_device() {
        let volume = |name: &str, driver: &str, options: serde_json::Value| {
            let mut v = dockaudit_snapshot::Volume {
                name: name.into(),
                driver: driver.into(),
                ..Default::default()
            };
            v.extra.insert("Options".into(), options);
            v
        };
        let snapshot = Snapshot {
            volumes: vec![
                volume(
                    "etc",
                    "local",
                    serde_json::json!({"type": "none", "o": "bind", "device": "/etc"}),
                ),
                volume(
                    "nfs",
                    "local",
                    serde_json::json!({"type": "nfs", "o": "addr=10.0.0.1,rw", "device": ":/x"}),
                ),
                volume(
                    "plugin",
                    "vendor/driver",
                    serde_json::json!({"o": "bind", "device": "/etc"}),
                ),
            ],
            ..Snapshot::default()
        };
        let mount = |kind: &str, name: &str, source: &str| Mount {
            kind: kind.into(),
            name: name.into(),
            source: source.into(),
            ..Mount::default()
        };
        let data = "/var/lib/docker/volumes/x/_data";
        assert_eq!(
            mount_host_path(&mount("volume", "etc", data), &snapshot),
            Some("/etc")
        );
        assert_eq!(
            mount_host_path(&mount("volume", "nfs", data), &snapshot),
            None
        );
        assert_eq!(
            mount_host_path(&mount("volume", "plugin", data), &snapshot),
            None
        );
        assert_eq!(
            mount_host_path(&mount("volume", "unknown", data), &snapshot),
            None
        );
        assert_eq!(
            mount_host_path(&mount("bind", "", "/srv"), &snapshot),
            Some("/srv")
        );
        assert_eq!(mount_host_path(&mount("tmpfs", "", ""), &snapshot), None);
    }

    #[test]
    fn shorten_counts_characters_and_the_ellipsis() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("ääää", 3), "ää…");
        assert_eq!(shorten("", 0), "");
        // Nothing fits, but that something was cut still shows.
        assert_eq!(shorten("a", 0), "…");
    }

    #[test]
    fn program_names() {
        assert_eq!(program_name("/usr/bin/nc"), "nc");
        assert_eq!(program_name("sshd:"), "sshd");
        assert_eq!(program_name("'/usr/sbin/Crond'"), "Crond");
        assert_eq!(program_name("\"xmrig\""), "xmrig");
        assert_eq!(program_name("/usr/bin/"), "");
    }

    #[test]
    fn history_lines_of_both_builders() {
        let read = |line| history_instruction(line).map(|h| (h.builder, h.instruction, h.args));
        assert_eq!(
            read("/bin/sh -c apt-get update || true"),
            Some((Builder::Classic, "RUN", "/bin/sh -c apt-get update || true"))
        );
        assert_eq!(
            read("|1 V=1 /bin/sh -c apt update "),
            Some((Builder::Classic, "RUN", "|1 V=1 /bin/sh -c apt update"))
        );
        assert_eq!(
            read("/bin/sh -c #(nop) ADD file:0123 in / "),
            Some((Builder::Classic, "ADD", "file:0123 in /"))
        );
        assert_eq!(
            read("/bin/sh -c #(nop)  CMD [\"sh\"]"),
            Some((Builder::Classic, "CMD", "[\"sh\"]"))
        );
        assert_eq!(
            read("RUN /bin/sh -c apt-get update # buildkit"),
            Some((Builder::BuildKit, "RUN", "/bin/sh -c apt-get update"))
        );
        assert_eq!(
            read("ADD --checksum=sha256:abc https://example.com/x.tgz /opt/ # buildkit"),
            Some((
                Builder::BuildKit,
                "ADD",
                "--checksum=sha256:abc https://example.com/x.tgz /opt/"
            ))
        );
        // BuildKit's marker wins over a `#(nop)` inside the command.
        assert_eq!(
            read("RUN /bin/sh -c echo '#(nop)' # buildkit"),
            Some((Builder::BuildKit, "RUN", "/bin/sh -c echo '#(nop)'"))
        );
        for nothing in ["", "  ", "RUN # buildkit", "/bin/sh -c #(nop) WORKDIR"] {
            assert_eq!(read(nothing), None, "{nothing:?}");
        }
    }

    #[test]
    fn history_lines_or_why_not() {
        let mut image = Image::default();
        assert_eq!(
            history_lines(&image),
            Err("image history was not collected".to_string())
        );
        image.history = Some(Fact::Missing("engine said no".into()));
        assert_eq!(
            history_lines(&image),
            Err("image history was not collected: engine said no".to_string())
        );
        image.history = Some(Fact::Value(vec![
            HistoryEntry {
                created_by: "USER 1000 # buildkit".into(),
                ..HistoryEntry::default()
            },
            HistoryEntry::default(),
        ]));
        assert_eq!(history_lines(&image), Ok(vec!["USER 1000 # buildkit", ""]));
    }

    /// An image `id` whose history is `layers` (created, created_by), newest first.
    fn image(id: &str, layers: &[(i64, &str)]) -> Image {
        let mut i = Image {
            history: Some(Fact::Value(
                layers
                    .iter()
                    .map(|(created, by)| HistoryEntry {
                        id: "<missing>".into(),
                        created: *created,
                        created_by: (*by).into(),
                        ..HistoryEntry::default()
                    })
                    .collect(),
            )),
            ..Image::default()
        };
        i.inspect.id = id.into();
        i
    }

    #[test]
    fn children_are_recognised_by_history() {
        let base = image("sha256:b", &[(1, "")]);
        let child = image("sha256:c", &[(3, "USER 1000"), (1, "")]);
        let sibling = image("sha256:s", &[(2, "LABEL x=y"), (1, "")]);
        assert!(built_from(&child, &base));
        assert!(!built_from(&child, &sibling));
        assert!(!built_from(&base, &child));
        assert!(!built_from(&child, &child));
        // The classic builder links a child to its parent by layer id.
        let mut linked = image("sha256:l", &[(5, "LABEL a=b")]);
        if let Some(Fact::Value(h)) = &mut linked.history {
            h[0].id = "sha256:b".into();
        }
        assert!(built_from(&linked, &base));
        // Without a history nothing is known.
        assert!(!built_from(&Image::default(), &base));
    }

    #[test]
    fn images_in_use_include_the_bases_of_run_images() {
        let base = image("sha256:b", &[(1, "")]);
        let child = image("sha256:c", &[(3, "USER 1000"), (1, "")]);
        let unused = image("sha256:u", &[(2, "LABEL x=y"), (1, "")]);
        let mut runs_child = Container::default();
        runs_child.inspect.image = "sha256:c".into();
        let snapshot = Snapshot {
            containers: vec![runs_child],
            images: vec![base.clone(), child.clone(), unused.clone()],
            ..Snapshot::default()
        };
        let in_use = ImagesInUse::new(&snapshot);
        assert!(in_use.contains(&child));
        assert!(in_use.contains(&base));
        assert!(!in_use.contains(&unused));
    }

    #[test]
    fn bytes_are_readable() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}

/// How a container refers to its image (`Config.Image`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageReference {
    /// `name@sha256:…`.
    Digest,
    /// An image id or id prefix.
    ImageId,
    /// `name:TAG` with TAG ≠ latest.
    Tagged,
    /// `name:latest`.
    Latest,
    /// `name` alone.
    NoTag,
}

impl ImageReference {
    /// A digest or an image id: immutable, so it cannot drift from what it named.
    pub fn is_pinned(self) -> bool {
        matches!(self, ImageReference::Digest | ImageReference::ImageId)
    }
}

/// Classifies an image reference; `image_id` is the id the container runs.
pub fn classify_image_reference(reference: &str, image_id: &str) -> ImageReference {
    if reference.contains('@') {
        return ImageReference::Digest;
    }
    if reference.starts_with("sha256:") {
        return ImageReference::ImageId;
    }
    let id = image_id.trim_start_matches("sha256:");
    if reference.len() >= 12
        && reference.len() <= 64
        && reference.chars().all(|c| c.is_ascii_hexdigit())
        && id.starts_with(reference)
    {
        return ImageReference::ImageId;
    }
    // The tag is after a `:` in the last path component (`localhost:5000/app` has no tag).
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        None => ImageReference::NoTag,
        Some((_, "latest")) => ImageReference::Latest,
        Some(_) => ImageReference::Tagged,
    }
}
