//! Re-reading what changed after a full collection, for `dockaudit watch`: one container by id,
//! and the image, network and volume lists against what the snapshot already holds. The same
//! readers as [`crate::collect`] (inspect, processes, log tail, masking, gaps), so an object
//! re-read after an event is exactly what a full collection would have recorded.

use std::collections::{HashMap, HashSet};

use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListImagesOptionsBuilder, ListNetworksOptions, ListVolumesOptions,
};
use dockaudit_snapshot::{ObjectList, Snapshot, Volume};
use futures_util::stream::{self, StreamExt};

use crate::connect::EngineClient;
use crate::gather::{
    collect_container, collect_image, collect_network, convert, gap, to_value, CollectOptions,
    ListedState, LocalReads,
};
use crate::redact_value::redact_value;

/// Re-reads objects of one engine into a snapshot collected from it.
pub struct ObjectReader {
    client: EngineClient,
    options: CollectOptions,
    podman: bool,
    local: LocalReads,
}

impl ObjectReader {
    /// A reader for the engine `snapshot` was collected from, with the options it was collected with.
    pub async fn new(client: &EngineClient, options: &CollectOptions, snapshot: &Snapshot) -> Self {
        ObjectReader {
            client: client.clone(),
            options: options.clone(),
            podman: snapshot.engine.kind == "podman",
            local: LocalReads::new(options, &client.endpoint).await,
        }
    }

