//! `--follow`: print the records of a trace as its writer adds them
//! (`simpletrace::follow`), until the writer is gone or Ctrl-C.

use std::fs::File;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use simpletrace::follow::End;
use simpletrace::{follow, Analyzer, EventTable, FileWatch, ProcessError, Reader};

use super::input::{analyze, fail};
use super::interrupt;

/// A trace opened for reading: finished, or growing (`--follow`).
pub enum Records {
    Whole(Reader<File>),
    Growing(Reader<File>, FileWatch),
}

/// Open `trace` (as `file`) to follow it: its header is waited for too.
pub fn open(
    trace: &Path,
    file: File,
    table: EventTable,
    no_header: bool,
) -> Result<Records, ExitCode> {
    let watch = FileWatch::new(trace, &file)
        .map_err(|e| fail(&format_args!("cannot watch {}: {e}", trace.display())))?;
    let reader = if no_header {
        Reader::headerless_growing(file, table)
    } else {
        Reader::growing(file, table)
    };
    Ok(Records::Growing(reader, watch))
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
                match follow(reader, analyzer, watch, interrupt::flag()) {
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
