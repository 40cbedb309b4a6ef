//! The text simpletrace.py prints, byte for byte:
//! `<name> <delta_us> pid=<pid> <arg>=<value> ...`.

use super::delta::MAX_DELTA_LEN;
use super::templates::Templates;
use super::window::{append_window, Window, SLACK};
use super::RecordFormat;
use crate::{Record, Thread, Value};
use trace_events::v4::decode;

/// ` pid=N ` is at most 16 bytes (`N` a `u32`).
const PID_TEXT: usize = 16;

/// The format keeps the previous timestamp for the delta column and, per
/// event, the constant text around the values.
#[derive(Debug, Default)]
pub struct SimpletracePy {
    last_timestamp: Option<u64>,
    templates: Templates,
    /// ` pid=N ` of the last record (pids rarely change) and its length.
    last_pid: Option<(u32, [u8; PID_TEXT], usize)>,
}

impl RecordFormat for SimpletracePy {
    fn format(&mut self, record: &Record<'_>, _: Option<&Thread>, line: &mut Vec<u8>) {
        let last = self.last_timestamp.replace(record.timestamp_ns);
        let delta =
            i128::from(record.timestamp_ns) - i128::from(last.unwrap_or(record.timestamp_ns));
        let (pid_text, pid_len) = match self.last_pid {
            Some((pid, text, len)) if pid == record.pid => (text, len),
            _ => {
                let (text, len) = pid_text(record.pid);
                self.last_pid = Some((record.pid, text, len));
                (text, len)
            }
        };
        let mut pieces = self.templates.get(record.index, record.event);
        // Every value takes at most 4 times its recorded bytes as text (an
        // integer's 8 bytes: 16 hex digits; a string's length word and
        // bytes: `b''` and 4 a byte).
        let bound =
            pieces.total_len() + MAX_DELTA_LEN + PID_TEXT + 4 * record.arg_bytes.len() + 1 + SLACK;
        append_window(line, bound, |w| {
            pieces.append_next(w);
            w.delta_us(delta);
            // simpletrace.py prints `pid=N ` + ' '.join(args): the blank
            // stays even without arguments.
            w.put_16(&pid_text, pid_len);
            match record.events().layout(record.index) {
                // The arguments walked with the event's packed layout, not
                // its declarations (which lie elsewhere in memory).
                Some(layout) => {
                    let mut bytes = record.arg_bytes;
                    for i in 0..layout.count() {
                        pieces.append_next(w);
                        // The reader checked the layout: what does not fit
                        // cannot happen, and prints as empty or zero.
                        if layout.is_string(i) {
                            w.bytes_repr(decode::next_str(&mut bytes).unwrap_or_default());
                        } else {
                            w.hex(decode::next_int(&mut bytes).unwrap_or(0));
                        }
                    }
                }
                None => {
                    for (_, value) in record.args() {
                        pieces.append_next(w);
                        write_value(w, value);
                    }
                }
            }
            w.put(b'\n');
        });
    }
}

fn write_value(w: &mut Window<'_>, value: Value<'_>) {
    match value {
        Value::Str(s) => w.bytes_repr(s),
        Value::Int(v) => w.hex(v),
    }
}

