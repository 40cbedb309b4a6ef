//! Starting and stopping the trace, and controlling it while it runs.
//!
//! One trace per process: [`crate::Config::start`] succeeds once.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError, TryLockError};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crate::config::{Config, StartError};
use crate::event::EVENTS;
use crate::log::{self, Output};
use crate::record::{BACKENDS, LOG, SIMPLE};
use crate::select::{self, SelectError};
use crate::settings::Mode;
use crate::trace_file::TraceFile;
use crate::wake::{wake_writer, WRITER};
use crate::{clock, describe, event_control, exit, flight, fork, local, panic_hook, sys, writer};
use trace_events::v4::encode;

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
    /// Flight mode's buffers and settings (`None`: the records stream).
    pub(crate) flight: Option<flight::Recorder>,
}

static STARTED: AtomicBool = AtomicBool::new(false);
static CONTROL: OnceLock<Control> = OnceLock::new();

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

pub(crate) fn start(config: Config) -> Result<TraceGuard, StartError> {
    if STARTED.swap(true, Ordering::AcqRel) {
        return Err(StartError::AlreadyStarted);
    }
    let result = start_once(config);
    if result.is_err() && CONTROL.get().is_none() {
        STARTED.store(false, Ordering::Release);
    }
    result
}

fn start_once(config: Config) -> Result<TraceGuard, StartError> {
    let pid = sys::getpid();
    let log_output = match (&config.log_file, config.backend.log()) {
        (_, false) | (None, true) => Output::Stderr,
        (Some(path), true) => Output::File(Mutex::new(File::create(path).map_err(|source| {
            StartError::LogFile {
                path: path.clone(),
                source,
            }
        })?)),
    };
    select::assign_ids();
    if let Err(e) = select_events(&config) {
        select::disable_all();
        return Err(e.into());
    }
    if config.help {
        print_help();
    }
    let path = config
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("trace-{pid}")));
    // Before the first timestamp (the preamble's): every event is timed alike.
    let clock = clock::calibrate_at_start();
    let mut preamble = Vec::new();
    encode::push_file_header(&mut preamble);
    for event in EVENTS.iter() {
        encode::push_mapping(&mut preamble, event.id(), event.meta.name);
    }
    describe::push_declarations(&mut preamble, clock::now_ns(), pid);
    let write_errors = AtomicU64::new(0);
    let flight_mode = config.mode == Mode::Flight && config.backend.simple();
    let trace_file = if config.backend.simple() && !flight_mode {
        TraceFile::create(path.clone(), &preamble, &write_errors).map_err(|source| {
            select::disable_all();
            crate::registry::forget_selections();
            StartError::Open { path, source }
        })?
    } else {
        TraceFile::off(path)
    };
    local::PID.store(pid, Ordering::Relaxed);
    local::BUFFER_SIZE.store(config.buffer_size.next_power_of_two(), Ordering::Relaxed);
    local::OVERWRITE.store(flight_mode, Ordering::Relaxed);
    let flight = flight_mode
        .then(|| flight::Recorder::new(trace_file.path().to_path_buf(), config.snapshot_on_panic));
    let control = CONTROL.get_or_init(|| Control {
        pid,
        simple: config.backend.simple(),
        start_path: trace_file.path().to_path_buf(),
        trace_file: Mutex::new(trace_file),
        preamble,
        flush_requested: AtomicU64::new(0),
        flush_done: Mutex::new(0),
        flush_cv: Condvar::new(),
        stop: AtomicBool::new(false),
        paused: AtomicBool::new(config.start_paused),
        writer_alive: AtomicBool::new(true),
        written: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        discarded: AtomicU64::new(0),
        write_errors,
        unwritten: AtomicU64::new(0),
        flight,
    });
    if config.backend.log() {
        log::install(log_output, config.log_timestamps, &control.write_errors);
    }
    let backends = match (config.backend.simple(), config.backend.log()) {
        (true, true) => SIMPLE | LOG,
        (false, _) => LOG,
        (true, false) => SIMPLE,
    };
    BACKENDS.store(backends, Ordering::Release);
    if let Some(signal) = config.snapshot_signal.filter(|_| flight_mode) {
        flight::install_signal(signal);
    }
    fork::install_child_handler();
    panic_hook::install();
    exit::install();
    let period = config.writer_period;
    let spawned = sys::with_signals_blocked(|| {
        std::thread::Builder::new()
            .name("trace-writer".into())
            .spawn(move || writer::run(control, period, clock))
    });
    let handle = spawned.map_err(|e| {
        select::disable_all();
        crate::registry::forget_selections();
        control.writer_alive.store(false, Ordering::Release);
        StartError::Spawn(e)
    })?;
    let _ = WRITER.set(handle.thread().clone());
    Ok(TraceGuard {
        writer: Some(handle),
    })
}

