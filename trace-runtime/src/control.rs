//! The running trace's shared state (`Control`: the trace file, the flush
//! handshake with the writer, the counters) and the calls that read it:
//! [`flush`], [`status`], the bounded waits of a panic or exit. Which
//! backends record (`BACKENDS`, loaded by every record) is here too.
//! `runtime.rs` creates it at start; everything that controls or writes the
//! trace reads it from here.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};

use crate::select::SelectError;
use crate::sys;
use crate::trace_file::TraceFile;
use crate::wake::{wake_writer, WRITER};

/// Which backends record (bits [`SIMPLE`] and [`LOG`]); set at start.
pub(crate) static BACKENDS: AtomicU8 = AtomicU8::new(0);
pub(crate) const SIMPLE: u8 = 1;
pub(crate) const LOG: u8 = 2;
/// Set by the exit handler once the buffers are no longer drained: the simple
/// backend's records are written one by one (see `exit.rs`).
pub(crate) const LATE: u8 = 4;

/// State shared by the controlling functions and the writer thread.
pub(crate) struct Control {
    pub(crate) pid: u32,
    /// Whether the simple backend records (else the trace file stays off).
    pub(crate) simple: bool,
    pub(crate) trace_file: Mutex<TraceFile>,
    /// The trace file's path at start (what a forked child reports if the
    /// file's lock was held at the fork).
    pub(crate) start_path: PathBuf,
    /// The header and a mapping for every event: the start of every trace file.
    pub(crate) preamble: Vec<u8>,
    pub(crate) flush_requested: AtomicU64,
    pub(crate) flush_done: Mutex<u64>,
    pub(crate) flush_cv: Condvar,
    pub(crate) stop: AtomicBool,
    pub(crate) paused: AtomicBool,
    /// Cleared when the writer thread ends, however it ends.
    pub(crate) writer_alive: AtomicBool,
    pub(crate) written: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) discarded: AtomicU64,
    pub(crate) write_errors: AtomicU64,
    pub(crate) unwritten: AtomicU64,
}

/// Set once, by the start that succeeds (`runtime.rs`).
pub(crate) static CONTROL: OnceLock<Control> = OnceLock::new();

/// The running trace's control block, if a trace was started by this process
/// (not inherited through `fork`) and not stopped.
pub(crate) fn control() -> Option<&'static Control> {
    CONTROL
        .get()
        .filter(|c| c.pid == sys::getpid() && c.writer_alive.load(Ordering::Acquire))
}

/// The control block of the trace started in this process, running or
/// stopped (`None` in a forked child: its copies of the runtime's locks may
/// be held forever by threads that do not exist there).
pub(crate) fn control_block() -> Option<&'static Control> {
    CONTROL.get().filter(|c| c.pid == sys::getpid())
}

/// Longest a panic or exit waits for the writer (in the panic hook, while
/// unwinding past the guard, in the exit handler): a panic must not become a
/// hang. The limit holds for all of them together: once one bounded wait has
/// given up on a stuck writer, the later ones do not wait again.
pub(crate) const PANIC_WAIT_LIMIT: Duration = Duration::from_secs(2);

/// A bounded wait gave up: the writer is stuck (on its file).
static GAVE_UP: AtomicBool = AtomicBool::new(false);

/// Wait until the writer thread has ended, at most `limit` (nothing if an
/// earlier bounded wait gave up); returns whether it did.
pub(crate) fn wait_writer_end(c: &Control, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut done = c.flush_done.lock().unwrap_or_else(PoisonError::into_inner);
    while c.writer_alive.load(Ordering::Acquire) {
        let left = deadline.checked_duration_since(Instant::now());
        let Some(left) = left.filter(|_| !GAVE_UP.load(Ordering::Relaxed)) else {
            GAVE_UP.store(true, Ordering::Relaxed);
            return false;
        };
        done = c
            .flush_cv
            .wait_timeout(done, left.min(Duration::from_millis(100)))
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    true
}

/// Counters of the running (or stopped) trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Program event records written to the file.
    pub written: u64,
    /// Events dropped because a buffer was full (reported in the file's dropped
    /// records while the file is on). A thread's drops count once they are
    /// marked: at its next event that fits, its exit, or the trace's stop.
    pub dropped: u64,
    /// Program event records recorded while the trace file was off.
    pub discarded: u64,
    /// Writes that failed, their records lost: batches of the trace file,
    /// and lines of the log backend (one each).
    pub write_errors: u64,
    /// Program event records lost because the write of their batch failed.
    /// With the file on: recorded events = written + dropped + unwritten.
    pub unwritten: u64,
}

pub(crate) fn status_of(c: &Control) -> Status {
    Status {
        written: c.written.load(Ordering::Acquire),
        dropped: c.dropped.load(Ordering::Acquire),
        discarded: c.discarded.load(Ordering::Acquire),
        write_errors: c.write_errors.load(Ordering::Acquire),
        unwritten: c.unwritten.load(Ordering::Acquire),
    }
}

/// Counters of the trace, `None` if none was started in this process. Up to
/// date as of the writer's last pass: call [`flush`] first for exact figures.
pub fn status() -> Option<Status> {
    CONTROL.get().map(status_of)
}

/// Wait until every event recorded before this call (on this thread, or on any
/// thread that synchronized with it) is in the file. Returns at once if no
/// trace is running in this process.
pub fn flush() {
    flush_within(None);
}

/// [`flush`], giving up after `limit` if one is given (at once if an earlier
/// bounded wait gave up); returns whether the flush completed. From the
/// writer thread itself it returns false at once.
pub(crate) fn flush_within(limit: Option<Duration>) -> bool {
    let Some(c) = control() else {
        return true;
    };
    if WRITER.get().map(Thread::id) == Some(std::thread::current().id()) {
        return false;
    }
    let deadline = limit.map(|l| Instant::now() + l);
    let ticket = c.flush_requested.fetch_add(1, Ordering::AcqRel) + 1;
    wake_writer();
    let mut done = c.flush_done.lock().unwrap_or_else(PoisonError::into_inner);
    while *done < ticket && c.writer_alive.load(Ordering::Acquire) {
        let mut wait = Duration::from_millis(100);
        if let Some(deadline) = deadline {
            match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !GAVE_UP.load(Ordering::Relaxed) => wait = wait.min(left),
                _ => {
                    GAVE_UP.store(true, Ordering::Relaxed);
                    return false;
                }
            }
        }
        done = c
            .flush_cv
            .wait_timeout(done, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    true
}

/// Why a control call failed.
#[derive(thiserror::Error)] // `Debug`: the message (error_debug.rs)
pub enum ControlError {
    /// No trace was started in this process, or it stopped (a forked child does
    /// not inherit its parent's trace).
    #[error("no trace is running in this process")]
    NotRunning,
    /// The trace runs with the log backend only, so there is no trace file to
    /// control.
    #[error("the simple backend is off: there is no trace file")]
    NoTraceFile,
    /// The trace runs in flight mode: records reach a file only through a
    /// snapshot, so there is no trace file to switch.
    #[error("the trace is in flight mode: records reach a file only through a snapshot")]
    FlightMode,
    /// The new trace file could not be created.
    #[error("cannot create trace file {}: {source}", path.display())]
    Open {
        /// The file asked for.
        path: PathBuf,
        /// Why the OS refused.
        source: std::io::Error,
    },
    /// The pattern or name matches no event, or names a `disable` event to
    /// enable.
    #[error(transparent)]
    Select(#[from] SelectError),
}
