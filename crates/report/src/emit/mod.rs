//! Emitters: each renders the one [`Report`](crate::Report) in one format.

mod groups;
mod html;
mod json;
mod junit;
mod markdown;
mod printable;
pub mod sarif;
mod terminal;

pub use html::write_html;
pub use json::{escape_raw_controls, write_json};
pub use junit::write_junit;
pub use markdown::write_markdown;
pub use printable::{printable, printable_text};
pub use sarif::write_sarif;
pub use terminal::{write_terminal, TerminalOptions};
