//! Starting and stopping the trace, and controlling it while it runs.
//!
//! One trace per process: [`crate::Config::start`] succeeds once.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use crate::config::{Config, StartError};
use crate::event::EVENTS;
use crate::select::{self, Matcher, SelectError};
use crate::{fork, local, sys, writer};

/// State shared by the controlling functions and the writer thread.
pub(crate) struct Control {
    pub(crate) pid: u32,
    pub(crate) path: PathBuf,
    pub(crate) flush_requested: AtomicU64,
    pub(crate) flush_done: Mutex<u64>,
    pub(crate) flush_cv: Condvar,
    pub(crate) stop: AtomicBool,
    pub(crate) paused: AtomicBool,
    /// Cleared when the writer thread ends, however it ends.
    pub(crate) writer_alive: AtomicBool,
    pub(crate) writer: OnceLock<Thread>,
    pub(crate) written: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) write_errors: AtomicU64,
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

/// The control block as seen by the hot path's kick (no pid check).
pub(crate) fn writer_thread() -> Option<&'static Thread> {
    CONTROL.get()?.writer.get()
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
    select::assign_ids();
    select::apply(&EVENTS, &Matcher::All, true)?;
    for (matcher, on) in &config.selections {
        if let Err(e) = select::apply(&EVENTS, matcher, *on) {
            select::disable_all();
            return Err(e.into());
        }
    }
    let path = config
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("trace-{pid}")));
    let file = File::create(&path).map_err(|source| {
        select::disable_all();
        StartError::Open {
            path: path.clone(),
            source,
        }
    })?;
    local::PID.store(pid, Ordering::Relaxed);
    local::BUFFER_SIZE.store(config.buffer_size.next_power_of_two(), Ordering::Relaxed);
    let control = CONTROL.get_or_init(|| Control {
        pid,
        path,
        flush_requested: AtomicU64::new(0),
        flush_done: Mutex::new(0),
        flush_cv: Condvar::new(),
        stop: AtomicBool::new(false),
        paused: AtomicBool::new(config.start_paused),
        writer_alive: AtomicBool::new(true),
        writer: OnceLock::new(),
        written: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        write_errors: AtomicU64::new(0),
    });
    fork::install_child_handler();
    let period = config.writer_period;
    let spawned = sys::with_signals_blocked(|| {
        std::thread::Builder::new()
            .name("trace-writer".into())
            .spawn(move || writer::run(control, file, period))
    });
    let handle = spawned.map_err(|e| {
        select::disable_all();
        control.writer_alive.store(false, Ordering::Release);
        StartError::Spawn(e)
    })?;
    let _ = control.writer.set(handle.thread().clone());
    Ok(TraceGuard {
        writer: Some(handle),
    })
}

/// Keeps the trace running; dropping it stops recording, writes everything
/// recorded and closes the file.
#[must_use = "dropping the guard stops the trace"]
pub struct TraceGuard {
    writer: Option<JoinHandle<()>>,
}

impl TraceGuard {
    /// The trace file's path.
    pub fn path(&self) -> &Path {
        &CONTROL.get().expect("a guard exists only after start").path
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
                wake_writer(c);
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
        select::stop_program_events();
        c.stop.store(true, Ordering::Release);
        wake_writer(c);
        let _ = handle.join();
    }
}

/// Counters of the running (or stopped) trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Program event records written to the file.
    pub written: u64,
    /// Events dropped because a buffer was full (reported in the file's dropped records).
    pub dropped: u64,
    /// Writes to the file that failed; their records are lost.
    pub write_errors: u64,
}

fn status_of(c: &Control) -> Status {
    Status {
        written: c.written.load(Ordering::Acquire),
        dropped: c.dropped.load(Ordering::Acquire),
        write_errors: c.write_errors.load(Ordering::Acquire),
    }
}

/// Counters of the trace, `None` if none was started in this process. Up to
/// date as of the writer's last pass: call [`flush`] first for exact figures.
pub fn status() -> Option<Status> {
    CONTROL.get().map(status_of)
}

fn wake_writer(c: &Control) {
    if let Some(t) = c.writer.get() {
        t.unpark();
    }
}

/// Wait until every event recorded before this call (on this thread, or on any
/// thread that synchronized with it) is in the file. Returns at once if no
/// trace is running in this process.
pub fn flush() {
    let Some(c) = control() else {
        return;
    };
    let ticket = c.flush_requested.fetch_add(1, Ordering::AcqRel) + 1;
    wake_writer(c);
    let mut done = c.flush_done.lock().unwrap_or_else(PoisonError::into_inner);
    while *done < ticket && c.writer_alive.load(Ordering::Acquire) {
        done = c
            .flush_cv
            .wait_timeout(done, Duration::from_millis(100))
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Why a control call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("no trace is running in this process")]
    NotRunning,
    #[error(transparent)]
    Select(#[from] SelectError),
}

/// Turn the event with exactly this name on or off while tracing.
pub fn set_event_enabled(name: &str, on: bool) -> Result<(), ControlError> {
    control().ok_or(ControlError::NotRunning)?;
    select::apply(&EVENTS, &Matcher::Exact(name.to_owned()), on)?;
    Ok(())
}

/// Turn every available event on or off while tracing.
pub fn set_all_enabled(on: bool) -> Result<(), ControlError> {
    control().ok_or(ControlError::NotRunning)?;
    select::apply(&EVENTS, &Matcher::All, on)?;
    Ok(())
}

/// An event's state, as QEMU's `trace-event-get-state` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventState {
    Unavailable,
    Disabled,
    Enabled,
}

/// The state of the event with exactly this name, `None` if there is none.
pub fn event_state(name: &str) -> Option<EventState> {
    let event = EVENTS.iter().find(|e| e.meta.name == name)?;
    Some(if !event.meta.available {
        EventState::Unavailable
    } else if event.is_enabled() {
        EventState::Enabled
    } else {
        EventState::Disabled
    })
}
