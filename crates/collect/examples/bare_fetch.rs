//! The baseline for `bench/live.sh`: fetches the same engine data `dockaudit audit` reads (version,
//! info, every container's inspect, top for running ones and a 500-line log tail, images with
//! inspect and history, networks with inspect, volumes), with the same concurrency, and throws it
//! away. No conversion, no masking, no rules, no report: what is left is the engine's cost.

use bollard::query_parameters::{
    InspectContainerOptions, InspectNetworkOptions, ListContainersOptionsBuilder,
    ListImagesOptions, ListNetworksOptions, ListVolumesOptions, LogsOptionsBuilder, TopOptions,
};
use bollard::{Docker, API_DEFAULT_VERSION};
use futures_util::stream::{self, StreamExt};

const CONCURRENCY: usize = 16;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let socket = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/var/run/docker.sock".to_string());
    let docker = Docker::connect_with_unix(&socket, 30, API_DEFAULT_VERSION)?
        .negotiate_version()
        .await?;
    let (_, _, containers, images, networks, volumes) = tokio::join!(
        docker.version(),
        docker.info(),
        docker.list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .size(true)
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
                    if running {
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
    eprintln!("bare fetch: {fetched} containers and images inspected");
    Ok(())
}
