//! Rendering a compiled format with recorded argument values, as glibc's
//! `snprintf` does on x86-64 (LP64).

use super::format::{Format, Piece};
use super::spec::{Conv, Conversion, Count, Flags};
use super::MAX_WIDTH;
use crate::Value;

/// The widths and precisions of one conversion once `*` are resolved.
struct Layout {
    flags: Flags,
    width: usize,
    precision: Option<usize>,
}

impl Format {
    /// Append the rendering of this format with `args` to `out`.
    ///
    /// Each integer is converted to the type its conversion reads, as C does
    /// for a value held in its declared type: `%d` reads the low 32 bits as
    /// `int`, `%hhx` the low 8 bits, `%llx` all 64. (Where the conversion is
    /// wider than the declared type, which C leaves undefined, the recorded
    /// 64-bit value is printed.) A `%c` of 0 writes a NUL byte and rendering
    /// goes on, as `vfprintf` does (QEMU's log backend writes that NUL into
    /// its log); a `%s` argument ends at its first NUL, as `strlen` would.
    ///
    /// Never panics. With arguments that do not fit, it prints what a tolerant
    /// logger would: a missing argument leaves its conversion as written (`%d`),
    /// extra arguments are ignored, a string under a numeric conversion is
    /// printed as by `%s`, an integer under `%s` as by `%p` (0 as glibc's
    /// `(null)`), and a `*` that gets a string counts as absent.
    pub fn render(&self, out: &mut Vec<u8>, args: &[Value<'_>]) {
        let mut args = args.iter().copied();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(range) => out.extend_from_slice(self.slice(range.clone())),
                Piece::Conversion(index) => {
                    let Some(conversion) = self.conversions.get(*index) else {
                        continue;
                    };
                    self.render_conversion(out, conversion, &mut args);
                }
            }
        }
    }

    fn slice(&self, range: std::ops::Range<usize>) -> &[u8] {
        self.bytes.get(range).unwrap_or_default()
    }

    fn render_conversion<'a>(
        &self,
        out: &mut Vec<u8>,
        conversion: &Conversion,
        args: &mut impl Iterator<Item = Value<'a>>,
    ) {
        let mut flags = conversion.flags;
        let width = match conversion.width {
            Some(Count::Fixed(n)) => n as usize,
            Some(Count::FromArg) => match star(args.next()) {
                // A negative width is a `-` flag and its magnitude.
                Some(n) => {
                    flags.left |= n < 0;
                    (n.unsigned_abs() as usize).min(MAX_WIDTH as usize)
                }
                None => 0,
            },
            None => 0,
        };
        let precision = match conversion.precision {
            Some(Count::Fixed(n)) => Some(n as usize),
            // A negative precision is taken as if it were omitted.
            Some(Count::FromArg) => star(args.next())
                .and_then(|n| usize::try_from(n).ok())
                .map(|n| n.min(MAX_WIDTH as usize)),
            None => None,
        };
        let layout = Layout {
            flags,
            width,
            precision,
        };
        let Some(value) = args.next() else {
            out.extend_from_slice(self.slice(conversion.text.clone()));
            return;
        };
        match (conversion.conv, value) {
            (Conv::S, Value::Str(s)) => string(out, &layout, s),
            (Conv::S, Value::Int(0)) => {
                // glibc prints a NULL string as "(null)" unless the precision
                // is too short for it.
                let text: &[u8] = match layout.precision {
                    Some(p) if p < 6 => b"",
                    _ => b"(null)",
                };
                string(out, &layout, text);
            }
            (Conv::S, Value::Int(v)) => number(out, &layout, Conv::P, 64, v),
            (_, Value::Str(s)) => string(
                out,
                &Layout {
                    precision: None,
                    ..layout
                },
                s,
            ),
            (Conv::C, Value::Int(v)) => character(out, &layout, v as u8),
            // A pointer is 64 bits whatever the length modifier.
            (Conv::P, Value::Int(v)) => number(out, &layout, Conv::P, 64, v),
            (conv, Value::Int(v)) => number(out, &layout, conv, conversion.length.bits(), v),
        }
    }
}

/// A `*` argument: an `int`.
fn star(value: Option<Value<'_>>) -> Option<i32> {
    match value {
        Some(Value::Int(v)) => Some(v as u32 as i32),
        _ => None,
    }
}

