//! Runs a [`RecordFormat`] as an [`Analyzer`]: text goes to one large buffer
//! that is handed to the writer in big blocks (no per-record write call).

use std::io::{self, Write};

use crate::out_buf::{write_if_full, write_rest};
use crate::{Analyzer, Record, Thread};

/// Renders one record as text (its line and newline).
pub trait RecordFormat {
    /// Append the record's text, newline included, to `out`. `thread` is
    /// the record's thread when the trace says (see [`crate::Threads`]);
    /// formats that do not show threads ignore it.
    fn format(&mut self, record: &Record<'_>, thread: Option<&Thread>, out: &mut Vec<u8>);
}

/// The buffer is written out once it holds this much.
const FLUSH_AT: usize = 64 << 10;

/// An analyzer printing every record with `F` to `W`.
pub struct Printer<F, W: Write> {
    format: F,
    out: W,
    buf: Vec<u8>,
}

impl<F: RecordFormat, W: Write> Printer<F, W> {
    /// Print with `format` to `out`, through a buffer flushed in large blocks.
    pub fn new(format: F, out: W) -> Self {
        Self {
            format,
            out,
            buf: Vec::with_capacity(FLUSH_AT + 16 * 1024),
        }
    }

    /// Write what is buffered and return the writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }

    /// Format `record` of `thread` into the buffer, writing it out when full.
    pub(crate) fn print(&mut self, record: &Record<'_>, thread: Option<&Thread>) -> io::Result<()> {
        self.format.format(record, thread, &mut self.buf);
        write_if_full(&mut self.out, &mut self.buf, FLUSH_AT)
    }

    fn flush(&mut self) -> io::Result<()> {
        write_rest(&mut self.out, &mut self.buf)
    }
}

impl<F: RecordFormat, W: Write> Analyzer for Printer<F, W> {
    type Error = io::Error;
    const CATCHALL_ONLY: bool = true;

    fn catchall(&mut self, record: &Record<'_>) -> io::Result<()> {
        self.print(record, None)
    }

    fn end(&mut self) -> io::Result<()> {
        self.flush()
    }

    /// Following a trace: what was read is printed now, not a block later.
    fn caught_up(&mut self) -> io::Result<()> {
        self.flush()
    }
}
