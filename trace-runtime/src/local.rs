//! Each traced thread's buffer: created on the thread's first event, registered
//! for the writer, closed when the thread exits (the writer then drains and frees it).

use std::cell::{Cell, OnceCell};
use std::sync::atomic::{compiler_fence, AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::ring::{self, Consumer, Producer};
use crate::{sys, writer};

/// Process id written in every record (set at start).
pub(crate) static PID: AtomicU32 = AtomicU32::new(0);
/// Ring size for threads that start recording from now on (set at start).
pub(crate) static BUFFER_SIZE: AtomicUsize = AtomicUsize::new(0);
/// Events lost without a thread buffer to count them in: recorded while the
/// thread's buffer was already destroyed (thread exit), from a signal handler that
/// interrupted a record on the same thread, or when the buffer could not be allocated.
pub(crate) static UNBUFFERED_DROPS: AtomicU64 = AtomicU64::new(0);

/// Buffers registered since the writer last looked; the lock is taken once per
/// thread (registration) and by the writer when `NEW_BUFFERS` says so.
static REGISTRY: Mutex<Vec<ThreadBuffer>> = Mutex::new(Vec::new());
static NEW_BUFFERS: AtomicBool = AtomicBool::new(false);

/// The writer's view of one thread's buffer.
pub(crate) struct ThreadBuffer {
    pub(crate) consumer: Consumer,
    pub(crate) tid: u64,
    pub(crate) name: Vec<u8>,
    /// The drops of this thread reported in the file so far (its own dropped
    /// records and the ones the writer wrote for it).
    pub(crate) dropped_seen: u64,
    /// The producer was gone before the writer's last look: that look took its
    /// last records and drops, and the buffer can go once they are written.
    pub(crate) gone: bool,
}

/// Move the buffers registered since the last call into `out`.
pub(crate) fn adopt_new_buffers(out: &mut Vec<ThreadBuffer>) {
    if NEW_BUFFERS.swap(false, Ordering::Acquire) {
        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        out.append(&mut registry);
    }
}

struct Local {
    /// `None` once allocation failed: do not retry on every event.
    producer: OnceCell<Option<Producer>>,
    /// Set while this thread is inside `push`, so a signal handler that records
    /// on the same thread drops its event instead of corrupting the one in progress.
    busy: Cell<bool>,
}

thread_local! {
    static LOCAL: Local = const {
        Local {
            producer: OnceCell::new(),
            busy: Cell::new(false),
        }
    };
}

/// Append one record of `len` bytes to the calling thread's buffer; `write`
/// fills all of it. No lock, syscall or allocation after the thread's first event.
#[inline]
pub(crate) fn push(len: usize, write: impl FnOnce(&mut [u8])) {
    let recorded = LOCAL.try_with(|local| {
        if local.busy.replace(true) {
            return false;
        }
        compiler_fence(Ordering::SeqCst);
        let pushed = match local.producer.get_or_init(register) {
            Some(producer) => {
                if producer.push(len, write) {
                    kick_if_filling(producer);
                }
                true
            }
            None => false,
        };
        compiler_fence(Ordering::SeqCst);
        local.busy.set(false);
        pushed
    });
    if !matches!(recorded, Ok(true)) {
        UNBUFFERED_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Wake a sleeping writer once the buffer is half full. The cheap checks come
/// first; `refresh_used` reads the consumer's line only when both pass.
#[inline]
fn kick_if_filling(producer: &Producer) {
    let threshold = producer.capacity() / 2;
    if producer.used() >= threshold && writer::is_sleeping() && producer.refresh_used() >= threshold
    {
        writer::kick();
    }
}

#[cold]
fn register() -> Option<Producer> {
    let (producer, consumer) = ring::channel(BUFFER_SIZE.load(Ordering::Relaxed))?;
    let buffer = ThreadBuffer {
        consumer,
        tid: sys::gettid(),
        name: sys::thread_name(),
        dropped_seen: 0,
        gone: false,
    };
    REGISTRY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(buffer);
    NEW_BUFFERS.store(true, Ordering::Release);
    Some(producer)
}
