//! The writer thread: drains every thread's buffer into the trace file.
//!
//! Wake-ups (`wake.rs`): the writer sleeps in `park_timeout(period)`;
//! producers wake it early only when their buffer is half full and it is
//! parked. Flushes and stop wake it directly.
//!
//! The sleep adapts to the load: after a pass, the writer sleeps until the
//! fullest buffer, filling at the rate it just did, would be a quarter full
//! ([`next_sleep`]), never longer than the period. A busy thread's buffer is
//! then drained well before half full, so the kick (a syscall on the
//! producer's side) and its wake-up latency stay out of the steady state; an
//! idle process still wakes once a period.
//!
//! Each pass writes straight from the buffers: the records the writer makes
//! itself (`trace_thread`, the dropped records no producer could write) go
//! into a small vector, and one `writev`
//! takes them with each buffer's published records in place (up to two slices
//! per buffer). A buffer's space is freed once its records are written, and a
//! pass writes as soon as 1 MiB is pending, so a buffer is held at most that long.

use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::control::Control;
use crate::internal::{push_thread_record, TRACE_THREAD};
use crate::local::{self, ThreadBuffer, UNBUFFERED_DROPS};
use crate::ring::Batch;
use crate::trace_file::Written;
use crate::wake::SLEEPING;
use crate::{clock, flight};
use trace_events::v4::encode;

/// Pending bytes above which a pass writes before taking the next buffer.
const WRITE_AT: usize = 1 << 20;

/// The fill, in [`FILL_ONE`]ths of a buffer, at which the adaptive sleep aims
/// to wake: a quarter, so a wake-up late by up to the sleep itself still
/// leaves the buffer half empty.
const FILL_TARGET: u64 = FILL_ONE / 4;
/// A whole buffer in the fill's fixed point.
const FILL_ONE: u64 = 1 << 16;
/// The shortest adaptive sleep: below it, wake-up cost dominates.
const MIN_SLEEP: Duration = Duration::from_micros(100);

/// Clears `writer_alive` and wakes flush waiters however the thread ends.
struct AliveGuard(&'static Control);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.writer_alive.store(false, Ordering::Release);
        let _lock = self.0.flush_done.lock();
        self.0.flush_cv.notify_all();
    }
}

/// What the writer keeps between passes.
struct Writer {
    /// The records the writer makes itself, for the pending write.
    own_records: Vec<u8>,
    buffers: Vec<ThreadBuffer>,
}

/// The writer's state: a static rather than the writer thread's own, so
/// that the exiting thread can make the last pass when Windows'
/// `ExitProcess` has ended the writer ([`last_pass_after_exit_process`]).
/// Only the writer takes it, once a pass, except then.
static STATE: Mutex<Writer> = Mutex::new(Writer::EMPTY);

fn state() -> std::sync::MutexGuard<'static, Writer> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn run(control: &'static Control, period: Duration, clock: Option<clock::Refiner>) {
    let _alive = AliveGuard(control);
    let mut flushed = 0;
    let mut last_pass = Instant::now();
    let slew_ns = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
    let recorder = flight::RECORDER.get();
    loop {
        if let Some(clock) = &clock {
            clock.refine(slew_ns);
        }
        let requested = control.flush_requested.load(Ordering::Acquire);
        let stop = control.stop.load(Ordering::Acquire);
        let paused = control.paused.load(Ordering::Acquire) && !stop;
        let pass = Instant::now();
        let mut fullest = 0;
        if let Some(recorder) = recorder {
            recorder.tend(control);
        } else if !paused {
            fullest = state().drain_all(control, stop);
        }
        let sleep = next_sleep(period, fullest, pass - last_pass);
        last_pass = pass;
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
            // The threads still running keep their buffers mapped.
            *state() = Writer::EMPTY;
            return;
        }
        // Flight mode's rings are always full: producers must not kick.
        let announce = recorder.is_none();
        if announce {
            SLEEPING.store(true, Ordering::Release);
        }
        std::thread::park_timeout(sleep);
        if announce {
            SLEEPING.store(false, Ordering::Release);
        }
    }
}

/// One buffer's part of a pending write: the writer's own records for it
/// (ranges of `own_records`), before and after its records in place.
struct Part<'a> {
    own: Range<usize>,
    batch: Option<Batch<'a>>,
    own_after: Range<usize>,
}

/// What the next write takes, in order.
#[derive(Default)]
struct Pending<'a> {
    parts: Vec<Part<'a>>,
    bytes: usize,
    /// Program event records (what the counters count).
    records: u64,
}

