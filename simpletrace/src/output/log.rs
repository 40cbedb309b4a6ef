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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventTable, Reader};
    use trace_events::v4::encode;

    /// One record of `events[0]` with `words` as its 8-byte arguments.
    fn line(format: &mut Log, events: Vec<trace_events::Event>, ts: u64, words: &[u64]) -> String {
        let mut trace = Vec::new();
        encode::push_file_header(&mut trace);
        encode::push_mapping(&mut trace, 0, &events[0].name);
        let mut rec = vec![0u8; encode::record_len(8 * words.len())];
        encode::put_record_header(&mut rec, 0, ts, 9);
        for (i, w) in words.iter().enumerate() {
            let at = encode::record_len(0) + 8 * i;
            rec[at..at + 8].copy_from_slice(&w.to_ne_bytes());
        }
        trace.extend_from_slice(&rec);
        let mut reader = Reader::new(&trace[..], EventTable::new(events)).unwrap();
        let record = reader.next_record().unwrap().unwrap();
        let mut out = Vec::new();
        format.format(&record, None, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// QEMU's `-msg timestamp=on` prefix, `"%d@%zu.%06zu:"`: the thread (the
    /// pid when the trace names none), seconds, and microseconds.
    #[test]
    fn timestamps_prefix_the_line_as_qemu_does() {
        let events = trace_events::parse_str("t", "e(int x) \"x=%d\"\n")
            .file
            .events;
        let at = 1_234_000_000_000 + 56_789_999;
        assert_eq!(
            line(&mut Log::with_timestamps(), events.clone(), at, &[7]),
            "9@1234.056789:e x=7\n"
        );
        assert_eq!(line(&mut Log::default(), events, at, &[7]), "e x=7\n");
    }

    /// More arguments than the inline array holds (16): a library user's
    /// `Event`; rendered as C would.
    #[test]
    fn an_event_of_many_arguments_renders_them_all() {
        let mut events = trace_events::parse_str("t", "e(int a0) \"%d\"\n")
            .file
            .events;
        let mut format = String::from("%d");
        for i in 1..17 {
            let mut arg = events[0].args[0].clone();
            arg.name = format!("a{i}");
            events[0].args.push(arg);
            format.push_str(" %d");
        }
        events[0].c_format = format;
        let words: Vec<u64> = (0..17).collect();
        let expected: Vec<String> = (0..17).map(|i| i.to_string()).collect();
        assert_eq!(
            line(&mut Log::default(), events, 1, &words),
            format!("e {}\n", expected.join(" "))
        );
    }
}
