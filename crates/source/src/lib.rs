//! dockaudit's source parsers: Dockerfiles and Compose files read into models that keep where each
//! value was written (line and column), so the rules can judge them under the same ids as the
//! running containers and every finding points at the line to change.
//!
//! The only I/O is reading the files it is given (or finds under the directories it is given),
//! each bounded in size ([`MAX_FILE_BYTES`]). Secret values (ENV, ARG, `environment`, labels,
//! build args) are masked as they are read, with `dockaudit_snapshot::redact`, as the collector
//! masks the engine's answers: nothing downstream can print what was never stored.
#![forbid(unsafe_code)]

pub mod compose;
pub mod discover;
pub mod dockerfile;
pub mod ignore;
pub mod interpolate;
pub mod shell;
pub mod text;
pub mod yaml;

pub use compose::{ComposeProject, Service};
pub use discover::{discover, Discovered};
pub use dockerfile::Dockerfile;
pub use ignore::InlineIgnore;

use std::path::Path;

/// The largest source file read (Dockerfiles and Compose files are a few KiB; anything this large
/// is not one).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A place in a source file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
}

/// A source file that could not be read or parsed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct SourceError {
    /// The file.
    pub path: String,
    /// The line, when the parser knows it.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl SourceError {
    /// An error about `path`.
    pub fn new(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        SourceError {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// Reads a text file of at most [`MAX_FILE_BYTES`].
pub fn read_bounded(path: &Path) -> Result<String, SourceError> {
    use std::io::Read;
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| SourceError::new(&name, None, e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::new(&name, None, e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(SourceError::new(
            &name,
            None,
            format!(
                "larger than {} MiB: not a Dockerfile or Compose file",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| SourceError::new(&name, None, format!("not UTF-8 text: {e}")))
}
