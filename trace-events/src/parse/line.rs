//! One source line being parsed: turns byte offsets into 1-based character
//! columns and builds diagnostics that point into the line.

use std::cell::Cell;

use crate::{Diagnostic, Severity};

/// Blanks inside a declaration. tracetool (Python `\s`) also takes other
/// whitespace, but accepting less keeps every file we accept valid for it.
pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// First offset at or after `pos` that is not a blank.
pub(super) fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).copied().is_some_and(is_blank) {
        pos += 1;
    }
    pos
}

/// `[start, end)` with blanks removed from both ends.
pub(super) fn trim(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && is_blank(bytes[start]) {
        start += 1;
    }
    while end > start && is_blank(bytes[end - 1]) {
        end -= 1;
    }
    (start, end)
}

/// Bytes of an identifier after its first character.
pub(super) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A C identifier: ASCII letter or `_`, then letters, digits or `_`. Event and
/// argument names are C identifiers, whoever checks them (the parser, `#[traced]`).
pub fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(is_ident_byte)
}

/// Diagnostics kept per line; the rest are counted, not built, so one huge
/// line cannot make thousands of copies of itself.
pub(super) const MAX_DIAGNOSTICS_PER_LINE: usize = 16;

pub(super) struct Line<'a> {
    pub file: &'a str,
    /// 1-based.
    pub number: u32,
    /// Without the line terminator.
    pub text: &'a str,
    kept: Cell<usize>,
    dropped: Cell<usize>,
    dropped_error: Cell<bool>,
}

impl<'a> Line<'a> {
    pub fn new(file: &'a str, number: u32, text: &'a str) -> Self {
        Line {
            file,
            number,
            text,
            kept: Cell::new(0),
            dropped: Cell::new(0),
            dropped_error: Cell::new(false),
        }
    }
}

impl Line<'_> {
    /// 1-based character column of byte offset `byte` (clamped to the line end).
    pub fn column(&self, byte: usize) -> u32 {
        let chars = self
            .text
            .char_indices()
            .take_while(|&(i, _)| i < byte)
            .count();
        u32::try_from(chars + 1).unwrap_or(u32::MAX)
    }

    /// A diagnostic at byte offset `byte`, or `None` once this line has
    /// [`MAX_DIAGNOSTICS_PER_LINE`] (then it is only counted).
    fn diagnostic(&self, severity: Severity, byte: usize, message: String) -> Option<Diagnostic> {
        if self.kept.get() >= MAX_DIAGNOSTICS_PER_LINE {
            self.dropped.set(self.dropped.get() + 1);
            self.dropped_error
                .set(self.dropped_error.get() || severity == Severity::Error);
            return None;
        }
        self.kept.set(self.kept.get() + 1);
        Some(self.build(severity, byte, message))
    }

    fn build(&self, severity: Severity, byte: usize, message: String) -> Diagnostic {
        Diagnostic {
            severity,
            file: self.file.to_string(),
            line: self.number,
            column: self.column(byte),
            message,
            source_line: self.text.to_string(),
        }
    }

    pub fn error(&self, byte: usize, message: impl Into<String>) -> Option<Diagnostic> {
        self.diagnostic(Severity::Error, byte, message.into())
    }

    pub fn warning(&self, byte: usize, message: impl Into<String>) -> Option<Diagnostic> {
        self.diagnostic(Severity::Warning, byte, message.into())
    }

    /// Whether an error on this line was counted but not built.
    pub fn dropped_error(&self) -> bool {
        self.dropped_error.get()
    }

    /// One diagnostic saying how many were not built, if any were not.
    pub fn dropped_summary(&self) -> Option<Diagnostic> {
        let dropped = self.dropped.get();
        let severity = if self.dropped_error.get() {
            Severity::Error
        } else {
            Severity::Warning
        };
        (dropped > 0).then(|| {
            self.build(
                severity,
                0,
                format!("{dropped} more problems on this line are not shown"),
            )
        })
    }

    /// The error for a line longer than `limit` bytes: it shows only the
    /// line's start, so the message stays short whatever the line's length.
    pub fn too_long(&self, limit: usize) -> Option<Diagnostic> {
        let excerpt_end = self
            .text
            .char_indices()
            .nth(80)
            .map_or(self.text.len(), |(i, _)| i);
        let excerpt = format!("{}...", &self.text[..excerpt_end]);
        let short = Line::new(self.file, self.number, &excerpt);
        short.error(
            0,
            format!(
                "the line is {} bytes long, more than the limit of {limit}",
                self.text.len()
            ),
        )
    }

    /// The character at byte offset `byte`, for messages.
    pub fn char_at(&self, byte: usize) -> Option<char> {
        self.text.get(byte..).and_then(|s| s.chars().next())
    }
}
