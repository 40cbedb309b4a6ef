//! Column builders: plain vectors filled row by row, then handed to the
//! Parquet column writers (`write_batch`) as they are: the values of the
//! non-null rows, and the definition levels we know from the row (no Arrow
//! arrays, no levels recomputed from them). Every `write` leaves the
//! builder empty, its capacity kept for the next batch.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int64Type};

use super::table::{Chunks, Range};
use super::ExportError;
use crate::keyed::Map;

/// Definition levels of a nullable top-level column: 1 a value, 0 NULL.
#[derive(Debug, Default)]
pub(crate) struct Levels {
    levels: Vec<i16>,
}

impl Levels {
    #[inline]
    pub fn push(&mut self, valid: bool) {
        self.levels.push(i16::from(valid));
    }

    pub fn as_slice(&self) -> &[i16] {
        &self.levels
    }

    pub fn clear(&mut self) {
        self.levels.clear();
    }
}

/// The smallest and largest of the values pushed: the column chunk's
/// statistics, known without the writer comparing every value again.
#[derive(Debug, Clone, Copy)]
struct MinMax {
    min: i64,
    max: i64,
}

impl Default for MinMax {
    fn default() -> Self {
        Self {
            min: i64::MAX,
            max: i64::MIN,
        }
    }
}

/// `BIGINT`, nullable or not.
#[derive(Debug, Default)]
pub(crate) struct Ints {
    /// The non-null values.
    values: Vec<i64>,
    /// `None` for a column without nulls.
    levels: Option<Levels>,
    range: MinMax,
}

impl Ints {
    pub fn nullable() -> Self {
        Self {
            levels: Some(Levels::default()),
            ..Self::default()
        }
    }

    #[inline]
    pub fn push(&mut self, value: i64) {
        self.values.push(value);
        self.range.min = self.range.min.min(value);
        self.range.max = self.range.max.max(value);
        if let Some(levels) = &mut self.levels {
            levels.push(true);
        }
    }

    #[inline]
    pub fn push_opt(&mut self, value: Option<i64>) {
        match value {
            Some(v) => self.push(v),
            None => {
                if let Some(levels) = &mut self.levels {
                    levels.push(false);
                }
            }
        }
    }

    /// Write the batch to the next column of `out`.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let range = std::mem::take(&mut self.range);
        let range = (!self.values.is_empty()).then_some(Range::Int(range.min, range.max));
        let levels = self.levels.as_ref().map(Levels::as_slice);
        out.write_with_range::<Int64Type>(&self.values, levels, range)?;
        self.values.clear();
        if let Some(levels) = &mut self.levels {
            levels.clear();
        }
        Ok(())
    }
}

/// `BOOLEAN`, not nullable.
#[derive(Debug, Default)]
pub(crate) struct Bools(Vec<bool>);

impl Bools {
    #[inline]
    pub fn push(&mut self, value: bool) {
        self.0.push(value);
    }

    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        out.write::<BoolType>(&self.0, None, None)?;
        self.0.clear();
        Ok(())
    }
}

/// UTF-8 strings, not nullable: the bytes of a batch end to end, and where
/// each ends.
#[derive(Debug, Default)]
pub(crate) struct Strings {
    ends: Vec<usize>,
    bytes: Vec<u8>,
    /// What `write` hands the writer: slices of one shared buffer (no
    /// allocation a value), kept for its capacity.
    values: Vec<ByteArray>,
    /// That shared buffer, taken back as `bytes` once the writer is done
    /// with its slices: no new buffer (and its page faults) a batch.
    shared: Option<Bytes>,
}

impl Strings {
    /// Append `s`.
    #[inline]
    pub fn push(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
        self.ends.push(self.bytes.len());
    }

    /// Append `bytes` as text, invalid UTF-8 replaced by U+FFFD (as
    /// `String::from_utf8_lossy`, without its allocation).
    #[inline]
    pub fn push_lossy(&mut self, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(_) => self.bytes.extend_from_slice(bytes),
            Err(_) => {
                for chunk in bytes.utf8_chunks() {
                    self.bytes.extend_from_slice(chunk.valid().as_bytes());
                    if !chunk.invalid().is_empty() {
                        self.bytes.extend_from_slice(
                            char::REPLACEMENT_CHARACTER
                                .encode_utf8(&mut [0; 4])
                                .as_bytes(),
                        );
                    }
                }
            }
        }
        self.ends.push(self.bytes.len());
    }

    pub fn bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The strings so far as `ByteArray`s of one buffer; the builder is
    /// left empty.
    fn take_values(&mut self) -> &[ByteArray] {
        let bytes = Bytes::from(std::mem::take(&mut self.bytes));
        self.values.clear();
        let mut start = 0;
        for &end in &self.ends {
            self.values.push(ByteArray::from(bytes.slice(start..end)));
            start = end;
        }
        self.ends.clear();
        self.shared = Some(bytes);
        &self.values
    }

    /// The shared buffer back as `bytes`, emptied, if nothing else holds
    /// it (else the next batch grows a new one).
    fn reclaim(&mut self) {
        if let Some(Ok(mut buffer)) = self.shared.take().map(Bytes::try_into_mut) {
            // Emptied first: the conversion moves what is left to the front.
            buffer.clear();
            self.bytes = Vec::from(buffer);
        }
    }

    /// Write the batch to the next column of `out`, with these levels.
    pub fn write(
        &mut self,
        out: &mut Chunks,
        def: Option<&[i16]>,
        rep: Option<&[i16]>,
    ) -> Result<(), ExportError> {
        let values = self.take_values();
        let written = out.write::<ByteArrayType>(values, def, rep);
        self.values.clear();
        self.reclaim();
        written
    }

    /// The string `i` (tests).
    #[cfg(test)]
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        std::str::from_utf8(&self.bytes[start..self.ends[i]]).unwrap()
    }
}

