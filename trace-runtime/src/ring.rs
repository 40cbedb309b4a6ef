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
//! - Drops are marked where they happen: after a record did not fit, the next
//!   one that does is published together with a dropped record in front of it
//!   (one contiguous reservation, one commit), counting exactly the records
//!   lost since the previous one and stamped with that record's time. The
//!   common case pays one predictable branch on a producer-private counter.
//!
//! - No allocator: the ring and its control block are mapped memory, so a
//!   thread's first event may come from a signal handler (see `local.rs`). The
//!   two handles share the block; the last one dropped unmaps it.
//!
//! - Flight mode ([`WhenFull::Overwrite`], `overwrite.rs`): a full ring makes
//!   room by moving its own `oldest` line past the oldest records instead of
//!   dropping the new one, and nobody consumes; a snapshot (`snapshot.rs`)
//!   copies the ring while the producer runs and keeps only what the producer
//!   cannot have overwritten during the copy.
//!
//! This module holds the crate's only pointer arithmetic; the handles are safe.

mod overwrite;
mod snapshot;

pub(crate) use snapshot::RingSnapshot;

use std::cell::Cell;
use std::ptr::NonNull;

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use trace_events::v4::encode::{put_dropped_before, DROPPED_RECORD_LEN};

/// The dropped record in front of the first record after drops: rare, kept
/// out of the inlined push.
#[cold]
#[inline(never)]
fn mark_drops_before(marker: &mut [u8], record: &[u8], count: u64) {
    put_dropped_before(marker, record, count);
}

/// How far ahead of `head` the producer asks for the ring's line it will
/// write soon. In the steady state the writer has read that line since the
/// producer last wrote it (it sits in the writer's cache or in memory), and
/// fetching it on the store stalled the producer: `bench/README.md`,
/// session 14.
#[cfg(target_arch = "x86_64")]
const PREFETCH_AHEAD: usize = 512;

/// What a producer does when a record does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenFull {
    /// Drop the new record (and mark the gap): a consumer drains the ring.
    Drop,
    /// Overwrite the oldest records (flight mode): nobody drains the ring.
    Overwrite,
}

/// Fields the producer writes and the consumer reads.
struct ProducerSide {
    head: AtomicUsize,
    /// Offset where the data of the lap that `head` last left ends.
    wrap_at: AtomicUsize,
    /// Records that did not fit, in all (written by the producer only).
    dropped: AtomicU64,
    /// The producer is gone (its thread exited): drain, then free.
    closed: AtomicBool,
    /// Flight mode: where the oldest record not overwritten starts (low 32
    /// bits) and how many records were overwritten (high 32 bits), in one
    /// word so a snapshot reads the pair consistently (`overwrite.rs`).
    oldest: AtomicU64,
    /// Flight mode: records overwritten, in all (the high bits of `oldest`
    /// are its low 32 bits).
    evicted: AtomicU64,
}

/// The producer's private copies, so the hot path reads no shared cache line
/// in the common case (here rather than in [`Producer`] so the handle is one
/// pointer a thread can keep in a destructor-free thread-local).
struct ProducerLocal {
    head: Cell<usize>,
    cached_tail: Cell<usize>,
    dropped: Cell<u64>,
    /// Records dropped since the last dropped record was published.
    unmarked: Cell<u64>,
    /// The last `wrap_at` stored: where the data of the lap before `head`'s ends.
    wrap_at: Cell<usize>,
    /// Flight mode: records overwritten so far.
    evicted: Cell<u64>,
    /// How far `head` may advance with nothing but a plain write (no marker,
    /// no wrap, no end of lap reached, room by `cached_tail`): the fast
    /// path's one check ([`Producer::reserve`]). Recomputed by
    /// [`Producer::refresh_fast_end`] whenever `head`, `cached_tail` or
    /// `unmarked` change other than by a fast commit; `head` itself when the
    /// next record must take the full path.
    fast_end: Cell<usize>,
    /// `cached_tail + cap / 2`, kept with `fast_end`: where a fast commit
    /// finds the ring half full.
    half_at: Cell<usize>,
}

struct Shared {
    producer: CachePadded<ProducerSide>,
    local: CachePadded<ProducerLocal>,
    tail: CachePadded<AtomicUsize>,
    /// Live handles (2, then 1): the last one dropped frees the ring.
    handles: AtomicUsize,
    buf: NonNull<u8>,
    cap: usize,
    when_full: WhenFull,
    /// Under loom, every word the producer writes is also stored here with an
    /// atomic store, and a snapshot copies from here with atomic loads, so the
    /// model sees the race between an overwrite and a snapshot's copy with
    /// the memory model's rules (plain memory would read as always fresh).
    #[cfg(loom)]
    mirror: Box<[loom::sync::atomic::AtomicU64]>,
    /// Lets loom check that every byte read happens after its write and every
    /// overwrite after its read.
    #[cfg(loom)]
    shadow: Box<[loom::cell::UnsafeCell<()>]>,
}

// SAFETY: the ring memory is only reached through `Producer` and `Consumer`, which
// touch disjoint byte ranges ordered by the head/tail protocol described above;
// `local` is touched by the one `Producer` only; every other field is atomic.
unsafe impl Send for Shared {}
// SAFETY: as for `Send`.
unsafe impl Sync for Shared {}

