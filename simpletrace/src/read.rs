//! The v4 trace reader: checks the header, then decodes records one at a time
//! from a chunked buffer, following mapping records.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use trace_events::v4::decode::{self, EventHead, RecordKind, EVENT_RECORD_HEAD_LEN as HEAD};
use trace_events::v4::{self, DECL_EVENT};

use crate::buffer::{ByteSource, DEFAULT_CAPACITY};
use crate::error::ReadError;
use crate::events::{EventIndex, EventTable};
use crate::learn::{parse_declaration, MAX_LEARNED_EVENTS};
use crate::mappings::{Mappings, Slot, MAX_UNDECLARED_NAME_BYTES};
use crate::record::{OwnedRecord, Record};

/// Longest event record accepted (length field). Real records are at most
/// 24 + 10 * (4 + 512) = 5,184 bytes; this bounds memory against lying lengths.
pub const MAX_RECORD_LEN: usize = 1 << 20;
/// Longest event name accepted in a mapping record.
pub const MAX_NAME_LEN: usize = 4096;

/// Decodes a version-4 trace from any `Read`.
///
/// The table always includes the runtime's own events, and the reader learns
/// the events a self-describing trace declares in `trace_event_decl` records
/// (declarations in the given table win over the trace's).
pub struct Reader<R> {
    src: ByteSource<R>,
    table: EventTable,
    mappings: Mappings,
    /// `trace_event_decl`, when the table has it with its built-in shape.
    decl_index: Option<EventIndex>,
    learned: usize,
    /// Set after an error or the end: later calls return `Ok(None)`.
    done: bool,
    /// The input is a file still being written ([`Reader::growing`]): its
    /// end inside the header or a record means "not yet", not truncation.
    growing: bool,
    /// The header is still to be read (a growing file's first bytes).
    header_pending: bool,
    /// `done || header_pending`: the fast path tests one flag.
    slow_only: bool,
}

impl Reader<File> {
    /// Open `path` and check its header.
    pub fn open(path: impl AsRef<Path>, table: EventTable) -> Result<Self, ReadError> {
        Self::new(File::open(path)?, table)
    }
}

impl<R: Read> Reader<R> {
    /// Read and check the file header (version 4).
    pub fn new(input: R, table: EventTable) -> Result<Self, ReadError> {
        let mut reader = Self::with_mappings(input, table, Mappings::default());
        reader.read_header()?;
        Ok(reader)
    }

    /// No header; ids are positions in the event table (simpletrace.py's
    /// `--no-header`). Mapping records in the file still apply.
    pub fn headerless(input: R, table: EventTable) -> Self {
        // Positions are those of the given table, before the runtime's events.
        let mappings = Mappings::by_position(&table);
        Self::with_mappings(input, table, mappings)
    }

    fn with_mappings(input: R, table: EventTable, mappings: Mappings) -> Self {
        let table = table.with_runtime_events();
        let decl_index = table
            .find(DECL_EVENT)
            .filter(|&i| v4::is_id_and_text(table.event(i)));
        Self {
            src: ByteSource::new(input, DEFAULT_CAPACITY),
            table,
            mappings,
            decl_index,
            learned: 0,
            done: false,
            growing: false,
            header_pending: false,
            slow_only: false,
        }
    }

    /// A trace still being written, read as `tail -f` does: where the input
    /// ends inside the header or a record (the writer's write landed in
    /// part, or not yet), [`Reader::next_record`] returns `Ok(None)` and
    /// leaves those bytes unread; a later call reads on once the file has
    /// grown. The header is read by the first call that finds it whole.
    /// Corrupt data is still an error. Call [`Reader::finish_growing`] once
    /// the writer is gone: the input's end is then the trace's end.
    pub fn growing(input: R, table: EventTable) -> Self {
        let mut reader = Self::with_mappings(input, table, Mappings::default());
        reader.growing = true;
        reader.header_pending = true;
        reader.slow_only = true;
        reader
    }

    /// [`Reader::growing`] for a file without header ([`Reader::headerless`]).
    pub fn headerless_growing(input: R, table: EventTable) -> Self {
        let mut reader = Self::headerless(input, table);
        reader.growing = true;
        reader
    }

