//! Reading a format as C reads a string literal: escapes become bytes, and a
//! NUL (`\0`, `\x00`) ends the string printf sees.

use std::borrow::Cow;

use super::error::{FormatError, FormatErrorKind};

/// The bytes printf receives, each with the offset in the written text of the
/// character that produced it (for diagnostics).
pub(super) struct Unescaped<'t> {
    /// The text itself when it has no escape (most formats): no copy.
    pub bytes: Cow<'t, [u8]>,
    /// Per byte; empty when every byte is the character at its own offset
    /// (no escape: most formats), rather than a list of 8 bytes a byte.
    offsets: Vec<usize>,
}

/// Read `text` as the body of a C string literal. With `strict`, the first bad
/// escape is an error; otherwise it is read as gcc does after warning (the
/// character itself, the low byte of an out-of-range value).
pub(super) fn unescape(text: &str, strict: bool) -> Result<Unescaped<'_>, FormatError> {
    let src = text.as_bytes();
    if !src.iter().any(|&b| b == b'\\' || b == 0) {
        return Ok(Unescaped {
            bytes: Cow::Borrowed(src),
            offsets: Vec::new(),
        });
    }
    let mut out = Unescaped {
        bytes: Cow::Owned(Vec::with_capacity(src.len())),
        offsets: Vec::with_capacity(src.len()),
    };
    let mut i = 0;
    while i < src.len() {
        let start = i;
        if src[i] != b'\\' {
            if src[i] == 0 {
                break;
            }
            out.push(src[i], start);
            i += 1;
            continue;
        }
        let (escaped, next) = match read_escape(text, i) {
            Ok(read) => read,
            Err(kind) if strict => {
                return Err(FormatError {
                    offset: start,
                    kind,
                })
            }
            Err(kind) => lossy_escape(text, i, kind),
        };
        i = next;
        match escaped {
            Escaped::Byte(0) => break,
            Escaped::Byte(b) => out.push(b, start),
            Escaped::Char(c) => {
                let mut utf8 = [0u8; 4];
                for &b in c.encode_utf8(&mut utf8).as_bytes() {
                    out.push(b, start);
                }
            }
        }
    }
    Ok(out)
}

impl Unescaped<'_> {
    /// Offset in the written text of the character that produced byte `i`.
    pub fn offset(&self, i: usize) -> usize {
        if self.offsets.is_empty() {
            i
        } else {
            self.offsets[i]
        }
    }

    fn push(&mut self, byte: u8, offset: usize) {
        self.bytes.to_mut().push(byte);
        self.offsets.push(offset);
    }
}

enum Escaped {
    Byte(u8),
    Char(char),
}

/// Read the escape whose backslash is at `at`; return it and the offset after it.
fn read_escape(text: &str, at: usize) -> Result<(Escaped, usize), FormatErrorKind> {
    let src = text.as_bytes();
    let Some(&c) = src.get(at + 1) else {
        return Err(FormatErrorKind::TrailingBackslash);
    };
    let simple = match c {
        b'\'' | b'"' | b'?' | b'\\' => Some(c),
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        // GNU extension.
        b'e' | b'E' => Some(0x1b),
        _ => None,
    };
    if let Some(b) = simple {
        return Ok((Escaped::Byte(b), at + 2));
    }
    match c {
        b'0'..=b'7' => {
            let digits = count_while(&src[at + 1..], 3, |b| (b'0'..=b'7').contains(&b));
            let value = src[at + 1..at + 1 + digits]
                .iter()
                .fold(0u32, |v, &d| v * 8 + u32::from(d - b'0'));
            Ok((Escaped::Byte(byte(value)?), at + 1 + digits))
        }
        b'x' => {
            let digits = count_while(&src[at + 2..], usize::MAX, |b| b.is_ascii_hexdigit());
            if digits == 0 {
                return Err(FormatErrorKind::EmptyHexEscape);
            }
            let value = src[at + 2..at + 2 + digits]
                .iter()
                .try_fold(0u32, |v, &d| v.checked_mul(16).map(|v| v + hex_value(d)))
                .ok_or(FormatErrorKind::EscapeOutOfRange)?;
            Ok((Escaped::Byte(byte(value)?), at + 2 + digits))
        }
        b'u' | b'U' => {
            let want = if c == b'u' { 4 } else { 8 };
            let digits = count_while(&src[at + 2..], want, |b| b.is_ascii_hexdigit());
            if digits != want {
                return Err(FormatErrorKind::InvalidUniversalChar);
            }
            let value = src[at + 2..at + 2 + digits]
                .iter()
                .fold(0u32, |v, &d| v * 16 + hex_value(d));
            // C11 6.4.3: below U+00A0 only `$`, `@` and `` ` `` may be named.
            let allowed = value >= 0xa0 || matches!(value, 0x24 | 0x40 | 0x60);
            match char::from_u32(value).filter(|_| allowed) {
                Some(ch) => Ok((Escaped::Char(ch), at + 2 + digits)),
                None => Err(FormatErrorKind::InvalidUniversalChar),
            }
        }
        _ => {
            // Any character, possibly multi-byte.
            let ch = text[at + 1..].chars().next().unwrap_or('\\');
            Err(FormatErrorKind::UnknownEscape(ch))
        }
    }
}

