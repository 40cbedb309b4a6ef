//! Whether a followed trace can still grow: [`FileWatch`] asks the file
//! system and the OS.

use std::fs::{self, File};
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::writer::{file_id, find_writer, holds_for_writing, FileId, Holds};

/// What a [`Watch`] says about the file being followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// It may still grow: wait for more.
    Active,
    /// Its writer is gone: nothing will be added.
    Gone,
    /// Its path now names another file, or none.
    Replaced,
    /// It is shorter than what was read: truncated (maybe being rewritten).
    Shrank,
}

/// Tells [`super::follow`] whether the trace can still grow.
pub trait Watch {
    /// Asked each time the reader has caught up with the file. `last_pid`:
    /// the pid of the last record read (the writer's), if any; `read_to`:
    /// the offset read up to.
    fn writer(&mut self, last_pid: Option<u32>, read_to: u64) -> Writer;
}

/// Writer checks (reading `/proc`) at most this often while the file does
/// not grow; its growing says enough.
const CHECK_EVERY: Duration = Duration::from_millis(200);

/// Watches a trace file on disk. The writer is taken as gone when no
/// process is seen that has the file open for writing: the records' pid
/// (or the process last seen as the writer) is checked first; on Linux its
/// open files are read in `/proc/PID/fd` (a process that closed the trace,
/// e.g. stopped tracing, no longer counts; a zombie is gone), and when it
/// does not hold the file every process's are searched. A process whose
/// open files cannot be read (another user's) counts while it is alive.
/// Other Unix systems only tell whether the records' pid is alive
/// (`kill(pid, 0)`), and before the first record the writer is waited for;
/// elsewhere the writer is never taken as gone (only a stop or a replaced
/// file ends). The path naming another file (or none), and the file
/// shrinking, end it too.
pub struct FileWatch {
    path: PathBuf,
    file: File,
    id: Option<FileId>,
    /// The file's length at the last look.
    len: u64,
    /// The process last seen holding the file open for writing.
    writer: Option<u32>,
    checked: Option<Instant>,
}

impl FileWatch {
    /// Watch `file`, opened at `path`.
    pub fn new(path: impl Into<PathBuf>, file: &File) -> io::Result<Self> {
        let file = file.try_clone()?;
        let meta = file.metadata()?;
        Ok(Self {
            path: path.into(),
            id: file_id(&meta),
            len: meta.len(),
            file,
            writer: None,
            checked: None,
        })
    }

    /// Whether some process may still write the file (see [`FileWatch`]).
    fn writer_alive(&mut self, last_pid: Option<u32>) -> bool {
        let mut unknown = false;
        let mut candidates = [self.writer, last_pid];
        if candidates[0] == candidates[1] {
            candidates[1] = None;
        }
        for pid in candidates.into_iter().flatten() {
            match holds_for_writing(pid, self.id) {
                Holds::Yes => {
                    self.writer = Some(pid);
                    return true;
                }
                Holds::Unknown => unknown = true,
                Holds::No => {}
            }
        }
        match find_writer(self.id) {
            Some(Some(pid)) => {
                self.writer = Some(pid);
                true
            }
            Some(None) => unknown,
            // The platform cannot search: wait for a record to name one.
            None => unknown || (self.writer.is_none() && last_pid.is_none()),
        }
    }
}

impl Watch for FileWatch {
    fn writer(&mut self, last_pid: Option<u32>, read_to: u64) -> Writer {
        let Ok(meta) = self.file.metadata() else {
            return Writer::Gone;
        };
        if meta.len() < read_to {
            return Writer::Shrank;
        }
        if self.id.is_some() && fs::metadata(&self.path).ok().and_then(|m| file_id(&m)) != self.id {
            return Writer::Replaced;
        }
        if meta.len() != self.len {
            self.len = meta.len();
            return Writer::Active;
        }
        if self.checked.is_some_and(|at| at.elapsed() < CHECK_EVERY) {
            return Writer::Active;
        }
        self.checked = Some(Instant::now());
        if self.writer_alive(last_pid) {
            Writer::Active
        } else {
            Writer::Gone
        }
    }
}

/// Watches a pipe (a FIFO) read without blocking (`O_NONBLOCK`, which the
/// caller sets): the writer is gone once every writer closed it (`poll`
/// says `POLLHUP`); what it holds is still read then.
#[cfg(unix)]
pub struct PipeWatch {
    fd: std::os::fd::OwnedFd,
}

#[cfg(unix)]
impl PipeWatch {
    /// Watch the pipe `file` reads.
    pub fn new(file: &File) -> io::Result<Self> {
        Ok(Self {
            fd: std::os::fd::OwnedFd::from(file.try_clone()?),
        })
    }
}

#[cfg(unix)]
impl Watch for PipeWatch {
    fn writer(&mut self, _last_pid: Option<u32>, _read_to: u64) -> Writer {
        use std::os::fd::AsRawFd;
        let mut poll = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait.
        let ready = unsafe { libc::poll(&mut poll, 1, 0) };
        if ready > 0 && poll.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            Writer::Gone
        } else {
            Writer::Active
        }
    }
}
