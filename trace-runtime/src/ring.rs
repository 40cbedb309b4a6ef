//! Single-producer/single-consumer byte ring holding whole trace records.
//!
//! One ring per traced thread: that thread is the only [`Producer`], the writer
//! thread the only [`Consumer`]. Positions are byte counters that only grow
//! (wrapping at `usize::MAX`, harmless because the capacity is a power of two).
//!
//! - A record is contiguous in memory. If it does not fit before the end, the rest
//!   of the lap is skipped (padding) and the producer publishes where the data of
//!   that lap ends in `wrap_at` before publishing the new head.
//! - Commit protocol: the producer writes the record, then stores `head` with
//!   `Release`; the consumer loads `head` with `Acquire`, so everything before it
//!   is complete. The consumer frees space by storing `tail` with `Release`; the
//!   producer only reloads it (`Acquire`) when its cached copy says the ring is full.
//! - `wrap_at` cannot be overwritten while the consumer may still need it: the next
//!   lap end is only reachable once `tail` has passed this one.
//!
//! This module holds the crate's only pointer arithmetic; the handles are safe.

use std::cell::Cell;
use std::ptr::NonNull;

use crossbeam_utils::CachePadded;

use crate::sync::{Arc, AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Fields the producer writes and the consumer reads.
struct ProducerSide {
    head: AtomicUsize,
    /// Offset where the data of the lap that `head` last left ends.
    wrap_at: AtomicUsize,
    /// Records that did not fit (written by the producer only).
    dropped: AtomicU64,
    /// The producer is gone (its thread exited): drain, then free.
    closed: AtomicBool,
}

struct Shared {
    producer: CachePadded<ProducerSide>,
    tail: CachePadded<AtomicUsize>,
    buf: NonNull<u8>,
    cap: usize,
    /// Lets loom check that every byte read happens after its write and every
    /// overwrite after its read.
    #[cfg(loom)]
    shadow: Box<[loom::cell::UnsafeCell<()>]>,
}

// SAFETY: the ring memory is only reached through `Producer` and `Consumer`, which
// touch disjoint byte ranges ordered by the head/tail protocol described above;
// every other field is atomic.
unsafe impl Send for Shared {}
// SAFETY: as for `Send`.
unsafe impl Sync for Shared {}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: `buf` came from `memory::allocate(cap)` in `channel` and is freed
        // only here, once both handles are gone.
        unsafe { memory::free(self.buf, self.cap) };
    }
}

/// Ring memory that is zero but not touched: the OS maps each page on its
/// first write, so a thread's first event faults one page instead of zeroing
/// (and faulting) the whole ring.
#[cfg(not(miri))]
mod memory {
    use std::ptr::NonNull;

    pub(super) fn allocate(len: usize) -> Option<NonNull<u8>> {
        // SAFETY: a private anonymous mapping at an address of the kernel's
        // choosing touches no existing memory; failure is checked below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        NonNull::new(ptr.cast())
    }

    /// # Safety
    /// `ptr` and `len` are from one `allocate` call, freed once, not used after.
    pub(super) unsafe fn free(ptr: NonNull<u8>, len: usize) {
        // SAFETY: the caller passes a whole mapping made by `allocate`. munmap
        // only fails for invalid arguments, which these are not.
        unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
    }
}

/// Miri has no `mmap`: the allocator's zeroed memory behaves the same.
#[cfg(miri)]
mod memory {
    use std::alloc::{alloc_zeroed, dealloc, Layout};
    use std::ptr::NonNull;

    pub(super) fn allocate(len: usize) -> Option<NonNull<u8>> {
        let layout = Layout::array::<u8>(len).ok()?;
        // SAFETY: `len` is a power of two, so the layout is not zero-sized.
        NonNull::new(unsafe { alloc_zeroed(layout) })
    }

    /// # Safety
    /// `ptr` and `len` are from one `allocate` call, freed once, not used after.
    pub(super) unsafe fn free(ptr: NonNull<u8>, len: usize) {
        if let Ok(layout) = Layout::array::<u8>(len) {
            // SAFETY: allocated by `allocate` with this same layout.
            unsafe { dealloc(ptr.as_ptr(), layout) };
        }
    }
}

impl Shared {
    #[cfg(loom)]
    fn track_write(&self, start: usize, len: usize) {
        for cell in &self.shadow[start..start + len] {
            cell.with_mut(|_| ());
        }
    }
    #[cfg(loom)]
    fn track_read(&self, start: usize, len: usize) {
        for cell in &self.shadow[start..start + len] {
            cell.with(|_| ());
        }
    }
    #[cfg(not(loom))]
    #[inline(always)]
    fn track_write(&self, _start: usize, _len: usize) {}
    #[cfg(not(loom))]
    #[inline(always)]
    fn track_read(&self, _start: usize, _len: usize) {}
}

