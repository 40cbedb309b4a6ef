//! Parser and validator for trace-events files. One declaration a line;
//! every problem of the file is reported in one pass.

mod args;
mod check;
mod ctype;
mod decl;
mod format;
mod line;

pub use line::is_identifier;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;

use crate::hash::FastHash;
use crate::{Diagnostic, Event, EventFile, Severity};
use line::Line;

/// Largest trace-events file read, in bytes. QEMU's largest is under 100 KB
/// and all of its files together (`trace-events-all`) about 540 KB; parsed
/// events take up to about 40 times their text (a file of 63 MB of one-line
/// events peaked at 2.5 GB), so this bounds memory near 650 MB, also against
/// a wrong path such as `/dev/zero`.
pub const MAX_FILE_LEN: u64 = 16 << 20;

/// Longest declaration line accepted, in bytes (QEMU's longest is under 400).
/// Parsing a line costs memory in proportion to its conversions and
/// diagnostics: this keeps one absurd line from costing hundreds of MB.
pub const MAX_LINE_LEN: usize = 64 << 10;

/// Diagnostics kept per file; the rest are counted in one last diagnostic,
/// so a file of a million bad lines prints a screenful, not a million.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 100;

/// The result of parsing one file: the events that were valid and every
/// diagnostic (errors and warnings) in source order.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The valid events.
    pub file: EventFile,
    /// Errors and warnings in source order, at most
    /// [`MAX_DIAGNOSTICS_PER_FILE`] plus a count of the rest.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether any declaration was dropped: the macro and the reader refuse
    /// such a file.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The diagnostics that dropped a declaration.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The diagnostics about declarations that were kept.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

/// How leniently a file is read; the default is tracetool's code generation
/// rules, which a program's events must follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// An event name declared again (or differing only in case) is a
    /// warning, and both events are kept, as tracetool's `read_events` and
    /// simpletrace.py accept it (QEMU's `trace-events-all` declares eight
    /// names in both `bsd-user` and `linux-user`). For reading traces:
    /// simpletrace.py uses the last declaration of a name.
    pub allow_duplicates: bool,
}

/// Parse `source`, naming it `file` in positions and diagnostics.
pub fn parse_str(file: &str, source: &str) -> Parsed {
    parse_str_with(file, source, ParseOptions::default())
}

/// The most events [`parse_str_with`] reserves room for before it has
/// seen them (64 K: ten times QEMU's count).
const EXPECTED_EVENTS_CAP: usize = 1 << 16;

/// [`parse_str`] with `options`.
pub fn parse_str_with(file: &str, source: &str, options: ParseOptions) -> Parsed {
    let mut diagnostics = Vec::new();
    // Sized once for about one declaration per 64 bytes (QEMU's files: one
    // per 90), capped: grown by doubling, QEMU's 5,806 events were copied
    // and their pages touched about twice over.
    let expected = (source.len() / 64).min(EXPECTED_EVENTS_CAP);
    let mut events: Vec<Event> = Vec::with_capacity(expected);
    // Lower-cased name -> (index in `events`, line): QEMU derives upper-case
    // C macros from event names, so names differing only in case clash too.
    // Borrowed from the source unless the name has upper-case letters.
    let mut seen: HashMap<Cow<'_, str>, (usize, u32), FastHash> =
        HashMap::with_capacity_and_hasher(expected, FastHash::default());
    let mut omitted = Omitted::default();

    let mut rest = source;
    let mut index = 0;
    while !rest.is_empty() {
        // A line adds at most a few dozen diagnostics: memory stays bounded.
        omitted.take_beyond_cap(&mut diagnostics);
        let (end, first_cr) = line_end(rest.as_bytes());
        let terminated = end < rest.len();
        let mut text = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        index += 1;
        // CRLF files read the same as LF files (Python's universal newlines).
        if let Some(stripped) = text.strip_suffix('\r') {
            text = stripped;
        }
        let cr = first_cr.filter(|&cr| cr < text.len());
        let line = Line::new(file, u32::try_from(index).unwrap_or(u32::MAX), text);
        if let Some(event) = declaration(&line, terminated, cr) {
            let at = event_name_offset(&line, &event);
            let name_in_source = &text[at..at + event.name.len()];
            let lower = if name_in_source.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name_in_source.to_ascii_lowercase())
            } else {
                Cow::Borrowed(name_in_source)
            };
            match seen
                .get(&lower)
                .map(|&(i, first_line)| (events[i].name.as_str(), first_line))
            {
                Some((name, first_line)) if options.allow_duplicates => {
                    let message = if name == event.name {
                        format!(
                            "event '{}' is declared again (first on line {first_line}); \
                             the last declaration is used, as simpletrace.py does",
                            event.name
                        )
                    } else {
                        format!(
                            "event '{}' differs from '{name}' on line {first_line} only in case",
                            event.name
                        )
                    };
                    line.warning(at, message);
                    events.push(event);
                }
                Some((name, first_line)) if name == event.name => line.error(
                    at,
                    format!(
                        "duplicate event '{}': already declared on line {first_line}",
                        event.name
                    ),
                ),
                Some((name, first_line)) => line.error(
                    at,
                    format!(
                        "event '{}' clashes with '{name}' on line {first_line}: \
                         names must differ in more than case",
                        event.name
                    ),
                ),
                None => {
                    seen.insert(lower, (events.len(), line.number));
                    events.push(event);
                }
            }
        }
        diagnostics.extend(line.into_diagnostics());
    }
    omitted.take_beyond_cap(&mut diagnostics);
    diagnostics.extend(omitted.summary());
    Parsed {
        file: EventFile {
            path: file.to_string(),
            events,
        },
        diagnostics,
    }
}

