//! Shared by the dockaudit integration tests.

pub mod docker;
pub mod podman;
pub mod test_daemon;
