//! `--follow`: print the records of a trace as its writer adds them
//! (`simpletrace::follow`), until the writer is gone or Ctrl-C.

use std::fs::File;
use std::io;
use std::path::Path;
use std::process::ExitCode;

#[cfg(unix)]
use simpletrace::follow::PipeWatch;
use simpletrace::follow::{End, Watch};
use simpletrace::{follow, Analyzer, EventTable, FileWatch, ProcessError, Reader};

use super::interrupt;
use super::outcome::{analyze, fail};

/// A trace opened for reading: finished, or growing (`--follow`).
pub enum Records {
    Whole(Reader<File>),
    Growing(Reader<File>, Box<dyn Watch>),
}

/// How to tell when `file`, opened at `trace` to follow it, has no writer
/// any more: a regular file's [`FileWatch`], or a pipe's (a FIFO, read
/// without blocking so that output is written while it waits). `None`:
/// anything else is read as without `--follow` (reading it waits).
pub fn watch(trace: &Path, file: &File) -> Result<Option<Box<dyn Watch>>, ExitCode> {
    let cannot = |e: io::Error| fail(&format_args!("cannot follow {}: {e}", trace.display()));
    let kind = file.metadata().map_err(cannot)?.file_type();
    if kind.is_file() {
        return Ok(Some(Box::new(FileWatch::new(trace, file).map_err(cannot)?)));
    }
    #[cfg(unix)]
    if std::os::unix::fs::FileTypeExt::is_fifo(&kind) {
        set_nonblocking(file).map_err(cannot)?;
        return Ok(Some(Box::new(PipeWatch::new(file).map_err(cannot)?)));
    }
    Ok(None)
}

#[cfg(unix)]
fn set_nonblocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is open for as long as `file`; F_GETFL/F_SETFL only
    // read and set its status flags.
    let ok = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) == 0
    };
    if ok {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The growing reader of `file` (its header is waited for too).
pub fn open(file: File, table: EventTable, watch: Box<dyn Watch>, no_header: bool) -> Records {
    let reader = if no_header {
        Reader::headerless_growing(file, table)
    } else {
        Reader::growing(file, table)
    };
    Records::Growing(reader, watch)
}

impl Records {
    /// Run `analyzer` over the records: those of the whole file, or as
    /// they come. A truncated last record is a warning.
    pub fn analyze<A: Analyzer<Error = io::Error>>(
        &mut self,
        analyzer: &mut A,
        trace: &Path,
    ) -> io::Result<ExitCode> {
        match self {
            Records::Whole(reader) => analyze(reader, analyzer, trace),
            Records::Growing(reader, watch) => {
                match follow(reader, analyzer, &mut **watch, interrupt::flag()) {
                    Ok(followed) => {
                        if let Some(truncated) = followed.truncated {
                            eprintln!("simpletrace: warning: {}: {truncated}", trace.display());
                        }
                        let trace = trace.display();
                        match followed.end {
                            End::Replaced => eprintln!(
                                "simpletrace: {trace} now names another file: stopped following the one read"
                            ),
                            End::Shrank => eprintln!(
                                "simpletrace: warning: {trace} shrank below what was read (truncated, or being rewritten): stopped following"
                            ),
                            End::WriterGone | End::Stopped => {}
                        }
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(ProcessError::Analyzer(e)) => Err(e),
                    Err(ProcessError::Read(e)) => {
                        // Everything before the bad record has been written; flush it first.
                        analyzer.end()?;
                        Ok(fail(&format_args!("{}: {e}", trace.display())))
                    }
                }
            }
        }
    }
}
