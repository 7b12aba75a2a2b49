//! What the engine is (Docker or Podman, its version and API version, where it is), for commands
//! that read one object rather than the whole host (`dockaudit image`).

use dockaudit_snapshot::{EngineMeta, EngineVersion};

use crate::connect::{Endpoint, EngineClient};
use crate::gather::is_podman;

/// Asks the engine for `/version` and describes it; when that fails, the description still names
/// the endpoint and the negotiated API version, and the error is returned beside it.
pub async fn describe_engine(client: &EngineClient) -> (EngineMeta, Result<(), String>) {
    let mut meta = EngineMeta {
        kind: "docker".to_string(),
        api_version: client.api_version(),
        endpoint: client.endpoint.url(),
        tls: Some(matches!(client.endpoint, Endpoint::Tls { .. })),
        ..EngineMeta::default()
    };
    let answer = match client.docker.version().await {
        Ok(v) => serde_json::to_value(&v)
            .and_then(serde_json::from_value::<EngineVersion>)
            .map_err(|e| format!("unexpected shape of /version: {e}")),
        Err(e) => Err(format!("GET /version: {e}")),
    };
    match answer {
        Ok(version) => {
            if is_podman(&version) {
                meta.kind = "podman".to_string();
            }
            meta.version = version.version;
            (meta, Ok(()))
        }
        Err(why) => (meta, Err(why)),
    }
}
