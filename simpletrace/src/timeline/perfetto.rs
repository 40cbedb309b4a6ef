//! Perfetto's native trace format: a `Trace` message written as it streams,
//! one `TracePacket` at a time (the file is just `repeated TracePacket packet
//! = 1`). What [`Walk`] draws becomes `TrackEvent`s on one packet sequence:
//! a `TrackDescriptor` per process and per thread (pid, tid, thread name),
//! `TYPE_SLICE_BEGIN`/`TYPE_SLICE_END` for calls, `TYPE_INSTANT` for the
//! other records and for dropped records (named `dropped N events`), the
//! records' arguments as debug annotations. Event names, argument names,
//! categories and short string values are interned (`InternedData`, sent
//! once in the first packet that uses them): the sequence's first packet
//! says `SEQ_INCREMENTAL_STATE_CLEARED` and every event packet
//! `SEQ_NEEDS_INCREMENTAL_STATE`. Memory is bounded: the output buffer, the
//! tracks and the intern tables (beyond their caps values are written
//! inline).
//!
//! Field numbers are from Perfetto's `perfetto_trace.proto` (as shipped in
//! the `perfetto` Python package); `tests/perfetto_check.py` decodes the
//! output with that schema.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::{self, Write};

use trace_events::ArgKind;

use super::protobuf::{begin, end, put_bool, put_bytes, put_int, put_str, put_uint};
use super::tracks::{Closed, TrackKey, MAX_TRACKS};
use super::walk::{Draw, Instant, Walk};
use crate::{Record, Value};

/// Field numbers from Perfetto's schema, by message.
mod field {
    /// `Trace`.
    pub const TRACE_PACKET: u32 = 1;

    /// `TracePacket`.
    pub const TIMESTAMP: u32 = 8;
    pub const TRUSTED_PACKET_SEQUENCE_ID: u32 = 10;
    pub const TRACK_EVENT: u32 = 11;
    pub const INTERNED_DATA: u32 = 12;
    pub const SEQUENCE_FLAGS: u32 = 13;
    pub const TRACK_DESCRIPTOR: u32 = 60;

    /// `TrackDescriptor`.
    pub const TRACK_UUID: u32 = 1;
    pub const TRACK_NAME: u32 = 2;
    pub const TRACK_PROCESS: u32 = 3;
    pub const TRACK_THREAD: u32 = 4;

    /// `ProcessDescriptor`.
    pub const PROCESS_PID: u32 = 1;
    pub const PROCESS_NAME: u32 = 6;

    /// `ThreadDescriptor`.
    pub const THREAD_PID: u32 = 1;
    pub const THREAD_TID: u32 = 2;
    pub const THREAD_NAME: u32 = 5;

    /// `TrackEvent`.
    pub const EVENT_CATEGORY_IIDS: u32 = 3;
    pub const EVENT_DEBUG_ANNOTATIONS: u32 = 4;
    pub const EVENT_TYPE: u32 = 9;
    pub const EVENT_NAME_IID: u32 = 10;
    pub const EVENT_TRACK_UUID: u32 = 11;
    pub const EVENT_NAME: u32 = 23;

    /// `DebugAnnotation`.
    pub const ANNOTATION_NAME_IID: u32 = 1;
    pub const ANNOTATION_BOOL: u32 = 2;
    pub const ANNOTATION_UINT: u32 = 3;
    pub const ANNOTATION_INT: u32 = 4;
    pub const ANNOTATION_STRING: u32 = 6;
    pub const ANNOTATION_POINTER: u32 = 7;
    pub const ANNOTATION_NAME: u32 = 10;
    pub const ANNOTATION_STRING_IID: u32 = 17;

    /// `InternedData`.
    pub const INTERNED_CATEGORIES: u32 = 1;
    pub const INTERNED_EVENT_NAMES: u32 = 2;
    pub const INTERNED_ANNOTATION_NAMES: u32 = 3;
    pub const INTERNED_STRING_VALUES: u32 = 29;

    /// `EventCategory`, `EventName`, `DebugAnnotationName` and
    /// `InternedString` (whose `str` is field 2 too).
    pub const INTERNED_IID: u32 = 1;
    pub const INTERNED_VALUE: u32 = 2;
}

