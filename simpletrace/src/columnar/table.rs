//! One Parquet file being written with the `parquet` crate's low-level API.
//! Each leaf column's pages are made in memory until the row group is
//! full, then the row group's column chunks are appended to the file in
//! order. Memory: one row group, encoded. Who makes the pages ([`Leaf`]):
//! - times, sequence numbers, ids, durations, pids, tids and dropped
//!   counts (`DELTA_COLUMNS`): delta-encoded pages of ours
//!   (`delta_chunk.rs`);
//! - file, host, thread, event, call and ending names, and the argument
//!   maps' keys: dictionary pages of ours (`dict_chunk.rs`: the builders
//!   key each row already);
//! - the argument maps' values: `PLAIN` pages of ours (`plain_chunk.rs`:
//!   the builders lay the values out as `PLAIN` does);
//! - the rest (`is_async`): a typed column writer of the crate,
//!   fed by `write_batch` with the values and levels our builders hold.
//!
//! Ours are laid out as the crate's writer lays them out (`pages.rs`).
//! Pages are Snappy-compressed.

use std::io::Write;
use std::sync::{Arc, Mutex};

use arrow_schema::{DataType as ArrowType, SchemaRef};
use bytes::Bytes;
use parquet::arrow::ArrowSchemaConverter;
use parquet::basic::{Compression, Type as PhysicalType};
use parquet::column::page::{CompressedPage, PageWriteSpec, PageWriter};
use parquet::column::writer::{get_column_writer, get_typed_column_writer_mut, ColumnWriter};
use parquet::data_type::{ByteArray, DataType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesPtr};
use parquet::file::statistics::Statistics;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::format::KeyValue;
use parquet::schema::types::SchemaDescriptor;

use super::columns::Distinct;
use super::delta_chunk::DeltaChunk;
use super::dict_chunk::DictChunk;
use super::error::ExportError;
use super::pages::LevelsIn;
use super::plain_chunk::{Plain, PlainChunk};

/// A row group ends early once a dictionary column's dictionary holds this
/// many bytes: its page stays well within a page's 2 GiB (only a trace of
/// countless distinct thread names or files comes near). Small in the
/// crate's tests, so that a test reaches it.
#[cfg(not(test))]
const MAX_DICTIONARY_BYTES: usize = 64 << 20;
#[cfg(test)]
const MAX_DICTIONARY_BYTES: usize = 4 << 10;

/// The argument maps.
const MAP_COLUMNS: [&str; 4] = ["args_int", "args_str", "exit_args_int", "exit_args_str"];
/// Integer columns delta-encoded, with no dictionary: increasing ones
/// (sequence numbers, times), ones with a value a call (ids, durations: a
/// dictionary would only overflow), and the few-valued ones, whose deltas
/// pack into as few bits as dictionary indices would (a pid: none; a tid or
/// an event id: the distance between its values) without hashing every
/// value into a dictionary; and `dropped`, NULL but in a few rows, whose
/// levels are then long runs (the crate's writer took 4% of the records
/// table's instructions encoding them level by level).
const DELTA_COLUMNS: [&str; 12] = [
    "dropped",
    "seq",
    "ts_ns",
    "start_ns",
    "end_ns",
    "enter_seq",
    "exit_seq",
    "call_id",
    "duration_ns",
    "pid",
    "tid",
    "event_id",
];

/// A column chunk's encoded pages, in memory until its row group is written.
struct PageBuffer(Arc<Mutex<TrackedWrite<Vec<u8>>>>);

impl PageBuffer {
    fn new() -> Self {
        Self(Arc::new(Mutex::new(TrackedWrite::new(Vec::new()))))
    }

    /// The pages written, leaving the buffer empty.
    fn take(&self) -> Result<Bytes, ParquetError> {
        let mut pages = self.0.lock().expect("page buffer poisoned");
        let done = std::mem::replace(&mut *pages, TrackedWrite::new(Vec::new()));
        Ok(Bytes::from(done.into_inner()?))
    }
}

/// The column writer's page sink: serialized (header and page) into the
/// shared buffer.
struct MemoryPages(Arc<Mutex<TrackedWrite<Vec<u8>>>>);

impl PageWriter for MemoryPages {
    fn write_page(&mut self, page: CompressedPage) -> Result<PageWriteSpec, ParquetError> {
        let mut pages = self.0.lock().expect("page buffer poisoned");
        SerializedPageWriter::new(&mut pages).write_page(page)
    }

    fn close(&mut self) -> Result<(), ParquetError> {
        Ok(())
    }
}

