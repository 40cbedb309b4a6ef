//! One conversion specification (`%-08.3llx`): its parts and how to read it.

use std::ops::Range;

use super::error::FormatErrorKind;
use super::MAX_WIDTH;
use crate::model::ArgKind;

/// A parsed `%...` conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The flag characters, in any order.
    pub flags: Flags,
    /// Minimum field width; `None` when absent.
    pub width: Option<Count>,
    /// Precision (after `.`); `None` when absent. A lone `.` is `Fixed(0)`.
    pub precision: Option<Count>,
    /// The length modifier: the C type the conversion reads.
    pub length: Length,
    /// The conversion letter: how the value is printed.
    pub conv: Conv,
    /// Byte offset of the `%` in the format text as written.
    pub offset: usize,
    /// The specification's bytes in the owning format's buffer, printed as is
    /// when its argument is missing.
    pub(super) text: Range<usize>,
}

/// The flag characters. `'` (grouping) and `I` (locale digits) are accepted
/// and, as in the C locale, change nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// `-`: pad on the right.
    pub left: bool,
    /// `+`: always show a sign on signed conversions.
    pub plus: bool,
    /// ` `: a space where a `+` would go.
    pub space: bool,
    /// `#`: `0x` prefix for hex, leading `0` for octal.
    pub alt: bool,
    /// `0`: pad numbers with zeros (ignored with `-` or a precision).
    pub zero: bool,
}

/// A width or precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Written in the format as digits.
    Fixed(u32),
    /// `*`: taken from the next argument, an `int`.
    FromArg,
}

/// The length modifier, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// None: `int`.
    Default,
    /// `hh`: `char`.
    Hh,
    /// `h`: `short`.
    H,
    /// `l`: `long` (64 bits on LP64).
    L,
    /// `ll`: `long long`.
    Ll,
    /// `L` on an integer conversion: glibc reads `long long`.
    BigL,
    /// `q`: BSD spelling of `ll`.
    Q,
    /// `j`: `intmax_t`.
    J,
    /// `z` (and glibc's `Z`): `size_t`.
    Z,
    /// `t`: `ptrdiff_t`.
    T,
}

impl Length {
    /// Bits of the integer type a numeric conversion reads (LP64).
    pub fn bits(self) -> u32 {
        match self {
            Length::Hh => 8,
            Length::H => 16,
            Length::Default => 32,
            _ => 64,
        }
    }

    /// The modifier as written, for messages that quote a conversion.
    pub fn as_str(self) -> &'static str {
        match self {
            Length::Default => "",
            Length::Hh => "hh",
            Length::H => "h",
            Length::L => "l",
            Length::Ll => "ll",
            Length::BigL => "L",
            Length::Q => "q",
            Length::J => "j",
            Length::Z => "z",
            Length::T => "t",
        }
    }
}

/// The conversion letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conv {
    /// `d`
    D,
    /// `i`
    I,
    /// `u`
    U,
    /// `o`
    O,
    /// `x`
    X,
    /// `X`
    UpperX,
    /// `c`
    C,
    /// `s`
    S,
    /// `p`
    P,
}

impl Conv {
    /// The letter as written, for messages.
    pub fn letter(self) -> char {
        match self {
            Conv::D => 'd',
            Conv::I => 'i',
            Conv::U => 'u',
            Conv::O => 'o',
            Conv::X => 'x',
            Conv::UpperX => 'X',
            Conv::C => 'c',
            Conv::S => 's',
            Conv::P => 'p',
        }
    }
}

impl Conversion {
    /// Whether an argument of `kind` is what this conversion's value argument
    /// should be: `%s` takes a string, every other conversion a non-string.
    /// (Width mismatches such as an `int` under `%llx` are not judged here.)
    pub fn accepts(&self, kind: ArgKind) -> bool {
        (self.conv == Conv::S) == (kind == ArgKind::Str)
    }

    /// Arguments this conversion consumes: one per `*`, plus its value.
    pub fn arg_count(&self) -> usize {
        1 + usize::from(self.width == Some(Count::FromArg))
            + usize::from(self.precision == Some(Count::FromArg))
    }
}

