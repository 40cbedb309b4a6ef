//! The text simpletrace.py prints, byte for byte:
//! `<name> <delta_us> pid=<pid> <arg>=<value> ...`.

use std::io::{self, Write};

use trace_events::ArgKind;

use super::{write_bytes_repr, write_dec, write_delta_us, write_hex};
use crate::{Analyzer, Record, Value};

pub struct SimpletracePy<W: Write> {
    out: W,
    line: Vec<u8>,
    last_timestamp: Option<u64>,
}

impl<W: Write> SimpletracePy<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            line: Vec::with_capacity(256),
            last_timestamp: None,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Analyzer for SimpletracePy<W> {
    type Error = io::Error;

    fn catchall(&mut self, record: &Record<'_>) -> io::Result<()> {
        let last = self.last_timestamp.replace(record.timestamp_ns);
        let delta =
            i128::from(record.timestamp_ns) - i128::from(last.unwrap_or(record.timestamp_ns));
        let line = &mut self.line;
        line.clear();
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
            match (decl.kind, value) {
                (ArgKind::Str, Value::Str(s)) => write_bytes_repr(line, s),
                (_, Value::Int(v)) => {
                    line.extend_from_slice(b"0x");
                    write_hex(line, v);
                }
                (_, Value::Str(s)) => write_bytes_repr(line, s),
            }
        }
        line.push(b'\n');
        self.out.write_all(line)
    }

    fn end(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
