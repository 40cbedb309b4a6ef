//! Column chunks whose pages we encode ourselves (`dict_chunk.rs`,
//! `plain_chunk.rs`, `delta_chunk.rs`), where the `parquet` crate's column
//! writer would redo work our builders have done (hash every name into a
//! dictionary again, encode levels we know the shape of value by value) or
//! do it a bit at a time (delta encoding). The pages are laid
//! out as the crate's writer lays them out (data page v1: repetition
//! levels, definition levels, values; Snappy), serialized by the crate's
//! own page writer, with the chunk's metadata its builder makes.

use bytes::Bytes;
use parquet::basic::{Compression, Encoding};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::ParquetError;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::statistics::Statistics;
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use super::hybrid;

/// Rows a data page holds at most: as many as the crate's writer puts in one.
const PAGE_ROWS: usize = parquet::file::properties::DEFAULT_DATA_PAGE_ROW_COUNT_LIMIT;

/// A data page, compressed.
struct DataPage {
    compressed: Bytes,
    /// Its size before compression.
    size: usize,
    /// Levels (entries and NULLs), or values when the column has none.
    values: u32,
}

/// Snappy, as the crate's codec calls it, into one buffer reused page
/// after page (zeroed once, not a page).
struct Snappy {
    encoder: snap::raw::Encoder,
    scratch: Vec<u8>,
}

impl Default for Snappy {
    fn default() -> Self {
        Self {
            encoder: snap::raw::Encoder::new(),
            scratch: Vec::new(),
        }
    }
}

impl Snappy {
    fn compress(&mut self, page: &[u8]) -> Result<Bytes, ParquetError> {
        let room = snap::raw::max_compress_len(page.len());
        if self.scratch.len() < room {
            self.scratch.resize(room, 0);
        }
        let n = self
            .encoder
            .compress(page, &mut self.scratch)
            .map_err(|e| ParquetError::External(Box::new(e)))?;
        Ok(Bytes::copy_from_slice(&self.scratch[..n]))
    }
}

/// The data pages of one column chunk, in order, compressed as they come
/// (a row group's chunks are held compressed, as the crate's writer holds
/// them).
#[derive(Default)]
pub(crate) struct DataPages {
    pages: Vec<DataPage>,
    rows: u64,
    snappy: Snappy,
    /// The page being encoded (scratch).
    body: Vec<u8>,
    /// A batch's levels, paged (scratch).
    levels: LevelPages,
}

/// A batch's levels as its column has them: definition levels when the
/// column's maximum is above 0, repetition levels likewise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Levels<'a> {
    def: Option<&'a [i16]>,
    rep: Option<&'a [i16]>,
    max_def: i16,
    max_rep: i16,
}

impl<'a> Levels<'a> {
    /// The levels given, those the column does not have left out.
    pub fn new(def: Option<&'a [i16]>, rep: Option<&'a [i16]>, max_def: i16, max_rep: i16) -> Self {
        Self {
            def: def.filter(|_| max_def > 0),
            rep: rep.filter(|_| max_rep > 0),
            max_def,
            max_rep,
        }
    }
}

/// A chunk's dictionary page, `PLAIN`-encoded, and its number of entries.
pub(crate) struct DictionaryPage<'a> {
    pub plain: &'a [u8],
    pub entries: u32,
}

/// A chunk's levels as given: slices, or split into pages and encoded
/// already ([`LevelPages`]: a map's key and value leaves share theirs).
#[derive(Clone, Copy)]
pub(crate) enum LevelsIn<'a> {
    /// Definition and repetition levels, each when the column has them.
    Slices(Option<&'a [i16]>, Option<&'a [i16]>),
    Paged(&'a LevelPages),
}

/// One data page of a [`LevelPages`].
#[derive(Debug, Clone)]
struct PageSpan {
    /// Its levels (or values, for a column without levels).
    levels: u32,
    rows: usize,
    /// Values present: levels at the maximum definition level.
    present: usize,
    /// Its levels, encoded, in [`LevelPages::encoded`].
    bytes: std::ops::Range<usize>,
}

