//! What every reading command takes: optional trace-events files, the trace
//! file, and the record selection; and how they run an analysis.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use simpletrace::filter::{ThreadSelector, TimeBound};
use simpletrace::{EventTable, Filter, LoadError, Reader};

use super::follow::{self, Records};
use super::outcome::fail;

#[derive(Args)]
pub struct TraceInput {
    /// The file has no header: event ids are positions in the trace-events files.
    #[arg(long)]
    no_header: bool,
    /// Follow a trace still being written, like `tail -f`: print its records
    /// as the writer adds them, until no process writes the file any more
    /// or Ctrl-C. Not with `stats` or `export`, which need the whole trace.
    #[arg(long)]
    follow: bool,
    /// trace-events files (not needed for traces written by our runtime, which
    /// declare their events), then the trace file.
    #[arg(value_name = "[TRACE_EVENTS...] TRACE_FILE", required = true, num_args = 1..)]
    files: Vec<PathBuf>,
}

/// Which records to keep; every option given must hold.
#[derive(Args)]
pub struct SelectArgs {
    /// Keep events whose name matches PATTERN (`*`, `?`); `-PATTERN` drops
    /// them instead. Repeatable, or comma-separated (`a_*,-a_debug`).
    #[arg(
        long = "events",
        value_name = "PATTERN",
        allow_hyphen_values = true,
        value_delimiter = ','
    )]
    events: Vec<String>,
    /// Keep records at or after TIME: nanoseconds as in the trace, or after
    /// the first record with a leading `+`; units ns (default), us, ms, s
    /// (e.g. `+1.5ms`).
    #[arg(long, value_name = "TIME")]
    from: Option<TimeBound>,
    /// Keep records at or before TIME (as --from).
    #[arg(long, value_name = "TIME")]
    to: Option<TimeBound>,
    /// Keep records of this process id. Repeatable, or comma-separated.
    #[arg(long, value_name = "PID", value_delimiter = ',')]
    pid: Vec<u32>,
    /// Keep records of this thread: kernel thread id, or name (glob).
    /// Repeatable, or comma-separated.
    #[arg(long, value_name = "TID|NAME", value_delimiter = ',')]
    thread: Vec<String>,
}

impl SelectArgs {
    pub fn filter(&self) -> Filter {
        let mut filter = Filter::default();
        for pattern in &self.events {
            filter = filter.event(pattern);
        }
        if let Some(from) = self.from {
            filter = filter.from(from);
        }
        if let Some(to) = self.to {
            filter = filter.to(to);
        }
        for &pid in &self.pid {
            filter = filter.pid(pid);
        }
        for thread in &self.thread {
            filter = filter.thread(ThreadSelector::parse(thread));
        }
        filter
    }
}

impl TraceInput {
    pub fn trace(&self) -> &Path {
        self.files.last().map_or(Path::new(""), PathBuf::as_path)
    }

    /// Every file given, trace-events files and traces.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Load the events and open the trace, for a command that reads it
    /// whole; on failure the message is printed and the exit code returned.
    pub fn open(&self) -> Result<Reader<File>, ExitCode> {
        // Before the events are loaded: the refusal is the first message.
        self.refuse_follow()?;
        let Some((trace, event_files)) = self.files.split_last() else {
            return Err(ExitCode::FAILURE);
        };
        self.open_trace(trace, load_events(event_files)?)
    }

    /// Load the events and open the trace: whole, or growing with
    /// `--follow`; on failure the message is printed and the exit code
    /// returned.
    pub fn open_records(&self) -> Result<Records, ExitCode> {
        let Some((trace, event_files)) = self.files.split_last() else {
            return Err(ExitCode::FAILURE);
        };
        let table = load_events(event_files)?;
        let file = open_file(trace)?;
        if self.follow {
            if let Some(watch) = follow::watch(trace, &file)? {
                return Ok(follow::open(file, table, watch, self.no_header));
            }
        }
        self.whole(trace, file, table).map(Records::Whole)
    }

    /// Open `trace` whole with `table` (headerless with `--no-header`); on
    /// failure the message is printed and the exit code returned.
    pub fn open_trace(&self, trace: &Path, table: EventTable) -> Result<Reader<File>, ExitCode> {
        self.refuse_follow()?;
        let file = open_file(trace)?;
        self.whole(trace, file, table)
    }

    /// `--follow` given to a command that reads the trace whole.
    fn refuse_follow(&self) -> Result<(), ExitCode> {
        if self.follow {
            return Err(fail(
                &"--follow goes with printing records (--format simpletrace, log or json); this command needs the whole trace",
            ));
        }
        Ok(())
    }

    fn whole(&self, trace: &Path, file: File, table: EventTable) -> Result<Reader<File>, ExitCode> {
        if self.no_header {
            Ok(Reader::headerless(file, table))
        } else {
            Reader::new(file, table).map_err(|e| fail(&format_args!("{}: {e}", trace.display())))
        }
    }

    /// Whether the traces have no header (`--no-header`).
    pub fn no_header(&self) -> bool {
        self.no_header
    }
}

fn open_file(trace: &Path) -> Result<File, ExitCode> {
    File::open(trace).map_err(|e| fail(&format_args!("cannot open {}: {e}", trace.display())))
}

/// Load trace-events files, printing warnings; on failure the message is
/// printed and the exit code returned.
pub fn load_events(event_files: &[PathBuf]) -> Result<EventTable, ExitCode> {
    match EventTable::load(event_files) {
        Ok((table, warnings)) => {
            for warning in warnings {
                eprintln!("{warning}");
            }
            Ok(table)
        }
        Err(LoadError::Invalid { diagnostics, .. }) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            Err(ExitCode::FAILURE)
        }
        Err(e) => Err(fail(&e)),
    }
}