/// The control block in memory of its own (mapped: no allocator).
#[cfg(not(loom))]
mod block {
    use super::Shared;
    use std::ptr::NonNull;

    const LEN: usize = std::mem::size_of::<Shared>();

    pub(super) fn new(shared: Shared) -> Option<NonNull<Shared>> {
        let ptr = crate::sys::map_zeroed(LEN)?.cast::<Shared>();
        // SAFETY: a fresh mapping of at least `LEN` bytes, page aligned (more
        // than `Shared` needs), written once before any use.
        unsafe { ptr.as_ptr().write(shared) };
        Some(ptr)
    }

    /// # Safety
    /// `ptr` is from `new`, freed once, not used after.
    pub(super) unsafe fn free(ptr: NonNull<Shared>) {
        // SAFETY: per the contract, the block holds a live `Shared` nobody uses.
        unsafe {
            std::ptr::drop_in_place(ptr.as_ptr());
            crate::sys::unmap(ptr.cast(), LEN);
        }
    }
}

/// Loom's atomics must come from its own allocations.
#[cfg(loom)]
#[cfg_attr(mutants, mutants::skip)] // loom-only: the loom run covers it
mod block {
    use super::Shared;
    use std::ptr::NonNull;

    pub(super) fn new(shared: Shared) -> Option<NonNull<Shared>> {
        Some(NonNull::from(Box::leak(Box::new(shared))))
    }

    /// # Safety
    /// `ptr` is from `new`, freed once, not used after.
    pub(super) unsafe fn free(ptr: NonNull<Shared>) {
        // SAFETY: per the contract, the box is live and unused.
        drop(unsafe { Box::from_raw(ptr.as_ptr()) });
    }
}

#[cfg(loom)]
#[cfg_attr(mutants, mutants::skip)] // loom-only
fn loom_mirror(cap: usize) -> Box<[loom::sync::atomic::AtomicU64]> {
    (0..cap / 8)
        .map(|_| loom::sync::atomic::AtomicU64::new(0))
        .collect()
}

#[cfg(loom)]
#[cfg_attr(mutants, mutants::skip)] // loom-only
fn loom_shadow(cap: usize) -> Box<[loom::cell::UnsafeCell<()>]> {
    (0..cap).map(|_| loom::cell::UnsafeCell::new(())).collect()
}

/// Drop one handle; the last frees the ring.
///
/// # Safety
/// Called once per handle, as the handle's last use of the block.
unsafe fn release(shared: NonNull<Shared>) {
    // SAFETY: the handle calling this is still live, so the block is too.
    let last = unsafe { shared.as_ref() }
        .handles
        .fetch_sub(1, Ordering::AcqRel)
        == 1;
    if last {
        // SAFETY: no other handle is left; AcqRel ordered its uses before this.
        unsafe { block::free(shared) };
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: `buf` came from `map_zeroed(cap)` in `channel` and is freed
        // only here, once both handles are gone.
        unsafe { crate::sys::unmap(self.buf, self.cap) };
    }
}

impl Shared {
    #[cfg(loom)]
    #[cfg_attr(mutants, mutants::skip)] // loom-only
    fn track_write(&self, start: usize, len: usize) {
        for cell in &self.shadow[start..start + len] {
            cell.with_mut(|_| ());
        }
    }
    #[cfg(loom)]
    #[cfg_attr(mutants, mutants::skip)] // loom-only
    fn track_read(&self, start: usize, len: usize) {
        for cell in &self.shadow[start..start + len] {
            cell.with(|_| ());
        }
    }
    /// Copy the bytes `start..start + len` (just written) to the mirror.
    #[cfg(loom)]
    #[cfg_attr(mutants, mutants::skip)] // loom-only
    fn mirror_write(&self, start: usize, len: usize) {
        for word in start / 8..(start + len).div_ceil(8) {
            // SAFETY: the ring is `cap` bytes, a multiple of 8 covering `word`.
            let bytes = unsafe { std::slice::from_raw_parts(self.buf.as_ptr().add(word * 8), 8) };
            let value = u64::from_ne_bytes(bytes.try_into().unwrap());
            self.mirror[word].store(value, Ordering::Relaxed);
        }
    }
    #[cfg(not(loom))]
    #[cfg_attr(mutants, mutants::skip)] // does nothing outside loom
    #[inline(always)]
    fn mirror_write(&self, _start: usize, _len: usize) {}
    #[cfg(not(loom))]
    #[cfg_attr(mutants, mutants::skip)] // does nothing outside loom
    #[inline(always)]
    fn track_write(&self, _start: usize, _len: usize) {}
    #[cfg(not(loom))]
    #[cfg_attr(mutants, mutants::skip)] // does nothing outside loom
    #[inline(always)]
    fn track_read(&self, _start: usize, _len: usize) {}
}