/// Every event available, then the configuration's selections in order.
fn select_events(config: &Config) -> Result<(), SelectError> {
    crate::registry::select_at_start(&config.selections)
}

/// `help` in the options: list the events with their states and exit, as
/// QEMU's `-trace help` does.
fn print_help() -> ! {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for info in event_control::list_events("*").unwrap_or_default() {
        let _ = writeln!(out, "{info}");
    }
    let _ = out.flush();
    std::process::exit(0);
}

/// Keeps the trace running; dropping it stops recording, writes everything
/// recorded and closes the file.
#[must_use = "dropping the guard stops the trace"]
pub struct TraceGuard {
    writer: Option<JoinHandle<()>>,
}

impl TraceGuard {
    /// The trace file's path (it changes with [`crate::trace_file_set`]).
    /// In a forked child: the path as of the fork if it can be read without
    /// waiting, else the path the trace started with.
    pub fn path(&self) -> PathBuf {
        let c = CONTROL.get().expect("a guard exists only after start");
        if c.pid != sys::getpid() {
            return match c.trace_file.try_lock() {
                Ok(t) => t.path().to_path_buf(),
                Err(TryLockError::Poisoned(t)) => t.into_inner().path().to_path_buf(),
                Err(TryLockError::WouldBlock) => c.start_path.clone(),
            };
        }
        let t = c.trace_file.lock().unwrap_or_else(PoisonError::into_inner);
        t.path().to_path_buf()
    }

    /// See [`flush`].
    pub fn flush(&self) {
        flush();
    }

    /// See [`status`].
    pub fn status(&self) -> Status {
        status_of(CONTROL.get().expect("a guard exists only after start"))
    }

    /// Stop or resume draining buffers (tests use it to make drops certain).
    /// Pausing returns once the writer has finished any pass in progress; while
    /// paused, [`flush`] returns without writing.
    #[doc(hidden)]
    pub fn __pause_writer(&self, paused: bool) {
        if let Some(c) = control() {
            c.paused.store(paused, Ordering::Release);
            if paused {
                flush();
            } else {
                wake_writer();
            }
        }
    }
}

impl Drop for TraceGuard {
    fn drop(&mut self) {
        let Some(handle) = self.writer.take() else {
            return;
        };
        let Some(c) = control() else {
            // A forked child: the writer thread is not here; leave it alone.
            std::mem::forget(handle);
            return;
        };
        crate::registry::forget_selections();
        select::stop_program_events();
        c.stop.store(true, Ordering::Release);
        wake_writer();
        // Unwinding past the guard must not hang on a writer stuck on its file.
        if std::thread::panicking() && !wait_writer_end(c, PANIC_WAIT_LIMIT) {
            std::mem::forget(handle);
            return;
        }
        let _ = handle.join();
        let mut file = c.trace_file.lock().unwrap_or_else(PoisonError::into_inner);
        file.close();
        let path = c.simple.then(|| file.path().to_path_buf());
        drop(file);
        let buffer_size = local::BUFFER_SIZE.load(Ordering::Relaxed);
        crate::loss_report::print(&status_of(c), buffer_size, path.as_deref());
    }
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
