//! The simple backend's trace file and its run-time control, as QEMU's
//! `trace-file on|off|flush|set FILE` monitor command offers it.
//!
//! The file lives behind a mutex shared by the writer thread (one lock per
//! write, uncontended) and the control calls, so a switch never splits a write.
//! Each file opened gets the header and every mapping first, so each is a
//! complete trace on its own. Turning a file on truncates it, as QEMU's
//! `fopen(name, "wb")` does. While the file is off the writer still drains
//! the buffers (producers never fill up) and counts those records as
//! discarded.

use std::fmt;
use std::fs::File;
use std::io::{self, IoSlice, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{MutexGuard, PoisonError};

use crate::runtime::{self, control, Control, ControlError, Status};

pub(crate) struct TraceFile {
    path: PathBuf,
    /// `None` while the file is off.
    file: Option<File>,
    /// Bytes of the file known to be good; a failed write is cut back to it.
    good_len: u64,
    /// The header and mappings are not in the file yet (a failed write).
    needs_preamble: bool,
    /// Registered events whose mapping and declaration are in the file.
    registered_written: usize,
}

/// What became of one batch.
pub(crate) enum Written {
    Yes,
    /// The file is off: the batch was discarded.
    Off,
    /// The write failed (counted in `write_errors`).
    Failed,
}

impl TraceFile {
    /// A file that is off (the log backend alone).
    pub(crate) fn off(path: PathBuf) -> Self {
        TraceFile {
            path,
            file: None,
            good_len: 0,
            needs_preamble: false,
            registered_written: 0,
        }
    }

    /// Create (truncate) `path` and write the preamble; a failed preamble
    /// write is counted and retried with the next batch.
    pub(crate) fn create(
        path: PathBuf,
        preamble: &[u8],
        errors: &AtomicU64,
    ) -> std::io::Result<Self> {
        let file = File::create(&path)?;
        let mut t = TraceFile {
            path,
            file: Some(file),
            good_len: 0,
            needs_preamble: true,
            registered_written: 0,
        };
        t.write_preamble(preamble, errors);
        Ok(t)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn is_on(&self) -> bool {
        self.file.is_some()
    }

    /// Close the file (the trace has stopped).
    pub(crate) fn close(&mut self) {
        self.file = None;
    }

    fn write_preamble(&mut self, preamble: &[u8], errors: &AtomicU64) -> bool {
        if self.needs_preamble && self.write_all(&[preamble], errors) {
            self.needs_preamble = false;
        }
        !self.needs_preamble
    }

    /// Append whole records, given as slices written in order with as few
    /// `writev` calls as they take; never blocks on anything but the file itself.
    pub(crate) fn write_batch(
        &mut self,
        preamble: &[u8],
        batch: &[&[u8]],
        errors: &AtomicU64,
    ) -> Written {
        if self.file.is_none() {
            return Written::Off;
        }
        // Without the header in the file, records alone would be unreadable.
        if !self.write_preamble(preamble, errors) {
            return Written::Failed;
        }
        // Events registered since the last write: their mappings and
        // declarations go first (every record of the batch was made after
        // its event was registered, so before this count was read).
        let registered = crate::registry::count();
        if registered > self.registered_written {
            let mut definitions = Vec::new();
            crate::registry::push_definitions(
                &mut definitions,
                self.registered_written,
                registered,
                crate::clock::now_ns(),
                crate::local::PID.load(Ordering::Relaxed),
            );
            let mut slices = Vec::with_capacity(batch.len() + 1);
            slices.push(&definitions[..]);
            slices.extend_from_slice(batch);
            if !self.write_all(&slices, errors) {
                return Written::Failed;
            }
            self.registered_written = registered;
            return Written::Yes;
        }
        if !self.write_all(batch, errors) {
            return Written::Failed;
        }
        Written::Yes
    }

    fn write_all(&mut self, bytes: &[&[u8]], errors: &AtomicU64) -> bool {
        let Some(file) = self.file.as_mut() else {
            return false;
        };
        let len: usize = bytes.iter().map(|b| b.len()).sum();
        match write_all_vectored(file, bytes) {
            Ok(()) => {
                self.good_len += len as u64;
                true
            }
            Err(_) => {
                errors.fetch_add(1, Ordering::Release);
                // Keep the file a sequence of whole records (fails harmlessly on
                // devices and pipes).
                if file.set_len(self.good_len).is_ok() {
                    let _ = file.seek(SeekFrom::Start(self.good_len));
                }
                false
            }
        }
    }
}

/// Slices per `writev` call (Linux's `IOV_MAX`).
const IOV_MAX: usize = 1024;

/// `write_all` for a list of slices with `writev` (std's `write_all_vectored`
/// is unstable): short writes resume where they stopped.
pub(crate) fn write_all_vectored(file: &mut impl Write, bufs: &[&[u8]]) -> io::Result<()> {
    // The first slice not written whole, and how much of it is written.
    let (mut first, mut done) = (0, 0);
    let mut iov = Vec::with_capacity(bufs.len().min(IOV_MAX));
    loop {
        while first < bufs.len() && done == bufs[first].len() {
            (first, done) = (first + 1, 0);
        }
        let Some((head, rest)) = bufs[first..].split_first() else {
            return Ok(());
        };
        iov.clear();
        iov.push(IoSlice::new(&head[done..]));
        iov.extend(rest.iter().take(IOV_MAX - 1).map(|b| IoSlice::new(b)));
        let mut n = match file.write_vectored(&iov) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        while n > 0 {
            let left = bufs[first].len() - done;
            if n < left {
                done += n;
                break;
            }
            n -= left;
            (first, done) = (first + 1, 0);
        }
    }
}

fn lock(c: &Control) -> MutexGuard<'_, TraceFile> {
    c.trace_file.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running trace, with the simple backend on.
fn simple_control() -> Result<&'static Control, ControlError> {
    let c = control().ok_or(ControlError::NotRunning)?;
    if c.flight.is_some() {
        Err(ControlError::FlightMode)
    } else if c.simple {
        Ok(c)
    } else {
        Err(ControlError::NoTraceFile)
    }
}

fn open(c: &Control, path: PathBuf) -> Result<TraceFile, ControlError> {
    TraceFile::create(path.clone(), &c.preamble, &c.write_errors)
        .map_err(|source| ControlError::Open { path, source })
}

/// Open the trace file again (QEMU `trace-file on`): the file is truncated and
/// starts with the header and mappings. Does nothing if it is on.
pub fn trace_file_on() -> Result<(), ControlError> {
    let c = simple_control()?;
    let mut t = lock(c);
    if !t.is_on() {
        *t = open(c, t.path.clone())?;
    }
    Ok(())
}

/// Close the trace file (QEMU `trace-file off`) once every event recorded
/// before this call is in it. Events recorded while it is off are discarded.
pub fn trace_file_off() -> Result<(), ControlError> {
    let c = simple_control()?;
    runtime::flush();
    let mut t = lock(c);
    t.file = None;
    Ok(())
}

/// Write every event recorded so far to the trace file (QEMU `trace-file
/// flush`); see [`crate::flush`].
pub fn trace_file_flush() -> Result<(), ControlError> {
    simple_control()?;
    runtime::flush();
    Ok(())
}

/// Switch to a new trace file (QEMU `trace-file set FILE`): events recorded
/// before this call go to the old file, which is closed; the new one is
/// created, turned on and gets the header and mappings. If the new file
/// cannot be created, nothing changes and the error says why.
pub fn trace_file_set(path: impl AsRef<Path>) -> Result<(), ControlError> {
    let c = simple_control()?;
    let new = open(c, path.as_ref().to_path_buf())?;
    runtime::flush();
    *lock(c) = new;
    Ok(())
}

/// The trace file's name, state and the trace's counters (QEMU `trace-file`);
/// `None` if no trace was started in this process. Counters are as of the
/// writer's last pass: [`crate::flush`] first for exact figures.
pub fn trace_file_status() -> Option<TraceFileStatus> {
    let c = runtime::control_block()?;
    let t = lock(c);
    Some(TraceFileStatus {
        path: t.path.clone(),
        on: t.is_on(),
        counts: runtime::status_of(c),
    })
}

/// What [`trace_file_status`] reports. Its `Display` is QEMU's line,
/// `Trace file "NAME" on.` (or `off.`), then the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceFileStatus {
    /// The trace file's path; kept while the file is off, for
    /// [`crate::trace_file_on`].
    pub path: PathBuf,
    /// Whether records are being written to it.
    pub on: bool,
    /// The trace's counters, as [`crate::status`] gives them.
    pub counts: Status,
}