/// Create a ring of `cap` bytes (a power of two, at least 8). `None` if `cap`
/// is not one or the memory cannot be allocated.
pub(crate) fn channel(cap: usize, when_full: WhenFull) -> Option<(Producer, Consumer)> {
    if !cap.is_power_of_two() || cap < 8 {
        return None;
    }
    let buf = crate::sys::map_zeroed(cap)?;
    let shared = block::new(Shared {
        producer: CachePadded::new(ProducerSide {
            head: AtomicUsize::new(0),
            wrap_at: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            oldest: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
        }),
        local: CachePadded::new(ProducerLocal {
            head: Cell::new(0),
            cached_tail: Cell::new(0),
            dropped: Cell::new(0),
            unmarked: Cell::new(0),
            wrap_at: Cell::new(0),
            evicted: Cell::new(0),
            // `cap - 1` from head 0 (an empty ring, no marker owed), as
            // `refresh_fast_end` would compute it.
            fast_end: Cell::new(cap - 1),
            half_at: Cell::new(cap / 2),
        }),
        tail: CachePadded::new(AtomicUsize::new(0)),
        handles: AtomicUsize::new(2),
        buf,
        cap,
        when_full,
        #[cfg(loom)]
        mirror: loom_mirror(cap),
        #[cfg(loom)]
        shadow: loom_shadow(cap),
    });
    let Some(shared) = shared else {
        // SAFETY: mapped just above, never shared.
        unsafe { crate::sys::unmap(buf, cap) };
        return None;
    };
    let consumer = Consumer {
        shared,
        tail: Cell::new(0),
    };
    Some((Producer { shared }, consumer))
}

/// The writing end. Not `Sync`: one thread owns it.
pub(crate) struct Producer {
    shared: NonNull<Shared>,
}

// SAFETY: the handle may move to another thread (the one that writes); it is
// not `Sync` (`NonNull`), so one thread at a time uses the producer's cells.
unsafe impl Send for Producer {}

/// Bytes [`Producer::reserve`] gave out, to fill and then
/// [`Producer::commit`] at `head`.
pub(crate) struct Reserved<'a> {
    pub(crate) head: usize,
    pub(crate) bytes: &'a mut [u8],
}

impl Producer {
    #[inline(always)]
    fn shared(&self) -> &Shared {
        // SAFETY: the block lives as long as any handle (see `release`).
        unsafe { self.shared.as_ref() }
    }

    #[inline(always)]
    fn local(&self) -> &ProducerLocal {
        &self.shared().local
    }

    /// [`Producer::try_push`], whether the record was published (tests).
    #[cfg(test)]
    pub(crate) fn push(&self, len: usize, write: impl FnOnce(&mut [u8])) -> bool {
        self.try_push(len, write).is_some()
    }

    /// Reserve `len` contiguous bytes, let `write` fill all of them with one
    /// trace record, and publish them, after a dropped record if records were
    /// dropped since the last one. If there is no room the record is dropped
    /// and counted (`None`); else whether the ring is now at least half full
    /// as far as the producer knows (its cached view of the consumer).
    ///
    /// The common case is [`Producer::reserve`] then [`Producer::commit`]
    /// (what `local::push` inlines into every event); the rest is
    /// [`Producer::push_full_path`].
    #[inline]
    pub(crate) fn try_push(&self, len: usize, write: impl FnOnce(&mut [u8])) -> Option<bool> {
        match self.reserve(len) {
            Some(reserved) => {
                let head = reserved.head;
                write(reserved.bytes);
                Some(self.commit(head, len))
            }
            None => self.push_full_path(len, write),
        }
    }

