//! Parquet's RLE/bit-packed hybrid encoding, for the pages we write
//! ourselves (`dict_chunk.rs`): dictionary indices and definition levels.
//! The `parquet` crate has an encoder, but not in its public API.
//!
//! A run of one value repeated [`MIN_REPEAT`] times or more is a run-length
//! run (`count << 1`, then the value in whole bytes); everything else goes
//! in bit-packed runs of groups of eight values (`groups << 1 | 1`, then
//! `bit_width` bytes a group, least significant bits first). A bit-packed
//! run ends where a long repeat starts at a group boundary; the last group
//! is padded with zeros (readers know how many values a page holds).

/// A repeat shorter than this stays in a bit-packed run: one group of
/// eight costs at most as much as a run's header and value.
const MIN_REPEAT: usize = 8;

/// Bits needed for values up to `max` (0 for only zeros).
pub(crate) fn bit_width(max: u32) -> u8 {
    (u32::BITS - max.leading_zeros()) as u8
}

/// What the encoding takes: dictionary indices and levels (never negative).
pub(crate) trait Small: Copy + Eq {
    fn bits(self) -> u64;
}

impl Small for u32 {
    #[inline]
    fn bits(self) -> u64 {
        u64::from(self)
    }
}

impl Small for i16 {
    #[inline]
    fn bits(self) -> u64 {
        debug_assert!(self >= 0, "levels are never negative");
        self as u16 as u64
    }
}

/// Append `values`, each of at most `bit_width` bits, to `out`.
pub(crate) fn encode<T: Small>(values: &[T], bit_width: u8, out: &mut Vec<u8>) {
    debug_assert!(bit_width <= 32);
    debug_assert!(values
        .iter()
        .all(|v| u64::BITS - v.bits().leading_zeros() <= u32::from(bit_width)));
    let mut start = 0;
    while start < values.len() {
        let repeat = repeat_len(values, start);
        if repeat >= MIN_REPEAT {
            rle_run(values[start].bits(), repeat, bit_width, out);
            start += repeat;
            continue;
        }
        // Groups of eight until a long repeat starts at a group's start.
        let mut end = (start + 8).min(values.len());
        while end < values.len() && !long_repeat_at(values, end) {
            end = (end + 8).min(values.len());
        }
        bit_packed_run(&values[start..end], bit_width, out);
        start = end;
    }
}

/// How many times `values[at]` repeats from `at` (at least 1). Linear in
/// all: a short repeat stops the count early, a long one becomes a run.
#[inline]
fn repeat_len<T: Small>(values: &[T], at: usize) -> usize {
    let value = values[at];
    values[at..].iter().take_while(|&&v| v == value).count()
}

