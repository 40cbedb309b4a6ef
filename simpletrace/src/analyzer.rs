//! The analysis API, after simpletrace.py's `Analyzer`: `begin`, a handler per
//! event (looked up once per event, like the Python method named after it) or
//! `catchall`, then `end`.

use std::io::Read;

use trace_events::Event;

use crate::error::ReadError;
use crate::read::Reader;
use crate::record::Record;

/// A per-event handler.
pub type Handler<A> = fn(&mut A, &Record<'_>) -> Result<(), <A as Analyzer>::Error>;

/// Implement this to analyse a trace; run it with [`process`].
///
/// ```
/// use simpletrace::{Analyzer, Handler, Record};
/// use trace_events::Event;
///
/// #[derive(Default)]
/// struct CountWrites { writes: u64, others: u64 }
///
/// impl CountWrites {
///     fn write(&mut self, _: &Record<'_>) -> Result<(), std::convert::Infallible> {
///         self.writes += 1;
///         Ok(())
///     }
/// }
///
/// impl Analyzer for CountWrites {
///     type Error = std::convert::Infallible;
///     fn handler(&self, event: &Event) -> Option<Handler<Self>> {
///         event.name.ends_with("_write").then_some(Self::write as Handler<Self>)
///     }
///     fn catchall(&mut self, _: &Record<'_>) -> Result<(), Self::Error> {
///         self.others += 1;
///         Ok(())
///     }
/// }
/// ```
pub trait Analyzer: Sized {
    /// What the handlers may fail with; a failure stops the run as
    /// [`ProcessError::Analyzer`].
    type Error;

    /// `true`: every record goes to [`Analyzer::catchall`] and
    /// [`Analyzer::handler`] is never asked, so [`process`] skips the
    /// per-event handler look-up (a table of 16 bytes an event, read at
    /// random with thousands of events).
    const CATCHALL_ONLY: bool = false;

    /// Called before the first record.
    fn begin(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// The handler for records of `event`, or `None` for [`Analyzer::catchall`].
    /// Asked once per event (the dropped event included).
    fn handler(&self, event: &Event) -> Option<Handler<Self>> {
        let _ = event;
        None
    }

    /// Called for records whose event has no handler.
    fn catchall(&mut self, record: &Record<'_>) -> Result<(), Self::Error> {
        let _ = record;
        Ok(())
    }

    /// Called after the last record (also when the file ends inside a record).
    fn end(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// When following a trace being written ([`crate::follow()`]): the
    /// reader has read every record the file holds for now and will wait
    /// for more. Output buffered so far should be written out.
    fn caught_up(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// How a [`process`] run ended.
#[derive(Debug)]
pub struct Summary {
    /// Records handed to the analyzer.
    pub records: u64,
    /// The file ended inside its last record: everything before it was
    /// processed (a warning, not an error).
    pub truncated: Option<ReadError>,
}

/// Why [`process`] stopped early.
#[derive(thiserror::Error)]
pub enum ProcessError<E> {
    /// The trace could not be read (a last record cut short is not an error:
    /// see [`Summary::truncated`]).
    #[error(transparent)]
    Read(ReadError),
    /// A handler failed.
    #[error("analyzer failed: {0}")]
    Analyzer(E),
}

/// Prints the message (see [`ReadError`]'s `Debug`).
impl<E: std::fmt::Display> std::fmt::Debug for ProcessError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProcessError::Read(e) => std::fmt::Debug::fmt(e, f),
            ProcessError::Analyzer(e) => write!(f, "analyzer failed: {e}"),
        }
    }
}

/// Run `analyzer` over every record of `reader`.
pub fn process<R: Read, A: Analyzer>(
    reader: &mut Reader<R>,
    analyzer: &mut A,
) -> Result<Summary, ProcessError<A::Error>> {
    analyzer.begin().map_err(ProcessError::Analyzer)?;
    if A::CATCHALL_ONLY {
        return each_record(reader, analyzer, |analyzer, record| {
            analyzer.catchall(record)
        });
    }
    // Resolved handlers by event index: `None` = not asked yet.
    let mut handlers: Vec<Option<Option<Handler<A>>>> = vec![None; reader.events().index_count()];
    each_record(reader, analyzer, |analyzer, record| {
        let index = record.index.get();
        if handlers.len() <= index {
            // The table grew: the trace declared events (bounded by the reader).
            handlers.resize(index + 1, None);
        }
        let slot = &mut handlers[index];
        let handler = match slot {
            Some(handler) => *handler,
            None => *slot.insert(analyzer.handler(record.event)),
        };
        match handler {
            Some(handler) => handler(analyzer, record),
            None => analyzer.catchall(record),
        }
    })
}

/// The loop of [`process`] after `begin`: `each` takes every record, then
/// `end`; a last record cut short ends it without error.
#[inline(always)]
fn each_record<R: Read, A: Analyzer>(
    reader: &mut Reader<R>,
    analyzer: &mut A,
    mut each: impl FnMut(&mut A, &Record<'_>) -> Result<(), A::Error>,
) -> Result<Summary, ProcessError<A::Error>> {
    let mut records = 0u64;
    let truncated = loop {
        // Used in place: moving the record out of the result would copy it
        // through memory in wider loads than its stores, which stalls.
        let result = reader.next_record();
        let record = match &result {
            Ok(Some(record)) => record,
            Ok(None) => break None,
            Err(_) => match result {
                Err(e) if e.is_truncation() => break Some(e),
                Err(e) => return Err(ProcessError::Read(e)),
                Ok(_) => break None,
            },
        };
        records += 1;
        each(analyzer, record).map_err(ProcessError::Analyzer)?;
    };
    analyzer.end().map_err(ProcessError::Analyzer)?;
    Ok(Summary { records, truncated })
}
