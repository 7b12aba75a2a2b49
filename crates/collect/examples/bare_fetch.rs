//! The baseline for `bench/live.sh`: fetches the same engine data `dockaudit audit` reads (version,
//! info, every container's inspect, top for running ones and a 500-line log tail, images with
//! inspect and history, networks with inspect, volumes), with the same concurrency, and throws it
//! away. No conversion, no masking, no rules, no report: what is left is the engine's cost.
//!
//!     bare_fetch [SOCKET] [--no-sizes] [--no-top] [--host]
//!
//! `--no-sizes` leaves out every size (by default it asks the container list for every writable
//! layer's size, `size=1`, as dockaudit did before it asked only the stopped containers'): on some
//! storage drivers, fuse-overlayfs for one, they cost the engine seconds. `--no-top` leaves out the
//! engine's process listings (`top`), which a local audit reads from `/proc` instead; with both it
//! is the least an audit must ask the engine, the baseline of `bench/live.sh`. `--host` also does the
//! host reads a local audit does, each on its own thread while the engine answers: the `/proc` scan
//! for dockerd, daemon.json, the account and mount files, each `*tables-save` back-end present,
//! `nft -j list ruleset` and `auditctl -l`; so the fixed cost of reading a local host is in the
//! baseline too and the comparison is like for like.

use bollard::query_parameters::{
    InspectContainerOptions, InspectNetworkOptions, ListContainersOptionsBuilder,
    ListImagesOptions, ListNetworksOptions, ListVolumesOptions, LogsOptionsBuilder, TopOptions,
};
use bollard::{Docker, API_DEFAULT_VERSION};
use futures_util::stream::{self, StreamExt};

const CONCURRENCY: usize = 16;

/// Where the audit looks for tools besides `PATH` (see `host::tool`).
const TOOL_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

fn find_tool(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(TOOL_DIRS.iter().map(std::path::PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Starts the host reads of a local audit, one thread each; join them to wait.
fn start_host_reads() -> Vec<std::thread::JoinHandle<usize>> {
    let mut tools: Vec<(&str, Vec<&str>)> = Vec::new();
    for (plain, variants) in [
        (
            "iptables-save",
            ["iptables-legacy-save", "iptables-nft-save"],
        ),
        (
            "ip6tables-save",
            ["ip6tables-legacy-save", "ip6tables-nft-save"],
        ),
    ] {
        let present: Vec<&str> = variants
            .into_iter()
            .filter(|t| find_tool(t).is_some())
            .collect();
        if present.is_empty() {
            tools.push((plain, Vec::new()));
        }
        tools.extend(present.into_iter().map(|t| (t, Vec::new())));
    }
    tools.push(("nft", vec!["-j", "list", "ruleset"]));
    tools.push(("auditctl", vec!["-l"]));
    let mut handles: Vec<std::thread::JoinHandle<usize>> = tools
        .into_iter()
        .map(|(tool, args)| {
            std::thread::spawn(move || {
                let Some(program) = find_tool(tool) else {
                    return 0;
                };
                std::process::Command::new(program)
                    .args(args)
                    .output()
                    .map(|o| o.stdout.len())
                    .unwrap_or(0)
            })
        })
        .collect();
    handles.push(std::thread::spawn(|| {
        let mut read = 0;
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for e in entries.flatten() {
                if e.file_name()
                    .to_str()
                    .is_some_and(|n| n.parse::<u32>().is_ok())
                {
                    read += std::fs::read(e.path().join("cmdline")).map_or(0, |b| b.len());
                }
            }
        }
        for f in [
            "/etc/docker/daemon.json",
            "/etc/passwd",
            "/etc/group",
            "/proc/1/mountinfo",
            "/proc/sys/net/ipv4/ip_forward",
        ] {
            read += std::fs::read(f).map_or(0, |b| b.len());
        }
        read
    }));
    handles
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes = !args.iter().any(|a| a == "--no-sizes");
    let host = args.iter().any(|a| a == "--host");
    let tops = !args.iter().any(|a| a == "--no-top");
    let socket = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "/var/run/docker.sock".to_string());
    let host_reads = if host { start_host_reads() } else { Vec::new() };
    let docker = Docker::connect_with_unix(&socket, 30, API_DEFAULT_VERSION)?
        .negotiate_version()
        .await?;
    let (_, _, containers, images, networks, volumes) = tokio::join!(
        docker.version(),
        docker.info(),
        docker.list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .size(sizes)
                .build()
        )),
        docker.list_images(None::<ListImagesOptions>),
        docker.list_networks(None::<ListNetworksOptions>),
        docker.list_volumes(None::<ListVolumesOptions>),
    );
    let containers = containers?;
    let mut fetched = 0usize;
    let counts: Vec<usize> = stream::iter(containers)
        .map(|c| {
            let docker = docker.clone();
            async move {
                let id = c.id.unwrap_or_default();
                let running = c.state.map(|s| s.to_string()) == Some("running".into());
                let inspect = docker.inspect_container(&id, None::<InspectContainerOptions>);
                let top = async {
                    if running && tops {
                        let _ = docker.top_processes(&id, None::<TopOptions>).await;
                    }
                };
                let logs = async {
                    let mut s = docker.logs(
                        &id,
                        Some(
                            LogsOptionsBuilder::default()
                                .stdout(true)
                                .stderr(true)
                                .tail("500")
                                .build(),
                        ),
                    );
                    while let Some(chunk) = s.next().await {
                        if chunk.is_err() {
                            break;
                        }
                    }
                };
                let (i, _, _) = tokio::join!(inspect, top, logs);
                usize::from(i.is_ok())
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    fetched += counts.iter().sum::<usize>();
    let images = images?;
    let counts: Vec<usize> = stream::iter(images)
        .map(|i| {
            let docker = docker.clone();
            async move {
                let (a, _) = tokio::join!(docker.inspect_image(&i.id), docker.image_history(&i.id));
                usize::from(a.is_ok())
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    fetched += counts.iter().sum::<usize>();
    for n in networks?.into_iter().filter_map(|n| n.id) {
        let _ = docker
            .inspect_network(&n, None::<InspectNetworkOptions>)
            .await;
    }
    let _ = volumes?;
    let host_bytes: usize = host_reads.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    eprintln!(
        "bare fetch: {fetched} containers and images inspected, {host_bytes} host bytes read"
    );
    Ok(())
}