/// What gcc makes of a bad escape after its diagnostic.
fn lossy_escape(text: &str, at: usize, kind: FormatErrorKind) -> (Escaped, usize) {
    let src = text.as_bytes();
    match kind {
        FormatErrorKind::UnknownEscape(ch) => (Escaped::Char(ch), at + 1 + ch.len_utf8()),
        FormatErrorKind::EscapeOutOfRange if src.get(at + 1) == Some(&b'x') => {
            let digits = count_while(&src[at + 2..], usize::MAX, |b| b.is_ascii_hexdigit());
            // The low byte: the last two digits.
            let low = src[at + 2 + digits.saturating_sub(2)..at + 2 + digits]
                .iter()
                .fold(0u8, |v, &d| {
                    v.wrapping_mul(16).wrapping_add(hex_value(d) as u8)
                });
            (Escaped::Byte(low), at + 2 + digits)
        }
        FormatErrorKind::EscapeOutOfRange => {
            let digits = count_while(&src[at + 1..], 3, |b| (b'0'..=b'7').contains(&b));
            let value = src[at + 1..at + 1 + digits]
                .iter()
                .fold(0u32, |v, &d| v * 8 + u32::from(d - b'0'));
            (Escaped::Byte(value as u8), at + 1 + digits)
        }
        FormatErrorKind::EmptyHexEscape => (Escaped::Byte(b'x'), at + 2),
        FormatErrorKind::InvalidUniversalChar => {
            let want = if src.get(at + 1) == Some(&b'u') { 4 } else { 8 };
            let digits = count_while(&src[at + 2..], want, |b| b.is_ascii_hexdigit());
            (Escaped::Char(char::REPLACEMENT_CHARACTER), at + 2 + digits)
        }
        // TrailingBackslash and anything else: keep the backslash itself.
        _ => (Escaped::Byte(b'\\'), at + 1),
    }
}

fn byte(value: u32) -> Result<u8, FormatErrorKind> {
    u8::try_from(value).map_err(|_| FormatErrorKind::EscapeOutOfRange)
}

fn count_while(bytes: &[u8], max: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take(max).take_while(|&&b| pred(b)).count()
}

fn hex_value(digit: u8) -> u32 {
    char::from(digit).to_digit(16).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::unescape;

    /// A C string ends at its first NUL, written as a byte or as `\0`.
    #[test]
    fn a_nul_byte_ends_the_string_even_alone() {
        for (text, bytes) in [("\0", &b""[..]), ("a\0b", b"a"), ("a\\0b", b"a")] {
            assert_eq!(unescape(text, true).unwrap().bytes, bytes, "{text:?}");
        }
    }

    /// gcc refuses a bad universal character outright, so there is no C
    /// reading to follow: a lossy reading puts U+FFFD for it and goes on
    /// after its digits.
    #[test]
    fn a_bad_universal_character_reads_as_the_replacement_character() {
        for (text, read) in [
            ("a\\u12z", "a\u{fffd}z"),
            ("\\U0041x", "\u{fffd}x"),
            ("\\u0041", "\u{fffd}"),
            ("\\u0041abcd", "\u{fffd}abcd"),
        ] {
            let bytes = unescape(text, false).unwrap().bytes.into_owned();
            assert_eq!(String::from_utf8(bytes).unwrap(), read, "{text:?}");
        }
    }
}