/// Create a ring of `cap` bytes (a power of two). `None` if `cap` is not a power
/// of two or the memory cannot be allocated.
pub(crate) fn channel(cap: usize) -> Option<(Producer, Consumer)> {
    if !cap.is_power_of_two() {
        return None;
    }
    let buf = memory::allocate(cap)?;
    let shared = Arc::new(Shared {
        producer: CachePadded::new(ProducerSide {
            head: AtomicUsize::new(0),
            wrap_at: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        }),
        tail: CachePadded::new(AtomicUsize::new(0)),
        buf,
        cap,
        #[cfg(loom)]
        shadow: (0..cap).map(|_| loom::cell::UnsafeCell::new(())).collect(),
    });
    let producer = Producer {
        shared: shared.clone(),
        head: Cell::new(0),
        cached_tail: Cell::new(0),
        dropped: Cell::new(0),
    };
    let consumer = Consumer {
        shared,
        tail: Cell::new(0),
    };
    Some((producer, consumer))
}

/// The writing end. Not `Sync`: one thread owns it.
pub(crate) struct Producer {
    shared: Arc<Shared>,
    /// Private copies, so the hot path reads no shared cache line in the common case.
    head: Cell<usize>,
    cached_tail: Cell<usize>,
    dropped: Cell<u64>,
}

impl Producer {
    /// Reserve `len` contiguous bytes, let `write` fill all of them, and publish
    /// them. If there is no room the record is dropped and counted; returns
    /// whether it was published.
    #[inline]
    pub(crate) fn push(&self, len: usize, write: impl FnOnce(&mut [u8])) -> bool {
        let cap = self.shared.cap;
        if len == 0 || len > cap {
            self.count_drop();
            return false;
        }
        let head = self.head.get();
        let off = head & (cap - 1);
        let pad = if cap - off < len { cap - off } else { 0 };
        let need = pad + len;
        if head.wrapping_sub(self.cached_tail.get()) + need > cap {
            let tail = self.shared.tail.load(Ordering::Acquire);
            self.cached_tail.set(tail);
            if head.wrapping_sub(tail) + need > cap {
                self.count_drop();
                return false;
            }
        }
        let start = if pad > 0 { 0 } else { off };
        self.shared.track_write(start, len);
        // SAFETY: `start + len <= cap`, so the range is inside the allocation. The
        // bytes from `head` to `head + need` are free (checked against `tail`
        // above) and only this producer writes there until it publishes them.
        let slot =
            unsafe { std::slice::from_raw_parts_mut(self.shared.buf.as_ptr().add(start), len) };
        write(slot);
        if pad > 0 {
            self.shared.producer.wrap_at.store(off, Ordering::Relaxed);
        } else if off + len == cap {
            self.shared.producer.wrap_at.store(cap, Ordering::Relaxed);
        }
        let new_head = head.wrapping_add(need);
        self.head.set(new_head);
        self.shared.producer.head.store(new_head, Ordering::Release);
        true
    }

    /// Count one record that was not recorded.
    #[inline]
    pub(crate) fn count_drop(&self) {
        let n = self.dropped.get() + 1;
        self.dropped.set(n);
        self.shared.producer.dropped.store(n, Ordering::Relaxed);
    }

    /// Bytes in use, as far as this producer knows (an upper bound).
    #[inline]
    pub(crate) fn used(&self) -> usize {
        self.head.get().wrapping_sub(self.cached_tail.get())
    }

    /// Bytes in use, after re-reading the consumer's position.
    pub(crate) fn refresh_used(&self) -> usize {
        self.cached_tail
            .set(self.shared.tail.load(Ordering::Acquire));
        self.used()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.shared.cap
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.shared.producer.closed.store(true, Ordering::Release);
    }
}

/// The reading end. Not `Sync`: the writer thread owns it.
pub(crate) struct Consumer {
    shared: Arc<Shared>,
    tail: Cell<usize>,
}

impl Consumer {
    /// Whether the producer is gone. Load it before [`Consumer::drain`]: if it was
    /// set, that drain empties the ring for good.
    pub(crate) fn closed(&self) -> bool {
        self.shared.producer.closed.load(Ordering::Acquire)
    }

    /// Records dropped by the producer so far.
    pub(crate) fn dropped(&self) -> u64 {
        self.shared.producer.dropped.load(Ordering::Relaxed)
    }

