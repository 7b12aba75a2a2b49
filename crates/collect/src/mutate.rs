//! Every request that changes the engine, in one place. Only `dockaudit prune apply` and
//! `dockaudit prune restore` call these; `audit`, `collect`, `image`, `lint` and `watch` never do
//! (a test records the methods they send through a proxy and finds only GET).
//!
//! The list of requests is [`MUTATING_REQUESTS`]; the README lists the same. Each request is
//! awaited whole under the client's deadline (`--timeout`), like the reads in [`crate::bounded`].
//! Removals never force and never take more than they are asked: a container without its volumes
//! (`v=false`, `force=false`), an image without its untagged parents (`noprune=true`,
//! `force=false`).

use bollard::models::{ContainerCreateBody, NetworkCreateRequest, VolumeCreateRequest};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, ImportImageOptions, RemoveContainerOptions,
    RemoveImageOptions, RemoveVolumeOptions, UploadToContainerOptions,
};
use futures_util::{FutureExt, StreamExt};
use hyper::body::Bytes;

use crate::bounded::RequestError;
use crate::connect::EngineClient;

/// One kind of request that changes the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutatingRequest {
    /// `DELETE`, `POST`, `PUT`.
    pub method: &'static str,
    /// The path without the API version; `{…}` stands for one segment, or for the rest of the
    /// path when it ends the pattern (an image's `repo/name:tag`).
    pub path: &'static str,
    /// What dockaudit sends it for.
    pub what_for: &'static str,
}

impl MutatingRequest {
    /// Whether a request (`DELETE /volumes/data`, query and API version stripped) is this one.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if method != self.method {
            return false;
        }
        let pattern: Vec<&str> = self.path.split('/').collect();
        let actual: Vec<&str> = path.split('/').collect();
        for (i, want) in pattern.iter().enumerate() {
            let last = i + 1 == pattern.len();
            match actual.get(i) {
                None => return false,
                Some(got) if want.starts_with('{') => {
                    if got.is_empty() {
                        return false;
                    }
                    if last {
                        return true;
                    }
                }
                Some(got) if got != want => return false,
                Some(_) => {}
            }
        }
        actual.len() == pattern.len()
    }
}

/// Every request that changes the engine dockaudit can send; the README lists the same.
pub const MUTATING_REQUESTS: &[MutatingRequest] = &[
    MutatingRequest {
        method: "DELETE",
        path: "/containers/{id}",
        what_for:
            "a planned container (v=false, force=false: its volumes stay); the helper container",
    },
    MutatingRequest {
        method: "DELETE",
        path: "/images/{name}",
        what_for:
            "a planned image, by each tag or by id (noprune=true, force=false); the helper image",
    },
    MutatingRequest {
        method: "DELETE",
        path: "/volumes/{name}",
        what_for: "a planned volume (force=false)",
    },
    MutatingRequest {
        method: "DELETE",
        path: "/networks/{id}",
        what_for: "a planned network",
    },
    MutatingRequest {
        method: "POST",
        path: "/images/create",
        what_for: "imports the empty helper image (fromSrc=-)",
    },
    MutatingRequest {
        method: "POST",
        path: "/containers/create",
        what_for: "the never-started helper container; a restored container (not started)",
    },
    MutatingRequest {
        method: "PUT",
        path: "/containers/{id}/archive",
        what_for: "puts a volume's files back through the helper container",
    },
    MutatingRequest {
        method: "POST",
        path: "/volumes/create",
        what_for: "a restored volume",
    },
    MutatingRequest {
        method: "POST",
        path: "/networks/create",
        what_for: "a restored network",
    },
    MutatingRequest {
        method: "POST",
        path: "/images/load",
        what_for: "a restored image",
    },
];

/// A label every helper object carries, so a plan never lists it (`dockaudit.keep=true`) and a
/// user can tell what it is.
pub const HELPER_LABELS: &[(&str, &str)] = &[("dockaudit.keep", "true"), ("dockaudit.helper", "1")];

impl EngineClient {
    /// `DELETE /containers/{id}`: the container only, never its volumes, never a running one.
    pub async fn remove_container(&self, id: &str) -> Result<(), RequestError> {
        let options = RemoveContainerOptions {
            v: false,
            force: false,
            link: false,
        };
        self.within(
            format!("DELETE /containers/{id}"),
            self.docker.remove_container(id, Some(options)),
        )
        .await
    }

    /// `DELETE /images/{reference}` with `noprune`: an untagged parent is left for the plan to
    /// name, never removed with its child.
    pub async fn remove_image(&self, reference: &str) -> Result<(), RequestError> {
        let options = RemoveImageOptions {
            force: false,
            noprune: true,
            platforms: None,
        };
        self.within(
            format!("DELETE /images/{reference}"),
            self.docker.remove_image(reference, Some(options), None),
        )
        .await
        .map(|_| ())
    }

