//! The format: C string literals joined with `PRI` macros, e.g.
//! `"addr 0x%" PRIx64 " len %u"`. Produces the text as written and the C
//! format after joining literals and expanding the macros.

use super::line::{is_blank, is_ident_byte, Line};

pub(super) struct Format {
    /// From the opening quote to the end of the last literal or macro.
    pub written: String,
    pub c_format: String,
    /// Where each piece of `c_format` comes from, in order.
    pub pieces: Vec<Piece>,
}

/// A piece of `c_format`: a literal's contents or a macro's expansion.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    /// Offset in `c_format`.
    pub c_start: usize,
    /// Offset in the line: the literal's contents, or the macro's name.
    pub line_start: usize,
    pub is_macro: bool,
}

impl Format {
    /// The offset in the line of offset `c_offset` in `c_format`.
    pub fn line_offset(&self, c_offset: usize) -> usize {
        let index = self.pieces.partition_point(|p| p.c_start <= c_offset);
        match index.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) if p.is_macro => p.line_start,
            Some(p) => p.line_start + (c_offset - p.c_start),
            None => 0,
        }
    }
}

/// Parse the format starting at the `"` at byte `start`; it runs to the end
/// of the line. `None` when a literal is not closed; other errors are
/// reported on `line`, whose errors drop the declaration (`parse_decl`).
pub(super) fn parse_format(line: &Line<'_>, start: usize) -> Option<Format> {
    let bytes = line.text.as_bytes();
    // The joined format is at most the text's length: one allocation.
    let mut c_format = String::with_capacity(bytes.len() - start);
    let mut pieces = Vec::new();
    let mut pos = start;
    let mut end = start;
    while pos < bytes.len() {
        let b = bytes[pos];
        if is_blank(b) {
            pos += 1;
        } else if b == b'"' {
            let close = literal_end(line, pos)?;
            pieces.push(Piece {
                c_start: c_format.len(),
                line_start: pos + 1,
                is_macro: false,
            });
            c_format.push_str(&line.text[pos + 1..close]);
            pos = close + 1;
            end = pos;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let word_end = pos
                + bytes[pos..]
                    .iter()
                    .take_while(|&&b| is_ident_byte(b))
                    .count();
            let word = &line.text[pos..word_end];
            match pri_expansion(word) {
                Some((length, conv)) => {
                    pieces.push(Piece {
                        c_start: c_format.len(),
                        line_start: pos,
                        is_macro: true,
                    });
                    c_format.push_str(length);
                    c_format.push(conv);
                }
                None => line.error(
                    pos,
                    format!(
                        "unknown macro '{word}' in the format: only PRI macros such as \
                         PRIx64 may join string literals"
                    ),
                ),
            }
            pos = word_end;
            end = pos;
        } else {
            let what = line.char_at(pos).unwrap_or('?');
            line.error(
                pos,
                format!("unexpected '{what}' after the format: the format must end the line"),
            );
            return None;
        }
    }
    let written = &line.text[start..end];
    // tracetool's own checks, on the text as written.
    let found = tracetool_checks(written);
    if let Some(at) = found.percent_m {
        line.error(
            start + at,
            "'%m' is not allowed in a format: pass the error as an explicit argument",
        );
    }
    if let Some(at) = found.newline {
        line.error(
            start + at,
            "a format must not contain a newline ('\\n'): each record is printed on one line",
        );
    }
    if let Some(at) = found.second_format {
        line.error(
            start + at,
            "a ',' followed by '\"' splits the format in two for tracetool: \
             reword the format",
        );
    }
    Some(Format {
        written: written.to_string(),
        c_format,
        pieces,
    })
}

/// Offsets of what tracetool refuses in a format as written (`"` first).
struct TracetoolFinds {
    /// The first `%m`.
    percent_m: Option<usize>,
    /// The first `\n` (backslash, `n`).
    newline: Option<usize>,
    /// tracetool's line regex reads `"a,"b"` as two formats (the old `tcg`
    /// translation-time format): a `,` after at least one character, then
    /// optional whitespace (Python's `\s`), then `"`. That comma.
    second_format: Option<usize>,
}

/// All three in one pass over the bytes (three passes were ~8% of a load).
fn tracetool_checks(written: &str) -> TracetoolFinds {
    let is_space = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    let bytes = written.as_bytes();
    let mut found = TracetoolFinds {
        percent_m: None,
        newline: None,
        second_format: None,
    };
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        match b {
            b'%' if next == Some(b'm') => {
                found.percent_m.get_or_insert(i);
            }
            b'\\' if next == Some(b'n') => {
                found.newline.get_or_insert(i);
            }
            // The text starts with a one-byte `"`: byte 2 or later is
            // character 2 or later.
            b',' if i >= 2
                && found.second_format.is_none()
                && written[i + 1..]
                    .trim_start_matches(is_space)
                    .starts_with('"') =>
            {
                found.second_format = Some(i);
            }
            _ => {}
        }
    }
    found
}

/// Offset of the quote closing the literal that opens at `open`; checks
/// escape sequences on the way.
fn literal_end(line: &Line<'_>, open: usize) -> Option<usize> {
    let bytes = line.text.as_bytes();
    let mut pos = open + 1;
    loop {
        match bytes.get(pos) {
            None => {
                line.error(open, "unterminated string literal in the format");
                return None;
            }
            Some(b'"') => return Some(pos),
            Some(b'\\') => {
                let len = escape_len(&bytes[pos + 1..]);
                if len == 0 {
                    let what = line.char_at(pos + 1).map(String::from).unwrap_or_default();
                    line.error(
                        pos,
                        format!("invalid escape sequence '\\{what}' in the format"),
                    );
                    pos += 1;
                } else {
                    pos += 1 + len;
                }
            }
            Some(_) => pos += 1,
        }
    }
}

/// Length of a valid C escape sequence after its backslash; 0 if invalid.
fn escape_len(rest: &[u8]) -> usize {
    let hex_run = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count()
    };
    match rest.first() {
        Some(b'\'' | b'"' | b'?' | b'\\' | b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v') => 1,
        Some(b'0'..=b'7') => rest
            .iter()
            .take(3)
            .take_while(|b| matches!(b, b'0'..=b'7'))
            .count(),
        Some(b'x') => match hex_run(1) {
            0 => 0,
            n => 1 + n,
        },
        Some(b'u') if hex_run(1) >= 4 => 5,
        Some(b'U') if hex_run(1) >= 8 => 9,
        _ => 0,
    }
}

/// Expand `PRI<conv><size>` as the golden tracetool data does: sizes 8, 16,
/// 32, 64, PTR and MAX give length modifiers hh, h, none, ll, t and j.
/// Returned as the length modifier and the conversion.
fn pri_expansion(word: &str) -> Option<(&'static str, char)> {
    let rest = word.strip_prefix("PRI")?;
    let conv = rest.chars().next().filter(|c| "diouxX".contains(*c))?;
    let length = match &rest[1..] {
        "8" => "hh",
        "16" => "h",
        "32" => "",
        "64" => "ll",
        "PTR" => "t",
        "MAX" => "j",
        _ => return None,
    };
    Some((length, conv))
}
