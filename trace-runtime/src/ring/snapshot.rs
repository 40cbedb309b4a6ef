//! Flight mode, the reader's side: a consistent copy of a ring the producer
//! keeps overwriting.
//!
//! 1. Load `head` (`Acquire`: every record before it is complete in memory)
//!    and `wrap_at` (where the data of the lap before `head`'s ends).
//! 2. Copy the whole ring. Bytes the producer writes meanwhile may be torn.
//! 3. `Acquire` fence, then load `oldest` (and the overwritten count). The
//!    producer stores `oldest` and then a `Release` fence before it writes
//!    over old bytes (`overwrite.rs`), so if the copy saw any such write this
//!    `oldest` is at least as new as the one that write needed: every record
//!    from `oldest` to `head` was copied before anything overwrote it. The
//!    records before `oldest` are discarded (counted as overwritten), so a
//!    kept record is whole and the kept ones are the thread's newest, in order.
//!
//! `wrap_at` is right for the lap `oldest` is in: had the producer stored a
//! newer one (it crossed another lap end after step 1) before the copy read
//! it, the same fence pairing (through `wrap_at`) makes `oldest` newer than
//! that lap end, in `head`'s own lap, where `wrap_at` is not needed.
//!
//! The copy races with the producer's plain writes, as every seqlock's does;
//! the validation above is what makes using its result sound in practice
//! (and what the loom model checks, with an atomic mirror of the bytes).

use std::ops::Range;

use super::overwrite::unpack;
use super::Consumer;
use crate::sync::{fence, Ordering};

/// What a snapshot of one ring kept: the valid records are
/// `copy[first] ++ copy[second]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RingSnapshot {
    pub(crate) first: Range<usize>,
    pub(crate) second: Range<usize>,
    /// Events overwritten before the first record kept (a dropped record
    /// in the ring counts for the events it stands for).
    pub(crate) evicted: u64,
}

impl Consumer {
    /// Copy this flight-mode ring into `copy` (resized to the ring's size) and
    /// say which of its bytes are whole records the producer had not
    /// overwritten by the end of the copy. Safe to call while the producer runs.
    pub(crate) fn snapshot(&self, copy: &mut Vec<u8>) -> RingSnapshot {
        let shared = self.shared();
        let cap = shared.cap;
        let head = shared.producer.head.load(Ordering::Acquire);
        let wrap_at = shared.producer.wrap_at.load(Ordering::Relaxed);
        copy.resize(cap, 0);
        self.copy_ring(copy);
        fence(Ordering::Acquire);
        let packed = shared.producer.oldest.load(Ordering::Relaxed);
        let total = shared.producer.evicted.load(Ordering::Relaxed);
        let (oldest, evicted) = unpack(packed, head, total);
        let used = head.wrapping_sub(oldest);
        let off = oldest & (cap - 1);
        let (first, second) = if used > cap {
            // The producer overwrote everything up to past `head` meanwhile.
            (0..0, 0..0)
        } else if off + used <= cap {
            (off..off + used, 0..0)
        } else if (off..=cap).contains(&wrap_at) {
            (off..wrap_at, 0..head & (cap - 1))
        } else {
            (0..0, 0..0) // cannot happen (see the module comment)
        };
        RingSnapshot {
            first,
            second,
            evicted,
        }
    }

    /// The ring's bytes, as they are (torn where the producer is writing).
    #[cfg(not(loom))]
    fn copy_ring(&self, copy: &mut [u8]) {
        let shared = self.shared();
        // SAFETY: `copy` and the ring are both `cap` bytes and do not overlap.
        // The producer may be writing some of these bytes: what such a read
        // returns is never trusted (the module comment says which bytes are).
        unsafe {
            std::ptr::copy_nonoverlapping(shared.buf.as_ptr(), copy.as_mut_ptr(), shared.cap)
        };
    }

    #[cfg(loom)]
    #[cfg_attr(mutants, mutants::skip)] // loom-only
    fn copy_ring(&self, copy: &mut [u8]) {
        for (word, out) in self.shared().mirror.iter().zip(copy.chunks_exact_mut(8)) {
            out.copy_from_slice(&word.load(Ordering::Relaxed).to_ne_bytes());
        }
    }
}

#[cfg(all(test, not(loom)))]
#[cfg_attr(mutants, mutants::skip)] // tests
mod tests {
    use super::super::{channel, Producer, WhenFull};
    use super::*;
    use trace_events::v4::encode;

    /// Record `seq`: a real record header (the ring reads lengths from it)
    /// with `seq` as timestamp, and `extra` payload bytes of `seq as u8`.
    fn push_seq(p: &Producer, seq: u64, extra: usize) -> bool {
        p.push(encode::record_len(8 + extra), |r| {
            encode::put_record_header(r, 9, seq, 1);
            r[32..40].copy_from_slice(&seq.to_ne_bytes());
            r[40..].fill(seq as u8);
        })
    }

