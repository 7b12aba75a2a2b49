//! Emitters: each renders the one [`Report`](crate::Report) in one format.

mod json;
mod terminal;

pub use json::write_json;
pub use terminal::{write_terminal, TerminalOptions};