    /// The common case in one check: `len` bytes (`len > 0`) fit in this
    /// lap before its end and before the consumer's cached position, and no
    /// drop is waiting for its marker. `None` changes nothing: the record
    /// then takes [`Producer::push_full_path`]. The bytes are this
    /// producer's until [`Producer::commit`] publishes them.
    #[inline(always)]
    pub(crate) fn reserve(&self, len: usize) -> Option<Reserved<'_>> {
        let local = self.local();
        let head = local.head.get();
        if local.fast_end.get().wrapping_sub(head) < len || len == 0 {
            return None;
        }
        let shared = self.shared();
        let start = head & (shared.cap - 1);
        shared.track_write(start, len);
        // SAFETY: `fast_end` bounds `start + len` below `cap`, inside the
        // allocation, and below `cached_tail + cap`, so the bytes are free
        // (the consumer has released them) and only this producer writes
        // there until it publishes them.
        let bytes = unsafe { std::slice::from_raw_parts_mut(shared.buf.as_ptr().add(start), len) };
        #[cfg(target_arch = "x86_64")]
        {
            let ahead = head.wrapping_add(PREFETCH_AHEAD) & (shared.cap - 1);
            // SAFETY: `ahead < cap`: inside the allocation. A prefetch only
            // hints; it reads nothing into the program and writes nothing.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(shared.buf.as_ptr().add(ahead) as *const i8);
            }
        }
        Some(Reserved { head, bytes })
    }

    /// Publish the `len` bytes [`Producer::reserve`] gave out at `head`;
    /// whether the ring is now at least half full as far as the producer
    /// knows.
    #[inline(always)]
    pub(crate) fn commit(&self, head: usize, len: usize) -> bool {
        let shared = self.shared();
        let local = self.local();
        shared.mirror_write(head & (shared.cap - 1), len);
        let new_head = head.wrapping_add(len);
        local.head.set(new_head);
        // Positions are less than a lap apart: a signed distance.
        let half_full = new_head.wrapping_sub(local.half_at.get()) as isize >= 0;
        shared.producer.head.store(new_head, Ordering::Release);
        half_full
    }

    /// Everything [`Producer::reserve`] leaves out: the marker after drops,
    /// padding at the end of a lap, a full ring (drop, or evict in flight
    /// mode).
    #[inline]
    fn push_full_path(&self, len: usize, write: impl FnOnce(&mut [u8])) -> Option<bool> {
        let unmarked = self.local().unmarked.get();
        let marker = if unmarked != 0 { DROPPED_RECORD_LEN } else { 0 };
        let published = if len > 0 {
            self.publish(marker + len, |slot| {
                let (marker, record) = slot.split_at_mut(marker);
                write(record);
                if unmarked != 0 {
                    mark_drops_before(marker, record, unmarked);
                }
            })
        } else {
            None
        };
        if published.is_none() {
            self.count_drop();
        } else if unmarked != 0 {
            self.local().unmarked.set(0);
        }
        self.refresh_fast_end();
        published
    }

    /// Recompute [`ProducerLocal::fast_end`] from `head`, `cached_tail` and
    /// `unmarked`: the strictest of the fast path's conditions.
    #[inline]
    fn refresh_fast_end(&self) {
        let local = self.local();
        let cap = self.shared().cap;
        let head = local.head.get();
        let room = if local.unmarked.get() != 0 {
            0
        } else {
            // Stop one byte short of the lap's end: a record that reaches it
            // must store `wrap_at` (the full path).
            let to_lap_end = cap - (head & (cap - 1)) - 1;
            let free = cap - head.wrapping_sub(local.cached_tail.get());
            to_lap_end.min(free)
        };
        local.fast_end.set(head.wrapping_add(room));
        local
            .half_at
            .set(local.cached_tail.get().wrapping_add(cap / 2));
    }

    /// Reserve `len` contiguous bytes, let `write` fill them and publish them;
    /// `None` (nothing written) if they do not fit, else whether the ring is
    /// now at least half full as far as the producer knows.
    #[inline(always)]
    fn publish(&self, len: usize, write: impl FnOnce(&mut [u8])) -> Option<bool> {
        let cap = self.shared().cap;
        if len == 0 || len > cap {
            return None;
        }
        let head = self.local().head.get();
        let off = head & (cap - 1);
        let pad = if cap - off < len { cap - off } else { 0 };
        let need = pad + len;
        // The one place where the two modes differ: what "full" does.
        if head.wrapping_sub(self.local().cached_tail.get()) + need > cap
            && !self.make_room(head, need)
        {
            return None;
        }
        let start = if pad > 0 { 0 } else { off };
        self.shared().track_write(start, len);
        // SAFETY: `start + len <= cap`, so the range is inside the allocation. The
        // bytes from `head` to `head + need` are free (checked against `tail`
        // above) and only this producer writes there until it publishes them.
        let slot =
            unsafe { std::slice::from_raw_parts_mut(self.shared().buf.as_ptr().add(start), len) };
        write(slot);
        self.shared().mirror_write(start, len);
        if pad > 0 {
            self.set_wrap_at(off);
        } else if off + len == cap {
            self.set_wrap_at(cap);
        }
        let new_head = head.wrapping_add(need);
        self.local().head.set(new_head);
        // Before the Release store, while `cap` is at hand.
        let half_full = new_head.wrapping_sub(self.local().cached_tail.get()) >= cap / 2;
        self.shared()
            .producer
            .head
            .store(new_head, Ordering::Release);
        Some(half_full)
    }

    /// Record where the data of the lap `head` is leaving ends.
    #[inline]
    fn set_wrap_at(&self, end: usize) {
        self.local().wrap_at.set(end);
        self.shared().producer.wrap_at.store(end, Ordering::Relaxed);
    }

    /// The ring looked full: re-read the consumer's position (drop mode) or
    /// overwrite the oldest records (flight mode). Whether `need` bytes from
    /// `head` are now free.
    #[inline]
    fn make_room(&self, head: usize, need: usize) -> bool {
        let cap = self.shared().cap;
        match self.shared().when_full {
            WhenFull::Drop => {
                let tail = self.shared().tail.load(Ordering::Acquire);
                self.local().cached_tail.set(tail);
                head.wrapping_sub(tail) + need <= cap
            }
            WhenFull::Overwrite => {
                need <= cap && {
                    self.evict(head, need);
                    true
                }
            }
        }
    }

    /// Count one record that was not recorded.
    #[inline]
    fn count_drop(&self) {
        let n = self.local().dropped.get() + 1;
        self.local().dropped.set(n);
        self.local().unmarked.set(self.local().unmarked.get() + 1);
        self.shared().producer.dropped.store(n, Ordering::Relaxed);
    }

    /// Bytes in use, as far as this producer knows (an upper bound).
    #[inline]
    pub(crate) fn used(&self) -> usize {
        self.local()
            .head
            .get()
            .wrapping_sub(self.local().cached_tail.get())
    }

    /// Bytes in use, after re-reading the consumer's position.
    pub(crate) fn refresh_used(&self) -> usize {
        self.local()
            .cached_tail
            .set(self.shared().tail.load(Ordering::Acquire));
        self.refresh_fast_end();
        self.used()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.shared().cap
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.shared().producer.closed.store(true, Ordering::Release);
        // SAFETY: the producer's last use of the block.
        unsafe { release(self.shared) };
    }
}

