//! The QEMU `trace-events` language: parser, validator and model, plus the C
//! `printf` renderer and the constants of QEMU's binary trace format (v4).
//!
//! This crate is pure (no proc-macro dependencies, no I/O beyond reading a file on
//! request). The `trace_events!` macro uses it at compile time; the `simpletrace`
//! reader and the runtime's log backend use it at run time, so there is exactly one
//! definition of the language and one formatter in the project.

pub mod declaration;
pub mod diagnostic;
pub mod glob;
pub mod hash;
pub mod model;
mod parse;
pub mod printf;
pub mod text;
pub mod v4;
mod value;

pub use diagnostic::{Diagnostic, Severity};
pub use model::{Arg, ArgKind, Event, EventFile, IntType, Position, Property};
pub use parse::{
    is_identifier, parse_file, parse_file_with, parse_str, parse_str_with, path_name, ParseOptions,
    Parsed, MAX_DIAGNOSTICS_PER_FILE, MAX_FILE_LEN, MAX_LINE_LEN,
};
pub use value::{OwnedValue, Value};
