//! Waking the writer thread: its handle, and the flag that says it is
//! parked. A leaf, so the hot path (`local.rs`) reaches it without the
//! writer or the control block.
//!
//! The writer sleeps in `park_timeout(period)`. Producers wake it early only
//! when their buffer is half full *and* the writer is parked ([`SLEEPING`]),
//! so the hot path's common case is a flag load, never a syscall; a kick lost
//! to a race costs at most one period.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;

/// Set by the writer while it is parked (never in flight mode).
pub(crate) static SLEEPING: AtomicBool = AtomicBool::new(false);

/// The writer thread of the trace started in this process (set once, at
/// start; a forked child keeps its parent's, which nothing there wakes).
pub(crate) static WRITER: OnceLock<Thread> = OnceLock::new();

/// Whether the writer is parked (one relaxed load, for the hot path).
#[inline]
pub(crate) fn is_sleeping() -> bool {
    SLEEPING.load(Ordering::Relaxed)
}

/// Wake the parked writer; only the first caller per sleep pays the syscall.
#[cold]
pub(crate) fn kick() {
    if SLEEPING.swap(false, Ordering::AcqRel) {
        wake_writer();
    }
}

/// Wake the writer (flush, stop, a snapshot signal: std's thread parker, an
/// atomic swap and at most one futex wake, so async-signal-safe).
pub(crate) fn wake_writer() {
    if let Some(t) = WRITER.get() {
        t.unpark();
    }
}
