//! Runs a [`Consumer`] over the records a [`Filter`] keeps, telling it which
//! thread each came from.

use std::io::{self, Write};

use crate::output::{Printer, RecordFormat};
use crate::{Analyzer, Filter, Record, Thread, Threads};

/// Something that takes the selected records of a trace.
pub trait Consumer {
    /// What [`Consumer::record`] and [`Consumer::end`] may fail with; a failure
    /// stops the run.
    type Error;

    /// A kept record and its thread, when the trace says (see [`Threads`]).
    fn record(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> Result<(), Self::Error>;

    /// After the last record.
    fn end(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Following a trace being written: no more records for now (see
    /// [`Analyzer::caught_up`]).
    fn caught_up(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// An [`Analyzer`] that follows threads, filters, and hands on to `C`.
pub struct Selected<C> {
    threads: Threads,
    filter: Filter,
    consumer: C,
}

impl<C: Consumer> Selected<C> {
    /// Hand `consumer` the records `filter` keeps.
    pub fn new(filter: Filter, consumer: C) -> Self {
        Self {
            threads: Threads::default(),
            filter,
            consumer,
        }
    }

    /// The filter, which after the run knows which selectors matched nothing.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The consumer, to read its results after the run.
    pub fn consumer(&self) -> &C {
        &self.consumer
    }

    /// The consumer, taken back after the run.
    pub fn into_inner(self) -> C {
        self.consumer
    }
}

impl<C: Consumer> Analyzer for Selected<C> {
    type Error = C::Error;

    fn catchall(&mut self, record: &Record<'_>) -> Result<(), Self::Error> {
        self.threads.observe(record);
        let thread = self.threads.current_for(record);
        if self.filter.accepts(record, thread) {
            self.consumer.record(record, thread)
        } else {
            Ok(())
        }
    }

    fn end(&mut self) -> Result<(), Self::Error> {
        self.consumer.end()
    }

    fn caught_up(&mut self) -> Result<(), Self::Error> {
        self.consumer.caught_up()
    }
}

impl<F: RecordFormat, W: Write> Consumer for Printer<F, W> {
    type Error = io::Error;

    fn record(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> io::Result<()> {
        self.print(record, thread)
    }

    fn end(&mut self) -> io::Result<()> {
        Analyzer::end(self)
    }

    fn caught_up(&mut self) -> io::Result<()> {
        Analyzer::caught_up(self)
    }
}