/// A batch's levels split into pages that start where rows do, each
/// page's levels encoded as a v1 data page starts (repetition levels, then
/// definition levels). Made once for every leaf column with the same
/// levels: a map's key and value leaves took twice the work before.
#[derive(Debug, Default)]
pub(crate) struct LevelPages {
    pages: Vec<PageSpan>,
    encoded: Vec<u8>,
    /// The maximum levels they were encoded for (definition, repetition).
    max: (i16, i16),
}

impl LevelPages {
    /// Split and encode `levels` (`count` values when it has none).
    pub fn encode(&mut self, levels: Levels<'_>, count: usize) {
        self.pages.clear();
        self.encoded.clear();
        self.max = (levels.max_def, levels.max_rep);
        let count = levels.def.map_or(count, <[i16]>::len);
        let mut start = 0;
        while start < count {
            let (end, rows) = page_end(levels.rep, start, count);
            let at = self.encoded.len();
            if let Some(rep) = levels.rep {
                put_levels(&rep[start..end], levels.max_rep, &mut self.encoded);
            }
            let present = match levels.def {
                Some(def) => {
                    let def = &def[start..end];
                    put_levels(def, levels.max_def, &mut self.encoded);
                    def.iter().filter(|&&d| d == levels.max_def).count()
                }
                None => end - start,
            };
            self.pages.push(PageSpan {
                levels: (end - start) as u32,
                rows,
                present,
                bytes: at..self.encoded.len(),
            });
            start = end;
        }
    }
}

impl DataPages {
    /// Append a batch of `count` values (levels, for a column that has
    /// them) in pages that start where rows do: each page its levels, then
    /// what `values` appends for the values it holds (the levels at their
    /// maximum), given their number. `max`: the column's maximum
    /// definition and repetition levels.
    pub fn write_batch(
        &mut self,
        levels: LevelsIn<'_>,
        max: (i16, i16),
        count: usize,
        values: impl FnMut(usize, &mut Vec<u8>),
    ) -> Result<(), ParquetError> {
        match levels {
            LevelsIn::Slices(def, rep) => {
                let mut paged = std::mem::take(&mut self.levels);
                paged.encode(Levels::new(def, rep, max.0, max.1), count);
                let written = self.write_pages(&paged, values);
                self.levels = paged;
                written
            }
            LevelsIn::Paged(paged) => {
                debug_assert_eq!(paged.max, max, "levels encoded for another column");
                self.write_pages(paged, values)
            }
        }
    }

    fn write_pages(
        &mut self,
        paged: &LevelPages,
        mut values: impl FnMut(usize, &mut Vec<u8>),
    ) -> Result<(), ParquetError> {
        for page in &paged.pages {
            let body = &mut self.body;
            body.clear();
            body.extend_from_slice(&paged.encoded[page.bytes.clone()]);
            values(page.present, body);
            self.pages.push(DataPage {
                compressed: self.snappy.compress(body)?,
                size: body.len(),
                values: page.levels,
            });
            self.rows += page.rows as u64;
        }
        Ok(())
    }

