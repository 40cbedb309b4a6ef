//! Perfetto's native trace format: a `Trace` message written as it streams,
//! one `TracePacket` at a time (the file is just `repeated TracePacket packet
//! = 1`). What [`Walk`] draws becomes `TrackEvent`s, laid out as the Perfetto
//! SDK lays out a program's: a `TrackDescriptor` per process and per thread
//! (pid, tid, thread name); one packet sequence per thread, whose first
//! packet (`SEQ_INCREMENTAL_STATE_CLEARED`) makes the thread's track the
//! default one and sets an incremental clock (`ClockSnapshot`: each
//! timestamp is the delta from the previous one), so an event is only a few
//! bytes; `TYPE_SLICE_BEGIN`/`TYPE_SLICE_END` for calls, `TYPE_INSTANT` for
//! the other records and for dropped records (named `dropped N events`), the
//! records' arguments as debug annotations (a slice's end carries its exit's
//! but the call id that paired them, which is the begin's, and a
//! `returned: true` after it: only `returned: false` says something a slice's
//! end does not). A call ended by
//! a dropped record has the annotation `cut_by_drop: true` on its end. Async calls
//! (`async_call_id` pairs), which may overlap on a thread and end on another,
//! go on lanes: child tracks of the thread they start on (`parent_uuid`,
//! named `async N`), each holding one call at a time, reused once free. Event names, argument names,
//! categories and short string values are interned (`InternedData`, sent on
//! a sequence with the first packet that uses them). Event packets do not
//! say `SEQ_NEEDS_INCREMENTAL_STATE`: the flag only tells a reader to skip a
//! packet while its sequence's state is not valid, as after a ring buffer
//! lost a sequence's start; a file written here has every sequence whole,
//! its first packet clearing the state, and 2 bytes an event are a seventh
//! of its size.
//!
//! Memory is bounded: the output buffer, at most [`MAX_SEQUENCES`] sequences
//! (further threads share one sequence, with absolute timestamps and explicit
//! tracks), the intern tables (beyond their caps values are inline), the
//! open async calls (bounded by the walk) and at most [`MAX_LANES`] lanes
//! kept for reuse (beyond, a call gets a lane of its own, then forgotten).

mod intern;
mod schema;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

use trace_events::ArgKind;

use self::intern::{Interner, Sent};
use self::schema as field;
use super::pairs::{Call, RETURNED};
use super::protobuf::{begin, end, put_bool, put_bytes, put_int, put_str, put_uint, Open};
use super::tracks::{Closed, Ending, TrackKey, MAX_TRACKS};
use super::walk::{Draw, Instant, Walk};
use crate::keyed::{Map, Runs};
use crate::out_buf::{write_if_full, write_rest};
use crate::{Record, Value};

/// Threads given a packet sequence of their own.
pub const MAX_SEQUENCES: usize = 1024;
/// The sequence of descriptors and of threads beyond [`MAX_SEQUENCES`] (1 is
/// the tracing service's own); the threads' ones follow.
const SHARED_SEQUENCE_ID: u64 = 2;

/// Async lanes kept for reuse, over all threads.
pub const MAX_LANES: usize = 1 << 16;

/// The buffer is written out once it holds this much.
const FLUSH_AT: usize = 1 << 20;
/// String values interned: shorter ones cost less inline, longer ones are
/// rarely repeated.
const INTERN_STRINGS: std::ops::RangeInclusive<usize> = 3..=128;

/// Intern tables, each with its `InternedData` field.
const NAMES: usize = 0;
const ARG_NAMES: usize = 1;
const STRINGS: usize = 2;
const CATEGORIES: usize = 3;
const INTERNED_FIELD: [u32; 4] = [
    field::INTERNED_EVENT_NAMES,
    field::INTERNED_ANNOTATION_NAMES,
    field::INTERNED_STRING_VALUES,
    field::INTERNED_CATEGORIES,
];

/// A [`crate::Consumer`] writing a Perfetto protobuf trace to `W`.
pub type PerfettoTrace<W> = Walk<PerfettoProto<W>>;

