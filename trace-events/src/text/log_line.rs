//! QEMU's log backend line, around the printf rendering of the format: the
//! `-msg timestamp=on` prefix, and the `name=value` list of an event declared
//! without a format. The runtime's log backend and the reader's `--format log`
//! both print through these, so their lines agree.

use super::{write_bytes_repr, write_dec, write_hex};
use crate::Value;

/// `<tid>@<seconds>.<microseconds>:`, as QEMU's `"%d@%zu.%06zu:"`.
pub fn write_timestamp_prefix(out: &mut Vec<u8>, tid: u64, seconds: u64, micros: u32) {
    write_dec(out, tid);
    out.push(b'@');
    write_dec(out, seconds);
    out.push(b'.');
    // Six digits, zero-padded, as `%06zu`.
    let mut micros = micros % 1_000_000;
    let mut digits = [b'0'; 6];
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    out.extend_from_slice(&digits);
    out.push(b':');
}

/// ` name=value` per argument, for an event without a format: integers in
/// hex, strings as Python prints bytes (as simpletrace.py shows them).
pub fn write_name_values<'a>(
    out: &mut Vec<u8>,
    args: impl IntoIterator<Item = (&'a str, Value<'a>)>,
) {
    for (name, value) in args {
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        match value {
            Value::Int(n) => {
                out.extend_from_slice(b"0x");
                write_hex(out, n);
            }
            Value::Str(s) => write_bytes_repr(out, s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn prefix_pads_micros_to_six_digits() {
        assert_eq!(
            text(|o| write_timestamp_prefix(o, 42, 7, 5)),
            "42@7.000005:"
        );
        assert_eq!(
            text(|o| write_timestamp_prefix(o, 1, 1_700_000_000, 999_999)),
            "1@1700000000.999999:"
        );
    }

    #[test]
    fn name_values_print_hex_and_python_bytes() {
        let args = [("n", Value::Int(255)), ("s", Value::Str(b"it's"))];
        assert_eq!(text(|o| write_name_values(o, args)), " n=0xff s=b\"it's\"");
    }
}
