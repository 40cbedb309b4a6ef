//! Invariants of compiled formats, checked on every input: strict and lossy
//! compiles agree whenever the strict one succeeds, the argument count matches
//! the argument uses, and rendering output is bounded by the format and the
//! arguments (no width or `*` argument can make it grow without limit).

use trace_events::printf::{Format, Value, MAX_WIDTH};

/// Output room a single conversion may need besides its string argument:
/// a width or precision of at most `MAX_WIDTH`, plus sign, `0x` prefix and
/// the 22 octal digits of a 64-bit value.
const PER_CONVERSION: usize = MAX_WIDTH as usize + 64;

/// Compile `c_format` both ways, check their agreement and render it with `args`.
pub fn check_format(c_format: &str, args: &[Value<'_>]) {
    let lossy = Format::parse_lossy(c_format);
    assert_eq!(lossy.arg_count(), lossy.arg_uses().count());
    match Format::parse(c_format) {
        Ok(strict) => assert_eq!(strict, lossy, "strict and lossy compiles differ"),
        // The error must render (it is shown to users of the macro and reader).
        Err(error) => drop(error.to_string()),
    }

    let mut out = Vec::new();
    lossy.render(&mut out, args);
    let strings: usize = args
        .iter()
        .map(|arg| match arg {
            Value::Str(s) => s.len(),
            Value::Int(_) => 0,
        })
        .sum();
    // Unescaping grows text by at most half: a bad `\u` (2 bytes) reads as
    // U+FFFD (3 bytes).
    let bound = c_format.len() * 3 / 2 + lossy.conversions().len() * PER_CONVERSION + strings;
    assert!(
        out.len() <= bound,
        "rendered {} bytes, bound {bound}",
        out.len()
    );

    // Rendering is a pure function of the format and the arguments, and it
    // only appends to the buffer.
    let mut again = b"prefix".to_vec();
    lossy.render(&mut again, args);
    assert_eq!(&again[..6], b"prefix");
    assert_eq!(&again[6..], &out[..]);
}