    /// Every record published so far, left in place until [`Batch::release`]
    /// frees their space (the writer writes straight from the ring). `&mut`
    /// so no slice of a batch can outlive its release.
    pub(crate) fn peek(&mut self) -> Batch<'_> {
        let cap = self.shared.cap;
        let head = self.shared.producer.head.load(Ordering::Acquire);
        let tail = self.tail.get();
        let used = head.wrapping_sub(tail);
        let t_off = tail & (cap - 1);
        let (first, second) = if t_off + used <= cap {
            ((t_off, used), (0, 0))
        } else {
            let wrap_at = self.shared.producer.wrap_at.load(Ordering::Relaxed);
            ((t_off, wrap_at - t_off), (0, head & (cap - 1)))
        };
        self.shared.track_read(first.0, first.1);
        self.shared.track_read(second.0, second.1);
        Batch {
            consumer: self,
            head,
            first,
            second,
        }
    }

    /// Pass every published record to `read` as at most two byte slices (in
    /// order, padding left out), then free their space.
    #[cfg(test)]
    pub(crate) fn drain<R>(&mut self, read: impl FnOnce(&[u8], &[u8]) -> R) -> R {
        let batch = self.peek();
        let (a, b) = batch.slices();
        let result = read(a, b);
        batch.release();
        result
    }
}

/// Published records of one ring, borrowed in place (see [`Consumer::peek`]).
pub(crate) struct Batch<'a> {
    consumer: &'a mut Consumer,
    /// The head as loaded: where the batch ends.
    head: usize,
    /// (offset, length) of the records before and after the wrap.
    first: (usize, usize),
    second: (usize, usize),
}

