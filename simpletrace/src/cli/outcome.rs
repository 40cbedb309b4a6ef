//! What a run reports besides its output: an error (after flushing what was
//! printed), warnings about a truncated last record and about selections that
//! matched nothing. Shared by every subcommand.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use simpletrace::{process, Analyzer, Filter, ProcessError, Reader};

/// Run `analyzer` over the trace; a truncated last record is a warning.
pub fn analyze<A: Analyzer<Error = io::Error>>(
    reader: &mut Reader<File>,
    analyzer: &mut A,
    trace: &Path,
) -> io::Result<ExitCode> {
    match process(reader, analyzer) {
        Ok(summary) => {
            if let Some(truncated) = summary.truncated {
                eprintln!("simpletrace: warning: {}: {truncated}", trace.display());
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

/// After a run: warn about the `--events` patterns and `--thread` selectors
/// that matched nothing in the trace (likely typos), rather than print
/// nothing silently.
pub fn warn_unmatched(filter: &Filter) {
    for pattern in filter.unmatched_events() {
        eprintln!("simpletrace: warning: --events '{pattern}' matches no event in the trace");
    }
    let why = if filter.saw_threads() {
        ""
    } else {
        " (it has no trace_thread records: threads are known only in traces written by trace-runtime)"
    };
    for thread in filter.unmatched_threads() {
        eprintln!("simpletrace: warning: --thread '{thread}' matches no thread in the trace{why}");
    }
}

/// Print an error (after what was printed so far) and return the failure code.
pub fn fail(message: &dyn std::fmt::Display) -> ExitCode {
    let _ = io::stdout().flush();
    eprintln!("simpletrace: error: {message}");
    ExitCode::FAILURE
}
