//! Flight-recorder mode: every thread's buffer keeps its newest records
//! (overwriting the oldest, `ring/overwrite.rs`), and nothing reaches a file
//! until a snapshot: [`snapshot`], a panic (the panic hook), or the snapshot
//! signal (its handler only wakes the writer thread, which takes it).
//!
//! A snapshot is a complete v4 trace, written like the streaming writer's
//! files: the header, mappings and declarations (the same preamble), then
//! per thread `trace_thread(tid, name)`, a dropped record counting the events
//! overwritten before its oldest record kept, and its records in order
//! (copied and validated while the thread keeps recording,
//! `ring/snapshot.rs`), then `trace_snapshot(window_start_ns, window_end_ns,
//! overwritten)`: from `window_start_ns` to `window_end_ns` every thread's
//! records are all in the file. The rings are copied one after the other
//! (a memory copy each) before anything is written, so the threads' ends
//! are microseconds apart. It goes to a temporary file renamed over
//! `path`, so a reader never sees half a snapshot.
//!
//! The writer thread still runs: it adopts new threads' buffers, notices
//! exited threads (their buffers stay, at most [`MAX_EXITED_KEPT`] of them,
//! so their last records are in later snapshots) and takes signal snapshots.
//! It never sets the flag producers check to wake it, so a full ring (always
//! full in this mode) costs the hot path nothing more.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use crate::control::{control, Control, PANIC_WAIT_LIMIT};
use crate::event::Event;
use crate::internal::{push_thread_record, TRACE_THREAD};
use crate::local::{self, ThreadBuffer};
use crate::record::RecordPayload;
use crate::registry::{self, ArgType};
use crate::ring::RingSnapshot;
use crate::settings::SnapshotSignal;
use crate::wake::wake_writer;
use crate::{clock, sys, table, trace_file};
use trace_events::v4::encode;

/// Buffers of exited threads kept for later snapshots (the oldest go first).
pub const MAX_EXITED_KEPT: usize = 64;

/// Copies of one buffer a snapshot takes at most, while the thread keeps
/// overwriting most of what was copied.
const RETRIES: usize = 3;

/// Set by the snapshot signal's handler; the writer takes the snapshot.
static SIGNALED: AtomicBool = AtomicBool::new(false);

/// The trace's flight recorder, if it runs in flight mode (set at start).
pub(crate) static RECORDER: OnceLock<Recorder> = OnceLock::new();

/// The flight recorder of a running trace.
pub(crate) struct Recorder {
    /// Every thread's buffer; the writer adopts new ones, a snapshot reads
    /// them (in the thread that asks for it).
    buffers: Mutex<Vec<ThreadBuffer>>,
    /// Where panic and signal snapshots go (the trace file's path).
    pub(crate) path: PathBuf,
    pub(crate) on_panic: bool,
    /// `trace_snapshot(window_start_ns, window_end_ns, overwritten)`,
    /// registered at start so its mapping and declaration are in the
    /// preamble's registered part.
    event: &'static Event,
    /// When the trace started: a thread that lost nothing is complete from here.
    started_ns: u64,
}

impl Recorder {
    pub(crate) fn new(path: PathBuf, on_panic: bool) -> Recorder {
        let event = registry::register_event(
            "trace_snapshot",
            &[
                ("window_start_ns", ArgType::U64),
                ("window_end_ns", ArgType::U64),
                ("overwritten", ArgType::U64),
            ],
            Some(
                "\"every thread complete from %\" PRIu64 \" to %\" PRIu64 \" ns; %\" PRIu64 \" older events overwritten\"",
            ),
        )
        .expect("a valid declaration, and the first registration of the trace");
        Recorder {
            buffers: Mutex::new(Vec::new()),
            path,
            on_panic,
            event,
            started_ns: clock::now_ns(),
        }
    }

    /// The writer's periodic look: adopt new buffers, notice exited threads,
    /// free the oldest exited ones past [`MAX_EXITED_KEPT`].
    pub(crate) fn tend(&self, control: &Control) {
        let mut buffers = lock(&self.buffers);
        local::adopt_new_buffers(&mut buffers);
        for b in buffers.iter_mut() {
            b.check_exited(control.pid);
        }
        let exited = buffers.iter().filter(|b| b.has_exited()).count();
        let mut extra = exited.saturating_sub(MAX_EXITED_KEPT);
        buffers.retain(|b| {
            let free = extra > 0 && b.has_exited();
            extra -= usize::from(free);
            !free
        });
        drop(buffers);
        if SIGNALED.swap(false, Ordering::Acquire) {
            if let Err(e) = self.take(control, &self.path, lock(&self.buffers)) {
                control.write_errors.fetch_add(1, Ordering::Release);
                eprintln!("trace: signal snapshot failed: {e}");
            }
        }
    }

