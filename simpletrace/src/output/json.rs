//! One JSON object a record: `name`, `id`, `timestamp_ns`, `pid`, `tid` and
//! `thread` (the thread's id and name, `null` when the trace does not say),
//! then `args` (by name, typed as declared) or, for a dropped record,
//! `dropped`.

use trace_events::{Arg, ArgKind};

use super::{write_dec, write_hex, RecordFormat};
use crate::{Record, Thread, Value};

/// `--format json`: one JSON object a line per record, typed, with its thread.
#[derive(Debug, Default)]
pub struct Json;

impl RecordFormat for Json {
    fn format(&mut self, record: &Record<'_>, thread: Option<&Thread>, line: &mut Vec<u8>) {
        line.extend_from_slice(b"{\"name\":");
        write_string(line, record.name());
        line.extend_from_slice(b",\"id\":");
        write_dec(line, record.id);
        line.extend_from_slice(b",\"timestamp_ns\":");
        write_dec(line, record.timestamp_ns);
        line.extend_from_slice(b",\"pid\":");
        write_dec(line, record.pid.into());
        match thread {
            Some(thread) => {
                line.extend_from_slice(b",\"tid\":");
                write_dec(line, thread.tid);
                line.extend_from_slice(b",\"thread\":");
                write_string(line, &thread.name);
            }
            None => line.extend_from_slice(b",\"tid\":null,\"thread\":null"),
        }
        if let Some(count) = record.dropped_count() {
            line.extend_from_slice(b",\"dropped\":");
            write_dec(line, count);
        } else {
            line.extend_from_slice(b",\"args\":");
            write_args(line, record);
        }
        line.extend_from_slice(b"}\n");
    }
}

/// `{"name":value,...}`: the record's arguments by name, typed as declared.
pub(crate) fn write_args(out: &mut Vec<u8>, record: &Record<'_>) {
    out.push(b'{');
    for (i, (decl, value)) in record.args().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(out, &decl.name);
        out.push(b':');
        write_value(out, decl, value);
    }
    out.push(b'}');
}

/// The value as the program held it: integers in their declared width and
/// signedness, bools as booleans, pointers as `"0x..."` strings, strings as
/// text (invalid UTF-8 replaced by U+FFFD).
fn write_value(out: &mut Vec<u8>, decl: &Arg, value: Value<'_>) {
    match (decl.kind, value) {
        (_, Value::Str(s)) => write_string(out, &String::from_utf8_lossy(s)),
        (ArgKind::Int(ty), Value::Int(v)) => {
            let bits = u32::from(ty.bits.clamp(1, 64));
            let shift = 64 - bits;
            if ty.signed {
                let v = ((v << shift) as i64) >> shift;
                if v < 0 {
                    out.push(b'-');
                }
                write_dec(out, v.unsigned_abs());
            } else {
                write_dec(out, (v << shift) >> shift);
            }
        }
        (ArgKind::Bool, Value::Int(v)) => {
            out.extend_from_slice(if v != 0 { b"true" } else { b"false" });
        }
        (ArgKind::Pointer | ArgKind::Str, Value::Int(v)) => {
            out.extend_from_slice(b"\"0x");
            write_hex(out, v);
            out.push(b'"');
        }
    }
}

pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}