/// The smallest and largest value of a column chunk, as our builders knew
/// them: the writer's own statistics are off (it would compare every value
/// again, through its logical type each time).
#[derive(Debug, Clone)]
pub(crate) enum Range {
    Int(i64, i64),
    Bytes(ByteArray, ByteArray),
    Bool(bool, bool),
}

impl Range {
    fn merge(self, other: Range) -> Range {
        match (self, other) {
            (Range::Int(a, b), Range::Int(c, d)) => Range::Int(a.min(c), b.max(d)),
            (Range::Bytes(a, b), Range::Bytes(c, d)) => Range::Bytes(
                if c.data() < a.data() { c } else { a },
                if d.data() > b.data() { d } else { b },
            ),
            (Range::Bool(a, b), Range::Bool(c, d)) => Range::Bool(a && c, b || d),
            (a, _) => a,
        }
    }

    fn statistics(self, nulls: u64) -> Statistics {
        match self {
            Range::Int(min, max) => {
                Statistics::int64(Some(min), Some(max), None, Some(nulls), false)
            }
            Range::Bytes(min, max) => {
                Statistics::byte_array(Some(min), Some(max), None, Some(nulls), false)
            }
            Range::Bool(min, max) => {
                Statistics::boolean(Some(min), Some(max), None, Some(nulls), false)
            }
        }
    }

    /// A chunk's statistics: its range, or only its NULLs when it has no
    /// value (a `host` never given: engines still skip by `IS NULL`).
    fn chunk_statistics(range: Option<Range>, nulls: u64, ty: PhysicalType) -> Option<Statistics> {
        match range {
            Some(range) => Some(range.statistics(nulls)),
            None => match ty {
                PhysicalType::INT64 => {
                    Some(Statistics::int64(None, None, None, Some(nulls), false))
                }
                PhysicalType::BYTE_ARRAY => {
                    Some(Statistics::byte_array(None, None, None, Some(nulls), false))
                }
                PhysicalType::BOOLEAN => {
                    Some(Statistics::boolean(None, None, None, Some(nulls), false))
                }
                _ => None,
            },
        }
    }
}

/// How a leaf column's pages are made.
enum Leaf {
    /// By the `parquet` crate's column writer, into `pages`.
    Writer {
        writer: Box<ColumnWriter<'static>>,
        pages: PageBuffer,
    },
    /// By us, from the builders' dictionary keys.
    Dict(Box<DictChunk>),
    /// By us, from the builders' `PLAIN` values and levels.
    Plain(PlainChunk),
    /// By us, delta-encoded from the builders' integers.
    Delta(DeltaChunk),
}

/// Who makes a leaf column's pages (see [`Leaf`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pages {
    Writer,
    Dict,
    Plain,
    Delta,
}

/// A leaf column being written, and its statistics so far (kept for
/// the top-level columns: `counted`).
struct Chunk {
    leaf: Leaf,
    range: Option<Range>,
    nulls: u64,
    counted: bool,
}

/// The leaf columns of the row group being written, in schema order: the
/// builders write a batch to each in turn ([`Chunks::write`]).
pub(crate) struct Chunks {
    chunks: Vec<Chunk>,
    /// The leaf the next `write` goes to.
    next: usize,
    table: &'static str,
    /// Which of the table's row groups these are (its first is 0).
    group: u64,
}

impl Chunks {
    /// `pages[i]`: who makes leaf `i`'s pages.
    fn new(
        schema: &SchemaDescriptor,
        props: &WriterPropertiesPtr,
        pages: &[Pages],
        table: &'static str,
        group: u64,
    ) -> Self {
        let chunks = schema
            .columns()
            .iter()
            .zip(pages)
            .map(|(descr, &pages)| {
                let leaf = match pages {
                    Pages::Dict => Leaf::Dict(Box::new(DictChunk::new(descr))),
                    Pages::Plain => Leaf::Plain(PlainChunk::new(descr)),
                    Pages::Delta => Leaf::Delta(DeltaChunk::default()),
                    Pages::Writer => {
                        let pages = PageBuffer::new();
                        let writer = get_column_writer(
                            descr.clone(),
                            props.clone(),
                            Box::new(MemoryPages(pages.0.clone())),
                        );
                        Leaf::Writer {
                            writer: Box::new(writer),
                            pages,
                        }
                    }
                };
                Chunk {
                    leaf,
                    range: None,
                    nulls: 0,
                    counted: false,
                }
            })
            .collect();
        Self {
            chunks,
            next: 0,
            table,
            group,
        }
    }

    /// Which of the table's row groups these chunks are: what a builder
    /// keeps for a row group (a dictionary, see [`Self::write_dict`]) is
    /// valid while this stays the same.
    pub fn group(&self) -> u64 {
        self.group
    }