    /// Write a snapshot of `buffers` to `path`.
    fn take(
        &self,
        control: &Control,
        path: &Path,
        mut buffers: MutexGuard<'_, Vec<ThreadBuffer>>,
    ) -> Result<SnapshotInfo, SnapshotError> {
        local::adopt_new_buffers(&mut buffers);
        let io = |source| SnapshotError::Write {
            path: path.to_path_buf(),
            source,
        };
        let temporary = temporary_path(path);
        let mut file = File::create(&temporary).map_err(io)?;
        let result = self.write(control, &buffers, &mut file);
        drop(buffers);
        // No fsync: the rename makes the file whole for readers, and the
        // page cache keeps it if the process dies; a snapshot is not worth
        // a disk flush (tens of ms) on the path of a panic.
        drop(file);
        let result = result.and_then(|mut info| {
            std::fs::rename(&temporary, path)?;
            info.path = path.to_path_buf();
            Ok(info)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        result.map_err(io)
    }

    fn write(
        &self,
        control: &Control,
        buffers: &[ThreadBuffer],
        file: &mut File,
    ) -> std::io::Result<SnapshotInfo> {
        let pid = control.pid;
        let window_end_ns = clock::now_ns();
        let mut own = Vec::new();
        table::push_definitions(&mut own, 0, table::count(), window_end_ns, pid);
        trace_file::write_all_vectored(file, &[&control.preamble, &own])?;
        let mut info = SnapshotInfo {
            path: PathBuf::new(),
            threads: 0,
            events: 0,
            overwritten: 0,
            window_start_ns: self.started_ns,
            window_end_ns,
        };
        // Copy every ring first, back to back, so the threads' copies are
        // close in time (the window is between them), then write.
        let copies: Vec<(Vec<u8>, RingSnapshot)> = buffers
            .iter()
            .map(|buffer| {
                let mut copy = Vec::new();
                let mut kept = buffer.consumer.snapshot(&mut copy);
                // The thread overwrote most of its buffer during the copy
                // (this thread was descheduled, say): try again, a little.
                for _ in 0..RETRIES {
                    if kept.evicted == 0 || kept.first.len() + kept.second.len() >= copy.len() / 2 {
                        break;
                    }
                    kept = buffer.consumer.snapshot(&mut copy);
                }
                (copy, kept)
            })
            .collect();
        for (buffer, (copy, kept)) in buffers.iter().zip(&copies) {
            let (a, b) = (&copy[kept.first.clone()], &copy[kept.second.clone()]);
            if a.is_empty() && b.is_empty() && kept.evicted == 0 {
                continue;
            }
            let (scan_a, scan_b) = (encode::scan_records(a), encode::scan_records(b));
            let first_ts = scan_a.first_ts.or(scan_b.first_ts);
            if kept.evicted > 0 {
                // This thread is complete only from its oldest record kept.
                let from = first_ts.unwrap_or_else(clock::now_ns);
                info.window_start_ns = info.window_start_ns.max(from);
            }
            own.clear();
            let ts = first_ts.unwrap_or(window_end_ns);
            if TRACE_THREAD.is_enabled() {
                push_thread_record(&mut own, ts, pid, buffer.tid, &buffer.name);
            }
            if kept.evicted > 0 {
                encode::push_dropped(&mut own, ts, pid, kept.evicted);
            }
            trace_file::write_all_vectored(file, &[&own, a, b])?;
            info.threads += 1;
            info.events += scan_a.events + scan_b.events;
            info.overwritten += kept.evicted;
        }
        drop(copies);
        own.clear();
        if TRACE_THREAD.is_enabled() {
            push_thread_record(&mut own, window_end_ns, pid, 0, b"");
        }
        let start = own.len();
        own.resize(start + encode::record_len(24), 0);
        let record = &mut own[start..];
        encode::put_record_header(record, self.event.id(), window_end_ns, pid);
        let mut payload = RecordPayload::new(&mut record[encode::record_len(0)..]);
        payload.u64(info.window_start_ns);
        payload.u64(info.window_end_ns);
        payload.u64(info.overwritten);
        trace_file::write_all_vectored(file, &[&own])?;
        Ok(info)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `path` with `.tmp-<pid>` appended to its file name.
fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", sys::getpid()));
    path.with_file_name(name)
}

/// What a snapshot wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The file written.
    pub path: PathBuf,
    /// Threads with records (or overwritten ones) in the snapshot.
    pub threads: usize,
    /// Program event records in the snapshot (the runtime's own excepted).
    pub events: u64,
    /// Events overwritten before each thread's oldest record kept, summed
    /// (in the file: one dropped record per thread, before its records).
    pub overwritten: u64,
    /// From this time (the clock of the records' timestamps, ns) to
    /// `window_end_ns`, every thread's records are all in the snapshot:
    /// the trace's start if no thread lost any, else the latest of the
    /// oldest timestamps kept of the threads that did. After
    /// `window_end_ns` when no interval is complete for every thread: a
    /// thread overwrote its whole buffer while the others were copied
    /// (buffers too small for the rate).
    pub window_start_ns: u64,
    /// When the snapshot started copying the buffers (each thread's records
    /// go on to when its own buffer was copied, microseconds later).
    pub window_end_ns: u64,
}

/// Why a snapshot was not written.
#[derive(thiserror::Error)] // `Debug`: the message (error_debug.rs)
pub enum SnapshotError {
    /// No trace was started in this process, or it stopped.
    #[error("no trace is running in this process")]
    NotRunning,
    /// The trace streams its records to the trace file: there is nothing
    /// held back to snapshot.
    #[error("the trace is not in flight mode (mode=flight): its records stream to the trace file")]
    NotFlightMode,
    /// The snapshot file could not be written (the old file, if any, is kept).
    #[error("cannot write snapshot {}: {source}", path.display())]
    Write {
        /// The snapshot's path, as asked.
        path: PathBuf,
        /// Why the OS refused.
        source: std::io::Error,
    },
}

/// Write what the flight recorder holds to `path` (replaced whole): a
/// complete v4 trace, each thread's newest records in order after a dropped
/// record counting the ones overwritten before them. Threads keep recording
/// meanwhile. Takes the lock the writer thread takes once a period; copies
/// every buffer first, back to back (so the threads' copies are close in
/// time), then writes them: while it runs, the copies take as much memory
/// again as the buffers.
pub fn snapshot(path: impl AsRef<Path>) -> Result<SnapshotInfo, SnapshotError> {
    let c = control().ok_or(SnapshotError::NotRunning)?;
    let recorder = RECORDER.get().ok_or(SnapshotError::NotFlightMode)?;
    recorder.take(c, path.as_ref(), lock(&recorder.buffers))
}

/// The panic hook's part: a snapshot to the configured path, waiting at most
/// [`PANIC_WAIT_LIMIT`] for the buffers (another snapshot in progress, or
/// this thread panicking inside one). Whether it ran in flight mode.
pub(crate) fn snapshot_on_panic() -> bool {
    let Some(c) = control() else {
        return false;
    };
    let Some(recorder) = RECORDER.get() else {
        return false;
    };
    if !recorder.on_panic {
        return true;
    }
    let deadline = Instant::now() + PANIC_WAIT_LIMIT;
    let buffers = loop {
        match recorder.buffers.try_lock() {
            Ok(b) => break b,
            Err(TryLockError::Poisoned(b)) => break b.into_inner(),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => {
                eprintln!("trace: no snapshot on panic: the buffers stayed busy");
                return true;
            }
        }
    };
    if let Err(e) = recorder.take(c, &recorder.path, buffers) {
        eprintln!("trace: snapshot on panic failed: {e}");
    }
    true
}

/// Install the snapshot signal's handler.
pub(crate) fn install_signal(signal: SnapshotSignal) {
    sys::on_signal(signal, on_signal);
}

/// Async-signal-safe: an atomic store, and waking the writer (std's thread
/// parker: an atomic swap and, if the writer is parked, one futex wake; no
/// lock, no allocation). If the wake is lost the writer sees the flag within
/// a period anyway.
extern "C" fn on_signal(_signal: libc::c_int) {
    SIGNALED.store(true, Ordering::Release);
    wake_writer();
}
