//! Output formats of the CLI: each a [`RecordFormat`], printed to any `Write`
//! by the [`Printer`] analyzer.

mod bytes_repr;
mod delta;
pub mod json;
pub mod log;
mod printer;
pub mod simpletrace_py;

pub use bytes_repr::write_bytes_repr;
pub use delta::write_delta_us;
pub use json::Json;
pub use log::Log;
pub use printer::{Printer, RecordFormat};
pub use simpletrace_py::SimpletracePy;

/// Writes `value` as lowercase hex without prefix.
pub(crate) fn write_hex(out: &mut Vec<u8>, value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut v = value;
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Writes `value` in decimal.
pub(crate) fn write_dec(out: &mut Vec<u8>, value: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = value;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_decimal_match_std_formatting() {
        for v in [
            0,
            1,
            9,
            10,
            15,
            16,
            255,
            4096,
            u32::MAX as u64,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write_hex(&mut out, v);
            assert_eq!(out, format!("{v:x}").into_bytes());
            out.clear();
            write_dec(&mut out, v);
            assert_eq!(out, v.to_string().into_bytes());
        }
    }
}
