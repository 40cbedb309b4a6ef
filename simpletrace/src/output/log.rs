//! QEMU's log backend text: `<name> <format rendered with the arguments>`,
//! rendered by the project's one C printf implementation. An event declared
//! without a format prints as `<name> <arg>=<value>...` (values as
//! simpletrace.py prints them).

use trace_events::printf::Format;
use trace_events::text::{write_name_values, write_timestamp_prefix};

use super::RecordFormat;
use crate::{Record, Thread, Value};

/// Arguments rendered without a heap allocation (tracetool allows 10).
const INLINE_ARGS: usize = 16;

/// `--format log`: QEMU's log backend lines, the event's format rendered as C
/// printf does.
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
    fn format(&mut self, record: &Record<'_>, thread: Option<&Thread>, line: &mut Vec<u8>) {
        if self.timestamps {
            write_timestamp_prefix(
                line,
                thread.map_or(u64::from(record.pid), |t| t.tid),
                record.timestamp_ns / 1_000_000_000,
                (record.timestamp_ns % 1_000_000_000 / 1_000) as u32,
            );
        }
        line.extend_from_slice(record.name().as_bytes());
        if record.event.fmt.is_empty() {
            write_name_values(line, record.args().map(|(decl, v)| (&*decl.name, v)));
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

fn render(format: &Format, out: &mut Vec<u8>, record: &Record<'_>) {
    let args = record.args();
    if args.len() <= INLINE_ARGS {
        let mut inline = [Value::Int(0); INLINE_ARGS];
        let n = args.len();
        for (slot, (_, value)) in inline.iter_mut().zip(args) {
            *slot = value;
        }
        format.render(out, &inline[..n]);
    } else {
        let values: Vec<Value<'_>> = args.map(|(_, value)| value).collect();
        format.render(out, &values);
    }
}
