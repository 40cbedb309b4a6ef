//! Column builders: plain vectors filled row by row, then handed as they
//! are to the `parquet` crate's column writers (`write_batch`: integers,
//! bools) or to the pages we encode ourselves (dictionary keys, `PLAIN`
//! strings: `pages.rs`), with the definition levels we know from the row
//! (no Arrow arrays, no levels recomputed from them). Every `write` leaves
//! the builder empty, its capacity kept for the next batch.

use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicU64, Ordering};

use parquet::data_type::{BoolType, ByteArray};

use super::pages::{LevelPages, LevelsIn};
use super::plain_chunk::Plain;
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

    /// `n` levels alike.
    pub fn push_n(&mut self, valid: bool, n: usize) {
        self.levels.resize(self.levels.len() + n, i16::from(valid));
    }

    pub fn as_slice(&self) -> &[i16] {
        &self.levels
    }

    pub fn clear(&mut self) {
        self.levels.clear();
    }
}

/// `BIGINT`, nullable or not.
#[derive(Debug, Default)]
pub(crate) struct Ints {
    /// The non-null values.
    values: Vec<i64>,
    /// `None` for a column without nulls.
    levels: Option<Levels>,
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

    /// `n` rows alike: `value`, or NULL for `None`.
    pub fn push_n(&mut self, value: Option<i64>, n: usize) {
        if let Some(v) = value {
            self.values.resize(self.values.len() + n, v);
        }
        if let Some(levels) = &mut self.levels {
            levels.push_n(value.is_some(), n);
        }
    }

    /// Write the batch to the next column of `out` (its smallest and
    /// largest value, its statistics, are found there as it is encoded,
    /// not as each row is built).
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let levels = self.levels.as_ref().map(Levels::as_slice);
        out.write_ints(&self.values, levels)?;
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

    /// Write the batch to the next column of `out`, with its smallest and
    /// largest value as its statistics.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let range = (!self.0.is_empty()).then(|| {
            let min = self.0.iter().all(|&b| b);
            let max = self.0.iter().any(|&b| b);
            Range::Bool(min, max)
        });
        out.write_with_range::<BoolType>(&self.0, None, range)?;
        self.0.clear();
        Ok(())
    }
}

/// UTF-8 strings, laid out as Parquet's `PLAIN` encoding holds them: each
/// one's length (4 bytes, little-endian), then its bytes, end to end; and
/// where each ends. The pages take them as they are (`plain_chunk.rs`).
#[derive(Debug, Default)]
pub(crate) struct Strings {
    plain: Vec<u8>,
    ends: Vec<usize>,
}

impl Strings {
    /// Append `bytes` as text, invalid UTF-8 replaced by U+FFFD (as
    /// `String::from_utf8_lossy`, without its allocation).
    #[inline]
    pub fn push_lossy(&mut self, bytes: &[u8]) {
        let at = self.plain.len();
        self.plain.extend_from_slice(&[0; 4]);
        match std::str::from_utf8(bytes) {
            Ok(_) => self.plain.extend_from_slice(bytes),
            Err(_) => {
                for chunk in bytes.utf8_chunks() {
                    self.plain.extend_from_slice(chunk.valid().as_bytes());
                    if !chunk.invalid().is_empty() {
                        self.plain.extend_from_slice(
                            char::REPLACEMENT_CHARACTER
                                .encode_utf8(&mut [0; 4])
                                .as_bytes(),
                        );
                    }
                }
            }
        }
        // A record holds far fewer than 4 GiB (`MAX_RECORD_LEN`).
        let len = (self.plain.len() - at - 4) as u32;
        self.plain[at..at + 4].copy_from_slice(&len.to_le_bytes());
        self.ends.push(self.plain.len());
    }

    /// Write the batch to the next column of `out`, with these levels.
    pub fn write(&mut self, out: &mut Chunks, levels: &LevelPages) -> Result<(), ExportError> {
        let values = Plain::ByteArrays {
            plain: &self.plain,
            ends: &self.ends,
        };
        let written = out.write_plain(values, LevelsIn::Paged(levels));
        self.plain.clear();
        self.ends.clear();
        written
    }

    /// The string `i` (tests).
    #[cfg(test)]
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let len = u32::from_le_bytes(self.plain[start..start + 4].try_into().unwrap());
        let s = std::str::from_utf8(&self.plain[start + 4..self.ends[i]]).unwrap();
        assert_eq!(s.len(), len as usize);
        s
    }
}

/// A cached dictionary key: the key, valid for one generation of its
/// [`Dict`] (batch). The default is never valid.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CachedKey {
    generation: u64,
    key: u32,
}

