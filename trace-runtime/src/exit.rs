//! Nothing lost at exit. A guard alive in `main` when `exit()` is called, a
//! leaked one, or one in a `static` is never dropped, so an `atexit` handler
//! (as QEMU's `atexit(st_flush_trace_buffer)`) ends the trace instead: the
//! writer's last pass writes every buffer and counts the drops no later
//! event could mark.
//!
//! Events recorded after that (later `atexit` handlers, other threads still
//! running) are written one by one, synchronously, each after its
//! `trace_thread` record, or counted in `Status::dropped` when the writer did
//! not end in time (stuck on its file). Thread-local destructors of the
//! exiting thread run before `atexit` handlers, so theirs are in the buffers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, PoisonError};

use crate::control::{control, control_block, wait_writer_end, BACKENDS, LATE, PANIC_WAIT_LIMIT};
use crate::internal::{push_thread_record, TRACE_THREAD};
use crate::trace_file::Written;
use crate::wake::wake_writer;
use crate::{clock, sys, writer};
use trace_events::v4::encode;

/// The writer ended at exit: late events may take the trace file's lock.
static WRITER_ENDED: AtomicBool = AtomicBool::new(false);

/// Register the exit handler (once per process).
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        sys::on_exit(at_exit);
        sys::on_marked_thread_end(at_thread_end);
    });
    // Recording threads are marked as they register; the starting thread
    // (often the one that exits) here.
    sys::mark_thread();
}

/// A marked thread ended (Windows, `sys::on_marked_thread_end`): nothing
/// to do, unless it is `ExitProcess` ending the process, which ended the
/// writer and runs no `atexit` handler.
extern "C" fn at_thread_end() {
    if control().is_some_and(writer::exit_process_under_way) {
        at_exit();
    }
}

extern "C" fn at_exit() {
    // Once (on Windows, a thread's end after a normal exit may call again).
    static RAN: AtomicBool = AtomicBool::new(false);
    if RAN.swap(true, Ordering::AcqRel) {
        return;
    }
    // Not running (stopped, never started here, or a forked child): nothing to do.
    let Some(c) = control() else {
        return;
    };
    // First, so no event slips into a buffer after the writer's last pass.
    BACKENDS.fetch_or(LATE, Ordering::AcqRel);
    c.stop.store(true, Ordering::Release);
    // Windows' `ExitProcess` (`std::process::exit`) ended the writer: this
    // thread makes its last pass. Late events are written after it if it
    // was made, else counted as dropped.
    if let Some(made) = writer::last_pass_after_exit_process(c) {
        WRITER_ENDED.store(made, Ordering::Release);
        return;
    }
    wake_writer();
    // Exit must not hang on a writer stuck on its file: bounded, as for a panic.
    if wait_writer_end(c, PANIC_WAIT_LIMIT) {
        WRITER_ENDED.store(true, Ordering::Release);
    }
}

/// Record one event after the exit handler ran: written now with the
/// calling thread's `trace_thread` record, or counted as dropped.
#[cold]
pub(crate) fn write_late(id: u64, payload_len: usize, fill: impl FnOnce(&mut [u8])) {
    let Some(c) = control_block() else {
        return;
    };
    if !WRITER_ENDED.load(Ordering::Acquire) {
        c.dropped.fetch_add(1, Ordering::Release);
        return;
    }
    let ts = clock::now_ns();
    let mut own = Vec::new();
    if TRACE_THREAD.is_enabled() {
        push_thread_record(&mut own, ts, c.pid, sys::gettid(), &sys::thread_name());
    }
    let mut record = vec![0; encode::record_len(payload_len)];
    encode::put_record_header(&mut record, id, ts, c.pid);
    fill(&mut record[encode::record_len(0)..]);
    let mut file = c.trace_file.lock().unwrap_or_else(PoisonError::into_inner);
    let counter = match file.write_batch(&c.preamble, &[&own, &record], &c.write_errors) {
        Written::Yes => &c.written,
        Written::Off => &c.discarded,
        Written::Failed => &c.unwritten,
    };
    counter.fetch_add(1, Ordering::Release);
}
