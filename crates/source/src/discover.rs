//! Finding the files to lint (placeholder).
/// What was found.
#[derive(Debug, Default)]
pub struct Discovered;
/// Finds.
pub fn discover() -> Discovered { Discovered }