/// Whether `values[at]` repeats [`MIN_REPEAT`] times or more from `at`:
/// most groups of levels are told apart by their first and last value,
/// not counted through (mk_trace.py's trace: 10 M fewer instructions).
#[inline]
fn long_repeat_at<T: Small>(values: &[T], at: usize) -> bool {
    match values.get(at + MIN_REPEAT - 1) {
        Some(&last) if last == values[at] => repeat_len(values, at) >= MIN_REPEAT,
        _ => false,
    }
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn rle_run(value: u64, count: usize, bit_width: u8, out: &mut Vec<u8>) {
    varint((count as u64) << 1, out);
    let bytes = usize::from(bit_width).div_ceil(8);
    out.extend_from_slice(&value.to_le_bytes()[..bytes]);
}

/// `values` bit-packed, in groups of eight (the last padded with zeros).
fn bit_packed_run<T: Small>(values: &[T], bit_width: u8, out: &mut Vec<u8>) {
    let groups = values.len().div_ceil(8);
    varint(((groups as u64) << 1) | 1, out);
    out.reserve(groups * usize::from(bit_width));
    if bit_width <= 8 {
        // Levels and small dictionaries: a group is one 64-bit word.
        let width = usize::from(bit_width);
        let mut chunks = values.chunks_exact(8);
        for group in chunks.by_ref() {
            out.extend_from_slice(&group_word(group, bit_width).to_le_bytes()[..width]);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            out.extend_from_slice(&group_word(rest, bit_width).to_le_bytes()[..width]);
        }
    } else {
        bit_stream(values, groups * 8, u32::from(bit_width), out);
    }
}

/// Up to eight values of at most 8 bits, packed into one word (missing
/// values are zeros).
#[inline]
fn group_word<T: Small>(group: &[T], bit_width: u8) -> u64 {
    let mut word = 0u64;
    for (i, value) in group.iter().enumerate() {
        word |= value.bits() << (i as u32 * u32::from(bit_width));
    }
    word
}

/// `values` then zeros up to `count`, `width` bits each, as one stream
/// of bits written 32 at a time: eight values of any width fill whole
/// bytes, so what is left at the end is whole bytes.
fn bit_stream<T: Small>(values: &[T], count: usize, width: u32, out: &mut Vec<u8>) {
    // Fewer than 32 bits wait in `pending` before a value of at most 32
    // bits is added: it never holds more than 63.
    let mut pending = 0u64;
    let mut bits = 0u32;
    let mut put = |value: u64| {
        pending |= value << bits;
        bits += width;
        if bits >= 32 {
            out.extend_from_slice(&(pending as u32).to_le_bytes());
            pending >>= 32;
            bits -= 32;
        }
    };
    for value in values {
        put(value.bits());
    }
    for _ in values.len()..count {
        put(0);
    }
    debug_assert_eq!(bits % 8, 0, "eight values of any width fill whole bytes");
    out.extend_from_slice(&pending.to_le_bytes()[..bits as usize / 8]);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An unsigned LEB128 varint off the front of `bytes` (the tests'
    /// decoders, here and in `delta.rs`).
    pub(crate) fn read_varint(bytes: &mut &[u8]) -> u64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let byte = bytes[0];
            *bytes = &bytes[1..];
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    /// The hybrid decoding, as Parquet's specification gives it.
    fn decode(mut bytes: &[u8], bit_width: u8, count: usize) -> Vec<u32> {
        let mut values = Vec::new();
        while values.len() < count {
            let header = read_varint(&mut bytes);
            if header & 1 == 0 {
                let width = usize::from(bit_width).div_ceil(8);
                let mut value = [0u8; 4];
                value[..width].copy_from_slice(&bytes[..width]);
                bytes = &bytes[width..];
                let run = (header >> 1) as usize;
                values.extend(std::iter::repeat(u32::from_le_bytes(value)).take(run));
            } else {
                let n = (header >> 1) as usize * 8;
                for i in 0..n {
                    let mut value = 0u32;
                    for b in 0..usize::from(bit_width) {
                        let bit = i * usize::from(bit_width) + b;
                        value |= u32::from(bytes[bit / 8] >> (bit % 8) & 1) << b;
                    }
                    values.push(value);
                }
                bytes = &bytes[n * usize::from(bit_width) / 8..];
            }
        }
        assert!(bytes.is_empty(), "{} bytes left over", bytes.len());
        values.truncate(count);
        values
    }

    #[test]
    fn widths() {
        assert_eq!(bit_width(0), 0);
        assert_eq!(bit_width(1), 1);
        assert_eq!(bit_width(2), 2);
        assert_eq!(bit_width(255), 8);
        assert_eq!(bit_width(256), 9);
        assert_eq!(bit_width(u32::MAX), 32);
    }

    #[test]
    fn a_constant_is_one_run_and_mixed_values_are_packed() {
        let mut out = Vec::new();
        encode(&[5u32; 1000], 3, &mut out);
        // Header varint(2000) in two bytes, then the value in one byte.
        assert_eq!(out, [0xd0, 0x0f, 5]);
        out.clear();
        encode(&[1i16, 0, 1, 1, 0, 0, 0, 1, 1], 1, &mut out);
        // Two groups: 0b10001101, then 1 and seven zeros of padding.
        assert_eq!(out, [0x05, 0b1000_1101, 0b0000_0001]);
    }

    #[test]
    fn zero_width_values_are_runs_of_no_bytes() {
        let mut out = Vec::new();
        encode(&[0u32; 20], 0, &mut out);
        assert_eq!(out, [40]);
        assert_eq!(decode(&out, 0, 20), vec![0; 20]);
    }

    proptest! {
        #[test]
        fn decodes_to_what_was_encoded(
            width in 0u8..=32,
            runs in prop::collection::vec((any::<u32>(), 1usize..40), 0..40),
        ) {
            let mask = if width == 32 { u32::MAX } else { (1u32 << width) - 1 };
            let values: Vec<u32> = runs
                .iter()
                .flat_map(|&(v, n)| std::iter::repeat(v & mask).take(n))
                .collect();
            let mut out = Vec::new();
            encode(&values, width, &mut out);
            prop_assert_eq!(decode(&out, width, values.len()), values);
        }
    }
}