/// ` pid=N ` in a block, and its length.
fn pid_text(pid: u32) -> ([u8; PID_TEXT], usize) {
    let mut text = b" pid=".to_vec();
    trace_events::text::write_dec(&mut text, pid.into());
    text.push(b' ');
    let mut block = [0; PID_TEXT];
    block[..text.len()].copy_from_slice(&text);
    (block, text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventTable, Reader};
    use trace_events::v4::encode;

    const LONG: &str = "an_event_without_arguments_and_a_long_name";

    /// A record of `e(const char *s, uint64_t a)`: the string's length word
    /// and bytes, then `a`.
    fn push_record(trace: &mut Vec<u8>, ts: u64, pid: u32, s: &[u8], a: u64) {
        let mut rec = vec![0u8; encode::record_len(4 + s.len() + 8)];
        encode::put_record_header(&mut rec, 0, ts, pid);
        let args = &mut rec[encode::record_len(0)..];
        args[..4].copy_from_slice(&(s.len() as u32).to_ne_bytes());
        args[4..4 + s.len()].copy_from_slice(s);
        args[4 + s.len()..].copy_from_slice(&a.to_ne_bytes());
        trace.extend_from_slice(&rec);
    }

    /// Each line formatted into an empty buffer, so the room reserved for it
    /// is exactly its bound: the widest lines (longest delta, pid, string
    /// escapes and value; a long name without arguments) must fit. Expected
    /// lines as simpletrace.py prints them (CPython 3.11): `{delta_ns /
    /// 1000:0.3f}`, `pid={pid}`, `repr(bytes)`, `0x%x`.
    #[test]
    fn the_widest_lines_fit_their_bound_and_each_shows_its_own_pid() {
        let s = [1u8; 512];
        let mut trace = Vec::new();
        encode::push_file_header(&mut trace);
        encode::push_mapping(&mut trace, 0, "e");
        push_record(&mut trace, u64::MAX, 4_000_000_000, &s, u64::MAX);
        push_record(&mut trace, 0, 7, b"'", 0);
        push_record(&mut trace, u64::MAX, 7, b"\\\"", 1);
        push_record(&mut trace, 5, 4_000_000_000, b"", 2);
        encode::push_mapping(&mut trace, 1, LONG);
        let mut rec = vec![0u8; encode::record_len(0)];
        encode::put_record_header(&mut rec, 1, u64::MAX, 4_000_000_000);
        trace.extend_from_slice(&rec);
        let declarations = format!("e(const char *s, uint64_t a)\n{LONG}(void)\n");
        let table = EventTable::new(trace_events::parse_str("t", &declarations).file.events);
        let mut reader = Reader::new(&trace[..], table).unwrap();
        let mut format = SimpletracePy::default();
        let mut lines = Vec::new();
        while let Some(record) = reader.next_record().unwrap() {
            let mut line = Vec::new();
            format.format(&record, None, &mut line);
            lines.push(String::from_utf8(line).unwrap());
        }
        let escaped = "\\x01".repeat(512);
        assert_eq!(
            lines,
            [
                format!("e 0.000 pid=4000000000 s=b'{escaped}' a=0xffffffffffffffff\n"),
                "e -18446744073709552.000 pid=7 s=b\"'\" a=0x0\n".to_string(),
                "e 18446744073709552.000 pid=7 s=b'\\\\\"' a=0x1\n".to_string(),
                "e -18446744073709552.000 pid=4000000000 s=b'' a=0x2\n".to_string(),
                format!("{LONG} 18446744073709552.000 pid=4000000000 \n"),
            ]
        );
    }

    /// An event with more arguments than a packed layout holds (16) is
    /// printed from its declarations: the same text. A trace-events file
    /// declares at most 10; a library user may build such an `Event`.
    #[test]
    fn an_event_of_many_arguments_prints_them_all() {
        let mut events = trace_events::parse_str("t", "big(uint64_t a0, const char *s)\n")
            .file
            .events;
        let int = events[0].args[0].clone();
        for i in (1..17).rev() {
            let mut arg = int.clone();
            arg.name = format!("a{i}");
            events[0].args.insert(1, arg);
        }
        let mut trace = Vec::new();
        encode::push_file_header(&mut trace);
        encode::push_mapping(&mut trace, 0, "big");
        let mut rec = vec![0u8; encode::record_len(17 * 8 + 4 + 1)];
        encode::put_record_header(&mut rec, 0, 10, 7);
        let args = &mut rec[encode::record_len(0)..];
        for i in 0..17 {
            args[i * 8..i * 8 + 8].copy_from_slice(&(i as u64 * 3).to_ne_bytes());
        }
        args[136..140].copy_from_slice(&1u32.to_ne_bytes());
        args[140] = b'x';
        trace.extend_from_slice(&rec);
        let mut reader = Reader::new(&trace[..], EventTable::new(events)).unwrap();
        let record = reader.next_record().unwrap().unwrap();
        let mut line = Vec::new();
        SimpletracePy::default().format(&record, None, &mut line);
        let values: Vec<String> = (0..17).map(|i| format!("a{i}={:#x}", i * 3)).collect();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            format!("big 0.000 pid=7 {} s=b'x'\n", values.join(" "))
        );
    }
}