    /// The chunk serialized (its dictionary page first, if any), and what
    /// its row group needs to append it; the data pages are `encoding`.
    pub fn finish(
        self,
        dictionary: Option<DictionaryPage<'_>>,
        encoding: Encoding,
        descr: ColumnDescPtr,
        statistics: Option<Statistics>,
    ) -> Result<(Bytes, ColumnCloseResult), ParquetError> {
        let mut snappy = self.snappy;
        // Room for every page and its header (a few dozen bytes): the
        // chunk is not copied again as it grows.
        let pages_bytes: usize = self.pages.iter().map(|p| p.compressed.len() + 64).sum();
        let dictionary_bytes = dictionary.as_ref().map_or(0, |d| d.plain.len() + 64);
        let mut sink = TrackedWrite::new(Vec::with_capacity(pages_bytes + dictionary_bytes));
        let mut compressed = 0;
        let mut uncompressed = 0;
        let mut values = 0;
        let mut data_page_offset = None;
        // As the crate's writer lists them: levels are RLE, a dictionary
        // page PLAIN.
        let mut encodings = vec![Encoding::RLE, encoding];
        if dictionary.is_some() {
            encodings.push(Encoding::PLAIN);
        }
        encodings.sort();
        encodings.dedup();
        {
            let mut pages = SerializedPageWriter::new(&mut sink);
            if let Some(dictionary) = &dictionary {
                let page = Page::DictionaryPage {
                    buf: snappy.compress(dictionary.plain)?,
                    num_values: dictionary.entries,
                    encoding: Encoding::PLAIN,
                    is_sorted: false,
                };
                let spec = pages.write_page(CompressedPage::new(page, dictionary.plain.len()))?;
                compressed += spec.compressed_size as i64;
                uncompressed += spec.uncompressed_size as i64;
            }
            for page in &self.pages {
                let data = Page::DataPage {
                    buf: page.compressed.clone(),
                    num_values: page.values,
                    encoding,
                    def_level_encoding: Encoding::RLE,
                    rep_level_encoding: Encoding::RLE,
                    statistics: None,
                };
                let spec = pages.write_page(CompressedPage::new(data, page.size))?;
                data_page_offset.get_or_insert(spec.offset as i64);
                compressed += spec.compressed_size as i64;
                uncompressed += spec.uncompressed_size as i64;
                values += i64::from(page.values);
            }
        }
        let mut metadata = ColumnChunkMetaData::builder(descr)
            .set_compression(Compression::SNAPPY)
            .set_encodings(encodings)
            .set_total_compressed_size(compressed)
            .set_total_uncompressed_size(uncompressed)
            .set_num_values(values)
            .set_dictionary_page_offset(dictionary.map(|_| 0))
            .set_data_page_offset(data_page_offset.unwrap_or(0));
        if let Some(statistics) = statistics {
            metadata = metadata.set_statistics(statistics);
        }
        let bytes = Bytes::from(sink.into_inner()?);
        let close = ColumnCloseResult {
            bytes_written: bytes.len() as u64,
            rows_written: self.rows,
            metadata: metadata.build()?,
            bloom_filter: None,
            column_index: None,
            offset_index: None,
        };
        Ok((bytes, close))
    }
}

/// The page that starts at level `start` of a batch of `count` levels ends
/// where its row `PAGE_ROWS` starts (a page holds whole rows), or at the
/// batch's end: that end, and the rows in the page. `rep`: the column's
/// repetition levels (a row starts at each 0), `None` for a top-level
/// column (a row a level).
fn page_end(rep: Option<&[i16]>, start: usize, count: usize) -> (usize, usize) {
    let Some(rep) = rep else {
        let end = (start + PAGE_ROWS).min(count);
        return (end, end - start);
    };
    let mut rows = 0;
    for (i, &r) in rep[start..count].iter().enumerate() {
        if r == 0 {
            if rows == PAGE_ROWS {
                return (start + i, rows);
            }
            rows += 1;
        }
    }
    (count, rows)
}

/// Append `levels` (each at most `max`) as a v1 data page holds them:
/// their encoded length (4 bytes, little-endian), then the RLE/bit-packed
/// hybrid.
fn put_levels(levels: &[i16], max: i16, body: &mut Vec<u8>) {
    let at = body.len();
    body.extend_from_slice(&[0; 4]);
    hybrid::encode(levels, hybrid::bit_width(max as u32), body);
    let len = (body.len() - at - 4) as u32;
    body[at..at + 4].copy_from_slice(&len.to_le_bytes());
}
