//! A dictionary-encoded string column chunk, its pages ours (`pages.rs`).
//! The batches' builders (`columns::Dict`) already key every row by its
//! batch's distinct strings; the `parquet` crate's column writer would hash
//! every row's string into its own dictionary again. Here only each batch's
//! distinct strings are looked up in the chunk's dictionary, and the rows'
//! indices go out as they are: one dictionary page (`PLAIN`), then data
//! pages of `RLE_DICTIONARY` indices (Parquet's RLE/bit-packed hybrid,
//! `hybrid.rs`).

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::ParquetError;
use parquet::file::statistics::Statistics;
use parquet::schema::types::ColumnDescPtr;

use super::columns::{Distinct, Names, NO_ID};
use super::hybrid;
use super::pages::{DataPages, DictionaryPage, LevelsIn};
use crate::keyed::Map;

/// The chunk of one dictionary column in the row group being built.
pub(crate) struct DictChunk {
    max_def: i16,
    max_rep: i16,
    /// The chunk's dictionary: each string's chunk index is its key.
    names: Names,
    pages: DataPages,
    /// A batch's keys as chunk indices (kept from batch to batch for a
    /// dictionary kept for the row group).
    remap: Vec<u32>,
    /// By a string's id for the whole export (`Distinct::Batch`'s ids): its
    /// chunk index. A map, not a table: an export of many files has many
    /// ids, a chunk only its rows'.
    by_id: Map<u32, u32>,
    indices: Vec<u32>,
}

impl DictChunk {
    pub fn new(descr: &ColumnDescPtr) -> Self {
        Self {
            max_def: descr.max_def_level(),
            max_rep: descr.max_rep_level(),
            names: Names::default(),
            pages: DataPages::default(),
            remap: Vec::new(),
            by_id: Map::default(),
            indices: Vec::new(),
        }
    }

    /// Bytes of the chunk's dictionary page so far (`PLAIN`: each string's
    /// length in 4 bytes, then its bytes).
    pub fn dictionary_bytes(&self) -> usize {
        self.names.bytes() + 4 * self.names.len()
    }

    /// Append a batch: `keys` into `distinct`, for the levels at the
    /// maximum definition level, with the levels the column has. Pages
    /// start where rows do. A kept
    /// `distinct` is the one the chunk's earlier batches gave, grown: then
    /// only its new strings are looked up; a batch's own strings with ids
    /// are found by id once the chunk has seen them.
    pub fn write(
        &mut self,
        distinct: Distinct<'_>,
        keys: &[u32],
        levels: LevelsIn<'_>,
    ) -> Result<(), ParquetError> {
        match distinct {
            Distinct::Kept(kept) => {
                if self.remap.len() > kept.len() {
                    self.remap.clear();
                }
                for s in kept.iter_from(self.remap.len() as u32) {
                    let i = self.names.key(s);
                    self.remap.push(i);
                }
            }
            Distinct::Batch(names, ids) => {
                self.remap.clear();
                let ids = ids.into_iter().flatten().copied();
                for (s, id) in names.iter().zip(ids.chain(std::iter::repeat(NO_ID))) {
                    let i = self.key_of(s, id);
                    self.remap.push(i);
                }
            }
        }
        let width = hybrid::bit_width(self.names.len().saturating_sub(1) as u32);
        let max = (self.max_def, self.max_rep);
        // The batch's keys are the chunk's indices when its names came in
        // the chunk's order (most batches after the first): no remapping.
        let same = self.remap.iter().enumerate().all(|(i, &r)| r as usize == i);
        let (remap, indices) = (&self.remap, &mut self.indices);
        let mut at = 0;
        self.pages
            .write_batch(levels, max, keys.len(), |present, body| {
                let page = &keys[at..at + present];
                at += present;
                body.push(width);
                if same {
                    hybrid::encode(page, width, body);
                } else {
                    indices.clear();
                    indices.extend(page.iter().map(|&k| remap[k as usize]));
                    hybrid::encode(indices, width, body);
                }
            })
    }

    /// The chunk index of `s`, which `id` names.
    fn key_of(&mut self, s: &str, id: u32) -> u32 {
        if id == NO_ID {
            return self.names.key(s);
        }
        let names = &mut self.names;
        *self.by_id.entry(id).or_insert_with(|| names.key(s))
    }

    /// The chunk's pages, serialized, and what the row group needs to
    /// append them: `statistics` as the chunk's.
    pub fn finish(
        self,
        descr: ColumnDescPtr,
        statistics: Option<Statistics>,
    ) -> Result<(Bytes, ColumnCloseResult), ParquetError> {
        let mut plain = Vec::with_capacity(self.dictionary_bytes());
        for s in self.names.iter() {
            plain.extend_from_slice(&(s.len() as u32).to_le_bytes());
            plain.extend_from_slice(s.as_bytes());
        }
        let dictionary = DictionaryPage {
            plain: &plain,
            entries: self.names.len() as u32,
        };
        self.pages.finish(
            Some(dictionary),
            Encoding::RLE_DICTIONARY,
            descr,
            statistics,
        )
    }
}
