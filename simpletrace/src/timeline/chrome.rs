//! Chrome trace-event JSON (the format of chrome://tracing, opened by
//! Perfetto): one track per thread with its name, `B`/`E` slices for
//! enter/exit pairs (async slices `b`/`e`, category `async_call`, with the
//! call's id for `async_call_id` pairs, whose calls may overlap on a thread),
//! instant events with their arguments for the rest, and
//! dropped records as instants. A dropped record first ends the calls open on
//! its thread (`"cut_by_drop": true` in their end's arguments): their exits may
//! be among the lost events. Written as it streams; only the open calls of
//! each thread are kept.

use std::io::{self, Write};

use super::pairs::Call;
use super::tracks::{Closed, Ending, TrackKey};
use super::walk::{Draw, Instant, Walk};
use crate::out_buf::{write_if_full, write_rest};
use crate::output::json::{write_args, write_string};
use crate::output::write_dec;
use crate::Record;

/// Category of the async slices (`b`/`e`) of `async_call_id` calls.
const ASYNC_CATEGORY: &str = "async_call";

/// The buffer is written out once it holds this much.
const FLUSH_AT: usize = 1 << 20;

/// A [`crate::Consumer`] writing Chrome trace-event JSON to `W`.
pub type ChromeTrace<W> = Walk<ChromeJson<W>>;

/// The JSON encoding of what [`Walk`] draws.
pub struct ChromeJson<W: Write> {
    out: W,
    buf: Vec<u8>,
    first: bool,
    events: u64,
}

impl<W: Write> ChromeTrace<W> {
    /// Write the JSON to `out`: the `traceEvents` array as records arrive, then
    /// `otherData` with the dropped total at the end.
    pub fn new(out: W) -> Self {
        let mut buf = Vec::with_capacity(FLUSH_AT + 64 * 1024);
        buf.extend_from_slice(b"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        Walk::with(ChromeJson {
            out,
            buf,
            first: true,
            events: 0,
        })
    }

    /// The writer (what is buffered is not in it before [`crate::Consumer::end`]).
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.draw_mut().out
    }

    /// Write what is buffered and return the writer (after [`crate::Consumer::end`]).
    pub fn into_inner(self) -> io::Result<W> {
        let mut json = self.into_draw();
        write_rest(&mut json.out, &mut json.buf)?;
        Ok(json.out)
    }
}

impl<W: Write> ChromeJson<W> {
    fn meta(&mut self, what: &str, key: TrackKey, name: &str) {
        self.open_event("M", what, key);
        self.buf.extend_from_slice(b",\"args\":{\"name\":");
        write_string(&mut self.buf, name);
        self.buf.extend_from_slice(b"}}");
    }

    /// `{"ph":..,"name":..,"pid":..,"tid":..` (no `}`).
    fn open_event(&mut self, ph: &str, name: &str, (pid, tid): TrackKey) {
        if !self.first {
            self.buf.extend_from_slice(b",\n");
        }
        self.first = false;
        self.events += 1;
        let b = &mut self.buf;
        b.extend_from_slice(b"{\"ph\":\"");
        b.extend_from_slice(ph.as_bytes());
        b.extend_from_slice(b"\",\"name\":");
        write_string(b, name);
        b.extend_from_slice(b",\"pid\":");
        write_dec(b, pid.into());
        b.extend_from_slice(b",\"tid\":");
        write_dec(b, tid);
    }

    /// A timed event; `ts` in ns, written in µs with all its digits.
    fn timed(&mut self, ph: &str, name: &str, cat: &str, key: TrackKey, ts: u64) {
        self.open_event(ph, name, key);
        let b = &mut self.buf;
        b.extend_from_slice(b",\"cat\":\"");
        b.extend_from_slice(cat.as_bytes());
        b.extend_from_slice(b"\",\"ts\":");
        write_dec(b, ts / 1000);
        let frac = ts % 1000;
        b.extend_from_slice(&[
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ]);
        if ph == "i" {
            b.extend_from_slice(b",\"s\":\"t\"");
        }
    }

    /// `B` for a nested call, `b` with its id for an async one (`E`/`e` with
    /// `end`).
    fn slice_edge(&mut self, call: Call, end: bool, name: &str, key: TrackKey, ts: u64) {
        match (call.is_async, call.id) {
            (true, Some(id)) => {
                self.timed(if end { "e" } else { "b" }, name, ASYNC_CATEGORY, key, ts);
                // A string: JSON numbers lose digits beyond 2^53.
                self.buf
                    .extend_from_slice(format!(",\"id\":\"{id:#x}\"").as_bytes());
            }
            _ => self.timed(if end { "E" } else { "B" }, name, "call", key, ts),
        }
    }

    /// `,"args":{...}}` with the record's arguments.
    fn args_and_close(&mut self, record: &Record<'_>) {
        let b = &mut self.buf;
        b.extend_from_slice(b",\"args\":");
        write_args(b, record);
        b.push(b'}');
    }
}

impl<W: Write> Draw for ChromeJson<W> {
    fn process(&mut self, pid: u32) {
        self.meta("process_name", (pid, 0), &format!("pid {pid}"));
    }

    fn thread(&mut self, key: TrackKey, name: &str) {
        self.meta("thread_name", key, name);
    }

    fn begin(&mut self, key: TrackKey, ts: u64, call: Call, name: &str, enter: &Record<'_>) {
        self.slice_edge(call, false, name, key, ts);
        self.args_and_close(enter);
    }

    fn end(&mut self, closed: &Closed, name: &str, exit: Option<&Record<'_>>) {
        self.slice_edge(closed.call, true, name, closed.track, closed.end);
        match (closed.ending, exit) {
            (Ending::Exit, Some(record)) => self.args_and_close(record),
            (Ending::CutByDrop, _) => self
                .buf
                .extend_from_slice(b",\"args\":{\"cut_by_drop\":true}}"),
            _ => self
                .buf
                .extend_from_slice(b",\"args\":{\"unclosed\":\"closed without its exit\"}}"),
        }
    }

    fn instant(&mut self, key: TrackKey, ts: u64, why: Instant, record: &Record<'_>) {
        let cat = match why {
            Instant::Event => "event",
            Instant::UnmatchedExit => "unmatched_exit",
        };
        self.timed("i", record.name(), cat, key, ts);
        self.args_and_close(record);
    }

    fn dropped(&mut self, key: TrackKey, ts: u64, count: u64) {
        self.timed("i", &format!("dropped {count} events"), "dropped", key, ts);
        self.buf.extend_from_slice(b",\"args\":{\"dropped\":");
        write_dec(&mut self.buf, count);
        self.buf.extend_from_slice(b"}}");
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        write_if_full(&mut self.out, &mut self.buf, FLUSH_AT)
    }

    fn finish(&mut self, dropped: Option<u64>) -> io::Result<()> {
        let b = &mut self.buf;
        b.extend_from_slice(b"\n],\"otherData\":{\"producer\":\"simpletrace\",\"dropped_events\":");
        // A total past u64::MAX (a corrupt trace) is `null`, flagged.
        match dropped {
            Some(total) => {
                write_dec(b, total);
                b.extend_from_slice(b",\"dropped_events_overflow\":false}}\n");
            }
            None => b.extend_from_slice(b"null,\"dropped_events_overflow\":true}}\n"),
        }
        write_rest(&mut self.out, &mut self.buf)
    }
}
