//! The JSON contract: the Report serialised as it is, pretty-printed, with a trailing newline.
//!
//! serde_json escapes the C0 control characters (`\u001b`) but writes DEL and the C1 controls
//! (among them the 8-bit CSI, `U+009B`) as they are; they are escaped here too, so that printing
//! the document cannot drive a terminal. So are the Unicode bidirectional controls (`U+202E`), which
//! would reorder the text a reader sees. The values decode to exactly what the engine gave.

use std::io::{self, Write};

use super::printable::is_bidi_control;
use crate::Report;

/// Writes the report as the versioned JSON document described in docs/design.md.
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(io::Error::other)?;
    out.write_all(escape_raw_controls(&text).as_bytes())?;
    out.write_all(b"\n")
}

/// `json` with the control characters serde_json leaves raw (DEL, C1) and the bidirectional controls
/// written as `\uXXXX` escapes. Raw characters can only be inside strings (JSON's structure is
/// ASCII), where the escape means the same character. Every JSON file dockaudit writes (reports,
/// snapshots, fleet files) goes through it.
pub fn escape_raw_controls(json: &str) -> std::borrow::Cow<'_, str> {
    let raw =
        |c: char| (c.is_control() && c != '\n' && c != '\t' && c != '\r') || is_bidi_control(c);
    if !json.chars().any(raw) {
        return json.into();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_controls_become_escapes_that_decode_to_them() {
        let json = serde_json::to_string(&"a\u{7f}b\u{9b}c\u{1b}d\ne\u{202e}f").unwrap();
        let escaped = escape_raw_controls(&json);
        assert!(!escaped.chars().any(|c| c.is_control()), "{escaped}");
        assert!(escaped.contains("\\u202e"), "{escaped}");
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "a\u{7f}b\u{9b}c\u{1b}d\ne\u{202e}f");
    }
}
