//! Interning: one id per distinct value for the whole export, and per packet
//! sequence the set of ids already sent on it (Perfetto's interned data is
//! per sequence).

use crate::keyed::Map;

/// Entries each table holds at most; beyond, values are written inline.
pub const MAX_INTERNED: usize = 1 << 16;

/// Ids by value, and values by id, up to [`MAX_INTERNED`].
#[derive(Default)]
pub struct Interner {
    ids: Map<Box<[u8]>, u64>,
    values: Vec<Box<[u8]>>,
}

impl Interner {
    /// The id of `value` (from 1: 0 means "not set" to Perfetto); `None`
    /// when the table is full and `value` new.
    pub fn id(&mut self, value: &[u8]) -> Option<u64> {
        if let Some(&id) = self.ids.get(value) {
            return Some(id);
        }
        if self.values.len() >= MAX_INTERNED {
            return None;
        }
        self.values.push(value.into());
        let id = self.values.len() as u64;
        self.ids.insert(value.into(), id);
        Some(id)
    }

    /// The value of an id given by [`Interner::id`].
    pub fn value(&self, id: u64) -> &[u8] {
        self.values
            .get((id as usize).wrapping_sub(1))
            .map_or(&[], |v| v)
    }
}

/// Which ids a sequence has been sent: a bitset grown as needed (at most
/// [`MAX_INTERNED`] bits).
#[derive(Default)]
pub struct Sent(Vec<u64>);

impl Sent {
    /// Mark `id` sent; true if it was not already.
    pub fn insert(&mut self, id: u64) -> bool {
        let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        let new = self.0[word] & bit == 0;
        self.0[word] |= bit;
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_one_values_back_and_a_cap() {
        let mut t = Interner::default();
        assert_eq!(t.id(b"io"), Some(1));
        assert_eq!(t.id(b"lock"), Some(2));
        assert_eq!(t.id(b"io"), Some(1));
        assert_eq!(t.value(2), b"lock");
        assert_eq!(t.value(0), b"");
        for i in 3..=MAX_INTERNED {
            assert_eq!(t.id(i.to_string().as_bytes()), Some(i as u64));
        }
        assert_eq!(t.id(b"one too many"), None);
        assert_eq!(t.id(b"lock"), Some(2));
    }

    #[test]
    fn sent_ids() {
        let mut s = Sent::default();
        assert!(s.insert(1));
        assert!(!s.insert(1));
        assert!(s.insert(200));
        assert!(!s.insert(200));
        assert!(s.insert(64));
    }
}