    /// The writer of a [`Reader::growing`] trace is gone: from now on the
    /// end of the input ends the trace, and a record it cuts short is
    /// reported as truncated (as for a finished file).
    pub fn finish_growing(&mut self) {
        self.growing = false;
        self.src.resume();
    }

    /// The events records are decoded against: those given, the runtime's own,
    /// and those the trace has declared so far.
    pub fn events(&self) -> &EventTable {
        &self.table
    }

    /// Byte offset of the next record.
    pub fn offset(&self) -> u64 {
        self.src.offset()
    }

    fn read_header(&mut self) -> Result<(), ReadError> {
        decode::file_header(self.src.fill(v4::HEADER_LEN)?)?;
        self.src.take(v4::HEADER_LEN);
        Ok(())
    }

    /// The next event record, `Ok(None)` at the end. After an error (a
    /// truncated last record included) the reader is finished.
    // Inlined so that the record stays in registers: returned through memory
    // it is re-read in wider loads than it was written, which stalls.
    #[inline(always)]
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, ReadError> {
        match self.buffered_event() {
            Some((len, index)) => Ok(Some(self.decode_taken(len, index))),
            None => self.next_record_in_full(),
        }
    }

    /// The common case, checked without a call: the next record is an event
    /// record already in the buffer, valid, and not a declaration. Anything
    /// else (`None`) takes the general path, which decides the same way.
    #[inline]
    fn buffered_event(&self) -> Option<(usize, EventIndex)> {
        let bytes = self.src.available();
        let head = decode::event_head(bytes)?;
        if self.slow_only || decode::record_kind(bytes) != Some(RecordKind::Event) {
            return None;
        }
        let total = record_len(head)?;
        let index = if head.is_dropped() {
            self.table.dropped_index()
        } else {
            match self.mappings.declared(head.id) {
                Some(index) if Some(index) != self.decl_index => index,
                _ => return None,
            }
        };
        let body = bytes.get(HEAD..total)?;
        match self.table.args_len(index, body) {
            Ok(n) if n == body.len() => Some((total, index)),
            _ => None,
        }
    }

