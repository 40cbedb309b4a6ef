//! The constant text of simpletrace.py lines, for every event in one buffer:
//! `name ` then, per argument, `name=` (`name=0x` for integers) with the blank
//! before it. With QEMU's ~6,000 events, one small allocation per piece put
//! each record's text on cache lines of their own; here a record reads one
//! contiguous run.

use trace_events::{ArgKind, Event};

use crate::EventIndex;

/// Pieces are stored as a `u32` length, then the text padded with zeros to
/// whole blocks, appended block by block (fixed-size copies, no `memcpy`
/// call) and cut to length.
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
        Pieces {
            text: self.text.get(start..).unwrap_or_default(),
        }
    }

    #[cold]
    #[inline(never)]
    fn build(&mut self, i: usize, event: &Event) -> usize {
        if self.starts.len() <= i {
            self.starts.resize(i + 1, 0);
        }
        let start = self.text.len();
        self.push_piece(&[event.name.as_bytes(), b" "]);
        for (n, arg) in event.args.iter().enumerate() {
            let blank: &[u8] = if n > 0 { b" " } else { b"" };
            let hex: &[u8] = if arg.kind == ArgKind::Str { b"" } else { b"0x" };
            self.push_piece(&[blank, arg.name.as_bytes(), b"=", hex]);
        }
        self.starts[i] = start + 1;
        start
    }

    fn push_piece(&mut self, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        // Lengths come from declaration lines, at most 64 KiB long.
        let len32 = u32::try_from(len).unwrap_or(u32::MAX);
        self.text.extend_from_slice(&len32.to_le_bytes());
        for part in parts {
            self.text.extend_from_slice(part);
        }
        let padded = len.div_ceil(BLOCK) * BLOCK;
        self.text.resize(self.text.len() + (padded - len), 0);
    }
}

impl Pieces<'_> {
    /// Append the next piece to `out`.
    #[inline]
    pub fn append_next(&mut self, out: &mut Vec<u8>) {
        let Some((len, rest)) = self.text.split_first_chunk::<4>() else {
            return;
        };
        let len = u32::from_le_bytes(*len) as usize;
        let end = out.len() + len;
        let mut blocks = rest;
        let mut copied = 0;
        while copied < len {
            let Some((block, tail)) = blocks.split_first_chunk::<BLOCK>() else {
                break;
            };
            out.extend_from_slice(block);
            blocks = tail;
            copied += BLOCK;
        }
        out.truncate(end);
        self.text = blocks;
    }
}

#[cfg(test)]
mod tests {
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
        for _ in 0..3 {
            pieces.append_next(&mut out);
            out.push(b'|');
        }
        assert_eq!(
            out,
            b"<long_event_name_over_sixteen |s=| value_with_long_name=0x|"
        );
        let mut out = Vec::new();
        templates
            .get(EventIndex(3), &events[0])
            .append_next(&mut out);
        assert_eq!(out, b"a ");
    }
}
