//! Reader for QEMU simple traces (format version 4): a drop-in replacement for
//! `scripts/simpletrace.py` and a library for writing trace analyses in Rust.
//!
//! ```no_run
//! use simpletrace::{EventTable, Reader};
//!
//! // The errors' `Debug` is their message: a failure prints e.g.
//! // `Error: cannot read trace-events: No such file or directory (os error 2)`.
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let (events, _warnings) = EventTable::load(&["trace-events"])?;
//!     let mut reader = Reader::open("trace-1234", events)?;
//!     while let Some(record) = reader.next_record()? {
//!         println!("{} at {} ns", record.name(), record.timestamp_ns);
//!     }
//!     Ok(())
//! }
//! ```

mod analyzer;
mod buffer;
pub mod columnar;
mod error;
mod events;
pub mod filter;
pub mod follow;
mod keyed;
mod layout;
mod learn;
mod mappings;
mod out_buf;
pub mod output;
mod read;
mod record;
mod select;
pub mod stats;
mod threads;
pub mod timeline;

pub use analyzer::{process, Analyzer, Handler, ProcessError, Summary};
pub use error::ReadError;
pub use events::{declared_in_other_files, EventIndex, EventTable, LoadError, READER_OPTIONS};
pub use filter::Filter;
pub use follow::{follow, FileWatch, Followed};
pub use learn::MAX_LEARNED_EVENTS;
pub use read::{Reader, Records, MAX_NAME_LEN, MAX_RECORD_LEN};
pub use record::{Args, OwnedRecord, Record};
pub use trace_events::v4::{DECL_EVENT, RUNTIME_TRACE_EVENTS, THREAD_EVENT};
pub use trace_events::{OwnedValue, Value};

/// The declaration line of `event` (no newline): what
/// [`trace_events::Event::declaration_line`] prints, the project's one
/// declaration printer.
#[deprecated(note = "use `trace_events::Event::declaration_line`")]
pub fn declaration_line(event: &trace_events::Event) -> String {
    event.declaration_line()
}
pub use select::{Consumer, Selected};
pub use threads::{Thread, Threads};
