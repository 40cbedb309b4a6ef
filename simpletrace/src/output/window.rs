//! A line written into room reserved once in the output buffer: the
//! record's upper bound is reserved with one capacity check, then each
//! piece is stored through a [`Window`], a cursor over the buffer's spare
//! capacity that keeps its position in a register. Appending to the `Vec`
//! piece by piece instead checked the capacity and stored the length back
//! to memory on every append (the bytes written may alias the `Vec`'s own
//! fields, so nothing could stay in registers across them).
//!
//! Writes are still bounds-checked against the room (one compare each); a
//! line longer than its bound panics instead of writing past it. Short
//! pieces are stored as whole 8- or 16-byte blocks and the cursor advanced
//! by the piece's length: the bytes past it are scratch, overwritten by
//! the next piece or left past the end of the line.

use std::mem::{self, MaybeUninit};

use trace_events::text::digits::{dec8, dec_len, hex8};
use trace_events::text::ReprPlan;

/// Room the widest single store needs past the end of what it keeps (a
/// 16-byte block); bounds given to [`append_window`] include it.
pub(crate) const SLACK: usize = 32;

/// A cursor over room reserved in an output buffer. Everything before
/// `rest` (from the start of the room) has been written.
pub(crate) struct Window<'a> {
    /// The room not written yet.
    rest: &'a mut [MaybeUninit<u8>],
}

/// Appends to `out` what `write` puts into a [`Window`] over at least
/// `bound` bytes of room, reserved once.
///
/// Panics if `write` writes past its room (a bound too small: a bug).
#[inline(always)]
pub(crate) fn append_window<R>(
    out: &mut Vec<u8>,
    bound: usize,
    write: impl FnOnce(&mut Window<'_>) -> R,
) -> R {
    out.reserve(bound);
    let len = out.len();
    let spare = out.spare_capacity_mut();
    let room = spare.len();
    let end = spare.as_ptr_range().end;
    let mut window = Window { rest: spare };
    let result = write(&mut window);
    // Still this buffer's window (not one swapped in from a nested call).
    assert_eq!(window.rest.as_ptr_range().end, end, "window swapped");
    let written = room - window.rest.len();
    // SAFETY: `window` started at `out`'s spare capacity (`room` bytes from
    // `len`) and only ever moves its start forward over bytes it has just
    // written (every method stores at the start of `rest` before advancing
    // `rest` by at most what it stored); it ends where it started (checked
    // above), so it is the same window. So the `written` bytes after `len`
    // are initialized, and `len + written` is within the capacity.
    unsafe { out.set_len(len + written) };
    result
}

impl Window<'_> {
    /// Store the `N` bytes of `bytes`, keep the first `len` of them.
    #[inline(always)]
    pub(super) fn put_block<const N: usize>(&mut self, bytes: [u8; N], len: usize) {
        let rest = mem::take(&mut self.rest);
        let Some((head, _)) = rest.split_first_chunk_mut::<N>() else {
            overflow()
        };
        *head = bytes.map(MaybeUninit::new);
        self.rest = &mut rest[len.min(N)..];
    }

    /// Append one byte.
    #[inline(always)]
    pub fn put(&mut self, byte: u8) {
        self.put_block([byte], 1);
    }

    /// Append `bytes` (one `memcpy` call: for text of any length).
    #[inline(always)]
    pub fn put_slice(&mut self, bytes: &[u8]) {
        let rest = mem::take(&mut self.rest);
        let Some(head) = rest.get_mut(..bytes.len()) else {
            overflow()
        };
        copy(head, bytes);
        self.rest = &mut rest[bytes.len()..];
    }

    /// Append the first `len` bytes of a 16-byte block (all 16 when `len` is
    /// more).
    #[inline(always)]
    pub fn put_16(&mut self, block: &[u8; 16], len: usize) {
        self.put_block(*block, len);
    }

    /// Append the last `len` (1..=8) of the 8 characters held in `chars`
    /// (big-endian in its low bytes, as [`dec8`] and [`hex8`] give them).
    #[inline(always)]
    pub fn put_chars(&mut self, chars: u64, len: u32) {
        let len = len.clamp(1, 8);
        self.put_block((chars << (64 - 8 * len)).to_be_bytes(), len as usize);
    }

    /// Append the 8 characters held in `chars`.
    #[inline(always)]
    pub fn put_8(&mut self, chars: u64) {
        self.put_block(chars.to_be_bytes(), 8);
    }

    /// Append `value` in lowercase hex, without prefix.
    #[inline(always)]
    pub fn hex(&mut self, value: u64) {
        // Digits needed: at least one (for 0).
        let len = (16 - value.leading_zeros() / 4).max(1);
        if len <= 8 {
            self.put_chars(hex8(value as u32), len);
        } else {
            self.put_chars(hex8((value >> 32) as u32), len - 8);
            self.put_8(hex8(value as u32));
        }
    }

    /// Append `value` in decimal.
    #[inline]
    pub fn dec(&mut self, value: u64) {
        const E8: u64 = 100_000_000;
        if value < E8 {
            let chars = dec8(value as u32);
            self.put_chars(chars, dec_len(chars));
        } else if value < E8 * E8 {
            let high = dec8((value / E8) as u32);
            self.put_chars(high, dec_len(high));
            self.put_8(dec8((value % E8) as u32));
        } else {
            let top = dec8((value / (E8 * E8)) as u32);
            let rest = value % (E8 * E8);
            self.put_chars(top, dec_len(top));
            self.put_8(dec8((rest / E8) as u32));
            self.put_8(dec8((rest % E8) as u32));
        }
    }

    /// Append Python's `repr()` of `bytes` (see
    /// [`trace_events::text::write_bytes_repr`]): at most `3 + 4 * len`
    /// bytes, with [`SLACK`] of room past them.
    #[inline]
    pub fn bytes_repr(&mut self, bytes: &[u8]) {
        let ReprPlan { quote, escapes } = ReprPlan::of(bytes);
        self.put_block([b'b', quote], 2);
        match escapes {
            None => self.put_slice(bytes),
            Some(table) => self.escaped(bytes, table),
        }
        self.put(quote);
    }

    /// Each byte's text from `table`: four bytes at a time within one
    /// bounds-checked 16-byte block.
    fn escaped(&mut self, bytes: &[u8], table: &[u64; 256]) {
        let mut quads = bytes.chunks_exact(4);
        for quad in &mut quads {
            let rest = mem::take(&mut self.rest);
            let Some((block, _)) = rest.split_first_chunk_mut::<16>() else {
                overflow()
            };
            let mut at = 0;
            for &c in quad {
                let escape = table[c as usize];
                // `at` is at most 12 here; the mask lets the compiler see it.
                let at_masked = at & 15;
                copy(
                    &mut block[at_masked..at_masked + 4],
                    &(escape as u32).to_le_bytes(),
                );
                at = at_masked + (escape >> 32) as usize;
            }
            self.rest = &mut rest[at.min(16)..];
        }
        for &c in quads.remainder() {
            let escape = table[c as usize];
            self.put_block((escape as u32).to_le_bytes(), (escape >> 32) as usize);
        }
    }
}