impl<W: Write> PerfettoTrace<W> {
    /// Write the protobuf to `out` as records arrive (in large blocks).
    pub fn new(out: W) -> Self {
        Walk::with(PerfettoProto {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            open: None,
            interned: Vec::new(),
            next_uuid: 1,
            threads: Runs::default(),
            overflow: None,
            sequences: vec![Sequence::new(SHARED_SEQUENCE_ID, None)],
            current: 0,
            tables: Default::default(),
            by_event: Vec::new(),
            lanes: Map::default(),
            lanes_kept: 0,
            async_open: Map::default(),
        })
    }

    /// Write what is buffered and return the writer (after [`crate::Consumer::end`]).
    pub fn into_inner(self) -> io::Result<W> {
        let mut proto = self.into_draw();
        write_rest(&mut proto.out, &mut proto.buf)?;
        Ok(proto.out)
    }
}

/// A packet sequence and what its reader knows.
struct Sequence {
    id: u64,
    /// The track its events are on by default, with an incremental clock;
    /// `None` for the shared sequence (explicit tracks, absolute timestamps).
    track: Option<u64>,
    /// Its first packet is written.
    started: bool,
    /// The incremental clock's value.
    last_ts: u64,
    /// Ids sent on it, by intern table.
    sent: [Sent; 4],
}

impl Sequence {
    fn new(id: u64, track: Option<u64>) -> Self {
        Self {
            id,
            track,
            started: false,
            last_ts: 0,
            sent: Default::default(),
        }
    }
}

/// A thread's track and the sequence its events go on.
#[derive(Clone, Copy)]
struct ThreadTrack {
    uuid: u64,
    sequence: usize,
}

/// A thread's async lanes: how many it has (to name new ones), and the free
/// ones by the time they are free from (the end of their last call: a call
/// only goes on a lane free at its start, so slices on a lane never overlap).
#[derive(Default)]
struct Lanes {
    count: u64,
    free: BinaryHeap<Reverse<(u64, u64)>>,
}

/// An async call's lane while it is open.
struct AsyncLane {
    uuid: u64,
    /// The thread it started on, whose lane it is (`None`: beyond
    /// [`MAX_LANES`], not reused).
    thread: Option<TrackKey>,
}

/// What is interned once per event: the name of its slices (for an enter)
/// and of its instants, and its arguments' names. `None` inside: not
/// interned (a table full), written inline.
#[derive(Default, Clone)]
struct EventIds {
    slice_name: Option<Option<u64>>,
    instant_name: Option<Option<u64>>,
    arg_names: Option<Box<[Option<u64>]>>,
}

/// The Perfetto encoding of what [`Walk`] draws.
pub struct PerfettoProto<W: Write> {
    out: W,
    /// Packets, written out at [`FLUSH_AT`]: whole ones, then the one being
    /// built (its `TrackEvent` open, see `open`).
    buf: Vec<u8>,
    /// The packet and the `TrackEvent` being built.
    open: Option<(Open, Open)>,
    /// The `InternedData` entries it introduces on its sequence (written
    /// after the `TrackEvent`: a packet's interned data applies to all of
    /// it, wherever it is).
    interned: Vec<u8>,
    next_uuid: u64,
    threads: Runs<TrackKey, ThreadTrack>,
    /// The track of threads beyond [`MAX_TRACKS`], once used.
    overflow: Option<u64>,
    sequences: Vec<Sequence>,
    /// The sequence of the event being built.
    current: usize,
    tables: [Interner; 4],
    /// By event index (bounded by the event table).
    by_event: Vec<EventIds>,
    /// Async lanes by thread.
    lanes: Map<TrackKey, Lanes>,
    /// Lanes in `lanes` (at most [`MAX_LANES`]).
    lanes_kept: usize,
    /// Open async calls by process and id: their lane.
    async_open: Map<(u32, u64), AsyncLane>,
}

impl<W: Write> PerfettoProto<W> {
    fn new_uuid(&mut self) -> u64 {
        let uuid = self.next_uuid;
        self.next_uuid += 1;
        uuid
    }

