//! The JSON contract: the Report serialised as it is, pretty-printed, with a trailing newline.

use std::io::{self, Write};

use crate::Report;

/// Writes the report as the versioned JSON document described in docs/design.md.
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
