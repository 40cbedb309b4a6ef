//! Column builders: plain vectors filled row by row and handed to Arrow
//! without a copy when a batch is taken. Every `take` leaves the builder
//! empty for the next batch.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, Int32Array, Int64Array, StringArray};
use arrow_buffer::{BooleanBufferBuilder, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};

/// The vector's contents, leaving an empty one of the same capacity: the
/// next batch is as large, and growing it again would copy it over and over.
pub(crate) fn take_sized<T>(v: &mut Vec<T>) -> Vec<T> {
    let capacity = v.len();
    std::mem::replace(v, Vec::with_capacity(capacity))
}

/// Validity bits of a nullable column.
#[derive(Debug)]
pub(crate) struct Validity {
    bits: BooleanBufferBuilder,
    nulls: usize,
}

impl Default for Validity {
    fn default() -> Self {
        Self {
            bits: BooleanBufferBuilder::new(0),
            nulls: 0,
        }
    }
}

impl Validity {
    #[inline]
    pub fn push(&mut self, valid: bool) {
        self.bits.append(valid);
        self.nulls += usize::from(!valid);
    }

    /// The null buffer, `None` when every row is valid.
    pub fn take(&mut self) -> Option<NullBuffer> {
        let bits = self.bits.finish();
        let nulls = std::mem::take(&mut self.nulls);
        (nulls > 0).then(|| NullBuffer::new(bits))
    }
}

/// `BIGINT`, nullable or not.
#[derive(Debug, Default)]
pub(crate) struct Ints {
    values: Vec<i64>,
    /// `None` for a column without nulls.
    validity: Option<Validity>,
}

impl Ints {
    pub fn nullable() -> Self {
        Self {
            values: Vec::new(),
            validity: Some(Validity::default()),
        }
    }

    #[inline]
    pub fn push(&mut self, value: i64) {
        self.values.push(value);
        if let Some(v) = &mut self.validity {
            v.push(true);
        }
    }

    #[inline]
    pub fn push_opt(&mut self, value: Option<i64>) {
        self.values.push(value.unwrap_or(0));
        if let Some(v) = &mut self.validity {
            v.push(value.is_some());
        }
    }

    pub fn take(&mut self) -> ArrayRef {
        let values = ScalarBuffer::from(take_sized(&mut self.values));
        let nulls = self.validity.as_mut().and_then(Validity::take);
        Arc::new(Int64Array::new(values, nulls))
    }
}

/// `BOOLEAN`, not nullable.
#[derive(Debug)]
pub(crate) struct Bools(BooleanBufferBuilder);

impl Default for Bools {
    fn default() -> Self {
        Self(BooleanBufferBuilder::new(0))
    }
}

impl Bools {
    #[inline]
    pub fn push(&mut self, value: bool) {
        self.0.append(value);
    }

    pub fn take(&mut self) -> ArrayRef {
        Arc::new(BooleanArray::new(self.0.finish(), None))
    }
}

/// UTF-8 strings, not nullable: offsets and bytes.
#[derive(Debug)]
pub(crate) struct Strings {
    offsets: Vec<i32>,
    bytes: Vec<u8>,
}

impl Default for Strings {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            bytes: Vec::new(),
        }
    }
}

impl Strings {
    /// Append `s`. The caller keeps a batch's bytes far below `i32::MAX`
    /// (see [`super::records::MAX_BATCH_BYTES`]).
    #[inline]
    pub fn push(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
        self.offsets.push(self.bytes.len() as i32);
    }

    /// Append `bytes` as text, invalid UTF-8 replaced by U+FFFD (as
    /// `String::from_utf8_lossy`, without its allocation).
    #[inline]
    pub fn push_lossy(&mut self, bytes: &[u8]) {
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
        self.offsets.push(self.bytes.len() as i32);
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn bytes(&self) -> usize {
        self.bytes.len()
    }

    pub fn take(&mut self) -> StringArray {
        let mut next = Vec::with_capacity(self.offsets.len());
        next.push(0);
        let offsets = std::mem::replace(&mut self.offsets, next);
        let bytes = take_sized(&mut self.bytes);
        // Offsets start at 0 and never decrease, and every pushed piece is a
        // whole `str`: valid by construction, checked once more by Arrow.
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        StringArray::new(offsets, Buffer::from_vec(bytes), None)
    }
}

/// A cached dictionary key: the key, valid for one generation of its
/// [`Dict`] (batch). The default is never valid.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CachedKey {
    generation: u64,
    key: i32,
}

/// A dictionary-encoded string column (`VARCHAR` to readers): the distinct
/// strings of the batch and a key per row.
#[derive(Debug)]
pub(crate) struct Dict {
    keys: Vec<i32>,
    validity: Option<Validity>,
    values: Strings,
    index: HashMap<Box<str>, i32>,
    /// Bumped by every `take`: keys of an earlier batch are not valid.
    generation: u64,
}

impl Dict {
    pub fn new(nullable: bool) -> Self {
        Self {
            keys: Vec::new(),
            validity: nullable.then(Validity::default),
            values: Strings::default(),
            index: HashMap::new(),
            generation: 1,
        }
    }

    /// The key of `s` in this batch.
    pub fn key(&mut self, s: &str) -> i32 {
        if let Some(&key) = self.index.get(s) {
            return key;
        }
        let key = self.values.len() as i32;
        self.values.push(s);
        self.index.insert(s.into(), key);
        key
    }

    /// The key of `s`, through `cache` (which must only ever hold `s`'s key).
    #[inline]
    pub fn cached_key(&mut self, cache: &mut CachedKey, s: &str) -> i32 {
        if cache.generation != self.generation {
            *cache = CachedKey {
                generation: self.generation,
                key: self.key(s),
            };
        }
        cache.key
    }

    #[inline]
    pub fn push(&mut self, key: i32) {
        self.keys.push(key);
        if let Some(v) = &mut self.validity {
            v.push(true);
        }
    }

    #[inline]
    pub fn push_opt(&mut self, key: Option<i32>) {
        self.keys.push(key.unwrap_or(0));
        if let Some(v) = &mut self.validity {
            v.push(key.is_some());
        }
    }

    /// Bytes of the distinct strings (bounded per batch by the caller).
    pub fn bytes(&self) -> usize {
        self.values.bytes()
    }

    pub fn take(&mut self) -> Result<ArrayRef, arrow_schema::ArrowError> {
        self.generation += 1;
        self.index.clear();
        let nulls = self.validity.as_mut().and_then(Validity::take);
        let keys = Int32Array::new(ScalarBuffer::from(take_sized(&mut self.keys)), nulls);
        let values: ArrayRef = Arc::new(self.values.take());
        Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
            keys, values,
        )?))
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
        let array = strings.take();
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(array.value(i), String::from_utf8_lossy(case));
        }
    }
}
