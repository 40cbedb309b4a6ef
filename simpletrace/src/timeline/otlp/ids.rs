//! Deterministic trace and span ids: the same trace file exported twice (to
//! a file, to a collector, on another machine) gives the same ids, so a
//! collector sees a re-sent export as the same spans. An id is a hash of the
//! file's identity ([`file_seed`]: the host given and the file's first
//! bytes, which hold its first records' timestamps), the call's process and
//! thread, its call id when it has one, and its place among the calls begun
//! on its thread (so ids stay unique even where call ids repeat). OTLP
//! forbids all-zero ids: a zero hash becomes 1.

use std::io::{self, Read};
use std::path::Path;

use super::super::pairs::Call;
use super::super::tracks::TrackKey;

/// Bytes of a trace file that go into its seed: its header, mappings and
/// first records.
pub const SEED_BYTES: u64 = 64 * 1024;

/// SplitMix64's finalizer: every input bit flips about half the output bits.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hash(words: &[u64]) -> u64 {
    words.iter().fold(0x9e37_79b9_7f4a_7c15, |h, &w| {
        mix(h ^ w).wrapping_add(0x9e37_79b9_7f4a_7c15)
    })
}

fn hash_bytes(h: u64, bytes: &[u8]) -> u64 {
    let mut h = mix(h ^ bytes.len() as u64);
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = mix(h ^ u64::from_le_bytes(word)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    }
    h
}

fn nonzero(v: u64) -> u64 {
    v.max(1)
}

/// The identity of a trace file for its ids: `host` and the file's first
/// [`SEED_BYTES`] bytes.
pub fn file_seed(path: &Path, host: Option<&str>) -> io::Result<u64> {
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(SEED_BYTES)
        .read_to_end(&mut head)?;
    Ok(seed_of(&head, host))
}

/// [`file_seed`] of a file starting with `head`.
pub fn seed_of(head: &[u8], host: Option<&str>) -> u64 {
    let h = hash_bytes(0, head);
    // `None` and `Some("")` differ.
    match host {
        Some(host) => hash_bytes(h ^ 1, host.as_bytes()),
        None => h,
    }
}

/// The id of the `seq`-th call begun on thread `key` (counting from 0).
pub fn span_id(seed: u64, (pid, tid): TrackKey, call: &Call, seq: u64) -> [u8; 8] {
    let (kind, id) = match (call.is_async, call.id) {
        (true, Some(id)) => (2, id),
        (false, Some(id)) => (1, id),
        (_, None) => (0, 0),
    };
    nonzero(hash(&[seed, u64::from(pid), tid, seq, kind, id])).to_be_bytes()
}

/// The trace id of a root span (one with no parent): its children share it.
pub fn trace_id(seed: u64, (pid, tid): TrackKey, span: [u8; 8]) -> [u8; 16] {
    let span = u64::from_be_bytes(span);
    let words = [seed, u64::from(pid), tid, span];
    let high = hash(&words);
    let low = nonzero(hash(&[high, span, 0x0074_7261_6365]));
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&high.to_be_bytes());
    id[8..].copy_from_slice(&low.to_be_bytes());
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::PairId;

    const fn call(id: Option<u64>, is_async: bool) -> Call {
        Call {
            pair: PairId(0),
            id,
            is_async,
        }
    }

    #[test]
    fn ids_differ_by_every_input_and_repeat_for_the_same() {
        let key = (100, 11);
        let base = span_id(1, key, &call(Some(5), false), 0);
        assert_eq!(base, span_id(1, key, &call(Some(5), false), 0));
        let others = [
            span_id(2, key, &call(Some(5), false), 0),
            span_id(1, (101, 11), &call(Some(5), false), 0),
            span_id(1, (100, 12), &call(Some(5), false), 0),
            span_id(1, key, &call(Some(6), false), 0),
            span_id(1, key, &call(Some(5), true), 0),
            span_id(1, key, &call(Some(5), false), 1),
            span_id(1, key, &call(None, false), 0),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(&base, other, "{i}");
        }
        let t = trace_id(1, key, base);
        assert_eq!(t, trace_id(1, key, base));
        assert_ne!(t, trace_id(1, key, others[0]));
        assert_ne!(t[..8], t[8..]);
    }

    #[test]
    fn the_seed_depends_on_the_bytes_and_the_host() {
        let a = seed_of(b"trace a", None);
        assert_eq!(a, seed_of(b"trace a", None));
        assert_ne!(a, seed_of(b"trace b", None));
        assert_ne!(a, seed_of(b"trace a\0", None));
        assert_ne!(a, seed_of(b"trace a", Some("")));
        assert_ne!(
            seed_of(b"trace a", Some("h1")),
            seed_of(b"trace a", Some("h2"))
        );
    }
}
