//! One Parquet file being written: Snappy-compressed, row groups of a
//! bounded number of rows, and encodings chosen per column (dictionaries
//! for repeated values; delta encoding for timestamps and sequence
//! numbers, which grow steadily and would only overflow a dictionary).

use std::io::Write;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::format::KeyValue;
use parquet::schema::types::ColumnPath;

use super::error::ExportError;

/// The argument maps.
const MAP_COLUMNS: [&str; 4] = ["args_int", "args_str", "exit_args_int", "exit_args_str"];
/// Columns of increasing integers: delta-encoded, no dictionary.
const DELTA_COLUMNS: [&str; 6] = [
    "seq",
    "ts_ns",
    "start_ns",
    "end_ns",
    "enter_seq",
    "exit_seq",
];

pub(crate) struct Table<W: Write + Send> {
    /// "records" or "calls", for messages and the file's metadata.
    name: &'static str,
    schema: SchemaRef,
    writer: ArrowWriter<W>,
}

impl<W: Write + Send> Table<W> {
    pub fn new(
        name: &'static str,
        schema: SchemaRef,
        out: W,
        row_group_rows: usize,
    ) -> Result<Self, ExportError> {
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_size(row_group_rows.max(1))
            // Min and max per column chunk (what engines skip row groups
            // by), not per page: half the work.
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_key_value_metadata(Some(vec![
                KeyValue::new("simpletrace.table".to_string(), name.to_string()),
                KeyValue::new("simpletrace.schema_version".to_string(), "1".to_string()),
            ]));
        // Argument values vary most: a dictionary would be hashed into for
        // every value only to overflow; nor do engines prune on their
        // statistics (map entries of every name mixed).
        for map in MAP_COLUMNS {
            if schema.field_with_name(map).is_ok() {
                for part in ["key", "value"] {
                    let path = ColumnPath::new(vec![map.into(), "key_value".into(), part.into()]);
                    props =
                        props.set_column_statistics_enabled(path.clone(), EnabledStatistics::None);
                    if part == "value" {
                        props = props.set_column_dictionary_enabled(path, false);
                    }
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
        let writer =
            ArrowWriter::try_new(out, schema.clone(), Some(props.build())).map_err(|source| {
                ExportError::Write {
                    table: name,
                    source,
                }
            })?;
        Ok(Self {
            name,
            schema,
            writer,
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Append `batch`; a row group is written out each time it fills.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ExportError> {
        self.writer
            .write(batch)
            .map_err(|source| ExportError::Write {
                table: self.name,
                source,
            })
    }

    /// Write the last row group and the footer, and flush.
    pub fn close(self) -> Result<(), ExportError> {
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
