//! The engine's event stream (`GET /events`, a GET like every other request): what `dockaudit
//! watch` follows to re-collect only what changed.
//!
//! The stream goes through the same bounded transport as every answer: one connection is cut when
//! it has carried more than [`crate::OBJECT_CAP`] bytes, so a broken or hostile engine cannot fill
//! memory with one endless line. The watcher then reconnects from the time of the last event it
//! saw (`since`), so nothing is lost.

use std::collections::{BTreeMap, HashMap};

use bollard::query_parameters::EventsOptions;
use futures_util::stream::{Stream, StreamExt};
use serde_json::Value;

use crate::connect::EngineClient;

/// The kinds of objects whose events the watcher follows (`type` filter of `GET /events`).
pub const WATCHED_TYPES: &[&str] = &["container", "image", "network", "volume", "daemon"];

/// One engine event, in the few fields the watcher reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineEvent {
    /// `container`, `image`, `network`, `volume`, `daemon`.
    pub kind: String,
    /// `create`, `start`, `die`, `destroy`, `health_status: healthy`, `tag`, `delete`, `reload`…
    pub action: String,
    /// The object's id (for an image pull, the name pulled).
    pub id: String,
    /// The actor's attributes (`name`, `image`, labels, `exitCode`…).
    pub attributes: BTreeMap<String, String>,
    /// When it happened, in nanoseconds since the epoch (0 when the engine gave no time).
    pub time_nano: i64,
}

impl EngineEvent {
    /// The object's name as the event gives it (`name` attribute), else its id.
    pub fn name(&self) -> &str {
        self.attributes
            .get("name")
            .map(String::as_str)
            .unwrap_or(&self.id)
    }
}

/// Follows the engine's events from `since` (seconds since the epoch, with a fraction; `None`: from
/// now). The stream ends when the connection does; an item is `Err` with a sentence when the
/// engine or the connection failed.
pub fn events(
    client: &EngineClient,
    since: Option<String>,
) -> impl Stream<Item = Result<EngineEvent, String>> + Send + 'static {
    let options = EventsOptions {
        since,
        until: None,
        filters: Some(HashMap::from([(
            "type".to_string(),
            WATCHED_TYPES.iter().map(|t| t.to_string()).collect(),
        )])),
    };
    let oversized = client.clone();
    client
        .docker
        .events(Some(options))
        .map(move |item| match item {
            Ok(message) => Ok(from_message(&message)),
            Err(e) => Err(match oversized.cut_at_bound("/events") {
                Some(too_large) => too_large.to_string(),
                None => crate::describe(&e),
            }),
        })
}

fn from_message(message: &bollard::models::EventMessage) -> EngineEvent {
    // The type is an enum in bollard; its JSON form is the engine's own word.
    let kind = serde_json::to_value(message.typ)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let actor = message.actor.clone().unwrap_or_default();
    EngineEvent {
        kind,
        action: message.action.clone().unwrap_or_default(),
        id: actor.id.unwrap_or_default(),
        attributes: actor.attributes.unwrap_or_default().into_iter().collect(),
        time_nano: message
            .time_nano
            .or(message.time.map(|s| s.saturating_mul(1_000_000_000)))
            .unwrap_or(0),
    }
}

/// Reads an event as the engine writes it on the wire (the JSON of one `GET /events` line), for
/// tests and recorded fixtures.
pub fn parse_event(line: &str) -> Result<EngineEvent, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not an event: {e}"))?;
    let message: bollard::models::EventMessage =
        serde_json::from_value(value).map_err(|e| format!("not an event: {e}"))?;
    Ok(from_message(&message))
}
