//! A `PLAIN`-encoded column chunk with levels, its pages ours
//! (`pages.rs`): the argument maps' values. Their builders hold
//! the values already as `PLAIN` lays them out (`columns::Strings`) and the
//! levels as the rows made them; the `parquet` crate's column writer would
//! copy every value again and encode the levels one by one.

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::ParquetError;
use parquet::schema::types::ColumnDescPtr;

use super::pages::{DataPages, LevelsIn};

/// A batch's values, `PLAIN`-encoded.
pub(crate) enum Plain<'a> {
    /// 64-bit integers, as `PLAIN` holds them (8 bytes each, little-endian).
    Int64(&'a [u8]),
    /// Byte arrays: each one's length (4 bytes, little-endian), then its
    /// bytes, end to end; `ends[i]`, where value `i`'s encoding ends.
    ByteArrays { plain: &'a [u8], ends: &'a [usize] },
}

impl Plain<'_> {
    /// Append values `from..to`.
    fn put(&self, from: usize, to: usize, body: &mut Vec<u8>) {
        match *self {
            Plain::Int64(bytes) => body.extend_from_slice(&bytes[from * 8..to * 8]),
            Plain::ByteArrays { plain, ends } => {
                if from < to {
                    let start = if from == 0 { 0 } else { ends[from - 1] };
                    body.extend_from_slice(&plain[start..ends[to - 1]]);
                }
            }
        }
    }
}

/// The chunk of one leaf column in the row group being built.
pub(crate) struct PlainChunk {
    max_def: i16,
    max_rep: i16,
    pages: DataPages,
}

impl PlainChunk {
    pub fn new(descr: &ColumnDescPtr) -> Self {
        Self {
            max_def: descr.max_def_level(),
            max_rep: descr.max_rep_level(),
            pages: DataPages::default(),
        }
    }

    /// Append a batch: `values` for the levels at the maximum definition
    /// level, with the levels the column has. Pages start where rows do.
    pub fn write(&mut self, values: Plain<'_>, levels: LevelsIn<'_>) -> Result<(), ParquetError> {
        let count = match &values {
            Plain::Int64(bytes) => bytes.len() / 8,
            Plain::ByteArrays { ends, .. } => ends.len(),
        };
        let max = (self.max_def, self.max_rep);
        let mut value = 0;
        self.pages.write_batch(levels, max, count, |present, body| {
            values.put(value, value + present, body);
            value += present;
        })
    }

    /// The chunk's pages, serialized, and what the row group needs to
    /// append them.
    pub fn finish(self, descr: ColumnDescPtr) -> Result<(Bytes, ColumnCloseResult), ParquetError> {
        self.pages.finish(None, Encoding::PLAIN, descr, None)
    }
}
