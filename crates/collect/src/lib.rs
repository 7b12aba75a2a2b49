//! Collects a Snapshot from a container engine. This is the only crate that talks to the engine: it
//! connects (negotiating the API version), sends GET requests only, bounds what it reads, masks
//! secret values as they arrive, and records what it could not get as gaps.
#![forbid(unsafe_code)]

mod connect;
mod gather;
mod redact_value;

pub use connect::{connect, resolve_endpoint, ConnectError, Endpoint, EndpointEnv, EngineClient};
pub use gather::{collect, CollectOptions};
