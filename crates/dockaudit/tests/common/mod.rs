//! Shared by the dockaudit integration tests.

pub mod docker;
pub mod podman;
pub mod sbom_schema;
pub mod test_daemon;