    fn error(&self, source: ParquetError) -> ExportError {
        Self::error_of(self.table, source)
    }

    fn error_of(table: &'static str, source: ParquetError) -> ExportError {
        ExportError::Write { table, source }
    }

    /// Write a batch of the next leaf column: its non-null values and,
    /// when the column has them, its definition and repetition levels.
    pub fn write<T: DataType>(
        &mut self,
        values: &[T::T],
        def: Option<&[i16]>,
        rep: Option<&[i16]>,
    ) -> Result<(), ExportError> {
        let chunk = &mut self.chunks[self.next];
        self.next += 1;
        let Leaf::Writer { writer, .. } = &mut chunk.leaf else {
            return Err(self.misdirected());
        };
        let writer = get_typed_column_writer_mut::<T>(writer);
        writer
            .write_batch(values, def, rep)
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Write a batch of the next leaf column, a dictionary column: value
    /// `v` (of the levels at the maximum definition level) is
    /// `distinct[keys[v]]`; repetition levels for a map's keys; `range` as
    /// for [`Self::write_with_range`] (a top-level column's). A kept
    /// `distinct` is kept for the row group ([`Self::group`]).
    pub fn write_dict(
        &mut self,
        distinct: Distinct<'_>,
        keys: &[u32],
        levels: LevelsIn<'_>,
        range: Option<Range>,
    ) -> Result<(), ExportError> {
        let chunk = &mut self.chunks[self.next];
        self.next += 1;
        let Leaf::Dict(dict) = &mut chunk.leaf else {
            return Err(self.misdirected());
        };
        dict.write(distinct, keys, levels)
            .map_err(|e| Self::error_of(self.table, e))?;
        if let LevelsIn::Slices(def, None) = levels {
            chunk.add_statistics(def.map_or(0, |def| def.len() - keys.len()), range);
        }
        Ok(())
    }

    /// Write a batch of the next leaf column, an argument map's values:
    /// `values` where the definition level is at its maximum.
    pub fn write_plain(
        &mut self,
        values: Plain<'_>,
        levels: LevelsIn<'_>,
    ) -> Result<(), ExportError> {
        let chunk = &mut self.chunks[self.next];
        self.next += 1;
        let Leaf::Plain(plain) = &mut chunk.leaf else {
            return Err(self.misdirected());
        };
        plain
            .write(values, levels)
            .map_err(|e| Self::error_of(self.table, e))
    }

    /// A builder wrote a column through the wrong method: a bug, said as one.
    fn misdirected(&self) -> ExportError {
        let column = self.next - 1;
        self.error(ParquetError::General(format!(
            "column {column} written in a form it is not encoded in"
        )))
    }

    /// [`Self::write`] for a top-level column (no repetition), with the
    /// values' smallest and largest (`None` when there are none): the
    /// column chunk's statistics, which engines skip row groups by.
    pub fn write_with_range<T: DataType>(
        &mut self,
        values: &[T::T],
        def: Option<&[i16]>,
        range: Option<Range>,
    ) -> Result<(), ExportError> {
        let nulls = def.map_or(0, |def| def.len() - values.len());
        self.chunks[self.next].add_statistics(nulls, range);
        self.write::<T>(values, def, None)
    }

    /// Write a batch of the next leaf column, a top-level `BIGINT`: its
    /// non-null `values`, `def` when it is nullable; their smallest and
    /// largest become the chunk's statistics.
    pub fn write_ints(&mut self, values: &[i64], def: Option<&[i16]>) -> Result<(), ExportError> {
        let nulls = def.map_or(0, |def| def.len() - values.len());
        let chunk = &mut self.chunks[self.next];
        if let Leaf::Delta(delta) = &mut chunk.leaf {
            self.next += 1;
            let range = delta
                .write(values, def)
                .map_err(|e| Self::error_of(self.table, e))?;
            chunk.add_statistics(nulls, range.map(|(lo, hi)| Range::Int(lo, hi)));
            return Ok(());
        }
        let min = values.iter().copied().min();
        let max = values.iter().copied().max();
        let range = min.zip(max).map(|(min, max)| Range::Int(min, max));
        self.write_with_range::<Int64Type>(values, def, range)
    }

    /// Whether a dictionary column's dictionary is as large as a row
    /// group's should be.
    fn dictionaries_full(&self) -> bool {
        self.chunks.iter().any(|chunk| match &chunk.leaf {
            Leaf::Dict(dict) => dict.dictionary_bytes() >= MAX_DICTIONARY_BYTES,
            Leaf::Writer { .. } | Leaf::Plain(_) | Leaf::Delta(_) => false,
        })
    }
}

impl Chunk {
    fn add_statistics(&mut self, nulls: usize, range: Option<Range>) {
        self.counted = true;
        self.nulls += nulls as u64;
        if let Some(range) = range {
            self.range = Some(match self.range.take() {
                Some(old) => old.merge(range),
                None => range,
            });
        }
    }
}

pub(crate) struct Table<W: Write + Send> {
    /// "records" or "calls", for messages and the file's metadata.
    name: &'static str,
    descr: Arc<SchemaDescriptor>,
    props: WriterPropertiesPtr,
    /// Per leaf column: who makes its pages.
    pages: Vec<Pages>,
    writer: SerializedFileWriter<W>,
    chunks: Chunks,
    /// Rows in the row group being written.
    group_rows: usize,
}

impl<W: Write + Send> Table<W> {
    pub fn new(name: &'static str, schema: SchemaRef, out: W) -> Result<Self, ExportError> {
        let error = |source| ExportError::Write {
            table: name,
            source,
        };
        let descr = ArrowSchemaConverter::new()
            .convert(&schema)
            .map_err(error)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            // Min and max per column chunk (what engines skip row groups
            // by) are ours (`Range`): the writer computes none.
            .set_statistics_enabled(EnabledStatistics::None)
            .set_key_value_metadata(Some(vec![
                KeyValue::new("simpletrace.table".to_string(), name.to_string()),
                KeyValue::new("simpletrace.schema_version".to_string(), "1".to_string()),
            ]));
        let props = Arc::new(props.build());
        let writer = SerializedFileWriter::new(out, descr.root_schema_ptr(), props.clone())
            .map_err(error)?;
        // Our pages for the top-level dictionary fields (`schema::dict`)
        // and the argument maps' leaves.
        let pages: Vec<Pages> = descr
            .columns()
            .iter()
            .map(|leaf| {
                let path = leaf.path().parts();
                let field = schema.field_with_name(&path[0]).ok();
                let dict =
                    field.is_some_and(|f| matches!(f.data_type(), ArrowType::Dictionary(..)));
                if path.len() == 1 && dict {
                    Pages::Dict
                } else if MAP_COLUMNS.contains(&path[0].as_str()) {
                    // Keys: the names of an event's arguments, over and over.
                    if path.last().is_some_and(|leaf| leaf == "key") {
                        Pages::Dict
                    } else {
                        Pages::Plain
                    }
                } else if path.len() == 1 && DELTA_COLUMNS.contains(&path[0].as_str()) {
                    Pages::Delta
                } else {
                    Pages::Writer
                }
            })
            .collect();
        let descr = Arc::new(descr);
        Ok(Self {
            name,
            chunks: Chunks::new(&descr, &props, &pages, name, 0),
            descr,
            props,
            pages,
            writer,
            group_rows: 0,
        })
    }

