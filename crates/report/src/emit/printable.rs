//! Strips the terminal control characters from every text of a report before a text format shows
//! it. Container names, labels, log lines and commands come from the engine, so a container can
//! carry an escape sequence (`ESC ] 8 ;;` hyperlinks, `ESC [ 2J` clearing the screen, `CR`
//! overwriting a line, `BEL`, backspaces) that would act on the terminal, pager or CI log the
//! report is read in instead of being shown.
//!
//! Each control character is replaced by a visible stand-in, never dropped: the C0 controls by
//! their Unicode control pictures (`ESC` → `␛`, `CR` → `␍`, `BEL` → `␇`), DEL by `␡`, the C1
//! controls (`U+0080`–`U+009F`, which include the 8-bit CSI) by `�`. A reader then sees that the
//! value held an escape sequence and what it was, which matters in a security report, while no
//! stand-in is markup in Markdown, HTML or XML, nor an escape anywhere. Newline and tab are kept:
//! they are layout, which each format already handles (Markdown turns them into spaces).
//!
//! The Unicode bidirectional controls (`U+202A`–`U+202E`, `U+2066`–`U+2069`, `U+200E`, `U+200F`,
//! `U+061C`) are not control characters, but they reorder what follows them on screen ("Trojan
//! Source"): a container name or command can show one thing and be another. Each is shown as its
//! code point in brackets (`⟨U+202E⟩`).
//!
//! The JSON report is not changed: JSON escapes control characters itself (`\u001b`), and its
//! consumers get the engine's values exactly.

use std::borrow::Cow;

use serde_json::Value;

use crate::Report;

/// Whether `c` is a control character that must not reach an output as it is.
fn is_unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Whether `c` changes the direction of the text around it.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The visible stand-in for a control character.
fn stand_in(c: char) -> char {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\x7f' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// `text` with every control character but newline and tab replaced by its visible stand-in.
pub fn printable_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\u{27E8}U+{:04X}\u{27E9}", c as u32));
        } else if is_unprintable(c) {
            out.push(stand_in(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Replaces the control characters of every string in `value` (keys included); returns whether it
/// changed anything.
fn clean(value: &mut Value) -> bool {
    match value {
        Value::String(s) => match printable_text(s) {
            Cow::Owned(clean) => {
                *s = clean;
                true
            }
            Cow::Borrowed(_) => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| clean(v) | changed),
        Value::Object(map) => {
            let dirty_keys = map.keys().any(|k| k.chars().any(is_unprintable));
            let mut changed = map
                .values_mut()
                .fold(false, |changed, v| clean(v) | changed);
            if dirty_keys {
                let entries = std::mem::take(map);
                for (k, v) in entries {
                    map.insert(printable_text(&k).into_owned(), v);
                }
                changed = true;
            }
            changed
        }
        _ => false,
    }
}

/// The report with the control characters of every text replaced (see the module), or the report
/// itself when it has none. Every field is covered, those added later too, because the report is
/// walked as its JSON form.
pub fn printable(report: &Report) -> Cow<'_, Report> {
    let Ok(mut value) = serde_json::to_value(report) else {
        return Cow::Borrowed(report);
    };
    if !clean(&mut value) {
        return Cow::Borrowed(report);
    }
    match serde_json::from_value(value) {
        Ok(clean) => Cow::Owned(clean),
        // A report that serialises deserialises (the formats tests check it on the recorded
        // scenario with control characters planted).
        Err(_) => Cow::Borrowed(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_stand_ins_and_layout_stays() {
        assert_eq!(
            printable_text("a\x1b]8;;http://x\x07b\x1b[2J\rc\x08\x7f\u{9b}d\n\te"),
            "a␛]8;;http://x␇b␛[2J␍c␈␡\u{FFFD}d\n\te"
        );
        assert!(matches!(printable_text("plain é 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn bidirectional_controls_are_shown_as_code_points() {
        // "Trojan Source": the name reads "admin" reversed on screen without the stand-ins.
        assert_eq!(
            printable_text("web\u{202E}nimda\u{202C}-\u{2066}x\u{2069}\u{200F}"),
            "web⟨U+202E⟩nimda⟨U+202C⟩-⟨U+2066⟩x⟨U+2069⟩⟨U+200F⟩"
        );
        // Right-to-left letters themselves are text, not controls.
        assert!(matches!(printable_text("שלום مرحبا"), Cow::Borrowed(_)));
    }
}
