//! A format compiled once: literal text and conversions, ready to render.

use std::ops::Range;

use super::error::FormatError;
use super::escape::{unescape, Unescaped};
use super::spec::{read_spec, Conversion, Count, Spec};
use crate::model::ArgKind;

/// A C format string, read as C reads it (escapes, then conversions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    /// The bytes printf sees: literal text and the conversions as written.
    pub(super) bytes: Vec<u8>,
    pub(super) pieces: Vec<Piece>,
    pub(super) conversions: Vec<Conversion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// Bytes of [`Format::bytes`] to copy.
    Literal(Range<usize>),
    /// Index into [`Format::conversions`].
    Conversion(usize),
}

/// What an argument is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgRole {
    /// A `*` width.
    Width,
    /// A `.*` precision.
    Precision,
    /// The value converted.
    Value,
}

/// One argument the format consumes, in argument order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgUse<'f> {
    /// The conversion that consumes the argument.
    pub conversion: &'f Conversion,
    /// Which part of the conversion the argument feeds.
    pub role: ArgRole,
}

impl ArgUse<'_> {
    /// Whether an argument of `kind` fits this use: a `*` takes an integer
    /// (`int`), a value is judged by [`Conversion::accepts`].
    pub fn accepts(&self, kind: ArgKind) -> bool {
        match self.role {
            ArgRole::Width | ArgRole::Precision => matches!(kind, ArgKind::Int(_) | ArgKind::Bool),
            ArgRole::Value => self.conversion.accepts(kind),
        }
    }
}

impl Format {
    /// Compile `c_format` (the text between the quotes, literals joined and
    /// PRI macros expanded, escapes as written). The first problem is an error;
    /// see [`Format::parse_lossy`] for a tolerant reading.
    pub fn parse(c_format: &str) -> Result<Format, FormatError> {
        compile(c_format, true)
    }

    /// Compile `c_format`, never failing: a bad escape is read as gcc reads it
    /// after warning, a bad conversion is printed as written (as glibc prints
    /// an unknown one), and a width above [`super::MAX_WIDTH`] is clamped.
    pub fn parse_lossy(c_format: &str) -> Format {
        // Without `strict` nothing is reported as an error.
        compile(c_format, false).unwrap_or_else(|_| Format {
            bytes: Vec::new(),
            pieces: Vec::new(),
            conversions: Vec::new(),
        })
    }

    /// The conversions in order (`%%` is literal text, not a conversion).
    pub fn conversions(&self) -> &[Conversion] {
        &self.conversions
    }

    /// Every argument the format consumes, in order: `*` widths and
    /// precisions before the value they belong to.
    pub fn arg_uses(&self) -> impl Iterator<Item = ArgUse<'_>> {
        self.conversions
            .iter()
            .flat_map(|conversion| roles(conversion).map(move |role| ArgUse { conversion, role }))
    }

    /// How many arguments the format consumes.
    pub fn arg_count(&self) -> usize {
        self.conversions.iter().map(Conversion::arg_count).sum()
    }

    /// What [`Format::parse`] then [`Format::arg_uses`] would give, without
    /// building the format (no allocation for a format without escapes):
    /// `each` is handed every argument use in order, and the number of
    /// uses is returned; or the error `parse` would return, found after
    /// `each` was handed the uses before it. For checks of many formats
    /// (the parser checks every declaration's format against its
    /// arguments).
    pub fn each_arg_use(
        c_format: &str,
        mut each: impl FnMut(ArgUse<'_>),
    ) -> Result<usize, FormatError> {
        let text = unescape(c_format, true)?;
        let mut count = 0;
        scan(&text, true, |spec| {
            if let Scanned::Conversion(conversion) = spec {
                for role in roles(&conversion) {
                    count += 1;
                    each(ArgUse {
                        conversion: &conversion,
                        role,
                    });
                }
            }
        })?;
        Ok(count)
    }
}

/// The arguments `conversion` consumes, in order: a `*` width, a `.*`
/// precision, then the value.
fn roles(conversion: &Conversion) -> impl Iterator<Item = ArgRole> {
    let width = (conversion.width == Some(Count::FromArg)).then_some(ArgRole::Width);
    let precision = (conversion.precision == Some(Count::FromArg)).then_some(ArgRole::Precision);
    [width, precision, Some(ArgRole::Value)]
        .into_iter()
        .flatten()
}

fn compile(c_format: &str, strict: bool) -> Result<Format, FormatError> {
    let text = unescape(c_format, strict)?;
    // Sized once (growing them one push at a time was a fifth of a compile).
    let percents = text.bytes.iter().filter(|&&b| b == b'%').count();
    let mut pieces = Vec::with_capacity(2 * percents + 1);
    let mut conversions = Vec::with_capacity(percents);
    let mut literal_start = 0;
    scan(&text, strict, |spec| match spec {
        Scanned::Percent(at) => {
            // Keep only the final `%` of the spec as literal text.
            push_literal(&mut pieces, literal_start..at.start);
            literal_start = at.end - 1;
        }
        Scanned::Conversion(conversion) => {
            push_literal(&mut pieces, literal_start..conversion.text.start);
            literal_start = conversion.text.end;
            pieces.push(Piece::Conversion(conversions.len()));
            conversions.push(conversion);
        }
    })?;
    push_literal(&mut pieces, literal_start..text.bytes.len());
    Ok(Format {
        bytes: text.bytes.into_owned(),
        pieces,
        conversions,
    })
}

/// What [`scan`] finds at a `%`: the spec's bytes, and what they say.
enum Scanned {
    /// `%%` (with any flags between): one literal `%`.
    Percent(Range<usize>),
    /// A conversion, its bytes in `text`.
    Conversion(Conversion),
}

/// Read the specs of `text` in order. With `strict`, the first bad one is
/// the error; otherwise its `%` is literal text and reading resumes after
/// it (and `found` is not told).
fn scan(
    text: &Unescaped<'_>,
    strict: bool,
    mut found: impl FnMut(Scanned),
) -> Result<(), FormatError> {
    let bytes = &text.bytes[..];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        let offset = text.offset(i);
        match read_spec(&bytes[i..], strict) {
            Ok((Spec::Percent, len)) => {
                found(Scanned::Percent(i..i + len));
                i += len;
            }
            Ok((Spec::Conversion(mut conversion), len)) => {
                conversion.offset = offset;
                conversion.text = i..i + len;
                found(Scanned::Conversion(conversion));
                i += len;
            }
            Err(kind) if strict => return Err(FormatError { offset, kind }),
            Err(_) => i += 1,
        }
    }
    Ok(())
}

fn push_literal(pieces: &mut Vec<Piece>, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    if let Some(Piece::Literal(last)) = pieces.last_mut() {
        if last.end == range.start {
            last.end = range.end;
            return;
        }
    }
    pieces.push(Piece::Literal(range));
}