    /// The sequence numbers of the records kept, checking each is whole.
    fn kept(copy: &[u8], s: &RingSnapshot) -> Vec<u64> {
        let bytes = [&copy[s.first.clone()], &copy[s.second.clone()]].concat();
        let mut seqs = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let len =
                8 + u32::from_ne_bytes(bytes[pos + 24..pos + 28].try_into().unwrap()) as usize;
            let rec = &bytes[pos..pos + len];
            let seq = u64::from_ne_bytes(rec[32..40].try_into().unwrap());
            assert_eq!(
                u64::from_ne_bytes(rec[16..24].try_into().unwrap()),
                seq,
                "torn"
            );
            assert!(
                rec[40..].iter().all(|&b| b == seq as u8),
                "torn record {seq}"
            );
            seqs.push(seq);
            pos += len;
        }
        assert_eq!(pos, bytes.len());
        seqs
    }

    #[test]
    fn a_full_ring_keeps_its_newest_records_and_counts_the_rest() {
        let (p, c) = channel(1024, WhenFull::Overwrite).unwrap();
        let mut copy = Vec::new();
        for n in 1..3000u64 {
            assert!(push_seq(&p, n - 1, (n as usize * 7) % 61), "never full");
            if n % 97 == 0 || n < 40 {
                let s = c.snapshot(&mut copy);
                let seqs = kept(&copy, &s);
                assert_eq!(seqs.last(), Some(&(n - 1)), "ends with the newest");
                assert_eq!(
                    seqs[0], s.evicted,
                    "starts right after the overwritten ones"
                );
                assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "contiguous");
                let bytes = s.first.len() + s.second.len();
                assert!(
                    n < 20 || bytes > 1024 - 2 * 100,
                    "keeps most of the ring: {bytes}"
                );
            }
        }
    }

    /// Records that fill the ring exactly: the next one overwrites only the
    /// oldest, no more than it needs.
    #[test]
    fn a_record_overwrites_just_the_room_it_needs() {
        let extra = 64 - encode::record_len(8);
        let (p, c) = channel(256, WhenFull::Overwrite).unwrap();
        let mut copy = Vec::new();
        for seq in 0..4 {
            assert!(push_seq(&p, seq, extra));
        }
        let s = c.snapshot(&mut copy);
        assert_eq!((kept(&copy, &s), s.evicted), (vec![0, 1, 2, 3], 0));
        for seq in 4..7 {
            assert!(push_seq(&p, seq, extra));
            let s = c.snapshot(&mut copy);
            let oldest = seq - 3;
            assert_eq!(kept(&copy, &s), (oldest..=seq).collect::<Vec<_>>());
            assert_eq!(s.evicted, oldest);
        }
    }

    #[test]
    fn an_empty_ring_snapshots_to_nothing() {
        let (_p, c) = channel(64, WhenFull::Overwrite).unwrap();
        let mut copy = Vec::new();
        let s = c.snapshot(&mut copy);
        assert_eq!((s.first.len(), s.second.len(), s.evicted), (0, 0, 0));
    }

    #[test]
    fn an_overwritten_dropped_record_counts_the_events_it_stood_for() {
        let (p, c) = channel(128, WhenFull::Overwrite).unwrap();
        assert!(!p.push(200, |_| unreachable!()), "larger than the ring");
        assert!(!p.push(200, |_| unreachable!()));
        assert!(push_seq(&p, 0, 0), "goes in after a dropped record of 2");
        for seq in 1..4 {
            assert!(push_seq(&p, seq, 0));
        }
        let mut copy = Vec::new();
        let s = c.snapshot(&mut copy);
        assert_eq!(kept(&copy, &s), [1, 2, 3]);
        assert_eq!(s.evicted, 3, "the dropped record's 2 and record 0");
    }

    /// Snapshots while a producer overwrites as fast as it can: every one
    /// holds whole records, a contiguous run ending near the producer.
    #[test]
    #[cfg_attr(miri, ignore)] // the copy races with the producer by design
    fn snapshots_during_overwrites_hold_whole_contiguous_newest_records() {
        let (p, c) = channel(4096, WhenFull::Overwrite).unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let progress = done.clone();
        let producer = std::thread::spawn(move || {
            for seq in 0..2_000_000u64 {
                assert!(push_seq(&p, seq, (seq as usize * 13) % 97));
                progress.store(seq + 1, std::sync::atomic::Ordering::Release);
            }
        });
        let mut copy = Vec::new();
        let mut nonempty = 0;
        while done.load(std::sync::atomic::Ordering::Acquire) < 2_000_000 {
            let before = done.load(std::sync::atomic::Ordering::Acquire);
            let s = c.snapshot(&mut copy);
            let seqs = kept(&copy, &s);
            if let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) {
                nonempty += 1;
                assert_eq!(first, s.evicted);
                assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
                assert!(last + 1 >= before, "holds every record published before it");
            }
        }
        producer.join().unwrap();
        assert!(nonempty > 0);
    }
}