impl CachedKey {
    /// Never valid (generations start at 1), as the default.
    pub(crate) const NONE: CachedKey = CachedKey {
        generation: 0,
        key: 0,
    };
}

/// Distinct strings, end to end in one buffer, each found by its hash: no
/// allocation a string (a batch of a trace of thousands of events keys
/// thousands of names, batch after batch).
#[derive(Debug, Default)]
pub(crate) struct Names {
    text: String,
    /// Where each name ends in `text`, in key order.
    ends: Vec<usize>,
    /// By hash: the key of the first name of that hash.
    by_hash: Map<u64, u32>,
    /// Names whose hash an earlier name has (64 bits: not seen in practice).
    collided: Map<Box<str>, u32>,
}

impl Names {
    /// Name `key`.
    pub fn get(&self, key: u32) -> &str {
        let key = key as usize;
        let start = if key == 0 { 0 } else { self.ends[key - 1] };
        &self.text[start..self.ends[key]]
    }

    /// The names in key order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.iter_from(0)
    }

    /// The names from key `first` on, in key order.
    pub fn iter_from(&self, first: u32) -> impl Iterator<Item = &str> {
        (first..self.ends.len() as u32).map(|key| self.get(key))
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Bytes of the names, end to end.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }

    /// Append `s` as a name of its own, not looked up: a name already
    /// there gets a second key. For names that ids tell apart
    /// ([`Dict::cached_key_of`]); a `Names` filled this way is not keyed
    /// by [`Self::key`].
    fn push_unkeyed(&mut self, s: &str) -> u32 {
        let key = self.ends.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len());
        key
    }

    /// The key of `s`, given one if new.
    pub fn key(&mut self, s: &str) -> u32 {
        let hash = self.by_hash.hasher().hash_one(s);
        self.key_hashed(s, hash)
    }

    fn key_hashed(&mut self, s: &str, hash: u64) -> u32 {
        let next = self.ends.len() as u32;
        let key = match self.by_hash.entry(hash) {
            Entry::Vacant(slot) => *slot.insert(next),
            Entry::Occupied(slot) => {
                let key = *slot.get();
                if self.get(key) == s {
                    return key;
                }
                *self.collided.entry(s.into()).or_insert(next)
            }
        };
        if key == next {
            self.text.push_str(s);
            self.ends.push(self.text.len());
        }
        key
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.by_hash.clear();
        self.collided.clear();
    }
}

/// A string column of few distinct values (`VARCHAR` to readers; the file
/// dictionary-encodes it): the distinct strings of the batch and a key per
/// row, so that a row costs a cached key, not a string copy. The keys go
/// to the file as they are (`dict_chunk.rs`).
#[derive(Debug)]
pub(crate) struct Dict {
    keys: Vec<u32>,
    levels: Option<Levels>,
    /// The distinct strings, in key order.
    distinct: Names,
    /// For each distinct string, when every one came through
    /// [`Self::cached_key_of`]: the id that names it for the whole export,
    /// by which the table's thread finds it in its chunk's dictionary.
    ids: Vec<u32>,
    /// New at every `clear` (each `write` ends with one; unique among all
    /// dictionaries): keys of an earlier batch, or of another dictionary,
    /// are not valid.
    generation: u64,
}

/// No id: the string is found in a chunk's dictionary by its hash.
pub(crate) const NO_ID: u32 = u32::MAX;

/// The distinct strings a batch's dictionary keys index.
#[derive(Clone, Copy)]
pub(crate) enum Distinct<'a> {
    /// The batch's own, with each one's id for the whole export if known
    /// ([`Dict::cached_key_of`]).
    Batch(&'a Names, Option<&'a [u32]>),
    /// A dictionary kept for the row group: the one the column's earlier
    /// batches of the group gave, grown.
    Kept(&'a Names),
}

/// Generations of every [`Dict`]: a cached key is valid for one batch of
/// one dictionary only, even when a file's rows go to batch after batch
/// in turn (one being built while the others are written).
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

impl Dict {
    pub fn new(nullable: bool) -> Self {
        Self {
            keys: Vec::new(),
            levels: nullable.then(Levels::default),
            distinct: Names::default(),
            ids: Vec::new(),
            generation: next_generation(),
        }
    }

