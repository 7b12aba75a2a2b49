//! What the engine is (Docker or Podman, its version and API version, where it is), for commands
//! that read one object rather than the whole host (`dockaudit image`).

use dockaudit_snapshot::{EngineMeta, EngineVersion};

use crate::connect::{Endpoint, EngineClient};
use crate::gather::is_podman;

/// The engine as the snapshot records it, from its `/version` answer when there is one; the one
/// description `collect` and `describe_engine` share.
pub(crate) fn engine_meta(
    client: &EngineClient,
    version: Option<&EngineVersion>,
    rootless: bool,
) -> EngineMeta {
    EngineMeta {
        kind: if version.is_some_and(is_podman) {
            "podman"
        } else {
            "docker"
        }
        .to_string(),
        version: version.map(|v| v.version.clone()).unwrap_or_default(),
        api_version: client.api_version(),
        endpoint: client.endpoint.url(),
        rootless,
        tls: Some(matches!(client.endpoint, Endpoint::Tls { .. })),
    }
}

/// Asks the engine for `/version` and describes it; when that fails, the description still names
/// the endpoint and the negotiated API version, and the error is returned beside it.
pub async fn describe_engine(client: &EngineClient) -> (EngineMeta, Result<(), String>) {
    let answer = match client.within("GET /version", client.docker.version()).await {
        Ok(v) => serde_json::to_value(&v)
            .and_then(serde_json::from_value::<EngineVersion>)
            .map_err(|e| format!("unexpected shape of /version: {e}")),
        Err(e) => Err(format!("GET /version: {e}")),
    };
    match answer {
        Ok(version) => (engine_meta(client, Some(&version), false), Ok(())),
        Err(why) => (engine_meta(client, None, false), Err(why)),
    }
}
