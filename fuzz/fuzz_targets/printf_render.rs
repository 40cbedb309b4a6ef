//! Arbitrary format text and arguments through the printf renderer.
//!
//! Input layout (easy to write seeds for): the format is the bytes before the
//! first NUL (read as UTF-8 lossily); after it, each argument is a tag byte,
//! then for an even tag an 8-byte little-endian integer, for an odd tag a
//! length byte and that many string bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use simpletrace_fuzz::bytes::Bytes;
use simpletrace_fuzz::printf_check::check_format;
use trace_events::printf::Value;

/// More arguments than any format consumes (tracetool allows 10).
const MAX_ARGS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let (format, rest) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, &[][..]),
    };
    let format = String::from_utf8_lossy(format);

    let mut bytes = Bytes::new(rest);
    let mut args = Vec::new();
    while !bytes.is_empty() && args.len() < MAX_ARGS {
        let tag = bytes.u8();
        args.push(if tag.is_multiple_of(2) {
            Value::Int(bytes.u64())
        } else {
            let len = usize::from(bytes.u8());
            Value::Str(bytes.take(len))
        });
    }
    check_format(&format, &args);
});
