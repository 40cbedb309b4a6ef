//! Flight mode, the producer's side: a full ring overwrites its oldest records.
//!
//! The producer keeps `oldest`, where the oldest record it has not overwritten
//! starts (in `cached_tail`, the word the drop mode keeps the consumer's
//! position in, so the hot path's room check is the same instruction for
//! both modes). When a record does not fit between `oldest` and the space it
//! needs, [`Producer::evict`] walks `oldest` forward over whole records
//! (reading their lengths from the ring: only this thread writes them) until
//! the space is free, counting the records it passes.
//!
//! Publication, for a snapshot taken while the producer runs (`snapshot.rs`):
//! `oldest` and the count go out in one word (`pack`), then a `Release`
//! fence, then the new record is written over the old bytes. A snapshot
//! copies the ring, then issues an `Acquire` fence and loads `oldest`: if its
//! copy saw any byte written after this fence, the fences pair and the load
//! sees an `oldest` at least as new as the one stored before that write, so
//! every record the snapshot keeps (those from `oldest` on) was copied before
//! anything overwrote it. The fence is free on x86 (a compiler barrier) and
//! one `dmb ishst`-class barrier on Arm, paid only when records are evicted.

use super::Producer;
use crate::sync::{fence, Ordering};
use trace_events::v4::{self, decode};

impl Producer {
    /// Move `oldest` past every record that starts before `head + need - cap`
    /// (the bytes the next `need` bytes from `head` will cover), then publish
    /// it. `need <= cap`, so `oldest` never passes `head`.
    #[inline(never)]
    pub(super) fn evict(&self, head: usize, need: usize) {
        let shared = self.shared();
        let local = self.local();
        let cap = shared.cap;
        let target = head.wrapping_add(need).wrapping_sub(cap);
        // Start of `head`'s lap; `oldest` is in that lap or the one before,
        // whose data ends at the last `wrap_at` stored.
        let lap_start = head & !(cap - 1);
        let lap_end = local.wrap_at.get();
        let mut oldest = local.cached_tail.get();
        let mut evicted = local.evicted.get();
        // Positions are at most two laps apart: compare them as signed distances.
        while (target.wrapping_sub(oldest) as isize) > 0 {
            let off = oldest & (cap - 1);
            if (oldest.wrapping_sub(lap_start) as isize) < 0 && off == lap_end {
                oldest = lap_start; // the padding at the end of the lap
                continue;
            }
            let (len, events) = self.record_at(off);
            evicted += events;
            oldest = oldest.wrapping_add(len);
        }
        local.cached_tail.set(oldest);
        local.evicted.set(evicted);
        shared.producer.evicted.store(evicted, Ordering::Relaxed);
        shared
            .producer
            .oldest
            .store(pack(oldest, evicted), Ordering::Relaxed);
        // Orders the stores above before the record written over the old bytes.
        fence(Ordering::Release);
    }

    /// Length of the published record at offset `off`, and how many events it
    /// stands for (1, or a dropped record's count).
    #[inline]
    fn record_at(&self, off: usize) -> (usize, u64) {
        let shared = self.shared();
        shared.track_read(off, v4::EVENT_HEADER_LEN + 8);
        // SAFETY: a published record of at least 32 bytes (type word and
        // header) starts at `off`, inside the ring; this producer alone
        // writes it, and not while reading.
        let header = unsafe {
            std::slice::from_raw_parts(shared.buf.as_ptr().add(off), 8 + v4::EVENT_HEADER_LEN)
        };
        let head = decode::event_head(header).unwrap_or_default();
        // A record never crosses the end, and is at least its header: a
        // length that says otherwise cannot be ours; skip to the end of the
        // lap rather than loop or read outside the ring.
        let len = (8 + head.length as usize).clamp(8 + v4::EVENT_HEADER_LEN, shared.cap - off);
        let events = if head.is_dropped() && len >= 40 {
            shared.track_read(off + 32, 8);
            // SAFETY: a dropped record is 40 bytes, inside the ring (above).
            let count = unsafe { std::slice::from_raw_parts(shared.buf.as_ptr().add(off + 32), 8) };
            decode::dropped_count(count).unwrap_or(1)
        } else {
            1
        };
        (len, events)
    }
}

/// `oldest` and the overwritten count in one word: their low 32 bits each
/// (a snapshot rebuilds the rest from positions and counts it reads beside).
#[inline]
pub(super) fn pack(oldest: usize, evicted: u64) -> u64 {
    (evicted << 32) | (oldest as u64 & 0xffff_ffff)
}

/// Rebuild `(oldest, evicted)` from a packed word, the `head` loaded before
/// it and the full count loaded after it. `oldest` is within 2^31 bytes of
/// `head` and the count within 2^31 of the word's (a producer cannot write
/// gigabytes while a snapshot copies one ring).
pub(super) fn unpack(packed: u64, head: usize, evicted_total: u64) -> (usize, u64) {
    let back = (head as u32).wrapping_sub(packed as u32) as i32;
    let oldest = head.wrapping_sub(back as isize as usize);
    let delta = ((packed >> 32) as u32).wrapping_sub(evicted_total as u32) as i32;
    (oldest, evicted_total.wrapping_add(delta as i64 as u64))
}

#[cfg(all(test, not(loom)))]
#[cfg_attr(mutants, mutants::skip)] // tests
mod tests {
    use super::*;

    #[test]
    fn unpack_rebuilds_positions_and_counts_on_either_side() {
        for (oldest, head) in [(0usize, 0usize), (100, 4196), (1 << 33, (1 << 33) + 64)] {
            for (evicted, total) in [
                (5u64, 5u64),
                (1 << 32, (1 << 32) + 3),
                ((1 << 32) + 3, 1 << 32),
            ] {
                assert_eq!(
                    unpack(pack(oldest, evicted), head, total),
                    (oldest, evicted)
                );
            }
        }
        // The producer ran ahead of the `head` a snapshot loaded: past it.
        let (oldest, _) = unpack(pack(5000, 0), 4096, 0);
        assert_eq!(oldest, 5000);
    }
}
