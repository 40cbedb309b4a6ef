//! A `PLAIN`-encoded column chunk with levels, its pages ours
//! (`pages.rs`): the argument maps' keys and values. Their builders hold
//! the values already as `PLAIN` lays them out (`columns::Strings`) and the
//! levels as the rows made them; the `parquet` crate's column writer would
//! copy every value again and encode the levels one by one.

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::ParquetError;
use parquet::schema::types::ColumnDescPtr;

use super::pages::{page_end, put_levels, DataPages};

/// A batch's values, `PLAIN`-encoded.
pub(crate) enum Plain<'a> {
    /// 64-bit integers.
    Int64(&'a [i64]),
    /// Byte arrays: each one's length (4 bytes, little-endian), then its
    /// bytes, end to end; `ends[i]`, where value `i`'s encoding ends.
    ByteArrays { plain: &'a [u8], ends: &'a [usize] },
}

impl Plain<'_> {
    /// Append values `from..to`.
    fn put(&self, from: usize, to: usize, body: &mut Vec<u8>) {
        match *self {
            Plain::Int64(values) => {
                let values = &values[from..to];
                let at = body.len();
                body.resize(at + values.len() * 8, 0);
                for (out, v) in body[at..].chunks_exact_mut(8).zip(values) {
                    out.copy_from_slice(&v.to_le_bytes());
                }
            }
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

    /// Append a batch: `values` for the levels at `def`'s maximum, with
    /// the levels the column has (`def` when it has a maximum above 0,
    /// `rep` likewise). Pages start where rows do.
    pub fn write(
        &mut self,
        values: Plain<'_>,
        def: Option<&[i16]>,
        rep: Option<&[i16]>,
    ) -> Result<(), ParquetError> {
        let def = def.filter(|_| self.max_def > 0);
        let rep = rep.filter(|_| self.max_rep > 0);
        let count = match (def, &values) {
            (Some(def), _) => def.len(),
            (None, Plain::Int64(v)) => v.len(),
            (None, Plain::ByteArrays { ends, .. }) => ends.len(),
        };
        let mut start = 0;
        let mut value = 0;
        let mut body = Vec::new();
        while start < count {
            let (end, rows) = page_end(rep, start, count);
            body.clear();
            if let Some(rep) = rep {
                put_levels(&rep[start..end], self.max_rep, &mut body);
            }
            let present = match def {
                Some(def) => {
                    let def = &def[start..end];
                    put_levels(def, self.max_def, &mut body);
                    def.iter().filter(|&&d| d == self.max_def).count()
                }
                None => end - start,
            };
            values.put(value, value + present, &mut body);
            value += present;
            self.pages.push(&body, end - start, rows)?;
            start = end;
        }
        Ok(())
    }

    /// The chunk's pages, serialized, and what the row group needs to
    /// append them.
    pub fn finish(self, descr: ColumnDescPtr) -> Result<(Bytes, ColumnCloseResult), ParquetError> {
        self.pages.finish(None, Encoding::PLAIN, descr, None)
    }
}
