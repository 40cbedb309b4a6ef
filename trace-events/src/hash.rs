//! A fast, unkeyed hasher for the short names of a trace-events file (the
//! `rustc-hash` "Fx" mix). Parsing QEMU's `trace-events-all` hashes every
//! name a few times; SipHash made that a tenth of the parse. The inputs are
//! bounded files the user names, so hash flooding is not a concern.

use std::hash::{BuildHasherDefault, Hasher};

/// `HashMap<K, V, FastHash>`: a map with [`FastHasher`].
pub type FastHash = BuildHasherDefault<FastHasher>;

/// The hasher behind [`FastHash`]: one multiply and rotate per 8 bytes of
/// input.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn maps_find_what_was_inserted_and_only_that() {
        let names: Vec<String> = (0..5000).map(|i| format!("event_{i}")).collect();
        let mut map: HashMap<&str, usize, FastHash> = HashMap::default();
        for (i, name) in names.iter().enumerate() {
            map.insert(name, i);
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(map.get(name.as_str()), Some(&i));
        }
        assert_eq!(map.get("event_5000"), None);
        assert_eq!(map.get("event_"), None);
    }

    #[test]
    fn bytes_past_the_last_whole_word_count() {
        let hash = |s: &str| {
            let mut h = FastHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(hash("abcdefgh1"), hash("abcdefgh2"));
        assert_ne!(hash("a"), hash("b"));
    }

    /// A hasher that ignored a write, or mixed words with `|` (bits set
    /// never cleared), would put many of these keys in one bucket.
    #[test]
    fn integers_of_every_width_spread_over_distinct_hashes() {
        type Write = fn(&mut FastHasher, u8);
        let widths: [(&str, Write); 4] = [
            ("u8", |h, v| h.write_u8(v)),
            ("u32", |h, v| h.write_u32(u32::from(v))),
            ("u64", |h, v| h.write_u64(u64::from(v))),
            ("usize", |h, v| h.write_usize(usize::from(v))),
        ];
        for (width, write) in widths {
            let mut seen = std::collections::HashSet::new();
            for a in 0..=255u8 {
                for b in 0..=255u8 {
                    let mut h = FastHasher::default();
                    write(&mut h, a);
                    write(&mut h, b);
                    seen.insert(h.finish());
                }
            }
            assert_eq!(seen.len(), 256 * 256, "collisions among {width} pairs");
        }
    }
}
