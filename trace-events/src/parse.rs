//! Parser and validator for trace-events files. One declaration a line;
//! every problem of the file is reported in one pass.

mod args;
mod check;
mod ctype;
mod decl;
mod format;
mod line;

use std::collections::HashMap;

use crate::{Diagnostic, EventFile, Severity};
use line::Line;

/// The result of parsing one file: the events that were valid and every
/// diagnostic (errors and warnings) in source order.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub file: EventFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

/// Parse `source`, naming it `file` in positions and diagnostics.
pub fn parse_str(file: &str, source: &str) -> Parsed {
    let mut diagnostics = Vec::new();
    let mut events = Vec::new();
    // Lower-cased name -> (name, line): QEMU derives upper-case C macros from
    // event names, so names differing only in case clash too.
    let mut seen: HashMap<String, (String, u32)> = HashMap::new();

    for (index, raw) in source.split_inclusive('\n').enumerate() {
        let terminated = raw.ends_with('\n');
        let text = raw.strip_suffix('\n').unwrap_or(raw);
        // CRLF files read the same as LF files (Python's universal newlines).
        let text = text.strip_suffix('\r').unwrap_or(text);
        let line = Line::new(file, u32::try_from(index + 1).unwrap_or(u32::MAX), text);
        if !terminated {
            diagnostics.extend(line.error(text.len(), "the file must end with a newline"));
        }
        if let Some(cr) = text.find('\r') {
            // Python would start a new line here: reading it differently
            // from tracetool is worse than refusing it.
            diagnostics.extend(line.error(cr, "carriage return inside a line"));
            continue;
        }
        let first = line::skip_blanks(text.as_bytes(), 0);
        if first == text.len() || text.as_bytes()[first] == b'#' {
            continue;
        }
        let event = decl::parse_decl(&line, &mut diagnostics);
        diagnostics.extend(line.dropped_summary());
        let Some(event) = event else {
            continue;
        };
        match seen.get(&event.name.to_ascii_lowercase()) {
            Some((name, first_line)) if *name == event.name => diagnostics.extend(line.error(
                event_name_offset(&line, &event),
                format!(
                    "duplicate event '{}': already declared on line {first_line}",
                    event.name
                ),
            )),
            Some((name, first_line)) => diagnostics.extend(line.error(
                event_name_offset(&line, &event),
                format!(
                    "event '{}' clashes with '{name}' on line {first_line}: \
                     names must differ in more than case",
                    event.name
                ),
            )),
            None => {
                seen.insert(
                    event.name.to_ascii_lowercase(),
                    (event.name.clone(), line.number),
                );
                events.push(event);
            }
        }
    }
    Parsed {
        file: EventFile {
            path: file.to_string(),
            events,
        },
        diagnostics,
    }
}

/// Byte offset of the event's name in its line (its position is in characters).
fn event_name_offset(line: &Line<'_>, event: &crate::Event) -> usize {
    line.text
        .char_indices()
        .nth(event.pos.column.saturating_sub(1) as usize)
        .map_or(0, |(i, _)| i)
}

/// Read and parse a file; `display_name` is used in positions and diagnostics.
/// Bytes that are not UTF-8 are an error (tracetool reads files as UTF-8).
pub fn parse_file(path: &std::path::Path, display_name: &str) -> std::io::Result<Parsed> {
    let bytes = std::fs::read(path)?;
    match std::str::from_utf8(&bytes) {
        Ok(source) => Ok(parse_str(display_name, source)),
        Err(e) => {
            let source = String::from_utf8_lossy(&bytes);
            let mut parsed = parse_str(display_name, &source);
            let first = not_utf8(display_name, &bytes, e.valid_up_to());
            parsed.diagnostics.splice(0..0, first);
            Ok(parsed)
        }
    }
}

/// The error for the first byte that is not UTF-8, at `valid_up_to`.
fn not_utf8(file: &str, bytes: &[u8], valid_up_to: usize) -> Option<Diagnostic> {
    let valid = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
    let number = valid.matches('\n').count() + 1;
    let rest = &bytes[valid_up_to..];
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let text = String::from_utf8_lossy(&bytes[line_start..valid_up_to + line_end]).into_owned();
    let line = Line::new(file, u32::try_from(number).unwrap_or(u32::MAX), &text);
    line.error(valid_up_to - line_start, "the file is not valid UTF-8 here")
}