impl fmt::Display for TraceFileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Status {
            written,
            dropped,
            discarded,
            write_errors,
            unwritten,
        } = self.counts;
        writeln!(
            f,
            "Trace file \"{}\" {}.",
            self.path.display(),
            if self.on { "on" } else { "off" }
        )?;
        write!(
            f,
            "{written} events written, {dropped} dropped, {discarded} discarded while off, {write_errors} write errors"
        )?;
        if unwritten > 0 {
            write!(f, " ({unwritten} events lost)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_prints_qemus_line_then_the_counts() {
        let mut s = TraceFileStatus {
            path: "trace-42".into(),
            on: true,
            counts: Status {
                written: 5,
                dropped: 1,
                discarded: 2,
                write_errors: 3,
                unwritten: 0,
            },
        };
        assert_eq!(
            s.to_string(),
            "Trace file \"trace-42\" on.\n5 events written, 1 dropped, 2 discarded while off, 3 write errors"
        );
        s.counts.unwritten = 40;
        assert!(s.to_string().ends_with(", 3 write errors (40 events lost)"));
        s.on = false;
        assert!(s.to_string().starts_with("Trace file \"trace-42\" off.\n"));
    }

    /// Takes at most 7 bytes from at most 2 slices per call, sometimes
    /// interrupted: every resume point is exercised.
    struct Stingy {
        out: Vec<u8>,
        calls: u32,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(buf)])
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            assert!(bufs.len() <= IOV_MAX);
            self.calls += 1;
            if self.calls % 5 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let before = self.out.len();
            for b in bufs.iter().take(2) {
                let room = 7 - (self.out.len() - before);
                self.out.extend_from_slice(&b[..b.len().min(room)]);
            }
            Ok(self.out.len() - before)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn vectored_writes_resume_after_short_and_interrupted_writes() {
        let parts: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| (0..i % 11).map(|j| (i + j) as u8).collect())
            .collect();
        let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let mut w = Stingy {
            out: Vec::new(),
            calls: 0,
        };
        write_all_vectored(&mut w, &slices).unwrap();
        assert_eq!(w.out, parts.concat());
    }

    #[test]
    #[cfg(unix)] // /dev/full, the file whose writes fail, is a Unix device
    fn a_failed_write_is_cut_back_and_the_preamble_retried() {
        let dir = tempfile::tempdir().unwrap();
        let errors = AtomicU64::new(0);
        let mut t = TraceFile::create(dir.path().join("t"), b"HEAD", &errors).unwrap();
        assert!(matches!(
            t.write_batch(b"HEAD", &[b"re", b"c1"], &errors),
            Written::Yes
        ));
        assert_eq!(std::fs::read(dir.path().join("t")).unwrap(), b"HEADrec1");

        let mut full = TraceFile::create("/dev/full".into(), b"HEAD", &errors).unwrap();
        assert_eq!(errors.load(Ordering::Relaxed), 1);
        assert!(matches!(
            full.write_batch(b"HEAD", &[b"rec"], &errors),
            Written::Failed
        ));
        assert_eq!(
            errors.load(Ordering::Relaxed),
            2,
            "preamble retried, batch not attempted"
        );

        let mut off = TraceFile::off("x".into());
        assert!(matches!(
            off.write_batch(b"HEAD", &[b"rec"], &errors),
            Written::Off
        ));
        t.file = None;
        assert!(!t.is_on());
    }
}