/// The event a line declares, if it declares one without error; blank and
/// comment lines declare none. Problems are reported on `line`.
fn declaration(line: &Line<'_>, terminated: bool, cr: Option<usize>) -> Option<Event> {
    let text = line.text;
    if !terminated {
        line.error(text.len(), "the file must end with a newline");
    }
    if let Some(cr) = cr {
        // Python would start a new line here: reading it differently
        // from tracetool is worse than refusing it.
        line.error(cr, "carriage return inside a line");
        return None;
    }
    let first = line::skip_blanks(text.as_bytes(), 0);
    if first == text.len() || text.as_bytes()[first] == b'#' {
        return None;
    }
    if text.len() > MAX_LINE_LEN {
        line.too_long(MAX_LINE_LEN);
        return None;
    }
    decl::parse_decl(line)
}

/// Where the line at the start of `bytes` ends (its `\n`, or the end), and
/// its first `\r` if any. Eight bytes at a time: a byte below 14 (`\t`,
/// `\n`, `\r` and a few control characters) stops the word scan, and only
/// those words are looked at byte by byte (the file's bytes were read
/// through `str`'s `\n` searcher and again for `\r`: 10% of a load).
fn line_end(bytes: &[u8]) -> (usize, Option<usize>) {
    let mut cr = None;
    let mut at = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(word);
        if has_byte_below_14(word) {
            for (i, &b) in chunk.iter().enumerate() {
                match b {
                    b'\n' => return (at + i, cr),
                    b'\r' if cr.is_none() => cr = Some(at + i),
                    _ => {}
                }
            }
        }
        at += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        match b {
            b'\n' => return (at + i, cr),
            b'\r' if cr.is_none() => cr = Some(at + i),
            _ => {}
        }
    }
    (bytes.len(), cr)
}

/// Whether any byte of `word` is below 14: exact, though the high bits it
/// computes may also mark bytes next to a small one (so the caller looks at
/// the bytes of a flagged word one by one).
#[inline(always)]
fn has_byte_below_14(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    word.wrapping_sub(ONES * 14) & !word & HIGHS != 0
}

/// The diagnostics of a file past [`MAX_DIAGNOSTICS_PER_FILE`]: counted,
/// with the first kept for its position.
#[derive(Default)]
struct Omitted {
    count: usize,
    any_error: bool,
    first: Option<Diagnostic>,
}

impl Omitted {
    /// Move the diagnostics past the cap out of `diagnostics` into the count.
    fn take_beyond_cap(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        if diagnostics.len() <= MAX_DIAGNOSTICS_PER_FILE {
            return;
        }
        for d in diagnostics.drain(MAX_DIAGNOSTICS_PER_FILE..) {
            self.count += 1;
            self.any_error |= d.is_error();
            self.first.get_or_insert(d);
        }
    }

    /// One diagnostic at the first omitted one, saying how many were not
    /// shown; an error if any of them was (the file stays rejected).
    fn summary(self) -> Option<Diagnostic> {
        let mut first = self.first?;
        first.severity = if self.any_error {
            Severity::Error
        } else {
            Severity::Warning
        };
        first.message = format!(
            "... and {} more problems in this file, from here on, are not shown",
            self.count
        );
        Some(first)
    }
}

/// Byte offset of the event's name in its line (its position is in characters).
fn event_name_offset(line: &Line<'_>, event: &crate::Event) -> usize {
    line.text
        .char_indices()
        .nth(event.pos.column.saturating_sub(1) as usize)
        .map_or(0, |(i, _)| i)
}