    /// Re-reads the containers `ids` (concurrently, bounded) and puts them in `snapshot` in place of
    /// what it held of them; a container the engine no longer lists is removed. Their old gaps
    /// and redactions go with them.
    pub async fn refresh_containers(&self, snapshot: &mut Snapshot, ids: &[String]) {
        let results = stream::iter(ids.iter().cloned())
            .map(|id| self.container(id))
            .buffered(self.options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        for (id, result) in ids.iter().zip(results) {
            match result {
                // Read again: it replaces what was known.
                Ok(Some(collected)) if collected.item.is_some() => {
                    forget_object(snapshot, "container", id);
                    snapshot.containers.retain(|c| &c.inspect.id != id);
                    snapshot.gaps.extend(collected.gaps);
                    snapshot.redactions.extend(collected.redactions);
                    snapshot.containers.extend(collected.item);
                }
                // Listed but not read (the engine failed mid-way): what was known stays, with
                // why it could not be refreshed; the container's next event or the next full
                // audit tries again. A failure must not read as "the container is gone".
                Ok(Some(collected)) => snapshot.gaps.extend(collected.gaps),
                Err(g) => snapshot.gaps.push(g),
                // No longer listed: gone.
                Ok(None) => {
                    forget_object(snapshot, "container", id);
                    snapshot.containers.retain(|c| &c.inspect.id != id);
                }
            }
        }
        snapshot.gaps.sort();
        snapshot.gaps.dedup();
    }

    /// One container: `Ok(None)` when the engine no longer lists it.
    async fn container(
        &self,
        id: String,
    ) -> Result<
        Option<crate::gather::Collected<dockaudit_snapshot::Container>>,
        dockaudit_snapshot::Gap,
    > {
        let filters = HashMap::from([("id".to_string(), vec![id.clone()])]);
        let listed = self
            .client
            .within(
                ObjectList::Containers.request(),
                self.client.docker.list_containers(Some(
                    ListContainersOptionsBuilder::default()
                        .all(true)
                        .filters(&filters)
                        .build(),
                )),
            )
            .await
            .map_err(|e| gap(format!("container {}", short(&id)), e))?;
        // The id filter matches prefixes: keep the container itself.
        let Some(summary) = listed.into_iter().find(|c| c.id.as_deref() == Some(&id)) else {
            return Ok(None);
        };
        let state = summary.state.map(|s| s.to_string()).unwrap_or_default();
        Ok(Some(
            collect_container(
                &self.client,
                id,
                ListedState::of(&state),
                self.podman,
                &self.options,
                &self.local,
            )
            .await,
        ))
    }

    /// Re-lists the images: new ones and re-tagged ones are inspected, removed ones dropped. An
    /// image whose id is unchanged keeps what was read inside it (same id, same contents).
    pub async fn refresh_images(&self, snapshot: &mut Snapshot) {
        let filters = self.label_filters();
        let listed = self
            .client
            .within(
                ObjectList::Images.request(),
                self.client.docker.list_images(Some({
                    let mut b = ListImagesOptionsBuilder::default().all(false);
                    if let Some(f) = &filters {
                        b = b.filters(f);
                    }
                    b.build()
                })),
            )
            .await;
        let listed = match listed {
            Ok(list) => list,
            Err(e) => {
                snapshot.gaps.push(gap(ObjectList::Images.request(), e));
                return;
            }
        };
        let tags: HashMap<String, Vec<String>> =
            listed.into_iter().map(|i| (i.id, i.repo_tags)).collect();
        snapshot.images.retain(|i| tags.contains_key(&i.inspect.id));
        let changed: Vec<String> = tags
            .iter()
            .filter(|(id, repo_tags)| {
                !snapshot.images.iter().any(|i| {
                    &i.inspect.id == *id && same_tags(&i.inspect.repo_tags, repo_tags.as_slice())
                })
            })
            .map(|(id, _)| id.clone())
            .collect();
        let results = stream::iter(changed.iter().cloned())
            .map(|id| collect_image(&self.client, id))
            .buffered(self.options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        for (id, collected) in changed.iter().zip(results) {
            let contents = snapshot
                .images
                .iter()
                .find(|i| &i.inspect.id == id)
                .and_then(|i| i.contents.clone());
            forget_object(snapshot, "image", id);
            snapshot.images.retain(|i| &i.inspect.id != id);
            snapshot.gaps.extend(collected.gaps);
            snapshot.redactions.extend(collected.redactions);
            if let Some(mut image) = collected.item {
                image.contents = contents;
                snapshot.images.push(image);
            }
        }
        // Dropped images take their notes with them.
        let kept: HashSet<String> = snapshot
            .images
            .iter()
            .map(|i| i.inspect.id.clone())
            .collect();
        snapshot
            .redactions
            .retain(|r| r.object_kind != "image" || kept.contains(&r.object_id));
    }

    /// Re-reads every network (few on any host; a connect changes a network's container list).
    pub async fn refresh_networks(&self, snapshot: &mut Snapshot) {
        let listed = self
            .client
            .within(
                ObjectList::Networks.request(),
                self.client.docker.list_networks(Some(ListNetworksOptions {
                    filters: self.label_filters(),
                })),
            )
            .await;
        let ids: Vec<String> = match listed {
            Ok(list) => list.into_iter().filter_map(|n| n.id).collect(),
            Err(e) => {
                snapshot.gaps.push(gap(ObjectList::Networks.request(), e));
                return;
            }
        };
        let results = stream::iter(ids.clone())
            .map(|id| collect_network(&self.client, id))
            .buffered(self.options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        snapshot.gaps.retain(|g| !g.what.starts_with("network "));
        let known = std::mem::take(&mut snapshot.networks);
        for (id, r) in ids.iter().zip(results) {
            match r {
                Ok(n) => snapshot.networks.push(n),
                Err(g) => {
                    // Listed but not read: keep what was known of it.
                    snapshot
                        .networks
                        .extend(known.iter().find(|n| &n.id == id).cloned());
                    snapshot.gaps.push(g);
                }
            }
        }
    }

    /// Re-lists the volumes; a volume already known keeps its measured size.
    pub async fn refresh_volumes(&self, snapshot: &mut Snapshot) {
        let listed = self
            .client
            .within(
                ObjectList::Volumes.request(),
                self.client.docker.list_volumes(Some(ListVolumesOptions {
                    filters: self.label_filters(),
                })),
            )
            .await;
        let list = match listed {
            Ok(list) => list,
            Err(e) => {
                snapshot.gaps.push(gap(ObjectList::Volumes.request(), e));
                return;
            }
        };
        let mut sizes: HashMap<String, _> = snapshot
            .volumes
            .drain(..)
            .map(|v| (v.name, v.measured_size))
            .collect();
        snapshot.redactions.retain(|r| r.object_kind != "volume");
        for v in list.volumes.into_iter().flatten() {
            let name = v.name.clone();
            if snapshot.volumes.iter().any(|known| known.name == name) {
                continue;
            }
            let mut value = to_value(&v);
            snapshot
                .redactions
                .extend(redact_value(&mut value, "volume", &name));
            match convert::<Volume>(value, "volume") {
                Ok(mut volume) => {
                    volume.measured_size = sizes.remove(&name).flatten();
                    snapshot.volumes.push(volume);
                }
                Err(e) => snapshot.gaps.push(gap(format!("volume {name}"), e)),
            }
        }
    }

    fn label_filters(&self) -> Option<HashMap<String, Vec<String>>> {
        (!self.options.labels.is_empty())
            .then(|| HashMap::from([("label".to_string(), self.options.labels.clone())]))
    }
}

/// Drops the gaps and redactions recorded about one object, before it is re-read or removed.
fn forget_object(snapshot: &mut Snapshot, kind: &str, id: &str) {
    let what = format!("{kind} {}", short(id));
    snapshot.gaps.retain(|g| !g.what.starts_with(&what));
    snapshot
        .redactions
        .retain(|r| !(r.object_kind == kind && r.object_id == id));
}

fn same_tags(known: &[String], listed: &[String]) -> bool {
    let mut a = known.to_vec();
    let mut b = listed.to_vec();
    a.sort();
    b.sort();
    a == b
}

fn short(id: &str) -> &str {
    dockaudit_snapshot::engine::short_image_id(id)
}