/// The reading end. Not `Sync`: the writer thread owns it.
pub(crate) struct Consumer {
    shared: NonNull<Shared>,
    tail: Cell<usize>,
}

// SAFETY: as for `Producer`: one thread at a time reads through it.
unsafe impl Send for Consumer {}

impl Drop for Consumer {
    fn drop(&mut self) {
        // SAFETY: the consumer's last use of the block.
        unsafe { release(self.shared) };
    }
}

impl Consumer {
    #[inline(always)]
    fn shared(&self) -> &Shared {
        // SAFETY: the block lives as long as any handle (see `release`).
        unsafe { self.shared.as_ref() }
    }

    /// Whether the producer is gone. Load it before [`Consumer::drain`]: if it was
    /// set, that drain empties the ring for good.
    pub(crate) fn capacity(&self) -> usize {
        self.shared().cap
    }

    pub(crate) fn closed(&self) -> bool {
        self.shared().producer.closed.load(Ordering::Acquire)
    }

    /// Records dropped by the producer so far, marked in the ring or not.
    /// Load it after [`Consumer::peek`]: it then covers every dropped record
    /// in that batch.
    pub(crate) fn dropped(&self) -> u64 {
        self.shared().producer.dropped.load(Ordering::Relaxed)
    }

    /// Every record published so far, left in place until [`Batch::release`]
    /// frees their space (the writer writes straight from the ring). `&mut`
    /// so no slice of a batch can outlive its release.
    pub(crate) fn peek(&mut self) -> Batch<'_> {
        let cap = self.shared().cap;
        let head = self.shared().producer.head.load(Ordering::Acquire);
        let tail = self.tail.get();
        let used = head.wrapping_sub(tail);
        let t_off = tail & (cap - 1);
        let (first, second) = if t_off + used <= cap {
            ((t_off, used), (0, 0))
        } else {
            let wrap_at = self.shared().producer.wrap_at.load(Ordering::Relaxed);
            ((t_off, wrap_at - t_off), (0, head & (cap - 1)))
        };
        self.shared().track_read(first.0, first.1);
        self.shared().track_read(second.0, second.1);
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
        let base = self.consumer.shared().buf.as_ptr();
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

    /// Records dropped by the producer so far, marked in the ring or not; loaded
    /// after the batch's end, so it counts every dropped record in the batch.
    pub(crate) fn dropped(&self) -> u64 {
        self.consumer.dropped()
    }

    /// Free the batch's space for the producer.
    pub(crate) fn release(self) {
        self.consumer.tail.set(self.head);
        self.consumer
            .shared()
            .tail
            .store(self.head, Ordering::Release);
    }
}

#[cfg(all(test, not(loom)))]
#[cfg_attr(mutants, mutants::skip)] // tests
mod tests {
    use super::*;

    fn record(tag: u8, len: usize) -> Vec<u8> {
        (0..len).map(|i| tag.wrapping_add(i as u8)).collect()
    }

    fn drain_all(c: &mut Consumer) -> Vec<u8> {
        c.drain(|a, b| [a, b].concat())
    }

    /// The dropped record the producer puts before `next` after `count` drops.
    fn marker(count: u64, next: &[u8]) -> Vec<u8> {
        let mut m = vec![0; DROPPED_RECORD_LEN];
        put_dropped_before(&mut m, next, count);
        m
    }

    #[test]
    fn rejects_capacity_that_is_not_a_power_of_two() {
        assert!(channel(1000, WhenFull::Drop).is_none());
        assert!(channel(1024, WhenFull::Drop).is_some());
    }