/// `TrackEvent.Type`.
const TYPE_SLICE_BEGIN: u64 = 1;
const TYPE_SLICE_END: u64 = 2;
const TYPE_INSTANT: u64 = 3;

/// `TracePacket.SequenceFlags`.
const SEQ_INCREMENTAL_STATE_CLEARED: u64 = 1;
const SEQ_NEEDS_INCREMENTAL_STATE: u64 = 2;

/// Our one packet sequence (1 is the tracing service's own).
const SEQUENCE_ID: u64 = 2;

/// The buffer is written out once it holds this much.
const FLUSH_AT: usize = 1 << 20;
/// Entries each intern table holds at most.
const MAX_INTERNED: usize = 1 << 16;
/// String values interned: shorter ones cost less inline, longer ones are
/// rarely repeated.
const INTERN_STRINGS: std::ops::RangeInclusive<usize> = 3..=128;

/// A [`crate::Consumer`] writing a Perfetto protobuf trace to `W`.
pub type PerfettoTrace<W> = Walk<PerfettoProto<W>>;

impl<W: Write> PerfettoTrace<W> {
    pub fn new(out: W) -> Self {
        Walk::with(PerfettoProto {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            event: Vec::new(),
            interned: Vec::new(),
            first: true,
            next_uuid: 1,
            threads: HashMap::new(),
            overflow: None,
            names: Interner::default(),
            arg_names: Interner::default(),
            strings: Interner::default(),
            categories: Interner::default(),
            by_event: Vec::new(),
        })
    }

    /// Write what is buffered and return the writer (after [`crate::Consumer::end`]).
    pub fn into_inner(self) -> io::Result<W> {
        let mut proto = self.into_draw();
        proto.out.write_all(&proto.buf)?;
        proto.buf.clear();
        proto.out.flush()?;
        Ok(proto.out)
    }
}

/// Interning ids by value, up to [`MAX_INTERNED`].
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<[u8]>, u64, KeyedHash>,
}

impl Interner {
    /// The id of `value`, and whether it is new (to be sent in this packet's
    /// `InternedData`); `None` when the table is full and `value` new.
    fn id(&mut self, value: &[u8]) -> Option<(u64, bool)> {
        if let Some(&id) = self.ids.get(value) {
            return Some((id, false));
        }
        if self.ids.len() >= MAX_INTERNED {
            return None;
        }
        // Ids start at 1: 0 means "not set" to Perfetto.
        let id = self.ids.len() as u64 + 1;
        self.ids.insert(value.into(), id);
        Some((id, true))
    }
}

/// A multiply-rotate hash over 8-byte words, several times faster than
/// SipHash on the short strings interned, keyed per run so a trace cannot
/// be built to collide.
#[derive(Clone)]
struct KeyedHash(u64);

impl Default for KeyedHash {
    fn default() -> Self {
        Self(std::collections::hash_map::RandomState::new().hash_one(0u8) | 1)
    }
}

impl std::hash::BuildHasher for KeyedHash {
    type Hasher = WordHasher;

    fn build_hasher(&self) -> WordHasher {
        WordHasher(self.0)
    }
}

struct WordHasher(u64);

impl WordHasher {
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0; 8];
            w.copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0; 8];
        w[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(w) ^ (rest.len() as u64) << 59);
    }

    fn write_usize(&mut self, n: usize) {
        self.word(n as u64);
    }

    fn finish(&self) -> u64 {
        // Fold the high bits (the best mixed) into the low ones, which pick
        // the bucket.
        self.0 ^ self.0 >> 29
    }
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
    /// Whole packets, written out at [`FLUSH_AT`].
    buf: Vec<u8>,
    /// The `TrackEvent` being built.
    event: Vec<u8>,
    /// The `InternedData` entries it introduces.
    interned: Vec<u8>,
    first: bool,
    next_uuid: u64,
    /// Track of each named thread.
    threads: HashMap<TrackKey, u64>,
    /// The track of threads beyond [`MAX_TRACKS`], once used.
    overflow: Option<u64>,
    names: Interner,
    arg_names: Interner,
    strings: Interner,
    categories: Interner,
    /// By event index (bounded by the event table).
    by_event: Vec<EventIds>,
}