impl Writer {
    const EMPTY: Writer = Writer {
        own_records: Vec::new(),
        buffers: Vec::new(),
    };

    /// One pass over every buffer; `last` on the pass that ends the trace.
    /// Returns how full the fullest buffer was, in [`FILL_ONE`]ths.
    fn drain_all(&mut self, control: &Control, last: bool) -> u64 {
        local::adopt_new_buffers(&mut self.buffers);
        let Writer {
            own_records,
            buffers,
        } = self;
        let mut fullest = 0;
        let mut pending = Pending::default();
        let unbuffered = UNBUFFERED_DROPS.swap(0, Ordering::Relaxed);
        if unbuffered > 0 {
            // Of no particular thread: `trace_thread` with tid 0 says so.
            let ts = clock::now_ns();
            if TRACE_THREAD.is_enabled() {
                push_thread_record(own_records, ts, control.pid, 0, b"");
            }
            encode::push_dropped(own_records, ts, control.pid, unbuffered);
            control.dropped.fetch_add(unbuffered, Ordering::Release);
            pending.bytes += own_records.len();
            pending.parts.push(Part {
                own: 0..own_records.len(),
                batch: None,
                own_after: 0..0,
            });
        }
        for buffer in buffers.iter_mut() {
            buffer.check_exited(control.pid);
            let capacity = buffer.consumer.capacity().max(1) as u64;
            let taken = take_records(control, buffer, last, own_records, &mut pending);
            let fill = taken as u64 * FILL_ONE / capacity;
            fullest = fullest.max(fill);
            if pending.bytes >= WRITE_AT {
                write(control, own_records, &mut pending);
            }
        }
        write(control, own_records, &mut pending);
        drop(pending);
        buffers.retain(|b| !b.gone);
        fullest
    }
}

/// Windows' `ExitProcess` (Rust's `std::process::exit`) ends every other
/// thread, the writer included, and runs no `atexit` handler: the writer's
/// last pass never comes. The exiting thread makes it, from `exit.rs`'s
/// handlers: `Some(true)` once made. `None` when the process is not in
/// `ExitProcess` or the writer has ended (it made its last pass itself), as
/// always on other systems, where exit ends no thread first.
///
/// Every other thread is ended or about to be (Wine ends them while this
/// runs): a lock held by one of them may never be released. The writer's
/// state is waited for a little (a pass in progress ends within
/// milliseconds), the trace file's not at all (a thread in a trace-file
/// call): if either stays held, the trace ends there, said on stderr,
/// rather than the exit hanging: `Some(false)`.
pub(crate) fn last_pass_after_exit_process(control: &Control) -> Option<bool> {
    use std::sync::TryLockError::{Poisoned, WouldBlock};
    if !exit_process_under_way(control) {
        return None;
    }
    let mut tries = 0;
    let mut state = loop {
        match STATE.try_lock() {
            Ok(state) => break state,
            Err(Poisoned(state)) => break state.into_inner(),
            Err(WouldBlock) if tries < EXIT_PASS_TRIES => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(WouldBlock) => {
                ended_mid_write("the writer was ended in a pass");
                return Some(false);
            }
        }
    };
    if matches!(control.trace_file.try_lock(), Err(WouldBlock)) {
        ended_mid_write("a thread was ended in a trace-file call");
        return Some(false);
    }
    state.drain_all(control, true);
    control.writer_alive.store(false, Ordering::Release);
    Some(true)
}

/// How many 1 ms waits the exiting thread gives a writer's pass in progress.
const EXIT_PASS_TRIES: u32 = 200;

/// Windows' `ExitProcess` is ending the process and the writer had not
/// ended: it will not make its last pass (never true elsewhere).
pub(crate) fn exit_process_under_way(control: &Control) -> bool {
    crate::sys::process_exiting() && control.writer_alive.load(Ordering::Acquire)
}

/// Say on stderr why the trace ends before its last pass.
fn ended_mid_write(why: &str) {
    let line = format!(
        "trace: the process exited with `ExitProcess` and {why}: the events still in the buffers are not in the trace\n"
    );
    crate::sys::write_stderr_unlocked(line.as_bytes());
}

/// How long to sleep after a pass that found the fullest buffer `fullest`
/// ([`FILL_ONE`]ths) filled over `elapsed` since the pass before: until it
/// would be [`FILL_TARGET`] full at that rate, between [`MIN_SLEEP`] and
/// `period`.
fn next_sleep(period: Duration, fullest: u64, elapsed: Duration) -> Duration {
    if fullest == 0 {
        return period;
    }
    let ns = elapsed.as_nanos().saturating_mul(u128::from(FILL_TARGET)) / u128::from(fullest);
    Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
        .clamp(MIN_SLEEP, period.max(MIN_SLEEP))
}