    /// The flag that makes a producer wake a sleeping writer early.
    #[test]
    fn a_push_says_when_the_ring_is_half_full() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert_eq!(p.try_push(24, |s| s.fill(1)), Some(false));
        assert_eq!(p.try_push(8, |s| s.fill(2)), Some(true), "32 of 64 bytes");
        drain_all(&mut c);
        // The producer still counts the drained bytes until it looks again.
        assert_eq!(p.try_push(8, |s| s.fill(3)), Some(true));
        assert_eq!(p.refresh_used(), 8);
    }

    /// The fast path's bound, checked against the conditions it stands for
    /// after every push, drain and refresh of a random run, in both modes.
    fn assert_fast_end_is_safe(p: &Producer, when: &str) {
        let (local, cap) = (p.local(), p.capacity());
        let head = local.head.get();
        let room = local.fast_end.get().wrapping_sub(head);
        let free = cap - head.wrapping_sub(local.cached_tail.get());
        assert!(
            room <= free,
            "{when}: {room} past the cached tail ({free} free)"
        );
        assert!(
            (head & (cap - 1)) + room < cap,
            "{when}: {room} reaches the end of the lap"
        );
        if local.unmarked.get() != 0 {
            assert_eq!(room, 0, "{when}: a marker is owed");
        }
        let half_at = local.cached_tail.get().wrapping_add(cap / 2);
        assert_eq!(local.half_at.get(), half_at, "{when}: half_at");
    }

    #[test]
    fn the_fast_path_never_passes_the_tail_the_lap_end_or_a_marker() {
        for when_full in [WhenFull::Drop, WhenFull::Overwrite] {
            let (p, mut c) = channel(256, when_full).unwrap();
            let mut rng = 0x9e37_79b9_7f4a_7c15u64;
            let mut next = || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            let (mut fast, mut full) = (0, 0);
            let pushes = if cfg!(miri) { 600 } else { 20_000 };
            for i in 0..pushes {
                let len = 32 + (next() % 40) as usize;
                let was_fast = p.local().fast_end.get().wrapping_sub(p.local().head.get()) >= len;
                if was_fast {
                    fast += 1;
                } else {
                    full += 1;
                }
                p.try_push(len, |s| s.fill(i as u8));
                assert_fast_end_is_safe(&p, &format!("{when_full:?} push {i} of {len}"));
                match next() % 8 {
                    0 if when_full == WhenFull::Drop => {
                        drain_all(&mut c);
                    }
                    // Only the drop mode's writer announces its sleep.
                    1 if when_full == WhenFull::Drop => {
                        p.refresh_used();
                        assert_fast_end_is_safe(&p, &format!("{when_full:?} refresh {i}"));
                    }
                    _ => {}
                }
            }
            assert!(
                fast > pushes / 20 && full > pushes / 20,
                "{when_full:?}: {fast} fast, {full} full"
            );
        }
    }

    #[test]
    fn nothing_fits_a_full_ring_not_even_one_byte() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert!(p.push(64, |s| s.fill(1)));
        assert!(!p.push(1, |s| s.fill(2)), "the ring is full");
        assert_eq!(drain_all(&mut c), [1; 64], "the unread record is whole");
    }

    #[test]
    fn the_smallest_ring_is_eight_bytes() {
        for cap in [0, 1, 2, 4] {
            assert!(channel(cap, WhenFull::Drop).is_none(), "{cap}");
        }
        let (p, mut c) = channel(8, WhenFull::Drop).unwrap();
        assert_eq!((p.capacity(), c.capacity()), (8, 8));
        assert!(p.push(8, |s| s.fill(5)));
        assert_eq!(drain_all(&mut c), [5; 8]);
    }

    #[test]
    fn records_come_out_in_order_across_many_wraps() {
        // Two records of at most 40 bytes plus padding always fit in 128.
        let (p, mut c) = channel(128, WhenFull::Drop).unwrap();
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
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
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
        assert_eq!(
            drain_all(&mut c),
            [marker(7, &[8; 20]), vec![8u8; 20]].concat(),
            "the drops are marked before the next record"
        );
        assert!(p.push(20, |s| s.fill(9)));
        assert_eq!(drain_all(&mut c), vec![9u8; 20], "and only there");
    }

    #[test]
    fn a_record_that_fits_only_without_the_marker_is_dropped_too() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert!(p.push(64, |s| s.fill(1)));
        assert!(!p.push(8, |s| s.fill(2)));
        assert_eq!(drain_all(&mut c), vec![1u8; 64]);
        assert!(!p.push(32, |s| s.fill(3)), "40 + 32 bytes do not fit");
        assert!(p.push(24, |s| s.fill(4)));
        assert_eq!(c.dropped(), 2);
        assert_eq!(
            drain_all(&mut c),
            [marker(2, &[4; 24]), vec![4u8; 24]].concat()
        );
    }

    #[test]
    fn marker_takes_the_time_and_pid_of_the_record_after_the_gap() {
        let (p, mut c) = channel(128, WhenFull::Drop).unwrap();
        assert!(p.push(128, |s| s.fill(0)));
        assert!(!p.push(40, |_| unreachable!()));
        drain_all(&mut c);
        let mut rec = vec![0u8; 40];
        trace_events::v4::encode::put_record_header(&mut rec, 5, 1234, 77);
        assert!(p.push(40, |s| s.copy_from_slice(&rec)));
        let mut expected = Vec::new();
        trace_events::v4::encode::push_dropped(&mut expected, 1234, 77, 1);
        expected.extend_from_slice(&rec);
        assert_eq!(drain_all(&mut c), expected);
    }

    #[test]
    fn oversized_and_empty_records_are_dropped() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert!(!p.push(65, |_| unreachable!()));
        assert!(!p.push(0, |_| unreachable!()));
        assert_eq!(c.dropped(), 2);
        assert!(
            p.push(24, |s| s.fill(1)),
            "with its marker it fills the ring"
        );
        assert_eq!(
            drain_all(&mut c),
            [marker(2, &[1; 24]), vec![1u8; 24]].concat()
        );
        assert!(p.push(64, |s| s.fill(2)), "a record may fill the ring");
        assert_eq!(drain_all(&mut c), vec![2u8; 64]);
    }

    #[test]
    fn record_ending_exactly_at_the_end_then_wrapping() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert!(p.push(40, |s| s.fill(1)));
        assert_eq!(drain_all(&mut c).len(), 40);
        assert!(p.push(24, |s| s.fill(2)), "ends exactly at the ring end");
        assert!(p.push(10, |s| s.fill(3)));
        assert_eq!(drain_all(&mut c), [vec![2u8; 24], vec![3u8; 10]].concat());
    }

    #[test]
    fn padding_is_skipped_when_draining() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert!(p.push(50, |s| s.fill(1)));
        assert_eq!(drain_all(&mut c).len(), 50);
        assert!(p.push(20, |s| s.fill(2)), "wraps: 14 bytes of padding");
        assert_eq!(drain_all(&mut c), vec![2u8; 20]);
        assert!(p.push(30, |s| s.fill(3)));
        assert_eq!(drain_all(&mut c), vec![3u8; 30]);
    }

    #[test]
    fn peeked_records_keep_their_space_until_released() {
        let (p, mut c) = channel(128, WhenFull::Drop).unwrap();
        assert!(p.push(80, |s| s.fill(1)));
        let batch = c.peek();
        assert_eq!(batch.slices(), (&[1u8; 80][..], &[][..]));
        assert!(!p.push(80, |s| s.fill(2)), "not released yet: no room");
        batch.release();
        assert!(p.push(40, |s| s.fill(3)), "wraps into the released space");
        assert_eq!(
            drain_all(&mut c),
            [marker(1, &[3; 40]), vec![3u8; 40]].concat()
        );
    }

    #[test]
    fn closed_is_seen_after_producer_drops() {
        let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
        assert!(!c.closed());
        assert!(p.push(8, |s| s.fill(9)));
        drop(p);
        assert!(c.closed());
        assert_eq!(drain_all(&mut c), vec![9u8; 8]);
    }

    /// Records start with 0xEE (a dropped record with its type word 1) and
    /// carry their number: every gap in the numbers must have exactly one
    /// dropped record with its size right before the record after it.
    #[test]
    fn concurrent_producer_and_consumer_mark_every_gap_exactly() {
        let (p, mut c) = channel(256, WhenFull::Drop).unwrap();
        let n: u32 = if cfg!(miri) { 200 } else { 20_000 };
        let len_of = |i: u32| 5 + (i as usize % 13);
        let producer = std::thread::spawn(move || {
            let mut sent = Vec::new();
            for i in 0..n {
                let ok = p.push(len_of(i), |s| {
                    s[0] = 0xEE;
                    s[1..5].copy_from_slice(&i.to_le_bytes());
                    s[5..].fill(i as u8);
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
        let (mut pos, mut next, mut marked) = (0, 0u32, None);
        while pos < bytes.len() {
            if bytes[pos] == 1 {
                assert!(marked.is_none(), "two markers in a row before {next}");
                let count = u64::from_ne_bytes(bytes[pos + 32..pos + 40].try_into().unwrap());
                marked = Some(count);
                pos += DROPPED_RECORD_LEN;
                continue;
            }
            assert_eq!(bytes[pos], 0xEE);
            let i = u32::from_le_bytes(bytes[pos + 1..pos + 5].try_into().unwrap());
            let len = len_of(i);
            assert!(bytes[pos + 5..pos + len].iter().all(|&b| b == i as u8));
            assert_eq!(
                marked.take().unwrap_or(0),
                u64::from(i - next),
                "gap before {i}"
            );
            got.push(i);
            next = i + 1;
            pos += len;
        }
        assert_eq!(got, sent);
        assert_eq!(c.dropped() + sent.len() as u64, u64::from(n));
    }
}

#[cfg(all(test, loom))]
#[cfg_attr(mutants, mutants::skip)] // tests
mod loom_tests {
    use super::*;

    /// What the consumer must read, given each record (`tag` repeated `len`
    /// times) and whether its push succeeded: the published ones in order,
    /// each after a dropped record counting the failures since the last one.
    fn expected(records: &[(u8, usize)], ok: &[bool]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut unmarked = 0;
        for (&(tag, len), &ok) in records.iter().zip(ok) {
            if !ok {
                unmarked += 1;
                continue;
            }
            let record = vec![tag; len];
            if unmarked > 0 {
                let mut marker = vec![0; DROPPED_RECORD_LEN];
                put_dropped_before(&mut marker, &record, unmarked);
                out.extend(marker);
                unmarked = 0;
            }
            out.extend(record);
        }
        out
    }

    fn push_all(p: &Producer, records: &[(u8, usize)]) -> Vec<bool> {
        records
            .iter()
            .map(|&(tag, len)| p.push(len, |s| s.fill(tag)))
            .collect()
    }

    /// Producer pushes three records into a ring that forces a wrap while the
    /// consumer drains concurrently; every byte read must be a whole record.
    #[test]
    fn reserve_commit_drain_with_wrap() {
        loom::model(|| {
            let (p, mut c) = channel(16, WhenFull::Drop).unwrap();
            const RECORDS: [(u8, usize); 3] = [(1, 6), (2, 6), (3, 6)];
            let producer = loom::thread::spawn(move || push_all(&p, &RECORDS));
            let mut bytes = Vec::new();
            for _ in 0..2 {
                bytes.extend(c.drain(|a, b| [a, b].concat()));
            }
            let ok = producer.join().unwrap();
            bytes.extend(c.drain(|a, b| [a, b].concat()));
            assert_eq!(bytes, expected(&RECORDS, &ok));
            let dropped = ok.iter().filter(|&&ok| !ok).count() as u64;
            assert_eq!(c.dropped(), dropped);
        });
    }

    /// A record ending exactly at the ring end, then one at the start.
    #[test]
    fn exact_end_then_wrap() {
        loom::model(|| {
            let (p, mut c) = channel(8, WhenFull::Drop).unwrap();
            const RECORDS: [(u8, usize); 3] = [(1, 4), (2, 4), (3, 4)];
            let producer = loom::thread::spawn(move || push_all(&p, &RECORDS));
            let mut bytes = c.drain(|a, b| [a, b].concat());
            let ok = producer.join().unwrap();
            bytes.extend(c.drain(|a, b| [a, b].concat()));
            assert_eq!(bytes, expected(&RECORDS, &ok));
            assert!(c.closed());
        });
    }

    /// Drops, then a record published with its dropped record in front (one
    /// reservation that may wrap) while the consumer drains: the marker and
    /// its record are read whole, together, or not at all.
    #[test]
    fn marker_and_record_published_together_across_a_wrap() {
        loom::model(|| {
            let (p, mut c) = channel(64, WhenFull::Drop).unwrap();
            const RECORDS: [(u8, usize); 5] = [(1, 24), (2, 24), (3, 24), (4, 16), (5, 8)];
            let producer = loom::thread::spawn(move || push_all(&p, &RECORDS));
            let mut bytes = Vec::new();
            for _ in 0..2 {
                bytes.extend(c.drain(|a, b| [a, b].concat()));
            }
            let ok = producer.join().unwrap();
            bytes.extend(c.drain(|a, b| [a, b].concat()));
            assert_eq!(bytes, expected(&RECORDS, &ok));
            let dropped = ok.iter().filter(|&&ok| !ok).count() as u64;
            assert_eq!(c.dropped(), dropped);
        });
    }

    /// Record `seq` of `len` bytes (32 or 40): a real header (an
    /// overwriting ring reads lengths from it) with `seq` in every word but
    /// the length's.
    fn push_seq(p: &Producer, seq: u64, len: usize) -> bool {
        p.push(len, |r| {
            trace_events::v4::encode::put_record_header(r, seq, seq, seq as u32);
            if len == 40 {
                r[32..40].copy_from_slice(&seq.to_ne_bytes());
            }
        })
    }

    /// The sequence numbers of the records a snapshot kept; panics on a
    /// torn record (words of two records).
    fn kept_seqs(copy: &[u8], s: &RingSnapshot) -> Vec<u64> {
        let bytes = [&copy[s.first.clone()], &copy[s.second.clone()]].concat();
        let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().unwrap());
        let mut seqs = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let seq = word(pos + 8);
            let len = (word(pos + 24) as u32 + 8) as usize;
            assert_eq!(word(pos), 1, "type word of record {seq}");
            assert_eq!(word(pos + 16), seq, "timestamp of record {seq}");
            assert_eq!(word(pos + 24) >> 32, seq, "pid of record {seq}");
            if len == 40 {
                assert_eq!(word(pos + 32), seq, "payload of record {seq}");
            }
            seqs.push(seq);
            pos += len;
        }
        seqs
    }

    /// Overwrite versus snapshot: a producer pushes three records of `len`
    /// bytes into a 64-byte ring, overwriting, while a snapshot copies it.
    /// What the snapshot keeps is whole records, a contiguous run right
    /// after the ones it counts as overwritten; once the producer is done a
    /// snapshot holds exactly the newest, `expected`.
    fn overwrite_versus_snapshot(len: usize, expected: &'static [u64]) {
        let mut model = loom::model::Builder::new();
        // Every word of the mirror is an atomic: bounded, or it never ends.
        model.preemption_bound = Some(2);
        model.check(move || {
            let (p, c) = channel(64, WhenFull::Overwrite).unwrap();
            let producer = loom::thread::spawn(move || {
                for seq in 0..3 {
                    assert!(push_seq(&p, seq, len), "an overwriting ring is never full");
                }
            });
            let mut copy = Vec::new();
            let during = c.snapshot(&mut copy);
            let seqs = kept_seqs(&copy, &during);
            if let Some(&first) = seqs.first() {
                assert_eq!(first, during.evicted);
                assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
            }
            producer.join().unwrap();
            let after = c.snapshot(&mut copy);
            assert_eq!(kept_seqs(&copy, &after), expected);
            assert_eq!(after.evicted, expected[0]);
        });
    }

    /// Records of 32 bytes: laps end exactly; record 2 overwrites record 0.
    #[test]
    fn overwrite_versus_snapshot_exact_laps() {
        overwrite_versus_snapshot(32, &[1, 2]);
    }

    /// Records of 40 bytes: each wraps after 24 bytes of padding, over the
    /// one before (the snapshot's oldest record may sit in the lap before).
    #[test]
    fn overwrite_versus_snapshot_across_padding() {
        overwrite_versus_snapshot(40, &[2]);
    }
}
