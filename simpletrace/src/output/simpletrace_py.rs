//! The text simpletrace.py prints, byte for byte:
//! `<name> <delta_us> pid=<pid> <arg>=<value> ...`.

use super::padded::Padded;
use super::templates::Templates;
use super::{write_bytes_repr, write_dec, write_delta_us, write_hex, RecordFormat};
use crate::{Record, Value};

/// The format keeps the previous timestamp for the delta column and, per
/// event, the constant text around the values.
#[derive(Debug, Default)]
pub struct SimpletracePy {
    last_timestamp: Option<u64>,
    templates: Templates,
    /// ` pid=N ` of the last record: pids rarely change.
    last_pid: Option<(u32, Padded)>,
}

impl RecordFormat for SimpletracePy {
    fn format(&mut self, record: &Record<'_>, line: &mut Vec<u8>) {
        let last = self.last_timestamp.replace(record.timestamp_ns);
        let delta =
            i128::from(record.timestamp_ns) - i128::from(last.unwrap_or(record.timestamp_ns));
        let mut pieces = self.templates.get(record.index, record.event);
        pieces.append_next(line);
        write_delta_us(line, delta);
        // simpletrace.py prints `pid=N ` + ' '.join(args): the blank stays
        // even without arguments.
        let pid = match &mut self.last_pid {
            Some((pid, text)) if *pid == record.pid => text,
            slot => {
                let mut text = b" pid=".to_vec();
                write_dec(&mut text, record.pid.into());
                text.push(b' ');
                &slot.insert((record.pid, Padded::new(&text))).1
            }
        };
        pid.append_to(line);
        match record.events().layout(record.index) {
            // The arguments walked with the event's packed layout, not its
            // declarations (which lie elsewhere in memory).
            Some(layout) => {
                let mut bytes = record.arg_bytes;
                for i in 0..layout.count() {
                    pieces.append_next(line);
                    if layout.is_string(i) {
                        let len = u32::from_le_bytes(take::<4>(&mut bytes)) as usize;
                        let (s, rest) = bytes.split_at(len.min(bytes.len()));
                        bytes = rest;
                        write_bytes_repr(line, s);
                    } else {
                        write_hex(line, u64::from_le_bytes(take::<8>(&mut bytes)));
                    }
                }
            }
            None => {
                for (_, value) in record.args() {
                    pieces.append_next(line);
                    match value {
                        Value::Str(s) => write_bytes_repr(line, s),
                        Value::Int(v) => write_hex(line, v),
                    }
                }
            }
        }
        line.push(b'\n');
    }
}

/// The next `N` bytes (the reader checked the layout; zeros past the end
/// rather than a panic).
#[inline]
fn take<const N: usize>(bytes: &mut &[u8]) -> [u8; N] {
    match bytes.split_first_chunk::<N>() {
        Some((head, rest)) => {
            *bytes = rest;
            *head
        }
        None => [0; N],
    }
}