/// A cached dictionary key: the key, valid for one generation of its
/// [`Dict`] (batch). The default is never valid.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CachedKey {
    generation: u64,
    key: u32,
}

/// A string column of few distinct values (`VARCHAR` to readers; the file
/// dictionary-encodes it): the distinct strings of the batch and a key per
/// row, so that a row costs a cached key, not a string copy.
#[derive(Debug)]
pub(crate) struct Dict {
    keys: Vec<u32>,
    levels: Option<Levels>,
    /// The distinct strings, each its own buffer.
    distinct: Vec<ByteArray>,
    index: Map<Box<str>, u32>,
    bytes: usize,
    /// New at every `write` (unique among all dictionaries): keys of an
    /// earlier batch, or of another dictionary, are not valid.
    generation: u64,
    /// A value per non-null row, for the writer; kept for its capacity.
    values: Vec<ByteArray>,
}

/// Generations of every [`Dict`]: a cached key is valid for one batch of
/// one dictionary only, even when a file's rows alternate between two
/// batches (one being built while the other is written).
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

impl Dict {
    pub fn new(nullable: bool) -> Self {
        Self {
            keys: Vec::new(),
            levels: nullable.then(Levels::default),
            distinct: Vec::new(),
            index: Map::default(),
            bytes: 0,
            generation: next_generation(),
            values: Vec::new(),
        }
    }

    /// The key of `s` in this batch.
    pub fn key(&mut self, s: &str) -> u32 {
        if let Some(&key) = self.index.get(s) {
            return key;
        }
        let key = self.distinct.len() as u32;
        self.distinct
            .push(ByteArray::from(Bytes::copy_from_slice(s.as_bytes())));
        self.bytes += s.len();
        self.index.insert(s.into(), key);
        key
    }

    /// The key of `s`, through `cache` (which must only ever hold `s`'s key).
    #[inline]
    pub fn cached_key(&mut self, cache: &mut CachedKey, s: &str) -> u32 {
        if cache.generation != self.generation {
            *cache = CachedKey {
                generation: self.generation,
                key: self.key(s),
            };
        }
        cache.key
    }

    #[inline]
    pub fn push(&mut self, key: u32) {
        self.keys.push(key);
        if let Some(levels) = &mut self.levels {
            levels.push(true);
        }
    }

    #[inline]
    pub fn push_opt(&mut self, key: Option<u32>) {
        match key {
            Some(key) => self.push(key),
            None => {
                if let Some(levels) = &mut self.levels {
                    levels.push(false);
                }
            }
        }
    }

    /// Bytes of the distinct strings (bounded per batch by the caller).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Write the batch to the next column of `out`, with the smallest and
    /// largest distinct string as its statistics.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        self.generation = next_generation();
        self.index.clear();
        self.values.clear();
        self.values
            .extend(self.keys.iter().map(|&k| self.distinct[k as usize].clone()));
        let min = self.distinct.iter().min_by(|a, b| a.data().cmp(b.data()));
        let max = self.distinct.iter().max_by(|a, b| a.data().cmp(b.data()));
        let range = min
            .zip(max)
            .map(|(a, b)| Range::Bytes(a.clone(), b.clone()));
        let levels = self.levels.as_ref().map(Levels::as_slice);
        out.write_with_range::<ByteArrayType>(&self.values, levels, range)?;
        self.values.clear();
        self.distinct.clear();
        self.bytes = 0;
        self.keys.clear();
        if let Some(levels) = &mut self.levels {
            levels.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_strings_read_as_from_utf8_lossy() {
        let cases: [&[u8]; 5] = [
            b"",
            b"plain",
            b"caf\xc3\xa9 \xff",
            b"\xe2\x82",
            b"a\xf0\x9f\x98\x80\xc0z",
        ];
        let mut strings = Strings::default();
        for case in cases {
            strings.push_lossy(case);
        }
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(strings.get(i), String::from_utf8_lossy(case));
        }
    }
}
