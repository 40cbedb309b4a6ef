//! Chrome trace-event JSON (the format of chrome://tracing, opened by
//! Perfetto): one track per thread with its name, `B`/`E` slices for
//! enter/exit pairs (async slices `b`/`e`, category `async_call`, with the
//! call's id for `async_call_id` pairs, whose calls may overlap on a thread),
//! instant events with their arguments for the rest, and
//! dropped records as instants. A dropped record first ends the calls open on
//! its thread (`"cut_by_drop": true` in their end's arguments): their exits may
//! be among the lost events. Written as it streams; only the open calls of
//! each thread are kept.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use super::pairs::{Call, Pairs, Role};
use super::tracks::{Closed, Ending, TrackKey, Tracks};
use crate::output::json::{write_args, write_string};
use crate::output::write_dec;
use crate::{Consumer, Record, Thread};

/// Category of the async slices (`b`/`e`) of `async_call_id` calls.
const ASYNC_CATEGORY: &str = "async_call";

/// The buffer is written out once it holds this much.
const FLUSH_AT: usize = 1 << 20;

/// A [`Consumer`] writing Chrome trace-event JSON to `W`.
pub struct ChromeTrace<W: Write> {
    out: W,
    buf: Vec<u8>,
    pairs: Pairs,
    tracks: Tracks,
    closed: Vec<Closed>,
    /// The name last given to each followed track.
    named: HashMap<TrackKey, String>,
    pids: HashSet<u32>,
    first: bool,
    events: u64,
    /// Exact: a trace has fewer than 2^60 records of at most 2^64 each.
    dropped: u128,
}

impl<W: Write> ChromeTrace<W> {
    pub fn new(out: W) -> Self {
        let mut buf = Vec::with_capacity(FLUSH_AT + 64 * 1024);
        buf.extend_from_slice(b"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        Self {
            out,
            buf,
            pairs: Pairs::default(),
            tracks: Tracks::default(),
            closed: Vec::new(),
            named: HashMap::new(),
            pids: HashSet::new(),
            first: true,
            events: 0,
            dropped: 0,
        }
    }

    /// The writer (what is buffered is not in it before [`Consumer::end`]).
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Write what is buffered and return the writer (after [`Consumer::end`]).
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }

    /// Metadata naming the process and the thread's track, when new or renamed.
    fn name_track(&mut self, key: TrackKey, thread: Option<&Thread>) {
        if self.pids.len() < super::tracks::MAX_TRACKS && self.pids.insert(key.0) {
            self.meta("process_name", (key.0, 0), &format!("pid {}", key.0));
        }
        let name = match thread {
            Some(t) => t.name.as_str(),
            None => "(thread unknown)",
        };
        if self.named.get(&key).is_some_and(|n| n == name)
            || !self.named.contains_key(&key) && self.named.len() >= super::tracks::MAX_TRACKS
        {
            return;
        }
        self.named.insert(key, name.to_string());
        self.meta("thread_name", key, name);
    }

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

    /// `,"args":{...}}` with the record's arguments.
    fn args_and_close(&mut self, record: &Record<'_>) {
        let b = &mut self.buf;
        b.extend_from_slice(b",\"args\":");
        write_args(b, record);
        b.push(b'}');
    }

    /// `B` for a nested call, `b` with its id for an async one.
    fn start_slice(&mut self, record: &Record<'_>, call: Call, key: TrackKey, ts: u64) {
        let name = self.pairs.name(call.pair).to_string();
        match (call.is_async, call.id) {
            (true, Some(id)) => {
                self.timed("b", &name, ASYNC_CATEGORY, key, ts);
                self.async_id(id);
            }
            _ => self.timed("B", &name, "call", key, ts),
        }
        self.args_and_close(record);
    }

    /// `,"id":"0x.."`: a string, as JSON numbers lose digits beyond 2^53.
    fn async_id(&mut self, id: u64) {
        self.buf
            .extend_from_slice(format!(",\"id\":\"{id:#x}\"").as_bytes());
    }

    fn end_slice(&mut self, closed: Closed, exit: Option<&Record<'_>>) {
        let name = self.pairs.name(closed.call.pair).to_string();
        match (closed.call.is_async, closed.call.id) {
            (true, Some(id)) => {
                self.timed("e", &name, ASYNC_CATEGORY, closed.track, closed.end);
                self.async_id(id);
            }
            _ => self.timed("E", &name, "call", closed.track, closed.end),
        }
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

    fn exit(&mut self, record: &Record<'_>, key: TrackKey, call: Call, ts: u64) {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        if self.tracks.exit(key, call, ts, &mut closed) {
            for c in closed.iter() {
                self.end_slice(*c, Some(record));
            }
        } else {
            self.timed("i", record.name(), "unmatched_exit", key, ts);
            self.args_and_close(record);
        }
        self.closed = closed;
    }

    /// End the calls open on the track where a dropped record says events
    /// were lost.
    fn cut(&mut self, key: TrackKey, ts: u64) {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        self.tracks.cut(key, ts, &mut closed);
        for c in closed.iter() {
            self.end_slice(*c, None);
        }
        self.closed = closed;
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Consumer for ChromeTrace<W> {
    type Error = io::Error;

    fn record(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> io::Result<()> {
        let role = self.pairs.role(record);
        if role == Role::Runtime {
            return Ok(());
        }
        let key = (record.pid, thread.map_or(u64::from(record.pid), |t| t.tid));
        self.name_track(key, thread);
        let (ts, followed) = match self.tracks.at(key, record.timestamp_ns) {
            Some(ts) => (ts, true),
            None => (record.timestamp_ns, false),
        };
        match role {
            Role::Enter(pair, ids) if followed => {
                let call = Call::of(record, pair, ids);
                if self.tracks.enter(key, call, ts) {
                    self.start_slice(record, call, key, ts);
                } else {
                    self.timed("i", record.name(), "event", key, ts);
                    self.args_and_close(record);
                }
            }
            Role::Exit(pair, ids) if followed => {
                self.exit(record, key, Call::of(record, pair, ids), ts)
            }
            Role::Dropped => {
                if followed {
                    self.cut(key, ts);
                }
                let count = record.dropped_count().unwrap_or(0);
                self.dropped += u128::from(count);
                self.timed("i", &format!("dropped {count} events"), "dropped", key, ts);
                self.buf.extend_from_slice(b",\"args\":{\"dropped\":");
                write_dec(&mut self.buf, count);
                self.buf.extend_from_slice(b"}}");
            }
            _ => {
                self.timed("i", record.name(), "event", key, ts);
                self.args_and_close(record);
            }
        }
        self.flush_if_full()
    }

    fn end(&mut self) -> io::Result<()> {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        self.tracks.finish(&mut closed);
        for c in closed.iter() {
            self.end_slice(*c, None);
        }
        let b = &mut self.buf;
        b.extend_from_slice(b"\n],\"otherData\":{\"producer\":\"simpletrace\",\"dropped_events\":");
        // A total past u64::MAX (a corrupt trace) is `null`, flagged.
        match u64::try_from(self.dropped) {
            Ok(total) => {
                write_dec(b, total);
                b.extend_from_slice(b",\"dropped_events_overflow\":false}}\n");
            }
            Err(_) => b.extend_from_slice(b"null,\"dropped_events_overflow\":true}}\n"),
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}
