//! A delta-encoded `BIGINT` column chunk, its pages ours (`pages.rs`):
//! times, sequence numbers, ids and durations (`table::DELTA_COLUMNS`).
//! The `parquet` crate's encoder writes each value bit by bit through a
//! general bit writer; ours packs a miniblock at a time (`delta.rs`).

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::ParquetError;
use parquet::file::statistics::Statistics;
use parquet::schema::types::ColumnDescPtr;

use super::delta;
use super::pages::{page_end, put_levels, DataPages};

/// The chunk of one top-level integer column in the row group being built.
#[derive(Default)]
pub(crate) struct DeltaChunk {
    pages: DataPages,
}

impl DeltaChunk {
    /// Append a batch: `values` for the rows that are not NULL; with
    /// `levels` (a nullable column) a level a row, 0 for NULL.
    pub fn write(&mut self, values: &[i64], levels: Option<&[i16]>) -> Result<(), ParquetError> {
        let rows = levels.map_or(values.len(), <[i16]>::len);
        let mut values = values;
        let mut start = 0;
        let mut body = Vec::new();
        while start < rows {
            let (end, _) = page_end(None, start, rows);
            body.clear();
            let present = match levels {
                Some(levels) => {
                    let levels = &levels[start..end];
                    put_levels(levels, 1, &mut body);
                    levels.iter().filter(|&&l| l != 0).count()
                }
                None => end - start,
            };
            let (page, rest) = values.split_at(present);
            delta::encode(page, &mut body);
            values = rest;
            self.pages.push(&body, end - start, end - start)?;
            start = end;
        }
        Ok(())
    }

    /// The chunk's pages, serialized, and what the row group needs to
    /// append them: `statistics` as the chunk's.
    pub fn finish(
        self,
        descr: ColumnDescPtr,
        statistics: Option<Statistics>,
    ) -> Result<(Bytes, ColumnCloseResult), ParquetError> {
        self.pages
            .finish(None, Encoding::DELTA_BINARY_PACKED, descr, statistics)
    }
}
