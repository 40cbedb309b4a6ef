//! One Parquet file being written with the `parquet` crate's low-level API:
//! a typed column writer per leaf column fed by `write_batch` with the
//! values and levels our builders already hold (no Arrow arrays, no levels
//! recomputed from them), encoding its pages into memory until the row
//! group is full; then the row group's column chunks are appended to the
//! file in order. Memory: one row group, encoded.
//!
//! Encodings: dictionaries for repeated strings (file, host, thread,
//! event and call names, argument names); delta encoding for timestamps
//! and sequence numbers, which grow steadily and would only overflow a
//! dictionary; plain for the rest. Pages are Snappy-compressed.

use std::io::Write;
use std::sync::{Arc, Mutex};

use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::ArrowSchemaConverter;
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, PageWriteSpec, PageWriter};
use parquet::column::writer::{get_column_writer, get_typed_column_writer_mut, ColumnWriter};
use parquet::data_type::{ByteArray, DataType};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesPtr};
use parquet::file::statistics::Statistics;
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use parquet::format::KeyValue;
use parquet::schema::types::{ColumnPath, SchemaDescriptor};

use super::error::ExportError;

/// The argument maps.
const MAP_COLUMNS: [&str; 4] = ["args_int", "args_str", "exit_args_int", "exit_args_str"];
/// Integer columns delta-encoded, with no dictionary: increasing ones
/// (sequence numbers, times), ones with a value a call (ids, durations: a
/// dictionary would only overflow), and the few-valued ones, whose deltas
/// pack into as few bits as dictionary indices would (a pid: none; a tid or
/// an event id: the distance between its values) without hashing every
/// value into a dictionary.
const DELTA_COLUMNS: [&str; 11] = [
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
}

impl Range {
    fn merge(self, other: Range) -> Range {
        match (self, other) {
            (Range::Int(a, b), Range::Int(c, d)) => Range::Int(a.min(c), b.max(d)),
            (Range::Bytes(a, b), Range::Bytes(c, d)) => Range::Bytes(
                if c.data() < a.data() { c } else { a },
                if d.data() > b.data() { d } else { b },
            ),
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
        }
    }
}

/// A leaf column being written: its writer, where its pages go, and its
/// statistics so far.
struct Chunk {
    writer: ColumnWriter<'static>,
    pages: PageBuffer,
    range: Option<Range>,
    nulls: u64,
}

/// The leaf columns of the row group being written, in schema order: the
/// builders write a batch to each in turn ([`Chunks::write`]).
pub(crate) struct Chunks {
    chunks: Vec<Chunk>,
    /// The leaf the next `write` goes to.
    next: usize,
    table: &'static str,
}

impl Chunks {
    fn new(schema: &SchemaDescriptor, props: &WriterPropertiesPtr, table: &'static str) -> Self {
        let chunks = schema
            .columns()
            .iter()
            .map(|descr| {
                let pages = PageBuffer::new();
                let writer = get_column_writer(
                    descr.clone(),
                    props.clone(),
                    Box::new(MemoryPages(pages.0.clone())),
                );
                Chunk {
                    writer,
                    pages,
                    range: None,
                    nulls: 0,
                }
            })
            .collect();
        Self {
            chunks,
            next: 0,
            table,
        }
    }

    fn error(&self, source: ParquetError) -> ExportError {
        ExportError::Write {
            table: self.table,
            source,
        }
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
        let writer = get_typed_column_writer_mut::<T>(&mut chunk.writer);
        writer
            .write_batch(values, def, rep)
            .map(drop)
            .map_err(|e| self.error(e))
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
        let chunk = &mut self.chunks[self.next];
        if let Some(def) = def {
            chunk.nulls += (def.len() - values.len()) as u64;
        }
        if let Some(range) = range {
            chunk.range = Some(match chunk.range.take() {
                Some(old) => old.merge(range),
                None => range,
            });
        }
        self.write::<T>(values, def, None)
    }
}

pub(crate) struct Table<W: Write + Send> {
    /// "records" or "calls", for messages and the file's metadata.
    name: &'static str,
    descr: Arc<SchemaDescriptor>,
    props: WriterPropertiesPtr,
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
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            // Min and max per column chunk (what engines skip row groups
            // by) are ours (`Range`): the writer computes none.
            .set_statistics_enabled(EnabledStatistics::None)
            .set_key_value_metadata(Some(vec![
                KeyValue::new("simpletrace.table".to_string(), name.to_string()),
                KeyValue::new("simpletrace.schema_version".to_string(), "1".to_string()),
            ]));
        // Argument values vary most: a dictionary would be hashed into for
        // every value only to overflow. Argument names repeat, but hashing
        // each into a dictionary costs more than copying it: Snappy then
        // takes the repeats out.
        for map in MAP_COLUMNS {
            if schema.field_with_name(map).is_ok() {
                for part in ["key", "value"] {
                    let path = ColumnPath::new(vec![map.into(), "key_value".into(), part.into()]);
                    props = props.set_column_dictionary_enabled(path, false);
                }
            }
        }
        for column in DELTA_COLUMNS {
            if schema.field_with_name(column).is_ok() {
                let path = ColumnPath::from(column);
                props = props
                    .set_column_dictionary_enabled(path.clone(), false)
                    .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED);
            }
        }
        let props = Arc::new(props.build());
        let writer = SerializedFileWriter::new(out, descr.root_schema_ptr(), props.clone())
            .map_err(error)?;
        let descr = Arc::new(descr);
        Ok(Self {
            name,
            chunks: Chunks::new(&descr, &props, name),
            descr,
            props,
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
        let next = Chunks::new(&self.descr, &self.props, name);
        let chunks = std::mem::replace(&mut self.chunks, next);
        let mut group = self.writer.next_row_group().map_err(error)?;
        for chunk in chunks.chunks {
            let mut close = chunk.writer.close().map_err(error)?;
            if let Some(range) = chunk.range {
                close.metadata = close
                    .metadata
                    .into_builder()
                    .set_statistics(range.statistics(chunk.nulls))
                    .build()
                    .map_err(error)?;
            }
            let pages = chunk.pages;
            let pages = pages.take().map_err(error)?;
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
