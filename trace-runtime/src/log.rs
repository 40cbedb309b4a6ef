//! The log backend: each enabled event becomes one line, `<name> <message>`,
//! formatted in the recording thread as QEMU's log backend does, with the
//! project's one printf renderer (`trace_events::printf::Format`), each event's
//! format compiled on its first use.
//!
//! Lines are built in a per-thread buffer (no allocation once it has grown) and
//! written with one `write_all` under a lock (std's stderr lock, or a mutex
//! around the file), so lines from different threads never interleave. That
//! lock is the only one any recording path takes, and only with this backend.

use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use trace_events::printf::{Format, Value};
use trace_events::text::{write_name_values, write_timestamp_prefix};
use trace_events::v4::decode;

use crate::event::{ArgKind, EventMeta, EVENTS};
use crate::sys;
use crate::table::by_id;

/// Arguments rendered without a heap allocation (tracetool allows 10).
const MAX_ARGS: usize = 16;

pub(crate) enum Output {
    Stderr,
    File(Mutex<File>),
}

pub(crate) struct LogSink {
    output: Output,
    timestamps: bool,
    /// By event ID, compiled on first use.
    formats: Box<[OnceLock<Format>]>,
    /// Failed writes (the trace's `write_errors`): the line is lost, counted.
    errors: &'static AtomicU64,
}

static SINK: OnceLock<LogSink> = OnceLock::new();

/// Install the sink (once per process; a second call keeps the first).
/// Failed writes are counted in `errors`.
pub(crate) fn install(output: Output, timestamps: bool, errors: &'static AtomicU64) {
    let formats = EVENTS.iter().map(|_| OnceLock::new()).collect();
    let _ = SINK.set(LogSink {
        output,
        timestamps,
        formats,
        errors,
    });
}

struct Scratch {
    payload: Vec<u8>,
    line: Vec<u8>,
    /// Cached kernel thread id (0: not read yet).
    tid: u64,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch { payload: Vec::new(), line: Vec::new(), tid: 0 })
    };
}

/// Fill a payload of `payload_len` bytes with `fill` in this thread's scratch
/// buffer, log it, and hand it to `then` (the simple backend's copy). Returns
/// false, having done nothing, when re-entered on the same thread (a signal
/// handler that records while a line is being written).
pub(crate) fn record(
    id: u64,
    payload_len: usize,
    fill: impl FnOnce(&mut [u8]),
    then: impl FnOnce(&[u8]),
) -> bool {
    SCRATCH
        .try_with(|cell| {
            let Ok(mut scratch) = cell.try_borrow_mut() else {
                return false;
            };
            let scratch = &mut *scratch;
            scratch.payload.clear();
            scratch.payload.resize(payload_len, 0);
            fill(&mut scratch.payload);
            if let (Some(sink), Some(event)) = (SINK.get(), by_id(id)) {
                if scratch.tid == 0 {
                    scratch.tid = sys::gettid();
                }
                scratch.line.clear();
                sink.format_line(
                    &mut scratch.line,
                    id,
                    &event.meta,
                    &scratch.payload,
                    scratch.tid,
                );
                sink.write(&scratch.line);
            }
            then(&scratch.payload);
            true
        })
        .unwrap_or(false)
}

impl LogSink {
    fn format_line(&self, line: &mut Vec<u8>, id: u64, meta: &EventMeta, payload: &[u8], tid: u64) {
        if self.timestamps {
            // QEMU: "%d@%zu.%06zu:" with qemu_get_thread_id() and gettimeofday().
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            write_timestamp_prefix(line, tid, now.as_secs(), now.subsec_micros());
        }
        line.extend_from_slice(meta.name.as_bytes());
        let mut values = [Value::Int(0); MAX_ARGS];
        let n = decode_args(meta, payload, &mut values);
        if meta.c_format.is_empty() {
            let names = meta.args.iter().map(|arg| arg.name);
            write_name_values(line, names.zip(values[..n].iter().copied()));
        } else {
            line.push(b' ');
            match self.formats.get(id as usize) {
                Some(format) => format
                    .get_or_init(|| Format::parse_lossy(meta.c_format))
                    .render(line, &values[..n]),
                // A registered event: compiled each time (the log backend
                // formats and locks anyway).
                None => Format::parse_lossy(meta.c_format).render(line, &values[..n]),
            }
        }
        line.push(b'\n');
    }