/// What [`read_spec`] found after a `%`.
pub(super) enum Spec {
    /// `%%`, possibly with flags or width, which glibc ignores.
    Percent,
    Conversion(Conversion),
}

/// Read the specification after the `%` at `bytes[0]`. Returns it and its length
/// in bytes (including the `%`). Widths above [`MAX_WIDTH`] are an error with
/// `strict`, otherwise clamped.
pub(super) fn read_spec(bytes: &[u8], strict: bool) -> Result<(Spec, usize), FormatErrorKind> {
    let mut i = 1;
    let at = |i: usize| bytes.get(i).copied();
    let mut flags = Flags::default();
    loop {
        match at(i) {
            Some(b'-') => flags.left = true,
            Some(b'+') => flags.plus = true,
            Some(b' ') => flags.space = true,
            Some(b'#') => flags.alt = true,
            Some(b'0') => flags.zero = true,
            Some(b'\'' | b'I') => {}
            _ => break,
        }
        i += 1;
    }
    let width = read_count(bytes, &mut i, strict)?;
    if at(i) == Some(b'$') {
        return Err(unsupported(bytes, i + 1));
    }
    let precision = if at(i) == Some(b'.') {
        i += 1;
        Some(read_count(bytes, &mut i, strict)?.unwrap_or(Count::Fixed(0)))
    } else {
        None
    };
    let (length, len) = match (at(i), at(i + 1)) {
        (Some(b'h'), Some(b'h')) => (Length::Hh, 2),
        (Some(b'l'), Some(b'l')) => (Length::Ll, 2),
        (Some(b'h'), _) => (Length::H, 1),
        (Some(b'l'), _) => (Length::L, 1),
        (Some(b'L'), _) => (Length::BigL, 1),
        (Some(b'q'), _) => (Length::Q, 1),
        (Some(b'j'), _) => (Length::J, 1),
        (Some(b'z' | b'Z'), _) => (Length::Z, 1),
        (Some(b't'), _) => (Length::T, 1),
        _ => (Length::Default, 0),
    };
    i += len;
    let Some(letter) = at(i) else {
        return Err(FormatErrorKind::IncompleteConversion);
    };
    i += 1;
    let conv = match letter {
        b'%' => return Ok((Spec::Percent, i)),
        b'd' => Conv::D,
        b'i' => Conv::I,
        b'u' => Conv::U,
        b'o' => Conv::O,
        b'x' => Conv::X,
        b'X' => Conv::UpperX,
        b'p' => Conv::P,
        // Wide characters and strings (`%lc`, `%ls`) cannot be recorded.
        b'c' | b's' if length.bits() == 64 => return Err(unsupported(bytes, i)),
        b'c' => Conv::C,
        b's' => Conv::S,
        b'f' | b'F' | b'e' | b'E' | b'g' | b'G' | b'a' | b'A' | b'n' | b'm' | b'C' | b'S' => {
            return Err(unsupported(bytes, i))
        }
        _ => return Err(FormatErrorKind::UnknownConversion(char::from(letter))),
    };
    let conversion = Conversion {
        flags,
        width,
        precision,
        length,
        conv,
        offset: 0,
        text: 0..i,
    };
    Ok((Spec::Conversion(conversion), i))
}

fn read_count(bytes: &[u8], i: &mut usize, strict: bool) -> Result<Option<Count>, FormatErrorKind> {
    if bytes.get(*i) == Some(&b'*') {
        *i += 1;
        return Ok(Some(Count::FromArg));
    }
    let digits = bytes[*i..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return Ok(None);
    }
    let value = bytes[*i..*i + digits].iter().fold(0u64, |v, &d| {
        v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    *i += digits;
    if value > u64::from(MAX_WIDTH) {
        if strict {
            return Err(FormatErrorKind::TooWide(value));
        }
        return Ok(Some(Count::Fixed(MAX_WIDTH)));
    }
    Ok(Some(Count::Fixed(value as u32)))
}

fn unsupported(bytes: &[u8], end: usize) -> FormatErrorKind {
    FormatErrorKind::Unsupported(String::from_utf8_lossy(&bytes[..end]).into_owned())
}