impl Batch<'_> {
    /// The records, in order, as at most two byte slices (padding left out).
    pub(crate) fn slices(&self) -> (&[u8], &[u8]) {
        let base = self.consumer.shared.buf.as_ptr();
        let (first, second) = (self.first, self.second);
        // SAFETY: both ranges lie inside the allocation (offsets below `cap`,
        // `wrap_at <= cap`) and hold bytes published before `head`; the producer
        // does not write them again until `release` moves `tail` past them,
        // which consumes the batch and so ends every borrow of these slices.
        unsafe {
            (
                std::slice::from_raw_parts(base.add(first.0), first.1),
                std::slice::from_raw_parts(base.add(second.0), second.1),
            )
        }
    }

    /// Free the batch's space for the producer.
    pub(crate) fn release(self) {
        self.consumer.tail.set(self.head);
        self.consumer
            .shared
            .tail
            .store(self.head, Ordering::Release);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn record(tag: u8, len: usize) -> Vec<u8> {
        (0..len).map(|i| tag.wrapping_add(i as u8)).collect()
    }

    fn drain_all(c: &mut Consumer) -> Vec<u8> {
        c.drain(|a, b| [a, b].concat())
    }

    #[test]
    fn rejects_capacity_that_is_not_a_power_of_two() {
        assert!(channel(1000).is_none());
        assert!(channel(1024).is_some());
    }

    #[test]
    fn records_come_out_in_order_across_many_wraps() {
        // Two records of at most 40 bytes plus padding always fit in 128.
        let (p, mut c) = channel(128).unwrap();
        let mut expected = Vec::new();
        let mut got = Vec::new();
        for i in 0..500u32 {
            let len = 1 + (i as usize * 7) % 40;
            let rec = record(i as u8, len);
            assert!(p.push(len, |slot| slot.copy_from_slice(&rec)));
            expected.extend_from_slice(&rec);
            if i % 2 == 1 {
                got.extend(drain_all(&mut c));
            }
        }
        got.extend(drain_all(&mut c));
        assert_eq!(got, expected);
        assert_eq!(c.dropped(), 0);
    }

    #[test]
    fn full_ring_drops_and_counts_exactly() {
        let (p, mut c) = channel(64).unwrap();
        let mut pushed = 0;
        for _ in 0..10 {
            if p.push(20, |s| s.fill(7)) {
                pushed += 1;
            }
        }
        assert_eq!(pushed, 3, "3 records of 20 fit in 64 bytes");
        assert_eq!(c.dropped(), 7);
        assert_eq!(drain_all(&mut c), vec![7u8; 60]);
        assert!(p.push(20, |s| s.fill(8)), "space is reused after a drain");
    }

    #[test]
    fn oversized_and_empty_records_are_dropped() {
        let (p, mut c) = channel(64).unwrap();
        assert!(!p.push(65, |_| unreachable!()));
        assert!(!p.push(0, |_| unreachable!()));
        assert_eq!(c.dropped(), 2);
        assert!(p.push(64, |s| s.fill(1)), "a record may fill the ring");
        assert_eq!(drain_all(&mut c), vec![1u8; 64]);
    }

    #[test]
    fn record_ending_exactly_at_the_end_then_wrapping() {
        let (p, mut c) = channel(64).unwrap();
        assert!(p.push(40, |s| s.fill(1)));
        assert_eq!(drain_all(&mut c).len(), 40);
        assert!(p.push(24, |s| s.fill(2)), "ends exactly at the ring end");
        assert!(p.push(10, |s| s.fill(3)));
        assert_eq!(drain_all(&mut c), [vec![2u8; 24], vec![3u8; 10]].concat());
    }

    #[test]
    fn padding_is_skipped_when_draining() {
        let (p, mut c) = channel(64).unwrap();
        assert!(p.push(50, |s| s.fill(1)));
        assert_eq!(drain_all(&mut c).len(), 50);
        assert!(p.push(20, |s| s.fill(2)), "wraps: 14 bytes of padding");
        assert_eq!(drain_all(&mut c), vec![2u8; 20]);
        assert!(p.push(30, |s| s.fill(3)));
        assert_eq!(drain_all(&mut c), vec![3u8; 30]);
    }

    #[test]
    fn peeked_records_keep_their_space_until_released() {
        let (p, mut c) = channel(64).unwrap();
        assert!(p.push(40, |s| s.fill(1)));
        let batch = c.peek();
        assert_eq!(batch.slices(), (&[1u8; 40][..], &[][..]));
        assert!(!p.push(40, |s| s.fill(2)), "not released yet: no room");
        batch.release();
        assert!(p.push(40, |s| s.fill(2)), "wraps into the released space");
        assert_eq!(drain_all(&mut c), vec![2u8; 40]);
    }

    #[test]
    fn closed_is_seen_after_producer_drops() {
        let (p, mut c) = channel(64).unwrap();
        assert!(!c.closed());
        assert!(p.push(8, |s| s.fill(9)));
        drop(p);
        assert!(c.closed());
        assert_eq!(drain_all(&mut c), vec![9u8; 8]);
    }

    #[test]
    fn concurrent_producer_and_consumer_lose_nothing_but_drops() {
        let (p, mut c) = channel(128).unwrap();
        let n: u32 = if cfg!(miri) { 200 } else { 20_000 };
        let producer = std::thread::spawn(move || {
            let mut sent = Vec::new();
            for i in 0..n {
                let len = 4 + (i as usize % 13);
                let ok = p.push(len, |s| {
                    s[..4].copy_from_slice(&i.to_le_bytes());
                    s[4..].fill(i as u8);
                });
                if ok {
                    sent.push(i);
                }
            }
            sent
        });
        let mut bytes = Vec::new();
        while !c.closed() {
            bytes.extend(drain_all(&mut c));
            std::thread::yield_now();
        }
        bytes.extend(drain_all(&mut c));
        let sent = producer.join().unwrap();
        let mut got = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let i = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap());
            let len = 4 + (i as usize % 13);
            assert!(bytes[pos + 4..pos + len].iter().all(|&b| b == i as u8));
            got.push(i);
            pos += len;
        }
        assert_eq!(got, sent);
        assert_eq!(c.dropped() + sent.len() as u64, u64::from(n));
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;

    /// Producer pushes three records into a ring that forces a wrap while the
    /// consumer drains concurrently; every byte read must be a whole record.
    #[test]
    fn reserve_commit_drain_with_wrap() {
        loom::model(|| {
            let (p, mut c) = channel(16).unwrap();
            let producer = loom::thread::spawn(move || {
                let mut ok = Vec::new();
                for tag in 1..=3u8 {
                    ok.push(p.push(6, |s| s.fill(tag)));
                }
                ok
            });
            let mut bytes = Vec::new();
            for _ in 0..2 {
                bytes.extend(c.drain(|a, b| [a, b].concat()));
            }
            let ok = producer.join().unwrap();
            bytes.extend(c.drain(|a, b| [a, b].concat()));
            let expected: Vec<u8> = (1..=3u8)
                .zip(&ok)
                .filter(|(_, &ok)| ok)
                .flat_map(|(tag, _)| [tag; 6])
                .collect();
            assert_eq!(bytes, expected);
            let dropped = ok.iter().filter(|&&ok| !ok).count() as u64;
            assert_eq!(c.dropped(), dropped);
        });
    }

    /// A record ending exactly at the ring end, then one at the start.
    #[test]
    fn exact_end_then_wrap() {
        loom::model(|| {
            let (p, mut c) = channel(8).unwrap();
            let producer = loom::thread::spawn(move || {
                let a = p.push(4, |s| s.fill(1));
                let b = p.push(4, |s| s.fill(2));
                let c = p.push(4, |s| s.fill(3));
                [a, b, c]
            });
            let mut bytes = c.drain(|a, b| [a, b].concat());
            let ok = producer.join().unwrap();
            bytes.extend(c.drain(|a, b| [a, b].concat()));
            let expected: Vec<u8> = (1..=3u8)
                .zip(ok)
                .filter(|(_, ok)| *ok)
                .flat_map(|(tag, _)| [tag; 4])
                .collect();
            assert_eq!(bytes, expected);
            assert!(c.closed());
        });
    }
}
