//! Integers as text, built in registers: every line of the default output
//! has several hex values and a decimal delta.
//!
//! A number's text is built as a `u128` holding its characters big-endian in
//! the low bytes (the last character in byte 0), then appended as two 8-byte
//! stores and cut to length. Register-built text avoids both `memcpy` calls
//! for short variable-length copies and the stall of re-reading a stack
//! buffer that was just written byte by byte.

/// Text of at most 16 characters: `chars` holds them big-endian in its low
/// `len` bytes.
#[derive(Clone, Copy)]
pub(crate) struct Text {
    pub chars: u128,
    pub len: u32,
}

impl Text {
    /// Puts `c` before the text (the text must be shorter than 16).
    #[inline]
    pub fn after(self, c: u8) -> Self {
        Self {
            chars: self.chars | u128::from(c) << (8 * self.len),
            len: self.len + 1,
        }
    }

    #[inline]
    pub fn append_to(self, out: &mut Vec<u8>) {
        let len = self.len.clamp(1, 16);
        let aligned = self.chars << (128 - 8 * len);
        let end = out.len() + len as usize;
        out.extend_from_slice(&((aligned >> 64) as u64).to_be_bytes());
        out.extend_from_slice(&(aligned as u64).to_be_bytes());
        out.truncate(end);
    }
}

/// Writes `value` as lowercase hex without prefix.
#[inline]
pub(crate) fn write_hex(out: &mut Vec<u8>, value: u64) {
    // Digits needed: at least one (for 0).
    let len = (16 - value.leading_zeros() / 4).max(1);
    Text {
        chars: hex_digits(value),
        len,
    }
    .append_to(out);
}

/// The 16 hex digits of `value`, byte i holding nibble i.
#[inline]
fn hex_digits(value: u64) -> u128 {
    const fn splat(byte: u8) -> u128 {
        u128::from_ne_bytes([byte; 16])
    }
    // Spread the nibbles: nibble i of `value` ends up in the low half of byte i.
    let mut x = u128::from(value);
    x = (x | x << 32) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    x = (x | x << 16) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    x = (x | x << 8) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    x = (x | x << 4) & splat(0x0f);
    // Bytes holding 10..=15 get 1 (d + 6 carries into bit 4; no byte overflows).
    let letters = ((x + splat(6)) >> 4) & splat(1);
    x + splat(b'0') + letters * u128::from(b'a' - b'0' - 10)
}

/// Below this a number's decimal text fits a [`Text`].
pub(crate) const DEC_TEXT_LIMIT: u64 = 10_000_000_000_000_000;

/// The decimal digits of `value` (< [`DEC_TEXT_LIMIT`]), zero-padded to at
/// least `min_len` (at most 16), two digits a step.
#[inline]
pub(crate) fn dec_text(mut value: u64, min_len: u32) -> Text {
    let mut chars = 0u128;
    let mut len = 0;
    loop {
        chars |= u128::from(PAIRS[(value % 100) as usize]) << (8 * len);
        value /= 100;
        len += 2;
        if value == 0 && len >= min_len {
            break;
        }
    }
    // The last pair's tens digit is a leading zero unless padding asks for it.
    if len > min_len.max(1) && (chars >> (8 * (len - 1))) as u8 == b'0' {
        len -= 1;
        chars &= !(0xff << (8 * len));
    }
    Text { chars, len }
}

/// Writes `value` in decimal.
#[inline]
pub(crate) fn write_dec(out: &mut Vec<u8>, value: u64) {
    if value < DEC_TEXT_LIMIT {
        dec_text(value, 1).append_to(out);
    } else {
        // At most 20 digits: the top ones, then 16 zero-padded.
        dec_text(value / DEC_TEXT_LIMIT, 1).append_to(out);
        dec_text(value % DEC_TEXT_LIMIT, 16).append_to(out);
    }
}

/// "00" to "99", each as a big-endian `u16` (tens in the high byte).
const PAIRS: [u16; 100] = {
    let mut pairs = [0u16; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = (b'0' as u16 + i as u16 / 10) << 8 | (b'0' as u16 + i as u16 % 10);
        i += 1;
    }
    pairs
};

#[cfg(test)]
mod tests {
    use super::*;

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
