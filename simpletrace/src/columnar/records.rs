//! The records table's rows: one per event record, dropped records
//! included; the runtime's own records (`trace_thread`, `trace_event_decl`)
//! are not rows (their content is the `tid` and `thread` columns) but are
//! counted by `seq`.

use super::columns::{CachedKey, Dict, Ints, NO_ID};
use super::pipeline::Batch;
use super::raw_args::{ArgsEncoder, EventDecls, RawArgs};
use super::source::{RowThread, Source, SourceColumns, SourceKeys};
use super::table::Chunks;
use super::ExportError;
use crate::Record;

/// A batch is taken once its strings reach this many bytes (whatever its
/// rows): memory stays bounded (one record holds at most
/// [`crate::MAX_RECORD_LEN`] bytes).
pub(crate) const MAX_BATCH_BYTES: usize = 64 << 20;

/// Whether a batch is due: `batch_rows` rows, or [`MAX_BATCH_BYTES`] of
/// variable-length data (`bytes`) in them.
#[inline]
pub(crate) fn batch_due(rows: usize, bytes: usize, batch_rows: usize) -> bool {
    rows >= batch_rows || bytes >= MAX_BATCH_BYTES
}

/// Dictionary keys of one file's records, cached across rows.
#[derive(Debug, Default)]
pub(crate) struct RecordKeys {
    pub source: SourceKeys,
    /// By event index.
    events: Vec<EventKey>,
    /// The names of the events with rows, end to end: a batch's first look
    /// at thousands of names reads one buffer, not thousands of allocations.
    names: String,
    decls: EventDecls,
}

/// One event of a file, as its rows are keyed.
#[derive(Debug, Clone)]
struct EventKey {
    /// The batch's key of the event's name.
    cache: CachedKey,
    /// The id that names it for the whole export ([`EventIds`]).
    id: u32,
    /// Where its name is in [`RecordKeys::names`].
    name: std::ops::Range<usize>,
    /// Whether `id` and `name` are set (at the event's first row).
    known: bool,
}

const NO_KEY: EventKey = EventKey {
    cache: CachedKey::NONE,
    id: NO_ID,
    name: 0..0,
    known: false,
};

/// Ids for the event names of every file of one export: one per event of
/// each file, so that an id names one string (`Dict::cached_key_of`).
#[derive(Debug, Default)]
pub(crate) struct EventIds {
    next: u32,
}

impl EventIds {
    fn next(&mut self) -> u32 {
        let id = self.next;
        // Past 2^32 - 1 events, names are found by hash (`NO_ID`).
        self.next = self.next.saturating_add(1);
        id
    }
}

#[derive(Debug)]
pub(crate) struct RecordRows {
    source: SourceColumns,
    seq: Ints,
    ts: Ints,
    event_id: Ints,
    event: Dict,
    dropped: Ints,
    args: RawArgs,
    rows: usize,
}

impl Default for RecordRows {
    fn default() -> Self {
        Self {
            source: SourceColumns::default(),
            seq: Ints::default(),
            ts: Ints::default(),
            event_id: Ints::default(),
            event: Dict::new(false),
            dropped: Ints::nullable(),
            args: RawArgs::default(),
            rows: 0,
        }
    }
}

impl RecordRows {
    /// `record`, the `seq`th of its file, as a row.
    #[inline]
    pub fn push(
        &mut self,
        source: &Source,
        keys: &mut RecordKeys,
        ids: &mut EventIds,
        record: &Record<'_>,
        thread: RowThread<'_>,
        seq: u64,
    ) {
        self.source
            .push(source, &mut keys.source, record.pid, thread);
        self.seq.push(seq as i64);
        self.ts.push(record.timestamp_ns as i64);
        // The dropped record's id (2^64 - 2) reads -2.
        self.event_id.push(record.id as i64);
        let index = record.index.get();
        if keys.events.len() <= index {
            keys.events.resize(index + 1, NO_KEY);
        }
        let (event, names) = (&mut keys.events[index], &mut keys.names);
        if !event.known {
            event.known = true;
            event.id = ids.next();
            let start = names.len();
            names.push_str(record.name());
            event.name = start..names.len();
        }
        let name = &names[event.name.clone()];
        let event = self.event.cached_key_of(&mut event.cache, name, event.id);
        self.event.push(event);
        match record.dropped_count() {
            Some(count) => {
                // Counts past 2^63 - 1 (only a corrupt trace says so) saturate.
                self.dropped.push(i64::try_from(count).unwrap_or(i64::MAX));
                self.args.push_null();
            }
            None => {
                self.dropped.push_opt(None);
                let (event, decls) = keys.decls.of(record);
                self.args.push(event, decls, record.arg_bytes);
            }
        }
        self.rows += 1;
    }

    /// Enough rows (or bytes) for a batch.
    #[inline]
    pub fn is_full(&self, batch_rows: usize) -> bool {
        let bytes = self.args.bytes() + self.event.bytes() + self.source.bytes();
        batch_due(self.rows, bytes, batch_rows)
    }
}

impl Batch for RecordRows {
    type Encoder = ArgsEncoder;

    fn rows(&self) -> usize {
        self.rows
    }

    /// Write the rows so far to the columns of `out`
    /// ([`super::records_schema`]'s, in order), leaving none.
    fn write(&mut self, args: &mut ArgsEncoder, out: &mut Chunks) -> Result<(), ExportError> {
        self.rows = 0;
        self.source.write(out)?;
        self.seq.write(out)?;
        self.ts.write(out)?;
        self.event_id.write(out)?;
        self.event.write(out)?;
        self.dropped.write(out)?;
        self.args.write(args, out)
    }
}
