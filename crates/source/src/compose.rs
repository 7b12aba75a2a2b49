//! Compose files (placeholder, filled below).
/// A project.
#[derive(Debug, Clone)]
pub struct ComposeProject;
/// A service.
#[derive(Debug, Clone)]
pub struct Service;
