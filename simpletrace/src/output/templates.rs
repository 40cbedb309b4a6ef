//! The constant text of simpletrace.py lines, for every event in one buffer:
//! `name ` then, per argument, `name=` (`name=0x` for integers) with the blank
//! before it. With QEMU's ~6,000 events, one small allocation per piece put
//! each record's text on cache lines of their own; here a record reads one
//! contiguous run.

use trace_events::{ArgKind, Event};

use super::window::Window;
use crate::EventIndex;

/// A template starts with the `u32` length of all its pieces' text (for the
/// line's bound). Pieces are stored as a `u32` length, then the text padded
/// with zeros to whole blocks, appended block by block (fixed-size copies,
/// no `memcpy` call) and cut to length.
const BLOCK: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct Templates {
    /// Per event index: where its template starts in `text`, plus one
    /// (0: not built yet).
    starts: Vec<usize>,
    text: Vec<u8>,
}

/// A template being read: the text from the next piece on.
pub(crate) struct Pieces<'t> {
    text: &'t [u8],
    /// The length of all the template's pieces.
    total: usize,
}

impl Templates {
    /// The template of the event at `index`, built on first use.
    #[inline]
    pub fn get(&mut self, index: EventIndex, event: &Event) -> Pieces<'_> {
        let i = index.get();
        let start = match self.starts.get(i) {
            Some(&start) if start > 0 => start - 1,
            _ => self.build(i, event),
        };
        let text = self.text.get(start..).unwrap_or_default();
        match text.split_first_chunk::<4>() {
            Some((total, text)) => Pieces {
                text,
                total: u32::from_le_bytes(*total) as usize,
            },
            None => Pieces { text, total: 0 },
        }
    }

    #[cold]
    #[inline(never)]
    fn build(&mut self, i: usize, event: &Event) -> usize {
        if self.starts.len() <= i {
            self.starts.resize(i + 1, 0);
        }
        let start = self.text.len();
        self.text.extend_from_slice(&[0; 4]);
        let mut total = self.push_piece(&[event.name.as_bytes(), b" "]);
        for (n, arg) in event.args.iter().enumerate() {
            let blank: &[u8] = if n > 0 { b" " } else { b"" };
            let hex: &[u8] = if arg.kind == ArgKind::Str { b"" } else { b"0x" };
            total += self.push_piece(&[blank, arg.name.as_bytes(), b"=", hex]);
        }
        self.text[start..start + 4].copy_from_slice(&length_word(total));
        self.starts[i] = start + 1;
        start
    }

    /// Store a piece made of `parts`; returns its length.
    fn push_piece(&mut self, parts: &[&[u8]]) -> usize {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.text.extend_from_slice(&length_word(len));
        for part in parts {
            self.text.extend_from_slice(part);
        }
        let padded = len.div_ceil(BLOCK) * BLOCK;
        self.text.resize(self.text.len() + (padded - len), 0);
        len
    }
}

/// `len` as a stored `u32` (lengths come from declaration lines, at most
/// 64 KiB long each).
fn length_word(len: usize) -> [u8; 4] {
    u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes()
}

impl Pieces<'_> {
    /// The length of all the template's text: what [`Pieces::append_next`]
    /// appends in all.
    #[inline]
    pub fn total_len(&self) -> usize {
        self.total
    }

    /// Append the next piece.
    #[inline]
    pub fn append_next(&mut self, out: &mut Window<'_>) {
        let Some((len, rest)) = self.text.split_first_chunk::<4>() else {
            return;
        };
        let mut left = u32::from_le_bytes(*len) as usize;
        let mut blocks = rest;
        while left > 0 {
            let Some((block, tail)) = blocks.split_first_chunk::<BLOCK>() else {
                break;
            };
            out.put_16(block, left);
            blocks = tail;
            left = left.saturating_sub(BLOCK);
        }
        self.text = blocks;
    }
}

#[cfg(test)]
mod tests {
    use super::super::window::{append_window, SLACK};
    use super::*;

    #[test]
    fn pieces_are_the_name_and_the_argument_labels() {
        let events = trace_events::parse_str(
            "t",
            "a(void)\nlong_event_name_over_sixteen(const char *s, uint64_t value_with_long_name)\n",
        )
        .file
        .events;
        let mut templates = Templates::default();
        // Built out of order, read back in any order.
        for (i, event) in events.iter().enumerate().rev() {
            templates.get(EventIndex(i as u32 + 3), event);
        }
        let mut out = b"<".to_vec();
        let mut pieces = templates.get(EventIndex(4), &events[1]);
        assert_eq!(pieces.total_len(), 55);
        append_window(&mut out, 64 + SLACK, |w| {
            for _ in 0..3 {
                pieces.append_next(w);
                w.put(b'|');
            }
        });
        assert_eq!(
            out,
            b"<long_event_name_over_sixteen |s=| value_with_long_name=0x|"
        );
        let mut out = Vec::new();
        let mut pieces = templates.get(EventIndex(3), &events[0]);
        assert_eq!(pieces.total_len(), 2);
        append_window(&mut out, 2 + SLACK, |w| pieces.append_next(w));
        assert_eq!(out, b"a ");
    }
}