    #[inline(never)]
    fn next_record_in_full(&mut self) -> Result<Option<Record<'_>>, ReadError> {
        if self.done {
            return Ok(None);
        }
        if self.header_pending {
            match self.read_header() {
                Ok(()) => {
                    self.header_pending = false;
                    self.slow_only = false;
                }
                Err(ReadError::ShortHeader { .. }) if self.growing => return Ok(self.wait()),
                Err(e) => return Err(self.finish(e)),
            }
        }
        let learned = match self.advance() {
            Ok(Some((len, index))) if Some(index) == self.decl_index => {
                self.learn(len).map(|()| Some((len, index)))
            }
            other => other,
        };
        match learned {
            Ok(Some((len, index))) => Ok(Some(self.decode_taken(len, index))),
            Ok(None) if self.growing => Ok(self.wait()),
            Err(e) if self.growing && e.is_truncation() => Ok(self.wait()),
            Ok(None) => {
                self.done = true;
                self.slow_only = true;
                Ok(None)
            }
            Err(e) => Err(self.finish(e)),
        }
    }

    /// A growing trace has no more whole record for now: what was read of
    /// the next one stays buffered, unconsumed, and the next call reads on.
    #[cold]
    fn wait(&mut self) -> Option<Record<'_>> {
        self.src.resume();
        None
    }

    /// Stop after `error`: later calls return `Ok(None)`.
    #[cold]
    fn finish(&mut self, error: ReadError) -> ReadError {
        self.done = true;
        self.slow_only = true;
        error
    }

    /// Skip mapping records up to the next event record, validate it and
    /// leave it unconsumed; returns its total length and its event.
    fn advance(&mut self) -> Result<Option<(usize, EventIndex)>, ReadError> {
        loop {
            let offset = self.src.offset();
            let head = self.src.fill(HEAD)?;
            if head.is_empty() {
                return Ok(None);
            }
            match decode::record_kind(head) {
                None => return Err(truncated(offset, 8, head)),
                Some(RecordKind::Mapping) => self.read_mapping(offset)?,
                Some(RecordKind::Event) => return self.check_event(offset).map(Some),
                Some(RecordKind::Unknown(record_type)) => {
                    return Err(ReadError::UnknownRecordType {
                        offset,
                        record_type,
                    })
                }
            }
        }
    }

    #[cold]
    fn read_mapping(&mut self, offset: u64) -> Result<(), ReadError> {
        let bytes = self.src.fill(decode::MAPPING_HEAD_LEN)?;
        let head = decode::mapping_head(bytes)
            .ok_or_else(|| truncated(offset, decode::MAPPING_HEAD_LEN, bytes))?;
        if head.name_len as usize > MAX_NAME_LEN {
            return Err(ReadError::NameTooLong {
                offset,
                len: head.name_len,
                limit: MAX_NAME_LEN,
            });
        }
        let total = head.record_len();
        need(self.src.fill(total)?, total, offset)?;
        let name = head.name(self.src.take(total)).unwrap_or_default();
        let name = std::str::from_utf8(name).map_err(|_| ReadError::NameNotUtf8 { offset })?;
        self.mappings
            .insert(&self.table, head.id, name)
            .map_err(|_| ReadError::TooManyMappings {
                offset,
                limit: MAX_UNDECLARED_NAME_BYTES,
            })
    }

    fn check_event(&mut self, offset: u64) -> Result<(usize, EventIndex), ReadError> {
        let bytes = self.src.fill(HEAD)?;
        let head = decode::event_head(bytes).ok_or_else(|| truncated(offset, HEAD, bytes))?;
        let (id, length) = (head.id, head.length);
        let Some(total) = record_len(head) else {
            return Err(ReadError::BadLength {
                offset,
                length,
                limit: MAX_RECORD_LEN,
            });
        };
        let index = if head.is_dropped() {
            self.table.dropped_index()
        } else {
            match self.mappings.get(id) {
                Slot::Declared(index) => *index,
                Slot::Unmapped => return Err(ReadError::UnmappedId { offset, id }),
                Slot::Undeclared(name) => {
                    return Err(ReadError::UndeclaredName {
                        offset,
                        id,
                        name: name.to_string(),
                    })
                }
            }
        };
        let record = need(self.src.fill(total)?, total, offset)?;
        let event = self.table.event(index);
        let body = &record[HEAD..total];
        match self.table.args_len(index, body) {
            Ok(n) if n == body.len() => Ok((total, index)),
            Ok(n) => Err(mismatch(offset, event, length, n as u64)),
            Err(n) => Err(mismatch(offset, event, length, n)),
        }
    }

    /// Learn the event declared by the validated, unconsumed `trace_event_decl`
    /// record of `total` bytes ahead.
    fn learn(&mut self, total: usize) -> Result<(), ReadError> {
        let offset = self.src.offset();
        let record = self.src.fill(total)?.get(..total).unwrap_or_default();
        let (id, text) = decode::id_and_text(decode::event_args(record)).unwrap_or_default();
        let event = parse_declaration(text)
            .map_err(|reason| ReadError::BadDeclaration { offset, reason })?;
        match self.mappings.get(id) {
            // The given trace-events files (or an earlier declaration) win.
            Slot::Declared(_) => return Ok(()),
            Slot::Undeclared(mapped) if **mapped != *event.name => {
                return Err(ReadError::DeclarationMismatch {
                    offset,
                    id,
                    mapped: mapped.to_string(),
                    declared: event.name,
                })
            }
            Slot::Undeclared(_) | Slot::Unmapped => {}
        }
        let too_many = ReadError::TooManyDeclarations {
            offset,
            limit: MAX_LEARNED_EVENTS,
        };
        if self.learned >= MAX_LEARNED_EVENTS {
            return Err(too_many);
        }
        let index = self.table.push(event).ok_or(too_many)?;
        self.learned += 1;
        self.mappings
            .declare(id, index)
            .map_err(|_| ReadError::TooManyMappings {
                offset,
                limit: MAX_UNDECLARED_NAME_BYTES,
            })
    }

    /// Consume the record `check_event` validated and view it.
    #[inline]
    fn decode_taken(&mut self, total: usize, index: EventIndex) -> Record<'_> {
        let offset = self.src.offset();
        let bytes = self.src.take(total);
        let head = decode::event_head(bytes).unwrap_or_default();
        Record {
            offset,
            id: head.id,
            timestamp_ns: head.timestamp_ns,
            pid: head.pid,
            event: self.table.event(index),
            index,
            arg_bytes: decode::event_args(bytes),
            table: &self.table,
        }
    }

    /// Owned records, for `for` loops and iterator adapters.
    pub fn records(self) -> Records<R> {
        Records { reader: self }
    }
}

