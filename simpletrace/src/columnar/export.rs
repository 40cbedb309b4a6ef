//! [`ParquetExport`]: the records of one or many traces, and their calls,
//! streamed into two Parquet files in bounded memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::calls::{CallKeys, CallRows};
use super::error::ExportError;
use super::pairing::{Out, Pairing};
use super::pipeline::{Batch, Pipeline};
use super::records::{EventIds, RecordKeys, RecordRows};
use super::schema::{calls_schema, records_schema};
use super::source::{CurrentThread, Source};
use super::table::Table;
use crate::timeline::{Pairs, Role};
use crate::{Consumer, Record, Thread};

/// Rows built before they are handed to the Parquet column writers: a
/// data page's worth (each batch's columns stay small enough to be read
/// back from the cache; 65,536 held 33 MiB more for no gain in speed).
pub const DEFAULT_BATCH_ROWS: usize = 20_000;
/// Rows per Parquet row group: what an engine reads (and skips by its
/// statistics) as a unit, and what the writer holds encoded in memory.
/// Six whole batches, near DuckDB's own 122,880: against 1,048,576, a
/// third less memory at peak, engines' scans split and pruned eight times
/// finer, the file 0.1% to 3% larger (each group its own dictionaries).
pub const DEFAULT_ROW_GROUP_ROWS: usize = 6 * DEFAULT_BATCH_ROWS;

/// Bytes buffered on their way to each output file.
const OUTPUT_BUFFER: usize = 1 << 20;

/// How to export.
#[derive(Debug, Clone)]
pub struct ParquetOptions {
    /// The `host` column's value (NULL when `None`).
    pub host: Option<String>,
    /// Rows built before they are handed to the column writers as a batch.
    pub batch_rows: usize,
    /// Rows per Parquet row group ([`DEFAULT_ROW_GROUP_ROWS`]).
    pub row_group_rows: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        Self {
            host: None,
            batch_rows: DEFAULT_BATCH_ROWS,
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
        }
    }
}

/// Rows written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Rows of the records table.
    pub records: u64,
    /// Rows of the calls table (0 when it was not written).
    pub calls: u64,
}

/// The calls file of `records` when not given: `OUT.calls.parquet` beside
/// `OUT.parquet` (`OUT.calls.parquet` beside any other name `OUT`).
pub fn calls_path_for(records: &Path) -> PathBuf {
    let stem = match records.extension() {
        Some(ext) if ext == "parquet" => records.with_extension(""),
        _ => records.to_path_buf(),
    };
    let mut name = stem.into_os_string();
    name.push(".calls.parquet");
    PathBuf::from(name)
}

/// Writes the records table and, optionally, the calls table.
///
/// ```no_run
/// use simpletrace::columnar::{ParquetExport, ParquetOptions};
/// use simpletrace::{process, EventTable, Reader, Selected, Filter};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (events, _) = EventTable::load(&["trace-events"])?;
/// let mut export = ParquetExport::create(
///     "out.parquet".as_ref(),
///     Some("out.calls.parquet".as_ref()),
///     ParquetOptions::default(),
/// )?;
/// for trace in ["trace-1", "trace-2"] {
///     let mut reader = Reader::open(trace, events.clone())?;
///     let mut rows = Selected::new(Filter::default(), export.file(trace));
///     process(&mut reader, &mut rows).map_err(|e| e.to_string())?;
/// }
/// let written = export.finish()?;
/// println!("{} records, {} calls", written.records, written.calls);
/// # Ok(())
/// # }
/// ```
pub struct ParquetExport {
    /// Each table is written on a thread of its own.
    records: Pipeline<RecordRows>,
    calls: Option<Pipeline<CallRows>>,
    options: ParquetOptions,
    written: Written,
    event_ids: EventIds,
}

impl ParquetExport {
    /// Create the files (`calls`: `None` for no calls table).
    pub fn create(
        records: &Path,
        calls: Option<&Path>,
        options: ParquetOptions,
    ) -> Result<Self, ExportError> {
        // Whole row groups go out at once: in large writes, not in the
        // 8 KiB ones the `parquet` crate's own buffer makes.
        let create = |path: &Path| {
            File::create(path)
                .map(|file| BufWriter::with_capacity(OUTPUT_BUFFER, file))
                .map_err(|source| ExportError::Create {
                    path: path.to_path_buf(),
                    source,
                })
        };
        let records = create(records)?;
        let calls = calls.map(create).transpose()?;
        Self::new(records, calls, options)
    }

