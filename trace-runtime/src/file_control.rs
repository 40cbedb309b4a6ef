//! The trace file's run-time control, as QEMU's `trace-file
//! on|off|flush|set FILE` monitor command offers it. Turning a file on
//! truncates it, as QEMU's `fopen(name, "wb")` does. While the file is off
//! the writer still drains the buffers (producers never fill up) and counts
//! those records as discarded.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{MutexGuard, PoisonError};

use crate::control::{control, control_block, flush, status_of, Control, ControlError, Status};
use crate::flight;
use crate::trace_file::TraceFile;

fn lock(c: &Control) -> MutexGuard<'_, TraceFile> {
    c.trace_file.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running trace, with the simple backend on.
fn simple_control() -> Result<&'static Control, ControlError> {
    let c = control().ok_or(ControlError::NotRunning)?;
    if flight::RECORDER.get().is_some() {
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
        *t = open(c, t.path().to_path_buf())?;
    }
    Ok(())
}

/// Close the trace file (QEMU `trace-file off`) once every event recorded
/// before this call is in it. Events recorded while it is off are discarded.
pub fn trace_file_off() -> Result<(), ControlError> {
    let c = simple_control()?;
    flush();
    lock(c).close();
    Ok(())
}

/// Write every event recorded so far to the trace file (QEMU `trace-file
/// flush`); see [`crate::flush`].
pub fn trace_file_flush() -> Result<(), ControlError> {
    simple_control()?;
    flush();
    Ok(())
}

/// Switch to a new trace file (QEMU `trace-file set FILE`): events recorded
/// before this call go to the old file, which is closed; the new one is
/// created, turned on and gets the header and mappings. If the new file
/// cannot be created, nothing changes and the error says why.
pub fn trace_file_set(path: impl AsRef<Path>) -> Result<(), ControlError> {
    let c = simple_control()?;
    let new = open(c, path.as_ref().to_path_buf())?;
    flush();
    *lock(c) = new;
    Ok(())
}

/// The trace file's name, state and the trace's counters (QEMU `trace-file`);
/// `None` if no trace was started in this process. Counters are as of the
/// writer's last pass: [`crate::flush`] first for exact figures.
pub fn trace_file_status() -> Option<TraceFileStatus> {
    let c = control_block()?;
    let t = lock(c);
    Some(TraceFileStatus {
        path: t.path().to_path_buf(),
        on: t.is_on(),
        counts: status_of(c),
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
}