/// The name a trace-events file goes by in positions and diagnostics: its
/// path with `/` between components on every system (`block/trace-events`,
/// as QEMU and tracetool name them), so positions, `trace_event_decl`
/// records and the reader's output read the same on Windows. Only Windows
/// turns `\` into `/` (there both separate components; on Unix a backslash
/// is a character of a file name). Not UTF-8 is replaced as
/// `to_string_lossy` does.
pub fn path_name(path: &std::path::Path) -> String {
    let name = path.to_string_lossy();
    if cfg!(windows) {
        name.replace('\\', "/")
    } else {
        name.into_owned()
    }
}

/// Read and parse a file; `display_name` is used in positions and diagnostics.
/// Bytes that are not UTF-8 are an error (tracetool reads files as UTF-8).
/// A file longer than [`MAX_FILE_LEN`] is an `InvalidData` error; it is read
/// through a bounded reader, so `/dev/zero` or a pipe is refused too.
pub fn parse_file(path: &std::path::Path, display_name: &str) -> std::io::Result<Parsed> {
    parse_file_with(path, display_name, ParseOptions::default())
}

/// [`parse_file`] with `options`.
pub fn parse_file_with(
    path: &std::path::Path,
    display_name: &str,
    options: ParseOptions,
) -> std::io::Result<Parsed> {
    let file = std::fs::File::open(path)?;
    // Sized once from the file's length (growing by doubling copied a
    // QEMU-sized file's bytes about twice over); the bounded read below
    // still decides what is read.
    let expected = file.metadata().map_or(0, |m| m.len().min(MAX_FILE_LEN + 1));
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0) + 1);
    file.take(MAX_FILE_LEN + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB, the limit for a trace-events file \
                 (is it one? QEMU's largest is under 100 KB)",
                MAX_FILE_LEN >> 20
            ),
        ));
    }
    match std::str::from_utf8(&bytes) {
        Ok(source) => Ok(parse_str_with(display_name, source, options)),
        Err(e) => {
            let source = String::from_utf8_lossy(&bytes);
            let mut parsed = parse_str_with(display_name, &source, options);
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
    line.error(valid_up_to - line_start, "the file is not valid UTF-8 here");
    line.into_diagnostics().pop()
}

#[cfg(test)]
mod tests {
    use super::{has_byte_below_14, line_end, path_name};

    /// A flagged word is only looked at more slowly, so a wrong flag changes
    /// no result: this is what keeps lines of text on the fast path.
    #[test]
    fn a_word_is_flagged_exactly_when_one_of_its_bytes_is_below_14() {
        let text = *b"abc(x y)";
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = text;
                word[at] = b;
                assert_eq!(
                    has_byte_below_14(u64::from_ne_bytes(word)),
                    b < 14,
                    "byte {b} at {at}"
                );
            }
            assert_eq!(has_byte_below_14(u64::from_ne_bytes([b; 8])), b < 14, "{b}");
        }
    }

    #[test]
    fn path_names_separate_components_with_a_slash() {
        let joined = std::path::Path::new("hw")
            .join("block")
            .join("trace-events");
        assert_eq!(path_name(&joined), "hw/block/trace-events");
        // A backslash separates components on Windows only.
        let expected = if cfg!(windows) { "a/b" } else { "a\\b" };
        assert_eq!(path_name(std::path::Path::new("a\\b")), expected);
    }

    /// `line_end` as a byte-by-byte loop would find it.
    fn naive(bytes: &[u8]) -> (usize, Option<usize>) {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len());
        (end, bytes[..end].iter().position(|&b| b == b'\r'))
    }

    #[test]
    fn line_ends_match_a_byte_scan_at_every_position() {
        // Bytes just below and above 14, a tab, UTF-8, and the two that count.
        let pieces: [&[u8]; 7] = [
            b"\n",
            b"\r",
            b"\t",
            b"\x0e",
            b"\x0d\x0d",
            "é".as_bytes(),
            b"x",
        ];
        for len in 0..24 {
            for (k, piece) in pieces.iter().enumerate() {
                for filler in [b'a', 0x7f, 0x80, 0x0e] {
                    let mut bytes = vec![filler; len];
                    bytes.extend_from_slice(piece);
                    bytes.extend(std::iter::repeat(b'z').take(k * 3));
                    bytes.extend_from_slice(b"\r\n");
                    for start in 0..bytes.len() {
                        assert_eq!(
                            line_end(&bytes[start..]),
                            naive(&bytes[start..]),
                            "{bytes:?}"
                        );
                    }
                }
            }
        }
    }
}
