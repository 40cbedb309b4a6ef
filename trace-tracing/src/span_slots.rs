//! Where [`SimpletraceSubscriber`](crate::SimpletraceSubscriber)'s live spans
//! are kept: slots in chunks allocated once and never freed, found from a
//! span's slot number with one load. Free slot numbers are kept per thread,
//! so once a thread has some, creating and closing spans takes no lock and
//! writes nothing shared but the span's own slot; a thread that frees many
//! more than it takes (spans closed on another
//! thread than the one that made them) hands batches back to a shared pool,
//! under a lock taken once per batch.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::fields::Owned;
use crate::record::INLINE_INTS;

const CHUNK: usize = 1024;
const CHUNKS: usize = 4096;
/// Live spans at most; a span beyond them is not recorded.
pub(crate) const MAX_SPANS: usize = CHUNK * CHUNKS;
/// Free slot numbers moved to or from the shared pool at once.
const BATCH: usize = 64;

/// One span's state. Every field is an atomic or behind a mutex: a slot is
/// shared by every thread holding the span's id, and reused once it closes.
/// (Its callsite, and so its events and metadata, are in the id.) A cache
/// line pair of its own: threads using neighbouring slots do not take
/// each other's lines.
#[repr(align(128))]
pub(crate) struct Slot {
    pub(crate) refs: AtomicUsize,
    /// Integer arguments as the record holds them (`Val::as_u64`), when
    /// `record::inline_ints` says so; else `other`, behind a mutex.
    pub(crate) ints: [AtomicU64; INLINE_INTS],
    pub(crate) other: Mutex<Vec<Owned>>,
}

impl Slot {
    fn new() -> Self {
        Slot {
            refs: AtomicUsize::new(0),
            ints: [const { AtomicU64::new(0) }; INLINE_INTS],
            other: Mutex::new(Vec::new()),
        }
    }
}

static CHUNK_TABLE: [OnceLock<Box<[Slot]>>; CHUNKS] = [const { OnceLock::new() }; CHUNKS];
/// Slot numbers below this have been handed out at least once.
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Batches of free slot numbers handed back by threads.
static POOL: Mutex<Vec<Vec<u32>>> = Mutex::new(Vec::new());

/// Slot `n` (allocating its chunk on first use).
#[inline]
pub(crate) fn slot(n: usize) -> Option<&'static Slot> {
    let chunk = CHUNK_TABLE.get(n / CHUNK)?;
    let chunk = match chunk.get() {
        Some(chunk) => chunk,
        None => chunk.get_or_init(|| (0..CHUNK).map(|_| Slot::new()).collect()),
    };
    Some(&chunk[n % CHUNK])
}

/// A thread's free slot numbers; what is left goes to the pool when it ends.
struct Free(Vec<u32>);

impl Drop for Free {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            give_back(std::mem::take(&mut self.0));
        }
    }
}

thread_local! {
    static FREE: RefCell<Free> = const { RefCell::new(Free(Vec::new())) };
}

fn give_back(batch: Vec<u32>) {
    POOL.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(batch);
}

/// A free slot number: this thread's, else a batch from the pool, else a
/// new one; `None` once [`MAX_SPANS`] are live.
#[inline]
pub(crate) fn take() -> Option<usize> {
    let local = FREE
        .try_with(|free| {
            let mut free = free.try_borrow_mut().ok()?;
            if let Some(n) = free.0.pop() {
                return Some(n as usize);
            }
            let batch = POOL.lock().unwrap_or_else(PoisonError::into_inner).pop()?;
            free.0.extend(batch);
            free.0.pop().map(|n| n as usize)
        })
        .ok()
        .flatten();
    local.or_else(|| {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        (n < MAX_SPANS).then_some(n)
    })
}

/// Slot `n` is free again.
#[inline]
pub(crate) fn put(n: usize) {
    let kept = FREE.try_with(|free| {
        let Ok(mut free) = free.try_borrow_mut() else {
            return false;
        };
        free.0.push(n as u32);
        if free.0.len() >= 2 * BATCH {
            let at = free.0.len() - BATCH;
            give_back(free.0.split_off(at));
        }
        true
    });
    if kept != Ok(true) {
        give_back(vec![n as u32]);
    }
}