impl<W: Write> PerfettoProto<W> {
    fn new_uuid(&mut self) -> u64 {
        let uuid = self.next_uuid;
        self.next_uuid += 1;
        uuid
    }

    /// `TracePacket` header fields: the sequence, and its flags.
    fn open_packet(&mut self, needs_state: bool) -> super::protobuf::Open {
        let open = begin(&mut self.buf, field::TRACE_PACKET);
        put_uint(&mut self.buf, field::TRUSTED_PACKET_SEQUENCE_ID, SEQUENCE_ID);
        let mut flags = 0;
        if std::mem::take(&mut self.first) {
            flags |= SEQ_INCREMENTAL_STATE_CLEARED;
        }
        if needs_state {
            flags |= SEQ_NEEDS_INCREMENTAL_STATE;
        }
        if flags != 0 {
            put_uint(&mut self.buf, field::SEQUENCE_FLAGS, flags);
        }
        open
    }

    /// A packet with a `TrackDescriptor` of `uuid`; `body` writes its other
    /// fields.
    fn describe(&mut self, uuid: u64, body: impl FnOnce(&mut Vec<u8>)) {
        let packet = self.open_packet(false);
        let track = begin(&mut self.buf, field::TRACK_DESCRIPTOR);
        put_uint(&mut self.buf, field::TRACK_UUID, uuid);
        body(&mut self.buf);
        end(&mut self.buf, track);
        end(&mut self.buf, packet);
    }

    fn track(&mut self, key: TrackKey) -> u64 {
        if let Some(&uuid) = self.threads.get(&key) {
            return uuid;
        }
        if let Some(uuid) = self.overflow {
            return uuid;
        }
        let uuid = self.new_uuid();
        self.overflow = Some(uuid);
        self.describe(uuid, |b| {
            let name = format!("(threads beyond the first {MAX_TRACKS})");
            put_str(b, field::TRACK_NAME, name.as_bytes());
        });
        uuid
    }

    /// Start the `TrackEvent` of `type_` on `key`'s track.
    fn start_event(&mut self, key: TrackKey, type_: u64) {
        let uuid = self.track(key);
        self.event.clear();
        self.interned.clear();
        put_uint(&mut self.event, field::EVENT_TYPE, type_);
        put_uint(&mut self.event, field::EVENT_TRACK_UUID, uuid);
    }

