//! The one pass every timeline export shares: which records are calls
//! ([`Pairs`]), one monotonic track per thread with its open calls
//! ([`Tracks`]), which tracks and processes to name, and what to draw for each
//! record. The formats ([`super::chrome`], [`super::perfetto`]) only encode
//! what [`Draw`] is told, so they pair and nest calls identically.

use std::collections::{HashMap, HashSet};
use std::io;

use super::pairs::{PairId, Pairs, Role};
use super::tracks::{Closed, TrackKey, Tracks, MAX_TRACKS};
use crate::{Consumer, Record, Thread};

/// Why a record is drawn as an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instant {
    /// A program event that is not a call (or a call not followed: too deep,
    /// too many tracks).
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
    /// A call starts on `key` at `ts`.
    fn begin(&mut self, key: TrackKey, ts: u64, name: &str, enter: &Record<'_>);
    /// A call ends; `exit` is its exit record when it ended by it (not when
    /// closed to keep calls nested, or at the end of the trace).
    fn end(&mut self, closed: &Closed, name: &str, exit: Option<&Record<'_>>);
    fn instant(&mut self, key: TrackKey, ts: u64, why: Instant, record: &Record<'_>);
    /// A dropped record: `count` events were lost on this thread.
    fn dropped(&mut self, key: TrackKey, ts: u64, count: u64);
    /// Write out what is buffered once it is large.
    fn flush_if_full(&mut self) -> io::Result<()>;
    /// After the last record (and the calls still open closed): write
    /// everything; `dropped` is the number of events lost in all.
    fn finish(&mut self, dropped: u64) -> io::Result<()>;
}

/// A [`Consumer`] drawing the records it is given with `D`.
pub struct Walk<D> {
    draw: D,
    pairs: Pairs,
    tracks: Tracks,
    closed: Vec<Closed>,
    /// The name last given to each named track.
    named: HashMap<TrackKey, String>,
    /// The track of the previous record and its name, when named (records
    /// come in batches per thread: most need no look-up).
    last_named: Option<(TrackKey, String)>,
    pids: HashSet<u32>,
    dropped: u64,
}

impl<D: Draw> Walk<D> {
    pub fn with(draw: D) -> Self {
        Self {
            draw,
            pairs: Pairs::default(),
            tracks: Tracks::default(),
            closed: Vec::new(),
            named: HashMap::new(),
            last_named: None,
            pids: HashSet::new(),
            dropped: 0,
        }
    }

    pub fn draw(&self) -> &D {
        &self.draw
    }

    pub fn draw_mut(&mut self) -> &mut D {
        &mut self.draw
    }

    pub fn into_draw(self) -> D {
        self.draw
    }

    /// Name the process and the thread's track, when new or renamed.
    fn name_track(&mut self, key: TrackKey, thread: Option<&Thread>) {
        let name = match thread {
            Some(t) => t.name.as_str(),
            None => "(thread unknown)",
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
            let exit = exit.filter(|_| !c.forced);
            self.draw.end(c, self.pairs.name(c.pair), exit);
        }
    }

    fn exit(&mut self, record: &Record<'_>, key: TrackKey, pair: PairId, ts: u64) {
        let mut closed = std::mem::take(&mut self.closed);
        closed.clear();
        if self.tracks.exit(key, pair, ts, &mut closed) {
            self.end_calls(&closed, Some(record));
        } else {
            self.draw.instant(key, ts, Instant::UnmatchedExit, record);
        }
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
            Role::Enter(pair) if followed && self.tracks.enter(key, pair, ts) => {
                self.draw.begin(key, ts, self.pairs.name(pair), record);
            }
            Role::Exit(pair) if followed => self.exit(record, key, pair, ts),
            Role::Dropped => {
                let count = record.dropped_count().unwrap_or(0);
                self.dropped += count;
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
        self.draw.finish(self.dropped)
    }
}
