//! One declaration line: `[props] name(args) ["format"]`.

use super::args::parse_args;
use super::check::check_format;
use super::format::{parse_format, Format};
use super::line::{is_ident_byte, skip_blanks, Line};
use crate::{Event, Position, Property};

/// Parse a line that is neither blank nor a comment. Problems are reported on
/// `line`; the event is returned only if the line has no error.
pub(super) fn parse_decl(line: &Line<'_>) -> Option<Event> {
    let bytes = line.text.as_bytes();
    let word_end = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|&&b| is_ident_byte(b))
            .count()
    };

    // Words up to the one directly followed by `(`: properties, then the name.
    let mut props = Vec::new();
    let mut pos = skip_blanks(bytes, 0);
    let (name_start, name_end) = loop {
        let end = word_end(pos);
        if end == pos {
            unexpected(line, pos, "expected an event name");
            return None;
        }
        let next = skip_blanks(bytes, end);
        match bytes.get(next) {
            Some(b'(') if next == end => break (pos, end),
            Some(b'(') => {
                line.error(end, "no blank is allowed between the event name and '('");
                break (pos, end);
            }
            Some(&b) if is_ident_byte(b) && next > end => {
                props.push((pos, end));
                pos = next;
            }
            _ => {
                let word = &line.text[pos..end];
                unexpected(line, next, &format!("expected '(' after '{word}'"));
                return None;
            }
        }
    };
    let name = &line.text[name_start..name_end];
    if props.is_empty() && name_start == 1 {
        // tracetool's regex takes leading blanks as part of the properties,
        // which then need a blank of their own: one blank alone fails.
        line.error(0, "remove the blank before the event name");
    }
    if name.as_bytes()[0].is_ascii_digit() {
        line.error(
            name_start,
            format!("event name '{name}' must start with a letter or '_'"),
        );
    }
    let props = parse_props(line, &props);

    let open = skip_blanks(bytes, name_end) + 1;
    let Some(close) = bytes[open..]
        .iter()
        .position(|&b| b == b')')
        .map(|i| open + i)
    else {
        line.error(
            line.text.len(),
            "missing ')' at the end of the argument list",
        );
        return None;
    };
    let args = parse_args(line, open, close);

    let format_start = skip_blanks(bytes, close + 1);
    let format = match bytes.get(format_start) {
        None => Some(Format {
            written: String::new(),
            c_format: String::new(),
            pieces: Vec::new(),
        }),
        Some(b'"') => parse_format(line, format_start),
        Some(_) => {
            unexpected(
                line,
                format_start,
                "expected a format string after the argument list",
            );
            None
        }
    };

    if line.has_errors() {
        return None;
    }
    let format = format?;
    check_format(line, &format, &args);
    if line.has_errors() {
        return None;
    }
    Some(Event {
        name: name.to_string(),
        props,
        args,
        fmt: format.written,
        c_format: format.c_format,
        pos: Position {
            file: line.file.to_string(),
            line: line.number,
            column: line.column(name_start),
        },
    })
}

fn parse_props(line: &Line<'_>, words: &[(usize, usize)]) -> Vec<Property> {
    let mut props = Vec::new();
    for &(start, end) in words {
        match &line.text[start..end] {
            "disable" if props.contains(&Property::Disable) => {
                line.warning(start, "property 'disable' is given twice");
            }
            "disable" => props.push(Property::Disable),
            other => line.error(
                start,
                format!("unknown property '{other}': the only property is 'disable'"),
            ),
        }
    }
    props
}

/// "unexpected X: <what was expected>" at `pos`, or "... at the end of the line".
fn unexpected(line: &Line<'_>, pos: usize, expected: &str) {
    match line.char_at(pos) {
        Some(c) => line.error(pos, format!("unexpected {}: {expected}", describe(c))),
        None => line.error(pos, format!("unexpected end of line: {expected}")),
    }
}

fn describe(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("'{c}'")
    } else {
        format!("character {}", c.escape_unicode())
    }
}
