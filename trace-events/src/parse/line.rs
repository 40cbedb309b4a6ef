//! One source line being parsed: turns byte offsets into 1-based character
//! columns and builds diagnostics that point into the line.

use std::cell::{Cell, RefCell};

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
    /// The line's diagnostics: every check reports here (the parser's one
    /// sink), and the caller takes them with [`Line::into_diagnostics`].
    found: RefCell<Vec<Diagnostic>>,
    dropped: Cell<usize>,
    dropped_error: Cell<bool>,
    has_errors: Cell<bool>,
}

impl<'a> Line<'a> {
    pub fn new(file: &'a str, number: u32, text: &'a str) -> Self {
        Line {
            file,
            number,
            text,
            found: RefCell::new(Vec::new()),
            dropped: Cell::new(0),
            dropped_error: Cell::new(false),
            has_errors: Cell::new(false),
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

    /// Report a diagnostic at byte offset `byte`; past
    /// [`MAX_DIAGNOSTICS_PER_LINE`] it is only counted.
    fn report(&self, severity: Severity, byte: usize, message: String) {
        self.has_errors
            .set(self.has_errors.get() || severity == Severity::Error);
        let mut found = self.found.borrow_mut();
        if found.len() >= MAX_DIAGNOSTICS_PER_LINE {
            self.dropped.set(self.dropped.get() + 1);
            self.dropped_error
                .set(self.dropped_error.get() || severity == Severity::Error);
            return;
        }
        found.push(self.build(severity, byte, message));
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

    pub fn error(&self, byte: usize, message: impl Into<String>) {
        self.report(Severity::Error, byte, message.into());
    }

    pub fn warning(&self, byte: usize, message: impl Into<String>) {
        self.report(Severity::Warning, byte, message.into());
    }

    /// Whether an error was reported on this line (shown or only counted).
    pub fn has_errors(&self) -> bool {
        self.has_errors.get()
    }

    /// The line's diagnostics, then one saying how many were not built, if
    /// any were not (an error if any of those was).
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        let dropped = self.dropped.get();
        let mut found = self.found.take();
        if dropped > 0 {
            let severity = if self.dropped_error.get() {
                Severity::Error
            } else {
                Severity::Warning
            };
            found.push(self.build(
                severity,
                0,
                format!("{dropped} more problems on this line are not shown"),
            ));
        }
        found
    }

    /// The error for a line longer than `limit` bytes: it shows only the
    /// line's start, so the message stays short whatever the line's length.
    pub fn too_long(&self, limit: usize) {
        let excerpt_end = self
            .text
            .char_indices()
            .nth(80)
            .map_or(self.text.len(), |(i, _)| i);
        let excerpt = format!("{}...", &self.text[..excerpt_end]);
        let short = Line::new(self.file, self.number, &excerpt);
        let message = format!(
            "the line is {} bytes long, more than the limit of {limit}",
            self.text.len()
        );
        // Built on the excerpt, so the diagnostic quotes only the line's start.
        self.has_errors.set(true);
        self.found
            .borrow_mut()
            .push(short.build(Severity::Error, 0, message));
    }

    /// The character at byte offset `byte`, for messages.
    pub fn char_at(&self, byte: usize) -> Option<char> {
        self.text.get(byte..).and_then(|s| s.chars().next())
    }
}
