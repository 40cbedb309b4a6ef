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
use super::pages::{DataPages, LevelsIn};

/// The chunk of one top-level integer column in the row group being built.
#[derive(Default)]
pub(crate) struct DeltaChunk {
    pages: DataPages,
}

impl DeltaChunk {
    /// Append a batch: `values` for the rows that are not NULL; with
    /// `levels` (a nullable column) a level a row, 0 for NULL.
    /// Their smallest and largest come back (`None` for none).
    pub fn write(
        &mut self,
        values: &[i64],
        levels: Option<&[i16]>,
    ) -> Result<Option<(i64, i64)>, ParquetError> {
        let mut values = values;
        let mut range: Option<(i64, i64)> = None;
        self.pages.write_batch(
            LevelsIn::Slices(levels, None),
            (1, 0),
            values.len(),
            |present, body| {
                let (page, rest) = values.split_at(present);
                if let Some((lo, hi)) = delta::encode(page, body) {
                    range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
                }
                values = rest;
            },
        )?;
        Ok(range)
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
