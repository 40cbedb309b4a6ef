//! Starting and stopping the trace: [`Config::start`] (once per process)
//! builds the control block (`control.rs`) and spawns the writer; dropping
//! the [`TraceGuard`] stops it.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, TryLockError};
use std::thread::JoinHandle;

use crate::config::{Config, StartError};
use crate::control::{
    control, flush, status_of, wait_writer_end, Control, Status, BACKENDS, CONTROL, LOG,
    PANIC_WAIT_LIMIT, SIMPLE,
};
use crate::event::EVENTS;
use crate::log::{self, Output};
use crate::select::{self, SelectError};
use crate::settings::Mode;
use crate::trace_file::TraceFile;
use crate::wake::{wake_writer, WRITER};
use crate::{clock, describe, event_control, exit, flight, fork, local, loss_report};
use crate::{panic_hook, registry, sys, writer};
use trace_events::v4::encode;

static STARTED: AtomicBool = AtomicBool::new(false);

impl Config {
    /// Start tracing. Keep the guard alive: dropping it flushes and closes the trace.
    ///
    /// With `help` in the options, prints every event with its state
    /// (`name : state 1|0`) to stdout and exits the process, as QEMU does.
    pub fn start(self) -> Result<TraceGuard, StartError> {
        let config = self.checked()?;
        loss_report::set_quiet(config.quiet);
        if STARTED.swap(true, Ordering::AcqRel) {
            return Err(StartError::AlreadyStarted);
        }
        let result = start_once(config);
        if result.is_err() && CONTROL.get().is_none() {
            STARTED.store(false, Ordering::Release);
        }
        result
    }
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
            registry::forget_selections();
            StartError::Open { path, source }
        })?
    } else {
        TraceFile::off(path)
    };
    local::PID.store(pid, Ordering::Relaxed);
    local::BUFFER_SIZE.store(config.buffer_size.next_power_of_two(), Ordering::Relaxed);
    local::OVERWRITE.store(flight_mode, Ordering::Relaxed);
    if flight_mode {
        let path = trace_file.path().to_path_buf();
        let _ = flight::RECORDER.set(flight::Recorder::new(path, config.snapshot_on_panic));
    }
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
        registry::forget_selections();
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
    registry::select_at_start(&config.selections)
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

    /// See [`status`](crate::control::status).
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
        registry::forget_selections();
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
        loss_report::print(&status_of(c), buffer_size, path.as_deref());
    }
}