/// `%s`: up to the first NUL, at most `precision` bytes, padded with spaces
/// (glibc ignores `0` here).
fn string(out: &mut Vec<u8>, layout: &Layout, s: &[u8]) {
    let s = s.split(|&b| b == 0).next().unwrap_or_default();
    let s = match layout.precision {
        Some(p) if p < s.len() => &s[..p],
        _ => s,
    };
    pad_around(out, layout, s.len(), |out| out.extend_from_slice(s));
}

/// `%c`: one byte, padded with spaces. A 0 is written like any other byte:
/// `vfprintf` counts and writes it.
fn character(out: &mut Vec<u8>, layout: &Layout, byte: u8) {
    pad_around(out, layout, 1, |out| out.push(byte));
}

/// Spaces on the side the `-` flag says, around a body of `len` bytes.
fn pad_around(out: &mut Vec<u8>, layout: &Layout, len: usize, body: impl FnOnce(&mut Vec<u8>)) {
    let fill = layout.width.saturating_sub(len);
    if !layout.flags.left {
        pad(out, b' ', fill);
    }
    body(out);
    if layout.flags.left {
        pad(out, b' ', fill);
    }
}

fn pad(out: &mut Vec<u8>, byte: u8, n: usize) {
    out.resize(out.len() + n, byte);
}

/// The integer conversions and `%p`; `bits` is the width of the type read.
fn number(out: &mut Vec<u8>, layout: &Layout, conv: Conv, bits: u32, raw: u64) {
    let flags = layout.flags;
    if conv == Conv::P && raw == 0 {
        // glibc ignores precision, sign and `0` flags for a null pointer:
        // padded as a string is, by width and `-` alone.
        return pad_around(out, layout, 5, |out| out.extend_from_slice(b"(nil)"));
    }
    let unused = 64 - bits;
    let (magnitude, negative) = match conv {
        Conv::D | Conv::I => {
            // Sign-extend from the type's width.
            let v = ((raw << unused) as i64) >> unused;
            (v.unsigned_abs(), v < 0)
        }
        _ => ((raw << unused) >> unused, false),
    };
    let sign: &[u8] = match conv {
        Conv::D | Conv::I | Conv::P if negative => b"-",
        Conv::D | Conv::I | Conv::P if flags.plus => b"+",
        Conv::D | Conv::I | Conv::P if flags.space => b" ",
        _ => b"",
    };
    let (base, upper) = match conv {
        Conv::O => (8, false),
        Conv::X | Conv::P => (16, false),
        Conv::UpperX => (16, true),
        _ => (10, false),
    };
    let mut buf = [0u8; 22];
    let digits = if magnitude == 0 && layout.precision == Some(0) {
        &[][..]
    } else {
        to_digits(&mut buf, magnitude, base, upper)
    };
    let mut zeros = layout.precision.unwrap_or(0).saturating_sub(digits.len());
    if conv == Conv::O && flags.alt && zeros == 0 && digits.first() != Some(&b'0') {
        zeros = 1;
    }
    let prefix: &[u8] = match conv {
        Conv::P => b"0x",
        Conv::X if flags.alt && magnitude != 0 => b"0x",
        Conv::UpperX if flags.alt && magnitude != 0 => b"0X",
        _ => b"",
    };
    let len = sign.len() + prefix.len() + zeros + digits.len();
    let fill = layout.width.saturating_sub(len);
    if flags.left {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        pad(out, b'0', zeros);
        out.extend_from_slice(digits);
        pad(out, b' ', fill);
    } else {
        let zero_fill = flags.zero && layout.precision.is_none();
        if !zero_fill {
            pad(out, b' ', fill);
        }
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        if zero_fill {
            pad(out, b'0', fill);
        }
        pad(out, b'0', zeros);
        out.extend_from_slice(digits);
    }
}

/// Write `v` in `base` at the end of `buf`; return the digits.
fn to_digits(buf: &mut [u8; 22], mut v: u64, base: u64, upper: bool) -> &[u8] {
    let table: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = table[(v % base) as usize];
        v /= base;
        if v == 0 {
            break;
        }
    }
    &buf[start..]
}
