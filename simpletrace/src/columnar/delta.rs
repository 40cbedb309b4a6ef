//! Parquet's `DELTA_BINARY_PACKED` encoding of 64-bit integers, for the
//! pages we write ourselves (`delta_chunk.rs`): times, sequence numbers and
//! ids, which grow steadily or vary within a small range. Laid out as the
//! `parquet` crate lays it out for `INT64`: blocks of 256 values in four
//! miniblocks of 64.
//!
//! A header (block size, miniblocks a block, the number of values, the
//! first value); then, a block, the smallest delta between neighbours, each
//! miniblock's bit width, and each miniblock's deltas less that smallest,
//! bit-packed (least significant bits first, the last miniblock padded
//! with zeros; a miniblock with no values left has width 0 and no bytes).

const BLOCK: usize = 256;
const MINIBLOCKS: usize = 4;
const MINIBLOCK: usize = BLOCK / MINIBLOCKS;

fn uleb(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// Append `values`, encoded; their smallest and largest (`None` for
/// none), found on the way: the column's statistics.
pub(crate) fn encode(values: &[i64], out: &mut Vec<u8>) -> Option<(i64, i64)> {
    uleb(BLOCK as u64, out);
    uleb(MINIBLOCKS as u64, out);
    uleb(values.len() as u64, out);
    // The header has a first value, none or not.
    let Some(&first) = values.first() else {
        uleb(zigzag(0), out);
        return None;
    };
    uleb(zigzag(first), out);
    let (mut lo, mut hi) = (first, first);
    let mut deltas = [0u64; BLOCK];
    // Block by block, each value's delta from the one before it.
    for start in (1..values.len()).step_by(BLOCK) {
        let end = (start + BLOCK).min(values.len());
        let n = end - start;
        let mut min = i64::MAX;
        for (slot, pair) in deltas.iter_mut().zip(values[start - 1..end].windows(2)) {
            let delta = pair[1].wrapping_sub(pair[0]);
            min = min.min(delta);
            lo = lo.min(pair[1]);
            hi = hi.max(pair[1]);
            *slot = delta as u64;
        }
        uleb(zigzag(min), out);
        let widths = out.len();
        out.extend_from_slice(&[0; MINIBLOCKS]);
        for (m, mini) in deltas[..n].chunks(MINIBLOCK).enumerate() {
            // Deltas less the smallest: wrapping, as readers add it back.
            let mut packed = [0u64; MINIBLOCK];
            let mut all = 0u64;
            for (p, &d) in packed.iter_mut().zip(mini) {
                *p = d.wrapping_sub(min as u64);
                all |= *p;
            }
            let width = u64::BITS - all.leading_zeros();
            out[widths + m] = width as u8;
            // Width 0 (steady deltas: `seq`, a pid) packs to nothing.
            if width > 0 {
                pack(&packed, width, out);
            }
        }
    }
    Some((lo, hi))
}

/// 64 values of `width` bits each: `width` 64-bit words, little-endian.
fn pack(values: &[u64; MINIBLOCK], width: u32, out: &mut Vec<u8>) {
    let mut pending = 0u128;
    let mut bits = 0;
    for &v in values {
        pending |= u128::from(v) << bits;
        bits += width;
        if bits >= 64 {
            out.extend_from_slice(&(pending as u64).to_le_bytes());
            pending >>= 64;
            bits -= 64;
        }
    }
    debug_assert_eq!(bits, 0, "64 values of any width fill whole words");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The decoding, as Parquet's specification gives it.
    fn decode(mut bytes: &[u8]) -> Vec<i64> {
        use crate::columnar::hybrid::tests::read_varint as uleb;
        fn unzigzag(n: u64) -> i64 {
            (n >> 1) as i64 ^ -((n & 1) as i64)
        }
        let block = uleb(&mut bytes) as usize;
        let minis = uleb(&mut bytes) as usize;
        let count = uleb(&mut bytes) as usize;
        let mut values = vec![unzigzag(uleb(&mut bytes))];
        let per_mini = block / minis;
        while values.len() < count {
            let min = unzigzag(uleb(&mut bytes));
            let widths = bytes[..minis].to_vec();
            bytes = &bytes[minis..];
            for width in widths {
                if values.len() >= count {
                    break;
                }
                let width = usize::from(width);
                for i in 0..per_mini {
                    let mut v = 0u64;
                    for b in 0..width {
                        let bit = i * width + b;
                        v |= u64::from(bytes[bit / 8] >> (bit % 8) & 1) << b;
                    }
                    if values.len() < count {
                        let last = *values.last().unwrap();
                        values.push(last.wrapping_add(min).wrapping_add(v as i64));
                    }
                }
                bytes = &bytes[per_mini * width / 8..];
            }
        }
        assert!(bytes.is_empty(), "{} bytes left over", bytes.len());
        values.truncate(count);
        values
    }

    #[test]
    fn steady_values_pack_small() {
        let values: Vec<i64> = (0..1000).map(|i| 1_000_000 + 10 * i).collect();
        let mut out = Vec::new();
        encode(&values, &mut out);
        // Every delta is the smallest: width 0, no miniblock bytes.
        assert!(out.len() < 40, "{} bytes", out.len());
        assert_eq!(decode(&out), values);
    }

    #[test]
    fn empty_and_single() {
        for values in [vec![], vec![-5i64]] {
            let mut out = Vec::new();
            encode(&values, &mut out);
            assert_eq!(decode(&out)[..values.len()], values[..]);
        }
    }

    proptest! {
        #[test]
        fn decodes_to_what_was_encoded(
            values in prop::collection::vec(
                prop_oneof![any::<i64>(), -1000i64..1000, Just(i64::MIN), Just(i64::MAX)],
                0..700,
            ),
        ) {
            let mut out = Vec::new();
            let range = encode(&values, &mut out);
            let decoded = decode(&out);
            prop_assert_eq!(&decoded[..values.len()], &values[..]);
            let want = values.iter().min().copied().zip(values.iter().max().copied());
            prop_assert_eq!(range, want);
        }
    }
}
