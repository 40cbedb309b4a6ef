//! Typed records, borrowed from the reader's buffer (no allocation) or owned.

use trace_events::v4::decode;
use trace_events::{Arg, ArgKind, Event, OwnedValue, Value};

use crate::events::{EventIndex, EventTable};

/// An event record (dropped records included), borrowed from the reader.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    /// Byte offset of the record (its type word) in the file.
    pub offset: u64,
    /// The event id as written in the file.
    pub id: u64,
    /// When the event was recorded, as the writer's clock gave it (QEMU and our
    /// runtime: CLOCK_MONOTONIC nanoseconds).
    pub timestamp_ns: u64,
    /// The recording process's id, as written in the record.
    pub pid: u32,
    /// The declared event; `Dropped_Event(uint64_t num_events_dropped)` for a
    /// dropped record.
    pub event: &'a Event,
    /// `event`'s index in the reader's table: the key of per-event caches.
    pub index: EventIndex,
    /// The argument bytes, already checked against `event`'s arguments.
    pub(crate) arg_bytes: &'a [u8],
    /// The table `event` belongs to, as the reader knows it at this record.
    pub(crate) table: &'a EventTable,
}

impl std::fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("offset", &self.offset)
            .field("id", &self.id)
            .field("timestamp_ns", &self.timestamp_ns)
            .field("pid", &self.pid)
            .field("event", &self.event.name)
            .field("index", &self.index)
            .field("args", &self.args().map(|(_, v)| v).collect::<Vec<_>>())
            .finish()
    }
}

impl<'a> Record<'a> {
    /// Every event known when this record was read (the trace may declare
    /// more later).
    pub fn events(&self) -> &'a EventTable {
        self.table
    }

    /// The event's name.
    pub fn name(&self) -> &'a str {
        &self.event.name
    }

    /// Whether this record says events were lost (`Dropped_Event`) rather than
    /// that one happened.
    pub fn is_dropped(&self) -> bool {
        self.id == trace_events::v4::DROPPED_EVENT_ID
    }

    /// How many events were lost before this dropped record.
    pub fn dropped_count(&self) -> Option<u64> {
        if !self.is_dropped() {
            return None;
        }
        decode::dropped_count(self.arg_bytes)
    }

    /// The arguments with their declarations, in order.
    pub fn args(&self) -> Args<'a> {
        Args {
            decls: self.event.args.iter(),
            bytes: self.arg_bytes,
        }
    }

    /// Copy the record out of the reader's buffer, to keep it past the next
    /// record.
    pub fn to_owned(&self) -> OwnedRecord {
        OwnedRecord {
            offset: self.offset,
            id: self.id,
            timestamp_ns: self.timestamp_ns,
            pid: self.pid,
            name: self.event.name.clone(),
            index: self.index,
            args: self.args().map(|(_, v)| v.to_owned()).collect(),
        }
    }
}

/// Iterator over a record's arguments.
#[derive(Debug, Clone)]
pub struct Args<'a> {
    decls: std::slice::Iter<'a, Arg>,
    bytes: &'a [u8],
}

impl<'a> Iterator for Args<'a> {
    type Item = (&'a Arg, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let decl = self.decls.next()?;
        let value = checked_arg(&mut self.bytes, decl.kind == ArgKind::Str);
        Some((decl, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.decls.size_hint()
    }
}

impl ExactSizeIterator for Args<'_> {}

/// The next argument of a record the reader checked: an argument that does
/// not fit cannot happen, and reads as zero or empty if it did.
#[inline(always)]
pub(crate) fn checked_arg<'a>(bytes: &mut &'a [u8], is_string: bool) -> Value<'a> {
    match decode::next_arg(bytes, is_string) {
        Some(value) => value,
        None if is_string => Value::Str(&[]),
        None => Value::Int(0),
    }
}

/// An owned record, for iterator-style use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    /// As [`Record::offset`].
    pub offset: u64,
    /// As [`Record::id`].
    pub id: u64,
    /// As [`Record::timestamp_ns`].
    pub timestamp_ns: u64,
    /// As [`Record::pid`].
    pub pid: u32,
    /// The event's name.
    pub name: String,
    /// As [`Record::index`].
    pub index: EventIndex,
    /// The argument values in declaration order.
    pub args: Vec<OwnedValue>,
}
