//! Shared by the dockaudit integration tests.

pub mod test_daemon;