/// Add `buffer`'s published records to `pending`, after a `trace_thread`
/// record; returns the bytes of records taken. The producer marks its drops in place; the drops it could not mark
/// (no record came after them) get a dropped record after its last records
/// once it is gone or the trace ends (`last`): that is where they happened.
fn take_records<'a>(
    control: &Control,
    buffer: &'a mut ThreadBuffer,
    last: bool,
    own_records: &mut Vec<u8>,
    pending: &mut Pending<'a>,
) -> usize {
    // Loaded first: if set, the counter and records read below are final.
    buffer.gone = buffer.consumer.closed();
    let batch = buffer.consumer.peek();
    let dropped_total = batch.dropped();
    let (a, b) = batch.slices();
    let (scan_a, scan_b) = (encode::scan_records(a), encode::scan_records(b));
    let marked = scan_a.dropped + scan_b.dropped;
    buffer.dropped_seen += marked;
    let unmarked = if buffer.gone || last {
        dropped_total.saturating_sub(buffer.dropped_seen)
    } else {
        0
    };
    buffer.dropped_seen += unmarked;
    let taken = a.len() + b.len();
    if taken == 0 && unmarked == 0 {
        return 0;
    }
    let ts = scan_a
        .first_ts
        .or(scan_b.first_ts)
        .unwrap_or_else(clock::now_ns);
    let start = own_records.len();
    if TRACE_THREAD.is_enabled() {
        push_thread_record(own_records, ts, control.pid, buffer.tid, &buffer.name);
    }
    let after = own_records.len();
    if unmarked > 0 {
        encode::push_dropped(own_records, clock::now_ns(), control.pid, unmarked);
    }
    control
        .dropped
        .fetch_add(marked + unmarked, Ordering::Release);
    pending.bytes += own_records.len() - start + a.len() + b.len();
    pending.records += scan_a.events + scan_b.events;
    pending.parts.push(Part {
        own: start..after,
        batch: Some(batch),
        own_after: after..own_records.len(),
    });
    taken
}

/// Write what is pending, then free its buffers' space. A failure is counted
/// (the write, and the records it lost) and its records discarded, so a full
/// disk never holds producers back. While the trace file is off the records
/// are counted as discarded.
fn write(control: &Control, own_records: &mut Vec<u8>, pending: &mut Pending<'_>) {
    if pending.parts.is_empty() {
        return;
    }
    let mut slices = Vec::with_capacity(4 * pending.parts.len());
    for part in &pending.parts {
        slices.push(&own_records[part.own.clone()]);
        if let Some(batch) = &part.batch {
            let (a, b) = batch.slices();
            slices.extend([a, b]);
        }
        slices.push(&own_records[part.own_after.clone()]);
    }
    let mut file = control
        .trace_file
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let counter = match file.write_batch(&control.preamble, &slices, &control.write_errors) {
        Written::Yes => &control.written,
        Written::Off => &control.discarded,
        Written::Failed => &control.unwritten,
    };
    drop(file);
    drop(slices);
    counter.fetch_add(pending.records, Ordering::Release);
    for part in pending.parts.drain(..) {
        if let Some(batch) = part.batch {
            batch.release();
        }
    }
    own_records.clear();
    pending.bytes = 0;
    pending.records = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: Duration = Duration::from_millis(10);

    #[test]
    fn idle_sleeps_a_period() {
        assert_eq!(next_sleep(PERIOD, 0, Duration::from_secs(1)), PERIOD);
    }

    #[test]
    fn sleeps_until_a_quarter_full_at_the_last_rate() {
        // Half full after 4 ms: a quarter takes 2 ms.
        let half = FILL_ONE / 2;
        assert_eq!(
            next_sleep(PERIOD, half, Duration::from_millis(4)),
            Duration::from_millis(2)
        );
        // An eighth after 10 ms: a quarter would take 20 ms, capped at the period.
        assert_eq!(
            next_sleep(PERIOD, FILL_ONE / 8, Duration::from_millis(10)),
            PERIOD
        );
    }

    #[test]
    fn never_spins() {
        // Full after 10 us: still sleeps the floor.
        assert_eq!(
            next_sleep(PERIOD, FILL_ONE, Duration::from_micros(10)),
            MIN_SLEEP
        );
        // A period below the floor keeps the floor.
        assert_eq!(
            next_sleep(Duration::from_micros(10), FILL_ONE, Duration::ZERO),
            MIN_SLEEP
        );
    }
}