    /// Intern `value` in `table`, recording a new entry in this packet's
    /// `InternedData` under `entry_field`.
    fn intern(
        table: &mut Interner,
        interned: &mut Vec<u8>,
        entry_field: u32,
        value: &[u8],
    ) -> Option<u64> {
        let (id, new) = table.id(value)?;
        if new {
            let entry = begin(interned, entry_field);
            put_uint(interned, field::INTERNED_IID, id);
            put_bytes(interned, field::INTERNED_VALUE, value);
            end(interned, entry);
        }
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
        let cached = if slice {
            ids.slice_name
        } else {
            ids.instant_name
        };
        let id = match cached {
            Some(id) => id,
            None => {
                let id = Self::intern(
                    &mut self.names,
                    &mut self.interned,
                    field::INTERNED_EVENT_NAMES,
                    name.as_bytes(),
                );
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
            Some(id) => put_uint(&mut self.event, field::EVENT_NAME_IID, id),
            None => put_str(&mut self.event, field::EVENT_NAME, name.as_bytes()),
        }
    }

    fn category(&mut self, category: &str) {
        let id = Self::intern(
            &mut self.categories,
            &mut self.interned,
            field::INTERNED_CATEGORIES,
            category.as_bytes(),
        );
        // At most a few categories: never full.
        if let Some(id) = id {
            put_uint(&mut self.event, field::EVENT_CATEGORY_IIDS, id);
        }
    }

    fn arg_name_id(&mut self, name: &str) -> Option<u64> {
        Self::intern(
            &mut self.arg_names,
            &mut self.interned,
            field::INTERNED_ANNOTATION_NAMES,
            name.as_bytes(),
        )
    }

    /// Start a debug annotation named `name` (its value follows, then `end`).
    fn annotation(&mut self, name: &str) -> super::protobuf::Open {
        let id = self.arg_name_id(name);
        self.annotation_with(id, name)
    }

    /// [`Self::annotation`] with the name's id known.
    fn annotation_with(&mut self, id: Option<u64>, name: &str) -> super::protobuf::Open {
        let open = begin(&mut self.event, field::EVENT_DEBUG_ANNOTATIONS);
        match id {
            Some(id) => put_uint(&mut self.event, field::ANNOTATION_NAME_IID, id),
            None => put_str(&mut self.event, field::ANNOTATION_NAME, name.as_bytes()),
        }
        open
    }

    fn string_value(&mut self, value: &[u8]) {
        let text = String::from_utf8_lossy(value);
        let id = if INTERN_STRINGS.contains(&text.len()) {
            Self::intern(
                &mut self.strings,
                &mut self.interned,
                field::INTERNED_STRING_VALUES,
                text.as_bytes(),
            )
        } else {
            None
        };
        match id {
            Some(id) => put_uint(&mut self.event, field::ANNOTATION_STRING_IID, id),
            None => put_bytes(&mut self.event, field::ANNOTATION_STRING, text.as_bytes()),
        }
    }

    /// The record's arguments, typed as declared (as in the JSON outputs).
    fn args(&mut self, record: &Record<'_>) {
        if record.args().len() == 0 {
            return;
        }
        let names = match self.event_ids(record).arg_names.take() {
            Some(names) => names,
            None => record
                .args()
                .map(|(decl, _)| self.arg_name_id(&decl.name))
                .collect(),
        };
        for ((decl, value), &id) in record.args().zip(names.iter()) {
            let open = self.annotation_with(id, &decl.name);
            let e = &mut self.event;
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
            end(&mut self.event, open);
        }
        self.event_ids(record).arg_names = Some(names);
    }

    /// The packet of the `TrackEvent` built, at `ts`.
    fn finish_event(&mut self, ts: u64) {
        let packet = self.open_packet(true);
        put_uint(&mut self.buf, field::TIMESTAMP, ts);
        if !self.interned.is_empty() {
            put_bytes(&mut self.buf, field::INTERNED_DATA, &self.interned);
        }
        put_bytes(&mut self.buf, field::TRACK_EVENT, &self.event);
        end(&mut self.buf, packet);
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
        let uuid = match self.threads.get(&(pid, tid)) {
            Some(&uuid) => uuid,
            None => {
                let uuid = self.new_uuid();
                self.threads.insert((pid, tid), uuid);
                uuid
            }
        };
        self.describe(uuid, |b| {
            let thread = begin(b, field::TRACK_THREAD);
            // int32 in the schema, as Linux pids and tids are.
            put_int(b, field::THREAD_PID, i64::from(pid as i32));
            put_int(b, field::THREAD_TID, i64::from(tid as i32));
            put_str(b, field::THREAD_NAME, name.as_bytes());
            end(b, thread);
        });
    }

    fn begin(&mut self, key: TrackKey, ts: u64, name: &str, enter: &Record<'_>) {
        self.start_event(key, TYPE_SLICE_BEGIN);
        self.name(enter, true, name);
        self.args(enter);
        self.finish_event(ts);
    }

    fn end(&mut self, closed: &Closed, _name: &str, exit: Option<&Record<'_>>) {
        self.start_event(closed.track, TYPE_SLICE_END);
        match exit {
            Some(record) => self.args(record),
            None => {
                let open = self.annotation("unclosed");
                self.string_value(b"closed without its exit");
                end(&mut self.event, open);
            }
        }
        self.finish_event(closed.end);
    }

    fn instant(&mut self, key: TrackKey, ts: u64, why: Instant, record: &Record<'_>) {
        self.start_event(key, TYPE_INSTANT);
        self.name(record, false, record.name());
        if why == Instant::UnmatchedExit {
            self.category("unmatched_exit");
        }
        self.args(record);
        self.finish_event(ts);
    }

    fn dropped(&mut self, key: TrackKey, ts: u64, count: u64) {
        self.start_event(key, TYPE_INSTANT);
        // Not interned: one name per count.
        let name = format!("dropped {count} events");
        put_str(&mut self.event, field::EVENT_NAME, name.as_bytes());
        self.category("dropped");
        let open = self.annotation("dropped");
        put_uint(&mut self.event, field::ANNOTATION_UINT, count);
        end(&mut self.event, open);
        self.finish_event(ts);
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(&mut self, _dropped: u64) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}