/// `dst.copy_from_slice(src)` for room not yet written (the standard
/// library's own is newer than the workspace's minimum Rust); the loop
/// compiles to a `memcpy` or to a few stores.
#[inline(always)]
fn copy(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        d.write(s);
    }
}

#[cold]
#[inline(never)]
fn overflow() -> ! {
    panic!("a line ran past the room reserved for it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_land_in_order_and_nothing_past_them() {
        let mut out = b"<".to_vec();
        append_window(&mut out, 64 + SLACK, |w| {
            w.put_16(b"abcdefghijklmnop", 3);
            w.put(b'|');
            w.hex(0x000d_eadb_eef0);
            w.put(b'|');
            w.dec(12_345_678_901_234_567_890);
            w.put(b'|');
            w.put_slice(b"xyz");
            w.bytes_repr(b"it's\t\xff\\\"q\" and more");
        });
        assert_eq!(
            out,
            b"<abc|deadbeef0|12345678901234567890|xyzb'it\\'s\\t\\xff\\\\\"q\" and more'"
        );
    }

    #[test]
    fn digits_and_repr_match_the_vec_writers() {
        let mut values = vec![0, 1, 9, 10, 15, 16, 255, 4096, u64::MAX];
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            values.extend([p - 1, p, p + 1]);
            p = next;
        }
        for shift in 1..64 {
            values.extend([(1u64 << shift) - 1, 1 << shift]);
        }
        for v in values {
            let mut ours = Vec::new();
            append_window(&mut ours, 40 + SLACK, |w| {
                w.hex(v);
                w.put(b' ');
                w.dec(v);
            });
            assert_eq!(ours, format!("{v:x} {v}").into_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        for text in [&b""[..], b"a", b"it's", b"\"'", b"abc\n", &all, &all[..7]] {
            let mut expected = Vec::new();
            trace_events::text::write_bytes_repr(&mut expected, text);
            let mut ours = Vec::new();
            append_window(&mut ours, 3 + 4 * text.len() + SLACK, |w| {
                w.bytes_repr(text)
            });
            assert_eq!(ours, expected, "{text:?}");
        }
    }

    #[test]
    #[should_panic(expected = "past the room")]
    fn a_line_longer_than_its_room_panics() {
        let mut out = Vec::new();
        // The room is at least the bound; fill whatever was reserved.
        append_window(&mut out, 8, |w| loop {
            w.put_8(0);
        });
    }
}