    /// An export writing the records table to `records` and, if given, the
    /// calls table to `calls` (each on a thread of its own, which owns it).
    pub fn new<W: Write + Send + 'static>(
        records: W,
        calls: Option<W>,
        options: ParquetOptions,
    ) -> Result<Self, ExportError> {
        let group = options.row_group_rows;
        Ok(Self {
            records: Pipeline::start(Table::new("records", records_schema(), records)?, group)?,
            calls: match calls {
                Some(out) => Some(Pipeline::start(
                    Table::new("calls", calls_schema(), out)?,
                    group,
                )?),
                None => None,
            },
            options,
            written: Written::default(),
            event_ids: EventIds::default(),
        })
    }

    /// The [`Consumer`] of one trace file's records, `path` its `file`
    /// column. Run it over the whole file (its `end` closes the calls still
    /// open).
    pub fn file(&mut self, path: impl Into<String>) -> FileRows<'_> {
        let source = Source {
            file: path.into(),
            host: self.options.host.clone(),
        };
        FileRows {
            export: self,
            source,
            record_keys: RecordKeys::default(),
            call_keys: CallKeys::default(),
            pairs: Pairs::default(),
            pairing: Pairing::default(),
            thread: CurrentThread::default(),
            seq: 0,
        }
    }

    /// Write what is left and the files' footers.
    pub fn finish(mut self) -> Result<Written, ExportError> {
        self.flush_records()?;
        self.flush_calls()?;
        let written = self.written;
        let Self { records, calls, .. } = self;
        let records = records.finish();
        let calls = calls.map_or(Ok(()), Pipeline::finish);
        records.and(calls).map(|()| written)
    }

    /// Rows a batch may hold before it goes to its table: no more than
    /// fill its row group.
    fn batch_limit<R: Batch>(&self, table: &Pipeline<R>) -> usize {
        self.options.batch_rows.max(1).min(table.group_room())
    }

    fn flush_records(&mut self) -> Result<(), ExportError> {
        let rows = self.records.building.rows();
        self.records.submit()?;
        self.written.records += rows as u64;
        Ok(())
    }

    fn flush_calls(&mut self) -> Result<(), ExportError> {
        let Some(calls) = &mut self.calls else {
            return Ok(());
        };
        let rows = calls.building.rows();
        calls.submit()?;
        self.written.calls += rows as u64;
        Ok(())
    }
}

/// One trace file's records going into a [`ParquetExport`].
pub struct FileRows<'a> {
    export: &'a mut ParquetExport,
    source: Source,
    record_keys: RecordKeys,
    call_keys: CallKeys,
    pairs: Pairs,
    pairing: Pairing,
    thread: CurrentThread,
    /// Records seen, runtime records included.
    seq: u64,
}

/// Where the calls a file's pairing ends go, borrowed apart from the rest
/// of the file's state (the pairing is not moved out and back for every
/// record); `None` when no calls table is written.
fn calls_out<'s>(
    export: &'s mut ParquetExport,
    source: &'s Source,
    keys: &'s mut CallKeys,
    pairs: &'s Pairs,
) -> Option<Out<'s>> {
    let calls = export.calls.as_mut()?;
    Some(Out {
        rows: &mut calls.building,
        source,
        keys,
        pairs,
    })
}

impl FileRows<'_> {
    /// `record` (of `role`, the `seq`th of its file) into the records
    /// table's batch and the pairing of calls.
    fn rows(&mut self, role: Role, record: &Record<'_>, thread: Option<&Thread>, seq: u64) {
        let thread = self.thread.of(thread);
        let export = &mut *self.export;
        let (rows, ids) = (&mut export.records.building, &mut export.event_ids);
        rows.push(
            &self.source,
            &mut self.record_keys,
            ids,
            record,
            thread,
            seq,
        );
        let out = calls_out(self.export, &self.source, &mut self.call_keys, &self.pairs);
        if let Some(out) = out {
            self.pairing.record(role, record, thread, seq, out);
        }
    }

    fn flush_calls_if_full(&mut self) -> Result<(), ExportError> {
        match &self.export.calls {
            Some(calls) if calls.building.is_full(self.export.batch_limit(calls)) => {
                self.export.flush_calls()
            }
            _ => Ok(()),
        }
    }
}

impl Consumer for FileRows<'_> {
    type Error = ExportError;

    fn record(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> Result<(), ExportError> {
        let seq = self.seq;
        self.seq += 1;
        let role = self.pairs.role(record);
        if role == Role::Runtime {
            return Ok(());
        }
        self.rows(role, record, thread, seq);
        let limit = self.export.batch_limit(&self.export.records);
        if self.export.records.building.is_full(limit) {
            self.export.flush_records()?;
        }
        self.flush_calls_if_full()
    }

    fn end(&mut self) -> Result<(), ExportError> {
        let out = calls_out(self.export, &self.source, &mut self.call_keys, &self.pairs);
        if let Some(out) = out {
            self.pairing.finish(out);
        }
        self.flush_calls_if_full()
    }
}
