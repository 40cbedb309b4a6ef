//! Hash maps keyed by what a trace says (threads, call ids, names): aHash,
//! keyed per process so that no trace can be built to make its keys collide,
//! at a fraction of the cost of `std`'s SipHash (which took ~460 of the
//! ~6,700 instructions a record of the Parquet export).

use std::hash::Hash;

/// A map keyed by trace data.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
/// A set of trace data.
pub(crate) type Set<K> = std::collections::HashSet<K, ahash::RandomState>;

/// A map looked up in runs of one key (a thread's records come in runs):
/// the entries in a `Vec`, found through a [`Map`], and the last key found
/// kept, so that a run's lookups after its first hash nothing. Entries are
/// never removed.
#[derive(Debug)]
pub(crate) struct Runs<K, V> {
    index: Map<K, usize>,
    entries: Vec<(K, V)>,
    last: Option<(K, usize)>,
}

impl<K, V> Default for Runs<K, V> {
    fn default() -> Self {
        Self {
            index: Map::default(),
            entries: Vec::new(),
            last: None,
        }
    }
}

impl<K: Copy + Eq + Hash, V> Runs<K, V> {
    #[inline(always)]
    fn find(&mut self, key: K) -> Option<usize> {
        if let Some((last, i)) = self.last {
            if last == key {
                return Some(i);
            }
        }
        let i = *self.index.get(&key)?;
        self.last = Some((key, i));
        Some(i)
    }

    /// The value of `key`, if it has one.
    #[inline(always)]
    pub fn get_mut(&mut self, key: K) -> Option<&mut V> {
        let i = self.find(key)?;
        Some(&mut self.entries[i].1)
    }

    /// Give `key` (which has no value yet) `value`.
    pub fn insert(&mut self, key: K, value: V) -> &mut V {
        let i = self.entries.len();
        self.entries.push((key, value));
        self.index.insert(key, i);
        self.last = Some((key, i));
        &mut self.entries[i].1
    }

    /// The keys, in the order they were inserted.
    pub fn keys(&self) -> impl Iterator<Item = K> + '_ {
        self.entries.iter().map(|&(key, _)| key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