    /// The key of `s` in this batch.
    pub fn key(&mut self, s: &str) -> u32 {
        self.distinct.key(s)
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

    /// [`Self::cached_key`] for a string that `id` names for the whole
    /// export (one id, one string; [`NO_ID`] for none), `cache` being the
    /// id's: a batch of a trace of thousands of events then costs a lookup
    /// by id for each of its distinct names on the table's thread, and no
    /// hash of any here. Two ids of one string (two files' events of one
    /// name) get a key each; the table's thread keys them as one
    /// (`DictChunk`). Not to be mixed with [`Self::cached_key`] on one
    /// dictionary.
    #[inline]
    pub fn cached_key_of(&mut self, cache: &mut CachedKey, s: &str, id: u32) -> u32 {
        if cache.generation != self.generation {
            let key = self.distinct.push_unkeyed(s);
            self.ids.push(id);
            *cache = CachedKey {
                generation: self.generation,
                key,
            };
        }
        cache.key
    }

    /// Each distinct string's id, when every one has one.
    fn ids(&self) -> Option<&[u32]> {
        (!self.ids.is_empty() && self.ids.len() == self.distinct.len()).then_some(&self.ids[..])
    }

    #[inline]
    pub fn push(&mut self, key: u32) {
        self.keys.push(key);
        if let Some(levels) = &mut self.levels {
            levels.push(true);
        }
    }

    /// Append `keys` (a column without levels of its own: a map's keys).
    #[inline]
    pub fn extend(&mut self, keys: impl IntoIterator<Item = u32>) {
        debug_assert!(self.levels.is_none());
        self.keys.extend(keys);
    }

    /// `n` rows alike: `key`, or NULL for `None`.
    pub fn push_n(&mut self, key: Option<u32>, n: usize) {
        if let Some(key) = key {
            self.keys.resize(self.keys.len() + n, key);
        }
        if let Some(levels) = &mut self.levels {
            levels.push_n(key.is_some(), n);
        }
    }

    /// The keys of the rows so far (tests).
    #[cfg(test)]
    pub fn pending_keys(&self) -> &[u32] {
        &self.keys
    }

    /// Bytes of the distinct strings (bounded per batch by the caller).
    pub fn bytes(&self) -> usize {
        self.distinct.bytes()
    }

    /// Write the batch to the next column of `out`, a map's keys, with
    /// the map's levels (no statistics: engines skip by top-level columns).
    /// The distinct strings are kept: the caller keys the row group's
    /// batches through them, and [`Self::clear`]s them when it ends.
    pub fn write_leveled(
        &mut self,
        out: &mut Chunks,
        levels: &LevelPages,
    ) -> Result<(), ExportError> {
        debug_assert!(self.levels.is_none(), "the map's levels are the levels");
        let levels = LevelsIn::Paged(levels);
        out.write_dict(Distinct::Kept(&self.distinct), &self.keys, levels, None)?;
        self.keys.clear();
        Ok(())
    }

    /// Forget the rows and the distinct strings (a batch written, or a
    /// new row group for a kept dictionary): cached keys are no longer valid.
    pub fn clear(&mut self) {
        self.generation = next_generation();
        self.distinct.clear();
        self.ids.clear();
        self.keys.clear();
        if let Some(levels) = &mut self.levels {
            levels.clear();
        }
    }

    /// Write the batch to the next column of `out`, with the smallest and
    /// largest distinct string as its statistics.
    pub fn write(&mut self, out: &mut Chunks) -> Result<(), ExportError> {
        let min = self.distinct.iter().min();
        let max = self.distinct.iter().max();
        let range = min.zip(max).map(|(a, b)| {
            Range::Bytes(
                ByteArray::from(a.as_bytes().to_vec()),
                ByteArray::from(b.as_bytes().to_vec()),
            )
        });
        let levels = self.levels.as_ref().map(Levels::as_slice);
        let distinct = Distinct::Batch(&self.distinct, self.ids());
        out.write_dict(distinct, &self.keys, LevelsIn::Slices(levels, None), range)?;
        self.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_one_hash_keep_their_own_keys() {
        let mut names = Names::default();
        // Forced collisions: "b" and "c" hash as "a" does.
        assert_eq!(names.key_hashed("a", 7), 0);
        assert_eq!(names.key_hashed("b", 7), 1);
        assert_eq!(names.key_hashed("c", 7), 2);
        assert_eq!(names.key_hashed("b", 7), 1);
        assert_eq!(names.key_hashed("d", 9), 3);
        assert_eq!(names.key_hashed("a", 7), 0);
        assert_eq!(names.key_hashed("c", 7), 2);
        assert_eq!(names.iter().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        assert_eq!(names.key("e"), 4);
        assert_eq!(names.key("e"), 4);
        names.clear();
        assert_eq!(names.key("e"), 0);
        assert_eq!(names.get(0), "e");
    }

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