    /// Open a `TracePacket` on sequence `seq` with `flags` (and
    /// `SEQ_INCREMENTAL_STATE_CLEARED` if it is the sequence's first).
    fn open_packet(&mut self, seq: usize, mut flags: u64) -> Open {
        let open = begin(&mut self.buf, field::TRACE_PACKET);
        let sequence = &mut self.sequences[seq];
        put_uint(
            &mut self.buf,
            field::TRUSTED_PACKET_SEQUENCE_ID,
            sequence.id,
        );
        if !std::mem::replace(&mut sequence.started, true) {
            flags |= field::SEQ_INCREMENTAL_STATE_CLEARED;
        }
        if flags != 0 {
            put_uint(&mut self.buf, field::SEQUENCE_FLAGS, flags);
        }
        open
    }

    /// A packet with a `TrackDescriptor` of `uuid` (on the shared sequence);
    /// `body` writes its other fields.
    fn describe(&mut self, uuid: u64, body: impl FnOnce(&mut Vec<u8>)) {
        let packet = self.open_packet(0, 0);
        let track = begin(&mut self.buf, field::TRACK_DESCRIPTOR);
        put_uint(&mut self.buf, field::TRACK_UUID, uuid);
        body(&mut self.buf);
        end(&mut self.buf, track);
        end(&mut self.buf, packet);
    }

    /// The first packet of a thread's sequence, at `ts`: its track by
    /// default, and its incremental clock, equal to the trace's clock at
    /// `ts` (as the Perfetto SDK writes it).
    fn start_sequence(&mut self, seq: usize, track: u64, ts: u64) {
        let packet = self.open_packet(seq, 0);
        let b = &mut self.buf;
        put_uint(b, field::TIMESTAMP, 0);
        let defaults = begin(b, field::TRACE_PACKET_DEFAULTS);
        put_uint(
            b,
            field::DEFAULTS_TIMESTAMP_CLOCK_ID,
            field::CLOCK_INCREMENTAL,
        );
        let event_defaults = begin(b, field::DEFAULTS_TRACK_EVENT);
        put_uint(b, field::DEFAULTS_TRACK_UUID, track);
        end(b, event_defaults);
        end(b, defaults);
        let snapshot = begin(b, field::CLOCK_SNAPSHOT);
        for (clock, incremental) in [
            (field::CLOCK_BOOTTIME, false),
            (field::CLOCK_INCREMENTAL, true),
        ] {
            let c = begin(b, field::CLOCKS);
            put_uint(b, field::CLOCK_ID, clock);
            put_uint(b, field::CLOCK_TIMESTAMP, ts);
            if incremental {
                put_bool(b, field::CLOCK_IS_INCREMENTAL, true);
            }
            end(b, c);
        }
        end(b, snapshot);
        end(b, packet);
        self.sequences[seq].last_ts = ts;
    }

    fn thread_track(&mut self, key: TrackKey) -> ThreadTrack {
        if let Some(&mut track) = self.threads.get_mut(key) {
            return track;
        }
        let uuid = match self.overflow {
            Some(uuid) => uuid,
            None => {
                let uuid = self.new_uuid();
                self.overflow = Some(uuid);
                self.describe(uuid, |b| {
                    let name = format!("(threads beyond the first {MAX_TRACKS})");
                    put_str(b, field::TRACK_NAME, name.as_bytes());
                });
                uuid
            }
        };
        ThreadTrack { uuid, sequence: 0 }
    }

    /// A lane for async call `id` starting on `key` at `ts`: a free one of the
    /// thread's, or a new one (described now). Returns its uuid.
    fn open_lane(&mut self, key: TrackKey, id: u64, ts: u64) -> u64 {
        let lanes = self.lanes.entry(key).or_default();
        let free = match lanes.free.peek() {
            Some(&Reverse((from, uuid))) if from <= ts => Some(uuid),
            _ => None,
        };
        let uuid = match free {
            Some(uuid) => {
                lanes.free.pop();
                uuid
            }
            None => {
                lanes.count += 1;
                let number = lanes.count;
                let parent = self.thread_track(key).uuid;
                let uuid = self.new_uuid();
                self.describe(uuid, |b| {
                    put_uint(b, field::TRACK_PARENT_UUID, parent);
                    put_str(b, field::TRACK_NAME, format!("async {number}").as_bytes());
                });
                uuid
            }
        };
        let thread = if free.is_some() || self.lanes_kept < MAX_LANES {
            self.lanes_kept += usize::from(free.is_none());
            Some(key)
        } else {
            None
        };
        self.async_open
            .insert((key.0, id), AsyncLane { uuid, thread });
        uuid
    }