    /// "records" or "calls".
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Rows in the row group being written.
    pub fn group_rows(&self) -> usize {
        self.group_rows
    }

    /// Whether the row group should end now, whatever its rows: a
    /// dictionary has grown as large as one should.
    pub fn group_full(&self) -> bool {
        self.chunks.dictionaries_full()
    }

    /// Append a batch of `rows` rows: `write` writes each leaf column in
    /// turn to the [`Chunks`] it is given.
    pub fn write(
        &mut self,
        rows: usize,
        write: impl FnOnce(&mut Chunks) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.chunks.next = 0;
        write(&mut self.chunks)?;
        debug_assert_eq!(self.chunks.next, self.chunks.chunks.len());
        self.group_rows += rows;
        Ok(())
    }

    /// Write the row group being built to the file (nothing if empty).
    pub fn end_row_group(&mut self) -> Result<(), ExportError> {
        if self.group_rows == 0 {
            return Ok(());
        }
        let name = self.name;
        let error = |source| ExportError::Write {
            table: name,
            source,
        };
        let group = self.chunks.group + 1;
        let next = Chunks::new(&self.descr, &self.props, &self.pages, name, group);
        let chunks = std::mem::replace(&mut self.chunks, next);
        let mut group = self.writer.next_row_group().map_err(error)?;
        for (i, chunk) in chunks.chunks.into_iter().enumerate() {
            let ty = self.descr.column(i).physical_type();
            let statistics = chunk
                .counted
                .then(|| Range::chunk_statistics(chunk.range, chunk.nulls, ty))
                .flatten();
            let (pages, close) = match chunk.leaf {
                Leaf::Writer { writer, pages } => {
                    let mut close = writer.close().map_err(error)?;
                    if let Some(statistics) = statistics {
                        close.metadata = close
                            .metadata
                            .into_builder()
                            .set_statistics(statistics)
                            .build()
                            .map_err(error)?;
                    }
                    (pages.take().map_err(error)?, close)
                }
                Leaf::Dict(dict) => dict
                    .finish(self.descr.column(i), statistics)
                    .map_err(error)?,
                Leaf::Plain(plain) => plain.finish(self.descr.column(i)).map_err(error)?,
                Leaf::Delta(delta) => delta
                    .finish(self.descr.column(i), statistics)
                    .map_err(error)?,
            };
            group.append_column(&pages, close).map_err(error)?;
        }
        group.close().map_err(error)?;
        self.group_rows = 0;
        Ok(())
    }

