//! A faithful port of QEMU's simple trace backend as the seed has it
//! (`/work/shared/seed`: `trace/simple.c`, trace format version 3): the baseline
//! our runtime is measured against.
//!
//! Kept as the seed does it, defects included: one global 256 KiB buffer shared
//! by every thread, a CAS loop to reserve space, `clock_gettime` per record,
//! byte-at-a-time copies with a modulo per byte, a valid bit set by rewriting the
//! record header, a `malloc` and a buffer clear per record in the writer, and a
//! mutex with two condition variables to kick the writer once a quarter of the
//! buffer is used.
//!
//! Deviations, each needed for a sound port and free on x86-64: the buffer bytes
//! are `AtomicU8` moved with `Relaxed` (plain byte moves; the seed's plain bytes
//! race between threads), `writeout_idx`, which the seed's producers read without
//! atomics, is a `Relaxed` `AtomicU32`, and the trace file sits behind a mutex the
//! writer takes once per pass. Signals are not masked in the writer thread.

pub mod events;
mod record;
mod writer;

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8};
use std::sync::{Condvar, Mutex, PoisonError};

pub use events::{Event, Events, EVENTS};
pub use record::TraceBufferRecord;

/// Trace file header event ID, picked to avoid conflict with real event IDs.
pub const HEADER_EVENT_ID: u64 = !0;
/// Trace file magic number.
pub const HEADER_MAGIC: u64 = 0xf2b1_77cb_0aa4_29b4;
/// The seed's trace file version.
pub const HEADER_VERSION: u64 = 3;
/// Records were dropped event ID.
pub const DROPPED_EVENT_ID: u64 = !0 - 1;
/// Set in a record's event ID once the record is fully written.
pub const TRACE_RECORD_VALID: u64 = 1 << 63;
/// Size of the one global buffer.
pub const TRACE_BUF_LEN: u32 = 4096 * 64;
/// Used bytes above which finishing a record kicks the writer.
pub const TRACE_BUF_FLUSH_THRESHOLD: u32 = TRACE_BUF_LEN / 4;
/// Strings are truncated to this many bytes (tracetool's `MAX_TRACE_STRLEN`).
pub const MAX_TRACE_STRLEN: usize = 512;
/// `sizeof(TraceRecord)`: event, timestamp_ns, length, pid.
pub const RECORD_HEADER_LEN: u32 = 24;

/// Why [`Backend::init`] or [`Backend::set_trace_file`] failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("this backend was already initialised")]
    AlreadyStarted,
    #[error("cannot create the trace file: {0}")]
    Open(std::io::Error),
    #[error("cannot write the trace file header: {0}")]
    Header(std::io::Error),
    #[error("cannot start the writer thread: {0}")]
    Spawn(std::io::Error),
}

/// The seed's writer flags, guarded by `trace_lock`.
struct WriterFlags {
    trace_available: bool,
    trace_writeout_enabled: bool,
}

/// Everything `simple.c` keeps in globals. Use it from a `static` so the hot path
/// addresses it as the seed does.
pub struct Backend {
    trace_buf: [AtomicU8; TRACE_BUF_LEN as usize],
    trace_idx: AtomicU32,
    writeout_idx: AtomicU32,
    dropped_events: AtomicU32,
    trace_pid: AtomicU32,
    trace_lock: Mutex<WriterFlags>,
    trace_available_cond: Condvar,
    trace_empty_cond: Condvar,
    /// `trace_fp`: stdio-like buffering, as `fwrite` does (glibc's 4 KiB).
    trace_fp: Mutex<Option<BufWriter<File>>>,
    started: AtomicBool,
}

impl Default for Backend {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend {
    pub const fn new() -> Self {
        Backend {
            trace_buf: [const { AtomicU8::new(0) }; TRACE_BUF_LEN as usize],
            trace_idx: AtomicU32::new(0),
            writeout_idx: AtomicU32::new(0),
            dropped_events: AtomicU32::new(0),
            trace_pid: AtomicU32::new(0),
            trace_lock: Mutex::new(WriterFlags {
                trace_available: false,
                trace_writeout_enabled: false,
            }),
            trace_available_cond: Condvar::new(),
            trace_empty_cond: Condvar::new(),
            trace_fp: Mutex::new(None),
            started: AtomicBool::new(false),
        }
    }

    /// `st_init`: note the pid and start the writer thread (which waits for a file).
    pub fn init(&'static self) -> Result<(), StartError> {
        use std::sync::atomic::Ordering;
        if self.started.swap(true, Ordering::AcqRel) {
            return Err(StartError::AlreadyStarted);
        }
        self.trace_pid.store(std::process::id(), Ordering::Relaxed);
        std::thread::Builder::new()
            .name("trace-thread".into())
            .spawn(move || self.writeout_thread())
            .map_err(StartError::Spawn)?;
        Ok(())
    }

    /// `st_set_trace_file` + `st_set_trace_file_enabled(true)`: halt writeout,
    /// open `path`, write the header, resume writeout.
    pub fn set_trace_file(&self, path: &Path) -> Result<(), StartError> {
        use std::io::Write;
        self.flush_trace_file(true);
        self.set_writeout_enabled(false);
        self.flush_trace_file(true);

        let file = File::create(path).map_err(StartError::Open)?;
        let mut fp = BufWriter::with_capacity(4096, file);
        let mut header = [0u8; 24];
        header[0..8].copy_from_slice(&HEADER_EVENT_ID.to_ne_bytes());
        header[8..16].copy_from_slice(&HEADER_MAGIC.to_ne_bytes());
        header[16..24].copy_from_slice(&HEADER_VERSION.to_ne_bytes());
        fp.write_all(&header).map_err(StartError::Header)?;
        *self.trace_fp.lock().unwrap_or_else(PoisonError::into_inner) = Some(fp);

        self.set_writeout_enabled(true);
        self.flush_trace_file(false);
        Ok(())
    }

    /// `st_flush_trace_buffer`: kick the writer and wait until it has gone idle.
    pub fn flush(&self) {
        self.flush_trace_file(true);
    }

    fn set_writeout_enabled(&self, on: bool) {
        self.trace_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .trace_writeout_enabled = on;
    }
}

#[cfg(test)]
mod tests;
