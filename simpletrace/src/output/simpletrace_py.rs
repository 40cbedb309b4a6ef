//! The text simpletrace.py prints, byte for byte:
//! `<name> <delta_us> pid=<pid> <arg>=<value> ...`.

use trace_events::{ArgKind, Event};

use super::padded::Padded;
use super::{write_bytes_repr, write_dec, write_delta_us, write_hex, RecordFormat};
use crate::{Record, Value};

/// The format keeps the previous timestamp for the delta column and, per
/// event, the constant text around the values.
#[derive(Debug, Default)]
pub struct SimpletracePy {
    last_timestamp: Option<u64>,
    templates: Vec<Option<Template>>,
    /// ` pid=N ` of the last record: pids rarely change.
    last_pid: Option<(u32, Padded)>,
}

/// `name ` and, per argument, `name=` (`name=0x` for integers), with the
/// blank that separates it from the previous one.
#[derive(Debug)]
struct Template {
    head: Padded,
    args: Vec<Padded>,
}

impl Template {
    fn new(event: &Event) -> Self {
        let args = event
            .args
            .iter()
            .enumerate()
            .map(|(i, arg)| {
                let blank = if i > 0 { " " } else { "" };
                let hex = if arg.kind == ArgKind::Str { "" } else { "0x" };
                Padded::new(format!("{blank}{}={hex}", arg.name).as_bytes())
            })
            .collect();
        Self {
            head: Padded::new(format!("{} ", event.name).as_bytes()),
            args,
        }
    }
}

impl RecordFormat for SimpletracePy {
    fn format(&mut self, record: &Record<'_>, line: &mut Vec<u8>) {
        let last = self.last_timestamp.replace(record.timestamp_ns);
        let delta =
            i128::from(record.timestamp_ns) - i128::from(last.unwrap_or(record.timestamp_ns));
        let index = record.index.get();
        if self.templates.len() <= index {
            self.templates.resize_with(index + 1, || None);
        }
        let template = self.templates[index].get_or_insert_with(|| Template::new(record.event));
        template.head.append_to(line);
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
        for (piece, (_, value)) in template.args.iter().zip(record.args()) {
            piece.append_to(line);
            match value {
                Value::Str(s) => write_bytes_repr(line, s),
                Value::Int(v) => write_hex(line, v),
            }
        }
        line.push(b'\n');
    }
}