/// Iterator of owned records (allocates per record; use
/// [`Reader::next_record`] or an [`crate::Analyzer`] on hot paths).
pub struct Records<R> {
    reader: Reader<R>,
}

impl<R: Read> Iterator for Records<R> {
    type Item = Result<OwnedRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.reader
            .next_record()
            .map(|r| r.map(|r| r.to_owned()))
            .transpose()
    }
}

fn mismatch(offset: u64, event: &trace_events::Event, length: u32, args: u64) -> ReadError {
    ReadError::LengthMismatch {
        offset,
        event: event.name.clone(),
        length,
        needed: args + v4::EVENT_HEADER_LEN as u64,
    }
}

/// The record's whole length if its header's length is one the reader
/// takes (a header's at least, [`MAX_RECORD_LEN`] at most).
#[inline(always)]
fn record_len(head: EventHead) -> Option<usize> {
    head.record_len()
        .filter(|_| head.length as usize <= MAX_RECORD_LEN)
}

/// `bytes` if it has `n` bytes, else the truncation error.
#[inline]
fn need(bytes: &[u8], n: usize, offset: u64) -> Result<&[u8], ReadError> {
    if bytes.len() >= n {
        Ok(bytes)
    } else {
        Err(truncated(offset, n, bytes))
    }
}

/// The record at `offset` needs `n` bytes and the input ends after `bytes`.
#[cold]
fn truncated(offset: u64, n: usize, bytes: &[u8]) -> ReadError {
    ReadError::Truncated {
        offset,
        needed: n as u64,
        available: bytes.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace_events::v4::encode;

    /// Counts the `read` calls that reach the input.
    struct CountingRead<'a> {
        data: &'a [u8],
        reads: usize,
    }

    impl Read for CountingRead<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            self.reads += 1;
            let n = self.data.len().min(out.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// `offset` is where the next record starts: after the 24-byte header,
    /// the 21-byte mapping of "b" and each 40-byte record of `b(int x)`.
    #[test]
    fn the_offset_is_where_the_next_record_starts() {
        let mut trace = Vec::new();
        encode::push_file_header(&mut trace);
        encode::push_mapping(&mut trace, 0, "b");
        for ts in 0..2 {
            let mut rec = vec![0u8; encode::record_len(8)];
            encode::put_record_header(&mut rec, 0, ts, 1);
            trace.extend_from_slice(&rec);
        }
        let table = EventTable::new(trace_events::parse_str("t", "b(int x)\n").file.events);
        let mut reader = Reader::new(&trace[..], table).unwrap();
        assert_eq!(reader.offset(), 24);
        let mut offsets = Vec::new();
        while let Some(record) = reader.next_record().unwrap() {
            let debug = format!("{record:?}");
            assert!(debug.starts_with("Record { offset: "), "{debug}");
            assert!(debug.contains(r#"event: "b""#), "{debug}");
            offsets.push(reader.offset());
        }
        assert_eq!(offsets, [24 + 21 + 40, 24 + 21 + 80]);
    }

    /// The module's promise: records come from large blocks, not a read
    /// (a system call, on a file) per record.
    #[test]
    fn a_megabyte_of_records_takes_a_few_reads() {
        let mut trace = Vec::new();
        encode::push_file_header(&mut trace);
        let mut records = 0;
        while trace.len() < 1 << 20 {
            encode::push_dropped(&mut trace, records, 1, 1);
            records += 1;
        }
        let mut input = CountingRead {
            data: &trace,
            reads: 0,
        };
        let mut reader = Reader::new(&mut input, EventTable::new([])).unwrap();
        let mut decoded = 0;
        while reader.next_record().unwrap().is_some() {
            decoded += 1;
        }
        drop(reader);
        assert_eq!(decoded, records);
        assert!(input.reads <= 20, "{} reads for 1 MiB", input.reads);
    }
}
