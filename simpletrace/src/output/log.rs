//! QEMU's log backend text: `<name> <format rendered with the arguments>`,
//! rendered by the project's one C printf implementation. An event declared
//! without a format prints as `<name> <arg>=<value>...` (values as
//! simpletrace.py prints them).

use trace_events::printf::{Format, Value as PrintfValue};
use trace_events::Arg;

use super::{write_bytes_repr, write_dec, write_hex, RecordFormat};
use crate::{Record, Thread, Value};

/// Arguments rendered without a heap allocation (tracetool allows 10).
const INLINE_ARGS: usize = 16;

#[derive(Debug, Default)]
pub struct Log {
    /// Compiled formats by event index; `None` until first seen.
    formats: Vec<Option<Format>>,
    timestamps: bool,
}

impl Log {
    /// Lines prefixed `<tid>@<seconds>.<microseconds>:`, as QEMU's
    /// `-msg timestamp=on`.
    pub fn with_timestamps() -> Self {
        Self {
            timestamps: true,
            ..Self::default()
        }
    }
}

impl RecordFormat for Log {
    fn format(&mut self, record: &Record<'_>, line: &mut Vec<u8>) {
        self.format_with_thread(record, None, line);
    }

    fn format_with_thread(
        &mut self,
        record: &Record<'_>,
        thread: Option<&Thread>,
        line: &mut Vec<u8>,
    ) {
        if self.timestamps {
            write_prefix(line, record, thread);
        }
        line.extend_from_slice(record.name().as_bytes());
        if record.event.fmt.is_empty() {
            write_name_values(line, record);
        } else {
            let index = record.index.get();
            if self.formats.len() <= index {
                self.formats.resize(index + 1, None);
            }
            let format = self.formats[index]
                .get_or_insert_with(|| Format::parse_lossy(&record.event.c_format));
            line.push(b' ');
            render(format, line, record);
        }
        line.push(b'\n');
    }
}

/// `<tid>@<seconds>.<microseconds>:`.
fn write_prefix(line: &mut Vec<u8>, record: &Record<'_>, thread: Option<&Thread>) {
    write_dec(line, thread.map_or(u64::from(record.pid), |t| t.tid));
    line.push(b'@');
    write_dec(line, record.timestamp_ns / 1_000_000_000);
    line.push(b'.');
    // Six digits, zero-padded, as `%06zu`.
    let mut micros = record.timestamp_ns % 1_000_000_000 / 1_000;
    let mut digits = [b'0'; 6];
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    line.extend_from_slice(&digits);
    line.push(b':');
}

fn value<'a>((_, v): (&Arg, Value<'a>)) -> PrintfValue<'a> {
    match v {
        Value::Int(n) => PrintfValue::Int(n),
        Value::Str(s) => PrintfValue::Str(s),
    }
}

fn render(format: &Format, out: &mut Vec<u8>, record: &Record<'_>) {
    let args = record.args();
    if args.len() <= INLINE_ARGS {
        let mut inline = [PrintfValue::Int(0); INLINE_ARGS];
        let n = args.len();
        for (slot, arg) in inline.iter_mut().zip(args) {
            *slot = value(arg);
        }
        format.render(out, &inline[..n]);
    } else {
        let values: Vec<PrintfValue<'_>> = args.map(value).collect();
        format.render(out, &values);
    }
}

fn write_name_values(out: &mut Vec<u8>, record: &Record<'_>) {
    for (decl, value) in record.args() {
        out.push(b' ');
        out.extend_from_slice(decl.name.as_bytes());
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
