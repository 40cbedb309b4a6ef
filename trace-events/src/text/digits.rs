//! Integers as text, built in registers: every line of the default output
//! has several hex values and a decimal delta.
//!
//! Up to eight characters are built at once in a `u64` (SWAR: one lane a
//! digit), held big-endian in its low bytes (the last character in byte 0),
//! then appended as one 8-byte store and cut to length. That avoids loops
//! over digits, `memcpy` calls for short copies, and the stall of re-reading
//! a stack buffer just written byte by byte.

/// Writes `value` as lowercase hex without prefix.
#[inline(always)]
pub fn write_hex(out: &mut Vec<u8>, value: u64) {
    // Digits needed: at least one (for 0).
    let len = (16 - value.leading_zeros() / 4).max(1);
    if len <= 8 {
        append_chars(out, hex8(value as u32), len);
    } else {
        append_chars(out, hex8((value >> 32) as u32), len - 8);
        append_8(out, hex8(value as u32));
    }
}

/// Writes `value` in decimal.
#[inline]
pub fn write_dec(out: &mut Vec<u8>, value: u64) {
    const E8: u64 = 100_000_000;
    if value < E8 {
        let chars = dec8(value as u32);
        append_chars(out, chars, dec_len(chars));
    } else if value < E8 * E8 {
        let high = dec8((value / E8) as u32);
        append_chars(out, high, dec_len(high));
        append_8(out, dec8((value % E8) as u32));
    } else {
        let top = dec8((value / (E8 * E8)) as u32);
        let rest = value % (E8 * E8);
        append_chars(out, top, dec_len(top));
        append_8(out, dec8((rest / E8) as u32));
        append_8(out, dec8((rest % E8) as u32));
    }
}

/// The 8 hex digits of `value`.
#[inline]
pub fn hex8(value: u32) -> u64 {
    // Spread the nibbles: nibble i ends up in the low half of byte i.
    let mut x = u64::from(value);
    x = (x | x << 16) & 0x0000_ffff_0000_ffff;
    x = (x | x << 8) & 0x00ff_00ff_00ff_00ff;
    x = (x | x << 4) & 0x0f0f_0f0f_0f0f_0f0f;
    // Bytes holding 10..=15 get 1 (d + 6 carries into bit 4; no byte overflows).
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    x + 0x3030_3030_3030_3030 + letters * u64::from(b'a' - b'0' - 10)
}

/// The 8 decimal digits of `value` (< 10^8), zero-padded.
#[inline]
pub fn dec8(value: u32) -> u64 {
    let x = u64::from(value);
    // Four digits a 32-bit lane (the low lane holds the last four), then two
    // a 16-bit lane, then one a byte; each split is a multiply and shift
    // exact for the lane's range, with no carry across lanes.
    let v = (x % 10_000) | ((x / 10_000) << 32);
    let hundreds = ((v * 5243) >> 19) & 0x0000_007f_0000_007f;
    let v = (v - hundreds * 100) | hundreds << 16;
    let tens = ((v * 103) >> 10) & 0x000f_000f_000f_000f;
    let digits = (v - tens * 10) | tens << 8;
    digits + 0x3030_3030_3030_3030
}

/// Significant digits among the 8 of `chars` (from [`dec8`]; 1 for zero).
#[inline]
pub fn dec_len(chars: u64) -> u32 {
    let digits = chars - 0x3030_3030_3030_3030;
    (8 - digits.leading_zeros() / 8).max(1)
}

/// Appends the last `len` (1..=8) of the 8 characters of `chars`.
#[inline]
pub fn append_chars(out: &mut Vec<u8>, chars: u64, len: u32) {
    let len = len.clamp(1, 8);
    let end = out.len() + len as usize;
    out.extend_from_slice(&(chars << (64 - 8 * len)).to_be_bytes());
    out.truncate(end);
}

/// Appends the 8 characters of `chars`.
#[inline]
pub fn append_8(out: &mut Vec<u8>, chars: u64) {
    out.extend_from_slice(&chars.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dec8_of_every_value_with_four_digits_and_around_each_power() {
        let mut values: Vec<u32> = (0..10_000).collect();
        let mut p = 10_000u32;
        while p < 100_000_000 {
            values.extend(p - 1_000..p + 1_000);
            p *= 10;
        }
        values.extend(99_990_000..100_000_000);
        for v in values {
            assert_eq!(dec8(v).to_be_bytes(), *format!("{v:08}").as_bytes());
        }
    }

    #[test]
    fn hex_and_decimal_match_std_formatting() {
        let mut values = vec![0, 1, 9, 10, 15, 16, 99, 100, 255, 4096];
        // Every digit count, at its edges.
        for shift in 1..64 {
            let v = 1u64 << shift;
            values.extend([v - 1, v, v + 1]);
        }
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            values.extend([p - 1, p, p + 1, next - 1]);
            p = next;
        }
        values.extend([u32::MAX as u64, u64::MAX - 1, u64::MAX]);
        values.extend((0..1000).map(|i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        for v in values {
            let mut out = b"x".to_vec();
            write_hex(&mut out, v);
            assert_eq!(out, format!("x{v:x}").into_bytes());
            out.truncate(1);
            write_dec(&mut out, v);
            assert_eq!(out, format!("x{v}").into_bytes());
        }
    }
}