    /// The lane of async call `id` of `pid` ending at `ts`, now free.
    fn close_lane(&mut self, pid: u32, id: u64, ts: u64) -> Option<u64> {
        let lane = self.async_open.remove(&(pid, id))?;
        if let Some(lanes) = lane.thread.and_then(|key| self.lanes.get_mut(&key)) {
            lanes.free.push(Reverse((ts, lane.uuid)));
        }
        Some(lane.uuid)
    }

    /// Start the packet of a `TrackEvent` of `type_` at `ts` on `key`'s
    /// track, or on track `on` (from `key`'s sequence); its fields follow,
    /// then [`Self::finish_event`].
    fn start_event(&mut self, key: TrackKey, on: Option<u64>, type_: u64, ts: u64) {
        let track = self.thread_track(key);
        let seq = track.sequence;
        self.current = seq;
        self.interned.clear();
        if let (Some(track), false) = (self.sequences[seq].track, self.sequences[seq].started) {
            self.start_sequence(seq, track, ts);
        }
        // No `SEQ_NEEDS_INCREMENTAL_STATE` (2 bytes an event): it only asks a
        // reader to skip the packet while the sequence's state is not valid,
        // and every sequence's first packet here clears it.
        let packet = self.open_packet(seq, 0);
        let sequence = &mut self.sequences[seq];
        if sequence.track.is_some() && ts >= sequence.last_ts {
            put_uint(&mut self.buf, field::TIMESTAMP, ts - sequence.last_ts);
            sequence.last_ts = ts;
        } else {
            // Shared sequence, or back in time (after the end of an async
            // call that started on a thread whose clock is ahead): absolute,
            // on the trace's clock.
            put_uint(&mut self.buf, field::TIMESTAMP, ts);
            if sequence.track.is_some() {
                put_uint(
                    &mut self.buf,
                    field::TIMESTAMP_CLOCK_ID,
                    field::CLOCK_BOOTTIME,
                );
            }
        }
        let default_track = sequence.track;
        let event = begin(&mut self.buf, field::TRACK_EVENT);
        put_uint(&mut self.buf, field::EVENT_TYPE, type_);
        let uuid = on.unwrap_or(track.uuid);
        if default_track != Some(uuid) {
            put_uint(&mut self.buf, field::EVENT_TRACK_UUID, uuid);
        }
        self.open = Some((packet, event));
    }

    /// Close the `TrackEvent` and its packet, with the interned data it
    /// introduced.
    fn finish_event(&mut self) {
        let Some((packet, event)) = self.open.take() else {
            return;
        };
        end(&mut self.buf, event);
        if !self.interned.is_empty() {
            put_bytes(&mut self.buf, field::INTERNED_DATA, &self.interned);
        }
        end(&mut self.buf, packet);
    }

    /// Id `id` of `table` for the event being built: sent in its packet's
    /// `InternedData` unless its sequence has it.
    fn refer(&mut self, table: usize, id: u64) {
        if self.sequences[self.current].sent[table].insert(id) {
            let entry = begin(&mut self.interned, INTERNED_FIELD[table]);
            put_uint(&mut self.interned, field::INTERNED_IID, id);
            put_bytes(
                &mut self.interned,
                field::INTERNED_VALUE,
                self.tables[table].value(id),
            );
            end(&mut self.interned, entry);
        }
    }

    /// Intern `value` in `table` and refer to it; `None` when the table is
    /// full.
    fn intern(&mut self, table: usize, value: &[u8]) -> Option<u64> {
        let id = self.tables[table].id(value)?;
        self.refer(table, id);
        Some(id)
    }

    fn event_ids(&mut self, record: &Record<'_>) -> &mut EventIds {
        let index = record.index.get();
        if self.by_event.len() <= index {
            self.by_event.resize(index + 1, EventIds::default());
        }
        &mut self.by_event[index]
    }