    /// Write the last row group and the footer, and flush.
    pub fn close(mut self) -> Result<(), ExportError> {
        self.end_row_group()?;
        let name = self.name;
        self.writer
            .close()
            .map(drop)
            .map_err(|source| ExportError::Write {
                table: name,
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;

    use arrow_array::cast::AsArray;
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::MAX_DICTIONARY_BYTES;
    use crate::columnar::{ParquetExport, ParquetOptions};
    use crate::{process, EventTable, Filter, Reader, Selected};

    /// A v4 trace: `threads` threads of distinct 100-byte names, each
    /// with `per_thread` `tick` records after its `trace_thread` record.
    fn trace(threads: u64, per_thread: u64) -> Vec<u8> {
        let mut t = Vec::new();
        let mut put = |words: &[u64]| words.iter().for_each(|w| t.extend(w.to_le_bytes()));
        put(&[u64::MAX, 0xf2b1_77cb_0aa4_29b4, 4]);
        let mut out = t;
        for (id, name) in [(0u64, "trace_thread"), (1, "tick")] {
            out.extend(0u64.to_le_bytes());
            out.extend(id.to_le_bytes());
            out.extend((name.len() as u32).to_le_bytes());
            out.extend(name.as_bytes());
        }
        let mut record = |id: u64, ts: u64, args: &[u8]| {
            out.extend(1u64.to_le_bytes());
            out.extend(id.to_le_bytes());
            out.extend(ts.to_le_bytes());
            out.extend((24 + args.len() as u32).to_le_bytes());
            out.extend(7u32.to_le_bytes());
            out.extend(args);
        };
        for thread in 0..threads {
            let name = format!("{thread:0100}");
            let mut args = (1000 + thread).to_le_bytes().to_vec();
            args.extend((name.len() as u32).to_le_bytes());
            args.extend(name.as_bytes());
            record(0, thread * 100, &args);
            for n in 0..per_thread {
                record(1, thread * 100 + n + 1, &n.to_le_bytes());
            }
        }
        out
    }

    #[test]
    fn a_dictionary_that_grows_past_its_bound_ends_the_row_group() {
        let (threads, per_thread) = (200, 5);
        let events = "trace_thread(uint64_t tid, const char *name) \"%s\"\ntick(uint64_t n)\n";
        let parsed = trace_events::parse_str("trace-events", events);
        let table = EventTable::new(parsed.file.events);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.parquet");
        // Small batches: the bound is checked after each.
        let options = ParquetOptions {
            host: None,
            batch_rows: 50,
            row_group_rows: 1 << 20,
        };
        let mut export = ParquetExport::create(&path, None, options).unwrap();
        let trace = trace(threads, per_thread);
        let mut reader = Reader::new(&trace[..], table).unwrap();
        let mut rows = Selected::new(Filter::default(), export.file("t"));
        process(&mut reader, &mut rows).unwrap();
        drop(rows);
        export.finish().unwrap();

        let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        let groups = builder.metadata().row_groups().to_vec();
        // 200 names of 104 bytes (with their lengths) in the dictionary:
        // a group ends past the bound, within a batch (10 names) of it.
        let per_group = (MAX_DICTIONARY_BYTES / 104 + 10) * per_thread as usize;
        assert!(groups.len() >= 4, "{} row groups", groups.len());
        assert!(groups.iter().all(|g| g.num_rows() as usize <= per_group));
        let mut names = Vec::new();
        for batch in builder.build().unwrap() {
            let batch = batch.unwrap();
            let thread = batch.column_by_name("thread").unwrap();
            let thread = thread.as_string::<i32>();
            names.extend((0..thread.len()).map(|i| thread.value(i).to_string()));
        }
        let want: Vec<String> = (0..threads)
            .flat_map(|t| std::iter::repeat(format!("{t:0100}")).take(per_thread as usize))
            .collect();
        assert_eq!(names, want);
    }
}
