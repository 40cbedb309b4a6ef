//! Following a trace while it is written, as `tail -f` does
//! (`simpletrace --follow`): records go to the analyzer as the writer adds
//! them, through the same reader as a finished file (a
//! [`Reader::growing`]), so the output is the finished file's, byte for
//! byte. The file is polled: a short sleep while it does not grow, backing
//! off from 10 to 50 ms; each poll reads only what was added.

mod watch;
mod writer;

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::analyzer::{Analyzer, Handler, ProcessError};
use crate::error::ReadError;
use crate::read::Reader;

#[cfg(unix)]
pub use watch::PipeWatch;
pub use watch::{FileWatch, Watch, Writer};

/// The first sleep once the reader has caught up with the writer.
const MIN_POLL: Duration = Duration::from_millis(10);
/// The longest sleep between polls of a file that does not grow.
const MAX_POLL: Duration = Duration::from_millis(50);

/// Why following ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The writer is gone (see [`FileWatch`]) and every record it wrote was
    /// read.
    WriterGone,
    /// The path now names another file (or none): the one followed was
    /// read to its end.
    Replaced,
    /// The file shrank below what was read (truncated, maybe being
    /// rewritten): what it holds now is not the trace that was followed.
    Shrank,
    /// The caller's stop flag was set (e.g. on Ctrl-C): records after the
    /// last one handed over were not read.
    Stopped,
}

/// How a [`follow`] run ended.
#[derive(Debug)]
pub struct Followed {
    /// Records handed to the analyzer.
    pub records: u64,
    /// The writer left its last record incomplete: everything before it
    /// was processed (a warning, as for a finished file).
    pub truncated: Option<ReadError>,
    /// Why following stopped.
    pub end: End,
}

/// Run `analyzer` over a trace as it is written: every record the file
/// holds, then every record the writer adds, until `watch` says the writer
/// is gone (then what it added last is read too) or `stop` is set (checked
/// before each record). Whenever the reader has caught up, the analyzer's
/// [`Analyzer::caught_up`] is called (printers write out their buffer then).
/// `reader` should be [`Reader::growing`]; `analyzer.end()` is called last.
pub fn follow<R: Read, A: Analyzer, W: Watch + ?Sized>(
    reader: &mut Reader<R>,
    analyzer: &mut A,
    watch: &mut W,
    stop: &AtomicBool,
) -> Result<Followed, ProcessError<A::Error>> {
    let mut run = Run {
        handlers: Vec::new(),
        records: 0,
        pid: None,
        stop,
    };
    analyzer.begin().map_err(ProcessError::Analyzer)?;
    let mut sleep = MIN_POLL;
    let (end, truncated) = loop {
        let before = reader.offset();
        match run.drain(reader, analyzer)? {
            Drained::CaughtUp => {}
            Drained::Stopped => break (End::Stopped, None),
            // Only once the reader is told the writer is gone.
            Drained::Truncated(e) => break (End::WriterGone, Some(e)),
        }
        let grew = reader.offset() != before;
        if grew {
            analyzer.caught_up().map_err(ProcessError::Analyzer)?;
        }
        match watch.writer(run.pid, reader.offset()) {
            Writer::Active => {}
            // Nothing is added any more: read what was, to the end.
            Writer::Gone => break run.finish(reader, analyzer, End::WriterGone)?,
            Writer::Replaced => break run.finish(reader, analyzer, End::Replaced)?,
            Writer::Shrank => break (End::Shrank, None),
        }
        sleep = if grew {
            MIN_POLL
        } else {
            (sleep * 2).min(MAX_POLL)
        };
        std::thread::sleep(sleep);
    };
    analyzer.end().map_err(ProcessError::Analyzer)?;
    Ok(Followed {
        records: run.records,
        truncated,
        end,
    })
}

enum Drained {
    /// Every whole record the file holds was handed over.
    CaughtUp,
    Stopped,
    /// The file ends inside a record, and the writer is gone.
    Truncated(ReadError),
}

/// One follow run's state: the analyzer's handlers (resolved once per
/// event, as [`crate::process`] does), the count, the writer's pid.
struct Run<'a, A: Analyzer> {
    handlers: Vec<Option<Option<Handler<A>>>>,
    records: u64,
    /// The pid of the last record: the writer's.
    pid: Option<u32>,
    stop: &'a AtomicBool,
}

impl<A: Analyzer> Run<'_, A> {
    /// Hand over the records read, up to the end of the file as it is.
    fn drain<R: Read>(
        &mut self,
        reader: &mut Reader<R>,
        analyzer: &mut A,
    ) -> Result<Drained, ProcessError<A::Error>> {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(Drained::Stopped);
            }
            let record = match reader.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => return Ok(Drained::CaughtUp),
                Err(e) if e.is_truncation() => return Ok(Drained::Truncated(e)),
                Err(e) => return Err(ProcessError::Read(e)),
            };
            self.records += 1;
            self.pid = Some(record.pid);
            let index = record.index.get();
            if self.handlers.len() <= index {
                self.handlers.resize(index + 1, None);
            }
            let slot = &mut self.handlers[index];
            let handler = match slot {
                Some(handler) => *handler,
                None => *slot.insert(analyzer.handler(record.event)),
            };
            match handler {
                Some(handler) => handler(analyzer, &record),
                None => analyzer.catchall(&record),
            }
            .map_err(ProcessError::Analyzer)?;
        }
    }

    /// The writer is gone: read what it added since the last drain, to
    /// the end of the file.
    fn finish<R: Read>(
        &mut self,
        reader: &mut Reader<R>,
        analyzer: &mut A,
        end: End,
    ) -> Result<(End, Option<ReadError>), ProcessError<A::Error>> {
        reader.finish_growing();
        Ok(match self.drain(reader, analyzer)? {
            Drained::CaughtUp => (end, None),
            Drained::Stopped => (End::Stopped, None),
            Drained::Truncated(e) => (end, Some(e)),
        })
    }
}
