//! The writer thread: drains every thread's buffer into the trace file.
//!
//! Wake-ups: the writer sleeps in `park_timeout(period)`. Producers wake it early
//! only when their buffer is half full *and* the writer is parked (`SLEEPING`),
//! so the hot path's common case is a flag load, never a syscall; a kick lost to
//! a race costs at most one period. Flushes and stop wake it directly.
//!
//! Each pass copies whole slices out of the buffers into one staging vector
//! (freeing buffer space before any syscall), then writes it with one `write_all`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::PoisonError;
use std::time::Duration;

use crate::encode;
use crate::internal::TRACE_THREAD;
use crate::local::{self, ThreadBuffer, UNBUFFERED_DROPS};
use crate::runtime::{self, Control};
use crate::trace_file::Written;
use crate::{clock, record::RecordPayload};

/// Staged bytes above which a pass writes before draining the next buffer.
const STAGING_WRITE_AT: usize = 1 << 20;

static SLEEPING: AtomicBool = AtomicBool::new(false);

/// Whether the writer is parked (one relaxed load, for the hot path).
#[inline]
pub(crate) fn is_sleeping() -> bool {
    SLEEPING.load(Ordering::Relaxed)
}

/// Wake the parked writer; only the first caller per sleep pays the syscall.
#[cold]
pub(crate) fn kick() {
    if SLEEPING.swap(false, Ordering::AcqRel) {
        if let Some(t) = runtime::writer_thread() {
            t.unpark();
        }
    }
}

/// Clears `writer_alive` and wakes flush waiters however the thread ends.
struct AliveGuard(&'static Control);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.writer_alive.store(false, Ordering::Release);
        let _lock = self.0.flush_done.lock();
        self.0.flush_cv.notify_all();
    }
}

struct Writer {
    control: &'static Control,
    staging: Vec<u8>,
    /// Program event records in `staging`.
    staged_records: u64,
    buffers: Vec<ThreadBuffer>,
}

pub(crate) fn run(control: &'static Control, period: Duration) {
    let _alive = AliveGuard(control);
    let mut w = Writer {
        control,
        staging: Vec::with_capacity(STAGING_WRITE_AT),
        staged_records: 0,
        buffers: Vec::new(),
    };
    let mut flushed = 0;
    let mut calibration = clock::Calibration::begin();
    loop {
        if calibration.as_ref().is_some_and(|c| c.try_finish()) {
            calibration = None;
        }
        let requested = control.flush_requested.load(Ordering::Acquire);
        let stop = control.stop.load(Ordering::Acquire);
        let paused = control.paused.load(Ordering::Acquire) && !stop;
        if !paused {
            w.drain_all();
            w.write_staged();
        }
        // While paused a flush only confirms that the writer saw the pause.
        if requested != flushed {
            flushed = requested;
            let mut done = control
                .flush_done
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *done = requested;
            control.flush_cv.notify_all();
        }
        if stop {
            return;
        }
        SLEEPING.store(true, Ordering::Release);
        std::thread::park_timeout(period);
        SLEEPING.store(false, Ordering::Release);
    }
}

impl Writer {
    /// One pass over every buffer.
    fn drain_all(&mut self) {
        local::adopt_new_buffers(&mut self.buffers);
        let unbuffered = UNBUFFERED_DROPS.swap(0, Ordering::Relaxed);
        if unbuffered > 0 {
            self.stage_dropped(clock::now_ns(), unbuffered);
        }
        let mut i = 0;
        while i < self.buffers.len() {
            let closed = self.buffers[i].consumer.closed();
            self.drain_one(i);
            if closed {
                // The producer is gone and the drain above took its last records.
                self.buffers.swap_remove(i);
            } else {
                i += 1;
            }
            if self.staging.len() >= STAGING_WRITE_AT {
                self.write_staged();
            }
        }
    }

    fn drain_one(&mut self, i: usize) {
        let buffer = &mut self.buffers[i];
        let dropped_total = buffer.consumer.dropped();
        let new_drops = dropped_total - buffer.dropped_seen;
        buffer.dropped_seen = dropped_total;
        let staging = &mut self.staging;
        let staged_records = &mut self.staged_records;
        let control = self.control;
        let (tid, name) = (buffer.tid, &buffer.name);
        buffer.consumer.drain(|a, b| {
            let (na, ts_a) = encode::scan_records(a);
            let (nb, ts_b) = encode::scan_records(b);
            if na + nb == 0 && new_drops == 0 {
                return;
            }
            let ts = ts_a.or(ts_b).unwrap_or_else(clock::now_ns);
            if TRACE_THREAD.is_enabled() {
                push_thread_record(staging, ts, control.pid, tid, name);
            }
            if new_drops > 0 {
                encode::push_dropped(staging, ts, control.pid, new_drops);
                control.dropped.fetch_add(new_drops, Ordering::Release);
            }
            staging.extend_from_slice(a);
            staging.extend_from_slice(b);
            *staged_records += na + nb;
        });
    }

    fn stage_dropped(&mut self, ts: u64, count: u64) {
        encode::push_dropped(&mut self.staging, ts, self.control.pid, count);
        self.control.dropped.fetch_add(count, Ordering::Release);
    }

    /// Write the staged bytes; a failure is counted (the write, and the records
    /// it lost) and its bytes discarded, so a full disk never holds producers
    /// back. While the trace file is off the records are counted as discarded.
    fn write_staged(&mut self) {
        if self.staging.is_empty() {
            return;
        }
        let c = self.control;
        let mut file = c.trace_file.lock().unwrap_or_else(PoisonError::into_inner);
        let counter = match file.write_batch(&c.preamble, &self.staging, &c.write_errors) {
            Written::Yes => &c.written,
            Written::Off => &c.discarded,
            Written::Failed => &c.unwritten,
        };
        drop(file);
        counter.fetch_add(self.staged_records, Ordering::Release);
        self.staging.clear();
        self.staged_records = 0;
    }
}

/// Append a `trace_thread(tid, name)` record.
fn push_thread_record(out: &mut Vec<u8>, ts: u64, pid: u32, tid: u64, name: &[u8]) {
    let payload_len = 8 + crate::record::str_arg_len(name.len());
    let start = out.len();
    out.resize(start + encode::record_len(payload_len), 0);
    let rec = &mut out[start..];
    encode::put_record_header(rec, TRACE_THREAD.id(), ts, pid);
    let mut payload = RecordPayload::new(&mut rec[encode::record_len(0)..]);
    payload.u64(tid);
    payload.str(name);
}
