//! Reader for QEMU simple traces (format version 4): a drop-in replacement for
//! `scripts/simpletrace.py` and a library for writing trace analyses in Rust.
//!
//! ```no_run
//! use simpletrace::{EventTable, Reader};
//!
//! let (events, _warnings) = EventTable::load(&["trace-events"]).unwrap();
//! let mut reader = Reader::open("trace-1234", events).unwrap();
//! while let Some(record) = reader.next_record().unwrap() {
//!     println!("{} at {} ns", record.name(), record.timestamp_ns);
//! }
//! ```

mod analyzer;
mod buffer;
mod error;
mod events;
mod mappings;
pub mod output;
mod read;
mod record;

pub use analyzer::{process, Analyzer, Handler, ProcessError, Summary};
pub use error::ReadError;
pub use events::{EventIndex, EventTable, LoadError};
pub use read::{Reader, Records, MAX_NAME_LEN, MAX_RECORD_LEN};
pub use record::{Args, OwnedRecord, OwnedValue, Record, Value};