    /// The name of `record`'s slice (`slice`) or instant.
    fn name(&mut self, record: &Record<'_>, slice: bool, name: &str) {
        let ids = self.event_ids(record);
        let slot = if slice {
            &mut ids.slice_name
        } else {
            &mut ids.instant_name
        };
        let id = match *slot {
            Some(Some(id)) => {
                self.refer(NAMES, id);
                Some(id)
            }
            Some(None) => None,
            None => {
                let id = self.intern(NAMES, name.as_bytes());
                let ids = self.event_ids(record);
                *(if slice {
                    &mut ids.slice_name
                } else {
                    &mut ids.instant_name
                }) = Some(id);
                id
            }
        };
        match id {
            Some(id) => put_uint(&mut self.buf, field::EVENT_NAME_IID, id),
            None => put_str(&mut self.buf, field::EVENT_NAME, name.as_bytes()),
        }
    }

    fn category(&mut self, category: &str) {
        // At most a few categories: never full.
        if let Some(id) = self.intern(CATEGORIES, category.as_bytes()) {
            put_uint(&mut self.buf, field::EVENT_CATEGORY_IIDS, id);
        }
    }

    /// Start a debug annotation named `name` (its value follows, then `end`).
    fn annotation(&mut self, name: &str) -> Open {
        let id = self.intern(ARG_NAMES, name.as_bytes());
        self.annotation_with(id, name)
    }

    /// [`Self::annotation`] with the name's id known (and referred to).
    fn annotation_with(&mut self, id: Option<u64>, name: &str) -> Open {
        let open = begin(&mut self.buf, field::EVENT_DEBUG_ANNOTATIONS);
        match id {
            Some(id) => put_uint(&mut self.buf, field::ANNOTATION_NAME_IID, id),
            None => put_str(&mut self.buf, field::ANNOTATION_NAME, name.as_bytes()),
        }
        open
    }

    fn string_value(&mut self, value: &[u8]) {
        let text = String::from_utf8_lossy(value);
        let id = if INTERN_STRINGS.contains(&text.len()) {
            self.intern(STRINGS, text.as_bytes())
        } else {
            None
        };
        match id {
            Some(id) => put_uint(&mut self.buf, field::ANNOTATION_STRING_IID, id),
            None => put_bytes(&mut self.buf, field::ANNOTATION_STRING, text.as_bytes()),
        }
    }

    /// The record's arguments, typed as declared (as in the JSON outputs),
    /// but the first `skip`.
    fn args(&mut self, record: &Record<'_>, skip: usize) {
        if record.args().len() <= skip {
            return;
        }
        let names = match self.event_ids(record).arg_names.take() {
            Some(names) => names,
            None => record
                .args()
                .map(|(decl, _)| self.tables[ARG_NAMES].id(decl.name.as_bytes()))
                .collect(),
        };
        for id in names.iter().skip(skip).flatten() {
            self.refer(ARG_NAMES, *id);
        }
        for ((decl, value), &id) in record.args().zip(names.iter()).skip(skip) {
            let open = self.annotation_with(id, &decl.name);
            let e = &mut self.buf;
            match (decl.kind, value) {
                (_, Value::Str(s)) => self.string_value(s),
                (ArgKind::Int(ty), Value::Int(v)) => {
                    let shift = 64 - u32::from(ty.bits.clamp(1, 64));
                    if ty.signed {
                        put_int(e, field::ANNOTATION_INT, ((v << shift) as i64) >> shift);
                    } else {
                        put_uint(e, field::ANNOTATION_UINT, (v << shift) >> shift);
                    }
                }
                (ArgKind::Bool, Value::Int(v)) => put_bool(e, field::ANNOTATION_BOOL, v != 0),
                (ArgKind::Pointer | ArgKind::Str, Value::Int(v)) => {
                    put_uint(e, field::ANNOTATION_POINTER, v)
                }
            }
            end(&mut self.buf, open);
        }
        self.event_ids(record).arg_names = Some(names);
    }
}

/// How many of an exit's first arguments its slice's end leaves out: the
/// call's id, which paired it (the begin carries it), and after it a
/// `bool returned` that is true (`#[traced]`'s exits: the slice ended by a
/// return; `returned: false`, an unwinding panic or a dropped future, is
/// kept). 6 bytes an exit, about 6% of a traced program's file.
fn known_args(closed: &Closed, exit: &Record<'_>) -> usize {
    let mut args = exit.args();
    let id_first = matches!(
        (closed.call.id, args.next()),
        (Some(id), Some((_, Value::Int(first)))) if first == id
    );
    if !id_first {
        return 0;
    }
    match args.next() {
        Some((decl, Value::Int(1))) if decl.kind == ArgKind::Bool && decl.name == RETURNED => 2,
        _ => 1,
    }
}

