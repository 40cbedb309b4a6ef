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
