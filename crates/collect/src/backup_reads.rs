//! The reads `dockaudit prune apply` makes for its backup: raw (unmasked) inspects, since a backup
//! must re-create the object as it was, and the streamed archives (a container's filesystem
//! export, a path's archive, an image export) written to a file as they arrive. All GET.
//!
//! A stream is bounded as the image export of a scan is (see `images.rs`): nothing for the
//! deadline ends it, and so does an overall deadline that grows with what arrived. Its size is
//! not capped (it goes to disk, not to memory); the transport leaves these paths unbounded.

use std::io::Write;
use std::time::{Duration, Instant};

use bollard::query_parameters::{DownloadFromContainerOptions, InspectContainerOptions};
use futures_util::{Stream, StreamExt};
use hyper::body::Bytes;
use serde_json::Value;

use crate::bounded::RequestError;
use crate::connect::EngineClient;
use crate::images::EXPORT_MIN_RATE;

/// An archive the engine streams.
#[derive(Debug, Clone)]
pub enum Archive {
    /// `GET /containers/{id}/export`: the container's whole filesystem, flattened.
    ContainerExport(String),
    /// `GET /containers/{id}/archive?path=PATH`: one path (a mounted volume) as a tar.
    ContainerPath(String, String),
    /// `GET /images/get?names=…` (or `/images/{name}/get` for one): `docker save` of these
    /// references, tags included.
    Images(Vec<String>),
}

impl Archive {
    fn request(&self) -> String {
        match self {
            Archive::ContainerExport(id) => format!("GET /containers/{id}/export"),
            Archive::ContainerPath(id, path) => format!("GET /containers/{id}/archive?path={path}"),
            Archive::Images(names) => format!("GET /images/get?names={}", names.join(",")),
        }
    }
}

impl EngineClient {
    /// `GET /containers/{id}/json`, unmasked, as the engine sent it.
    pub async fn inspect_container_raw(&self, id: &str) -> Result<Value, RequestError> {
        let answer = self
            .within(
                format!("GET /containers/{id}/json"),
                self.docker
                    .inspect_container(id, None::<InspectContainerOptions>),
            )
            .await?;
        Ok(serde_json::to_value(answer).unwrap_or(Value::Null))
    }

    /// `GET /images/{id}/json`.
    pub async fn inspect_image_raw(&self, id: &str) -> Result<Value, RequestError> {
        let answer = self
            .within(
                format!("GET /images/{id}/json"),
                self.docker.inspect_image(id),
            )
            .await?;
        Ok(serde_json::to_value(answer).unwrap_or(Value::Null))
    }

    /// `GET /volumes/{name}`.
    pub async fn inspect_volume_raw(&self, name: &str) -> Result<Value, RequestError> {
        let answer = self
            .within(
                format!("GET /volumes/{name}"),
                self.docker.inspect_volume(name),
            )
            .await?;
        Ok(serde_json::to_value(answer).unwrap_or(Value::Null))
    }

    /// `GET /networks/{id}`.
    pub async fn inspect_network_raw(&self, id: &str) -> Result<Value, RequestError> {
        let answer = self
            .within(
                format!("GET /networks/{id}"),
                self.docker
                    .inspect_network(id, None::<bollard::query_parameters::InspectNetworkOptions>),
            )
            .await?;
        Ok(serde_json::to_value(answer).unwrap_or(Value::Null))
    }

    /// `GET /info`'s `ID`: which engine this is (plans are refused on another).
    pub async fn engine_id(&self) -> Result<String, RequestError> {
        let info = self.within("GET /info", self.docker.info()).await?;
        Ok(info.id.unwrap_or_default())
    }

    /// Streams `archive` into `out`; returns the bytes written. Errors are one sentence naming
    /// the request.
    pub async fn download(&self, archive: &Archive, out: &mut dyn Write) -> Result<u64, String> {
        let body: std::pin::Pin<
            Box<dyn Stream<Item = Result<Bytes, bollard::errors::Error>> + Send>,
        > = match archive {
            Archive::ContainerExport(id) => Box::pin(self.docker.export_container(id)),
            Archive::ContainerPath(id, path) => Box::pin(self.docker.download_from_container(
                id,
                Some(DownloadFromContainerOptions { path: path.clone() }),
            )),
            Archive::Images(names) if names.len() == 1 => {
                Box::pin(self.docker.export_image(&names[0]))
            }
            Archive::Images(names) => {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                Box::pin(self.docker.export_images(&refs))
            }
        };
        stream_to(
            body,
            out,
            self.deadline.unwrap_or(Duration::ZERO),
            &archive.request(),
        )
        .await
    }
}

/// Writes the stream into `out` under the inactivity and overall deadlines.
async fn stream_to(
    mut body: std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, bollard::errors::Error>> + Send>>,
    out: &mut dyn Write,
    stall: Duration,
    request: &str,
) -> Result<u64, String> {
    let started = Instant::now();
    let mut received: u64 = 0;
    loop {
        let next = if stall.is_zero() {
            body.next().await
        } else {
            let overall =
                2 * stall + Duration::from_secs_f64(received as f64 / EXPORT_MIN_RATE as f64);
            let left = overall.saturating_sub(started.elapsed());
            match tokio::time::timeout(stall.min(left), body.next()).await {
                Ok(next) => next,
                Err(_) => {
                    return Err(format!(
                        "{request} timed out after {} bytes in {}",
                        received,
                        crate::bounded::seconds(started.elapsed())
                    ))
                }
            }
        };
        match next {
            None => return Ok(received),
            Some(Ok(chunk)) => {
                received += chunk.len() as u64;
                out.write_all(&chunk)
                    .map_err(|e| format!("{request}: cannot write the backup: {e}"))?;
            }
            Some(Err(e)) => return Err(format!("{request}: {}", crate::bounded::describe(&e))),
        }
    }
}