    fn write(&self, line: &[u8]) {
        let written = match &self.output {
            Output::Stderr => std::io::stderr().lock().write_all(line),
            Output::File(file) => file
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .write_all(line),
        };
        if written.is_err() {
            self.errors.fetch_add(1, Ordering::Release);
        }
    }
}

/// Read the recorded arguments back as printf values, in declaration order,
/// up to the first that runs past the payload.
fn decode_args<'a>(meta: &EventMeta, mut payload: &'a [u8], out: &mut [Value<'a>]) -> usize {
    let mut n = 0;
    for (arg, slot) in meta.args.iter().zip(out.iter_mut()) {
        let Some(value) = decode::next_arg(&mut payload, arg.kind == ArgKind::Str) else {
            break;
        };
        *slot = value;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ArgMeta;

    const U32: ArgKind = ArgKind::Int(crate::event::IntType {
        bits: 32,
        signed: false,
    });

    fn meta(c_format: &'static str, args: &'static [ArgMeta]) -> EventMeta {
        EventMeta {
            name: "ev",
            args,
            fmt: "",
            c_format,
            file: "",
            line: 0,
            available: true,
        }
    }

    static ARGS: [ArgMeta; 2] = [
        ArgMeta {
            ty: "unsigned",
            name: "n",
            kind: U32,
        },
        ArgMeta {
            ty: "const char *",
            name: "s",
            kind: ArgKind::Str,
        },
    ];

    fn payload(n: u64, s: &[u8]) -> Vec<u8> {
        let mut p = n.to_ne_bytes().to_vec();
        p.extend_from_slice(&(s.len() as u32).to_ne_bytes());
        p.extend_from_slice(s);
        p
    }

    fn line(sink: &LogSink, m: &EventMeta, p: &[u8]) -> String {
        let mut out = Vec::new();
        sink.format_line(&mut out, 0, m, p, 42);
        String::from_utf8(out).unwrap()
    }

    static ERRORS: AtomicU64 = AtomicU64::new(0);

    fn sink(timestamps: bool) -> LogSink {
        LogSink {
            output: Output::Stderr,
            timestamps,
            formats: vec![OnceLock::new()].into_boxed_slice(),
            errors: &ERRORS,
        }
    }

    #[test]
    fn formats_with_printf_and_compiles_once() {
        let s = sink(false);
        let m = meta("n %u s %s", &ARGS);
        assert_eq!(line(&s, &m, &payload(7, b"disk")), "ev n 7 s disk\n");
        assert!(s.formats[0].get().is_some());
        assert_eq!(
            line(&s, &m, &payload(u32::MAX as u64, b"")),
            "ev n 4294967295 s \n"
        );
    }

    #[test]
    fn timestamp_prefix_is_tid_at_seconds_dot_micros() {
        let s = sink(true);
        let m = meta("n %u s %s", &ARGS);
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let l = line(&s, &m, &payload(1, b"x"));
        let (prefix, rest) = l.split_once(':').unwrap();
        assert_eq!(rest, "ev n 1 s x\n");
        let (tid, time) = prefix.split_once('@').unwrap();
        assert_eq!(tid, "42");
        let (secs, micros) = time.split_once('.').unwrap();
        assert!(secs.parse::<u64>().unwrap() >= before);
        assert_eq!(micros.len(), 6, "{micros}");
        assert!(micros.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn no_format_prints_names_and_values() {
        let s = sink(false);
        let m = meta("", &ARGS);
        assert_eq!(
            line(&s, &m, &payload(255, b"it's")),
            "ev n=0xff s=b\"it's\"\n"
        );
        assert_eq!(
            line(&s, &m, &payload(0, b"a'\"\\\t\n\r\x00\xff")),
            "ev n=0x0 s=b'a\\'\"\\\\\\t\\n\\r\\x00\\xff'\n"
        );
        assert_eq!(line(&s, &meta("", &[]), &[]), "ev\n");
    }

    #[test]
    fn short_payloads_render_missing_arguments_as_written() {
        let s = sink(false);
        let m = meta("n %u s %s", &ARGS);
        assert_eq!(line(&s, &m, &7u64.to_ne_bytes()), "ev n 7 s %s\n");
        let mut bad = payload(7, b"abc");
        bad.truncate(bad.len() - 1);
        assert_eq!(line(&s, &m, &bad), "ev n 7 s %s\n");
    }
}
