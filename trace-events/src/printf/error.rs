//! Why a format string was rejected.

use std::fmt;

/// A problem in a C format string, at a byte offset into the text as written
/// (the `c_format`, escapes not yet read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// Byte offset into the format text as written.
    pub offset: usize,
    /// What is wrong there.
    pub kind: FormatErrorKind,
}

/// Why a format was rejected; [`FormatError`]'s `Display` gives the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatErrorKind {
    /// The text ends inside a conversion (`"abc%"`, `"%-5"`); glibc fails the
    /// whole call.
    IncompleteConversion,
    /// A conversion letter printf does not know.
    UnknownConversion(char),
    /// A conversion C knows but a trace can never feed: floating point (no
    /// argument type can be a float), `%n`, `%m`, wide characters, positional
    /// arguments (`%1$d`). The string is the conversion as written.
    Unsupported(String),
    /// A width or precision above [`super::MAX_WIDTH`].
    TooWide(u64),
    /// `\q`: gcc warns and uses the character itself.
    UnknownEscape(char),
    /// `\x` with no hex digit after it.
    EmptyHexEscape,
    /// An octal or hex escape whose value does not fit in a byte.
    EscapeOutOfRange,
    /// `\u`/`\U` naming no valid character.
    InvalidUniversalChar,
    /// A backslash as the last character.
    TrailingBackslash,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FormatErrorKind::IncompleteConversion => {
                f.write_str("incomplete conversion specification at end of format")
            }
            FormatErrorKind::UnknownConversion(c) => write!(f, "unknown conversion '%{c}'"),
            FormatErrorKind::Unsupported(spec) => {
                write!(f, "conversion '{spec}' is not supported in trace formats")
            }
            FormatErrorKind::TooWide(n) => write!(
                f,
                "width or precision {n} is larger than the supported maximum {}",
                super::MAX_WIDTH
            ),
            FormatErrorKind::UnknownEscape(c) => write!(f, "unknown escape sequence '\\{c}'"),
            FormatErrorKind::EmptyHexEscape => f.write_str("\\x used with no following hex digits"),
            FormatErrorKind::EscapeOutOfRange => f.write_str("escape sequence out of range"),
            FormatErrorKind::InvalidUniversalChar => {
                f.write_str("universal character name is not a valid character")
            }
            FormatErrorKind::TrailingBackslash => f.write_str("backslash at end of format"),
        }
    }
}

impl std::error::Error for FormatError {}
