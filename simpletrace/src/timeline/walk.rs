//! The one pass every timeline export shares: which records are calls
//! ([`Pairs`]), one monotonic track per thread with its open calls
//! ([`Tracks`]), which tracks and processes to name, and what to draw for each
//! record. The formats ([`super::chrome`], [`super::perfetto`]) only encode
//! what [`Draw`] is told, so they pair, nest and cut calls identically: an
//! exit ends the innermost open call of its pair (and `call_id`), or the open
//! call of its `async_call_id` on any thread of its process; a dropped record
//! first ends every call open on its thread (their exits may be among the
//! lost events).

use std::io;

use super::pairs::{Call, Pairs, Role};
use super::tracks::{Closed, Ending, TrackKey, Tracks, MAX_TRACKS};
use crate::keyed::{Map, Set};
use crate::{Consumer, Record, Thread};

/// The name [`Draw::thread`] is given for a track whose thread the trace
/// does not say (no `trace_thread` record: the track is its process's).
pub const UNKNOWN_THREAD: &str = "(thread unknown)";

/// Why a record is drawn as an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instant {
    /// A program event that is not a call (or a call not followed: too deep,
    /// too many tracks or async calls, its async id open already).
    Event,
    /// The exit of a call that is not open on its track.
    UnmatchedExit,
}

/// What a timeline format encodes, told by [`Walk`] in trace order. Drawing
/// goes to a buffer; only [`Draw::flush_if_full`] and [`Draw::finish`] write.
pub trait Draw {
    /// A process seen for the first time (at most [`MAX_TRACKS`]).
    fn process(&mut self, pid: u32);
    /// A thread's track, when first seen or renamed (at most [`MAX_TRACKS`]
    /// tracks are named; records of others are still drawn).
    fn thread(&mut self, key: TrackKey, name: &str);
    /// `call` starts on `key` at `ts`: nested in the calls open on the
    /// thread, or (`call.is_async`, with its id) an async call, which may
    /// overlap others and end on another thread of the process.
    fn begin(&mut self, key: TrackKey, ts: u64, call: Call, name: &str, enter: &Record<'_>);
    /// A call ends (`closed.ending` says how: by its exit, closed without it,
    /// or cut by a dropped record); `exit` is its exit record when it ended by
    /// it.
    fn end(&mut self, closed: &Closed, name: &str, exit: Option<&Record<'_>>);
    /// A record that is not part of a call (`why` says which kind), at `ts` on
    /// `key`.
    fn instant(&mut self, key: TrackKey, ts: u64, why: Instant, record: &Record<'_>);
    /// A dropped record: `count` events were lost on this thread.
    fn dropped(&mut self, key: TrackKey, ts: u64, count: u64);
    /// Write out what is buffered once it is large.
    fn flush_if_full(&mut self) -> io::Result<()>;
    /// After the last record (and the calls still open closed): write
    /// everything; `dropped` is the number of events lost in all, `None`
    /// when past `u64::MAX` (only a corrupt or hostile trace says so).
    fn finish(&mut self, dropped: Option<u64>) -> io::Result<()>;
}

/// A [`Consumer`] drawing the records it is given with `D`.
pub struct Walk<D> {
    draw: D,
    pairs: Pairs,
    tracks: Tracks,
    closed: Vec<Closed>,
    /// The name last given to each named track.
    named: Map<TrackKey, String>,
    /// The track of the previous record and its name, when named (records
    /// come in batches per thread: most need no look-up).
    last_named: Option<(TrackKey, String)>,
    pids: Set<u32>,
    /// Exact: a trace has fewer than 2^60 records of at most 2^64 each.
    dropped: u128,
}

impl<D: Draw> Walk<D> {
    /// A walk that draws with `draw`.
    pub fn with(draw: D) -> Self {
        Self {
            draw,
            pairs: Pairs::default(),
            tracks: Tracks::default(),
            closed: Vec::new(),
            named: Map::default(),
            last_named: None,
            pids: Set::default(),
            dropped: 0,
        }
    }

    /// The drawing, e.g. to read what it counted.
    pub fn draw(&self) -> &D {
        &self.draw
    }

    /// The drawing, to change it between records.
    pub fn draw_mut(&mut self) -> &mut D {
        &mut self.draw
    }

    /// The drawing, taken back after the walk.
    pub fn into_draw(self) -> D {
        self.draw
    }

    /// Name the process and the thread's track, when new or renamed.
    fn name_track(&mut self, key: TrackKey, thread: Option<&Thread>) {
        let name = match thread {
            Some(t) => t.name.as_str(),
            None => UNKNOWN_THREAD,
        };
        if matches!(&self.last_named, Some((k, n)) if *k == key && n == name) {
            return;
        }
        if self.pids.len() < MAX_TRACKS && self.pids.insert(key.0) {
            self.draw.process(key.0);
        }
        if !self.named.get(&key).is_some_and(|n| n == name) {
            if !self.named.contains_key(&key) && self.named.len() >= MAX_TRACKS {
                self.last_named = None;
                return;
            }
            self.named.insert(key, name.to_string());
            self.draw.thread(key, name);
        }
        let (k, n) = self.last_named.get_or_insert_with(|| (key, String::new()));
        *k = key;
        n.clear();
        n.push_str(name);
    }

    fn end_calls(&mut self, closed: &[Closed], exit: Option<&Record<'_>>) {
        for c in closed {
            let exit = exit.filter(|_| c.ending == Ending::Exit);
            self.draw.end(c, self.pairs.name(c.call.pair), exit);
        }
    }

    fn enter(&mut self, record: &Record<'_>, key: TrackKey, call: Call, ts: u64) {
        if self.tracks.enter(key, call, ts) {
            self.draw
                .begin(key, ts, call, self.pairs.name(call.pair), record);
        } else {
            self.draw.instant(key, ts, Instant::Event, record);
        }
    }

    fn exit(&mut self, record: &Record<'_>, key: TrackKey, call: Call, ts: u64) {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        if self.tracks.exit(key, call, ts, &mut closed) {
            self.end_calls(&closed, Some(record));
        } else {
            self.draw.instant(key, ts, Instant::UnmatchedExit, record);
        }
        self.closed = closed;
    }

    /// End the calls open on the track where a dropped record says events
    /// were lost.
    fn cut(&mut self, key: TrackKey, ts: u64) {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        self.tracks.cut(key, ts, &mut closed);
        self.end_calls(&closed, None);
        self.closed = closed;
    }
}

impl<D: Draw> Consumer for Walk<D> {
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
                self.enter(record, key, Call::of(record, pair, ids), ts)
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
                self.draw.dropped(key, ts, count);
            }
            _ => self.draw.instant(key, ts, Instant::Event, record),
        }
        self.draw.flush_if_full()
    }

    fn end(&mut self) -> io::Result<()> {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        self.tracks.finish(&mut closed);
        self.end_calls(&closed, None);
        self.closed = closed;
        self.draw.finish(u64::try_from(self.dropped).ok())
    }
}