    /// `DELETE /volumes/{name}`, never forced.
    pub async fn remove_volume(&self, name: &str) -> Result<(), RequestError> {
        self.within(
            format!("DELETE /volumes/{name}"),
            self.docker
                .remove_volume(name, Some(RemoveVolumeOptions { force: false })),
        )
        .await
    }

    /// `DELETE /networks/{id}`.
    pub async fn remove_network(&self, id: &str) -> Result<(), RequestError> {
        self.within(
            format!("DELETE /networks/{id}"),
            self.docker.remove_network(id),
        )
        .await
    }

    /// `POST /images/create?fromSrc=-`: imports `rootfs` (a tar) as an untagged image with the
    /// `changes` (`LABEL k=v`) and returns its id.
    pub async fn import_rootfs(
        &self,
        rootfs: Vec<u8>,
        changes: Vec<String>,
    ) -> Result<String, RequestError> {
        let options = CreateImageOptions {
            from_src: Some("-".to_string()),
            changes,
            ..Default::default()
        };
        let stream = self.docker.create_image(
            Some(options),
            Some(bollard::body_full(Bytes::from(rootfs))),
            None,
        );
        let infos = self
            .within(
                "POST /images/create?fromSrc=-",
                stream
                    .collect::<Vec<_>>()
                    .map(|all| all.into_iter().collect::<Result<Vec<_>, _>>()),
            )
            .await?;
        // The import's last status line is the new image's id.
        infos
            .iter()
            .rev()
            .find_map(|i| i.status.clone())
            .map(|s| s.trim().to_string())
            .filter(|s| s.starts_with("sha256:"))
            .ok_or_else(|| {
                RequestError::Engine(bollard::errors::Error::DockerStreamError {
                    error: "the engine's answer to the import named no image id".into(),
                })
            })
    }

    /// `POST /containers/create` (never followed by a start): returns the new container's id.
    pub async fn create_container(
        &self,
        name: Option<&str>,
        config: ContainerCreateBody,
    ) -> Result<String, RequestError> {
        let options = CreateContainerOptions {
            name: name.map(str::to_string),
            ..Default::default()
        };
        self.within(
            "POST /containers/create",
            self.docker.create_container(Some(options), config),
        )
        .await
        .map(|r| r.id)
    }

    /// `PUT /containers/{id}/archive?path=PATH`: extracts `tar` (streamed from the file) at `path`
    /// in the container's filesystem (volumes mounted), which need not be running.
    pub async fn upload_archive(
        &self,
        id: &str,
        path: &str,
        tar: std::fs::File,
    ) -> Result<(), RequestError> {
        let options = UploadToContainerOptions {
            path: path.to_string(),
            ..Default::default()
        };
        self.within(
            format!("PUT /containers/{id}/archive"),
            self.docker.upload_to_container(
                id,
                Some(options),
                bollard::body_try_stream(file_chunks(tar)),
            ),
        )
        .await
    }

    /// `POST /volumes/create`.
    pub async fn create_volume(&self, request: VolumeCreateRequest) -> Result<(), RequestError> {
        self.within("POST /volumes/create", self.docker.create_volume(request))
            .await
            .map(|_| ())
    }

    /// `POST /networks/create`: returns the new network's id.
    pub async fn create_network(
        &self,
        request: NetworkCreateRequest,
    ) -> Result<String, RequestError> {
        self.within("POST /networks/create", self.docker.create_network(request))
            .await
            .map(|r| r.id)
    }

    /// `POST /images/load` of an image archive (`docker save` format), streamed from the file.
    pub async fn load_images(&self, archive: std::fs::File) -> Result<(), RequestError> {
        let stream = self.docker.import_image(
            ImportImageOptions::default(),
            bollard::body_try_stream(file_chunks(archive)),
            None,
        );
        self.within(
            "POST /images/load",
            stream
                .collect::<Vec<_>>()
                .map(|all| all.into_iter().collect::<Result<Vec<_>, _>>()),
        )
        .await
        .map(|_| ())
    }
}

/// A request body read from `file` in 256 KiB chunks as it is sent, so memory stays small
/// whatever the archive's size.
fn file_chunks(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    use std::io::Read;
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 256 << 10];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_match_their_pattern_only() {
        let find = |m: &str, p: &str| MUTATING_REQUESTS.iter().find(|r| r.matches(m, p));
        assert_eq!(
            find("DELETE", "/volumes/data").unwrap().path,
            "/volumes/{name}"
        );
        assert_eq!(
            find("DELETE", "/images/registry.local/team/app:1")
                .unwrap()
                .path,
            "/images/{name}"
        );
        assert_eq!(
            find("PUT", "/containers/abc/archive").unwrap().path,
            "/containers/{id}/archive"
        );
        assert!(find("POST", "/containers/abc/start").is_none());
        assert!(find("POST", "/containers/abc/kill").is_none());
        assert!(find("DELETE", "/volumes/").is_none());
        assert!(find("POST", "/volumes/prune").is_none());
        assert!(find("GET", "/volumes/data").is_none());
    }
}