impl<W: Write> Draw for PerfettoProto<W> {
    fn process(&mut self, pid: u32) {
        let uuid = self.new_uuid();
        self.describe(uuid, |b| {
            let process = begin(b, field::TRACK_PROCESS);
            put_int(b, field::PROCESS_PID, i64::from(pid as i32));
            put_str(b, field::PROCESS_NAME, format!("pid {pid}").as_bytes());
            end(b, process);
        });
    }

    fn thread(&mut self, (pid, tid): TrackKey, name: &str) {
        let track = match self.threads.get_mut((pid, tid)) {
            Some(&mut track) => track,
            None => {
                let uuid = self.new_uuid();
                let sequence = if self.sequences.len() <= MAX_SEQUENCES {
                    let id = SHARED_SEQUENCE_ID + self.sequences.len() as u64;
                    self.sequences.push(Sequence::new(id, Some(uuid)));
                    self.sequences.len() - 1
                } else {
                    0
                };
                let track = ThreadTrack { uuid, sequence };
                self.threads.insert((pid, tid), track);
                track
            }
        };
        self.describe(track.uuid, |b| {
            let thread = begin(b, field::TRACK_THREAD);
            // int32 in the schema, as Linux pids and tids are.
            put_int(b, field::THREAD_PID, i64::from(pid as i32));
            put_int(b, field::THREAD_TID, i64::from(tid as i32));
            put_str(b, field::THREAD_NAME, name.as_bytes());
            end(b, thread);
        });
    }

    fn begin(&mut self, key: TrackKey, ts: u64, call: Call, name: &str, enter: &Record<'_>) {
        let lane = match (call.is_async, call.id) {
            (true, Some(id)) => Some(self.open_lane(key, id, ts)),
            _ => None,
        };
        self.start_event(key, lane, field::TYPE_SLICE_BEGIN, ts);
        self.name(enter, true, name);
        self.args(enter, 0);
        self.finish_event();
    }

    fn end(&mut self, closed: &Closed, _name: &str, exit: Option<&Record<'_>>) {
        let lane = match (closed.call.is_async, closed.call.id) {
            (true, Some(id)) => self.close_lane(closed.track.0, id, closed.end),
            _ => None,
        };
        self.start_event(closed.track, lane, field::TYPE_SLICE_END, closed.end);
        match (closed.ending, exit) {
            (Ending::Exit, Some(record)) => self.args(record, known_args(closed, record)),
            (Ending::CutByDrop, _) => {
                let open = self.annotation("cut_by_drop");
                put_bool(&mut self.buf, field::ANNOTATION_BOOL, true);
                end(&mut self.buf, open);
            }
            _ => {
                let open = self.annotation("unclosed");
                self.string_value(b"closed without its exit");
                end(&mut self.buf, open);
            }
        }
        self.finish_event();
    }

    fn instant(&mut self, key: TrackKey, ts: u64, why: Instant, record: &Record<'_>) {
        self.start_event(key, None, field::TYPE_INSTANT, ts);
        self.name(record, false, record.name());
        if why == Instant::UnmatchedExit {
            self.category("unmatched_exit");
        }
        self.args(record, 0);
        self.finish_event();
    }

    fn dropped(&mut self, key: TrackKey, ts: u64, count: u64) {
        self.start_event(key, None, field::TYPE_INSTANT, ts);
        // Not interned: one name per count.
        let name = format!("dropped {count} events");
        put_str(&mut self.buf, field::EVENT_NAME, name.as_bytes());
        self.category("dropped");
        let open = self.annotation("dropped");
        put_uint(&mut self.buf, field::ANNOTATION_UINT, count);
        end(&mut self.buf, open);
        self.finish_event();
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        write_if_full(&mut self.out, &mut self.buf, FLUSH_AT)
    }

    fn finish(&mut self, _dropped: Option<u64>) -> io::Result<()> {
        write_rest(&mut self.out, &mut self.buf)
    }
}
