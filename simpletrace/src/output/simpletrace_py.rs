//! The text simpletrace.py prints, byte for byte:
//! `<name> <delta_us> pid=<pid> <arg>=<value> ...`.

use super::{write_bytes_repr, write_dec, write_delta_us, write_hex, RecordFormat};
use crate::{Record, Value};

/// The format keeps the previous timestamp for the delta column.
#[derive(Debug, Default)]
pub struct SimpletracePy {
    last_timestamp: Option<u64>,
}

impl RecordFormat for SimpletracePy {
    fn format(&mut self, record: &Record<'_>, line: &mut Vec<u8>) {
        let last = self.last_timestamp.replace(record.timestamp_ns);
        let delta =
            i128::from(record.timestamp_ns) - i128::from(last.unwrap_or(record.timestamp_ns));
        line.extend_from_slice(record.name().as_bytes());
        line.push(b' ');
        write_delta_us(line, delta);
        line.extend_from_slice(b" pid=");
        write_dec(line, record.pid.into());
        // simpletrace.py prints `pid=N ` + ' '.join(args): a blank stays even
        // without arguments.
        line.push(b' ');
        for (i, (decl, value)) in record.args().enumerate() {
            if i > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(decl.name.as_bytes());
            line.push(b'=');
            match value {
                Value::Str(s) => write_bytes_repr(line, s),
                Value::Int(v) => {
                    line.extend_from_slice(b"0x");
                    write_hex(line, v);
                }
            }
        }
        line.push(b'\n');
    }
}
