//! Typed errors of the trace reader. Every error about the file's content names
//! the byte offset where the offending record (or header) starts.

use std::error::Error;
use std::fmt;
use std::io;

/// `Debug` of the public error types: the message, then the causes it does
/// not already include. `fn main() -> Result<(), E>` prints `Error: {e:?}`,
/// which should read like the message (as `std::io::Error` and `anyhow` do),
/// not like the enum.
pub(crate) fn debug_as_message(error: &dyn Error, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let message = error.to_string();
    f.write_str(&message)?;
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            write!(f, "\n\nCaused by: {text}")?;
        }
        source = cause.source();
    }
    Ok(())
}

/// Why a trace file could not be read.
#[derive(thiserror::Error)]
pub enum ReadError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    #[error("error reading header at offset 0: the file has {len} bytes, a header needs 24; wrong file type?")]
    ShortHeader { len: usize },

    #[error(
        "not a valid trace file: header id at offset 0 is {found:#x}, expected 0xffffffffffffffff"
    )]
    BadHeaderId { found: u64 },

    #[error("not a valid trace file: header magic at offset 8 is {found:#x}, expected 0xf2b177cb0aa429b4")]
    BadMagic { found: u64 },

    #[error("unknown trace format version {version} at offset 16")]
    UnknownVersion { version: u64 },

    #[error("trace format version {version} (offset 16) is not supported, only version 4; a trace without header, whose ids are positions in the trace-events files, is read with --no-header")]
    UnsupportedVersion { version: u64 },

    #[error(
        "unknown record type {record_type} at offset {offset} (expected 0 = mapping or 1 = event)"
    )]
    UnknownRecordType { offset: u64, record_type: u64 },

    #[error("event record at offset {offset}: event id {id} has no mapping record before it")]
    UnmappedId { offset: u64, id: u64 },

    #[error("event record at offset {offset}: event id {id} is mapped to '{name}', which is not declared in the trace-events files")]
    UndeclaredName { offset: u64, id: u64, name: String },

    #[error("mapping record at offset {offset}: the event name is not valid UTF-8")]
    NameNotUtf8 { offset: u64 },

    #[error(
        "mapping record at offset {offset}: name length {len} exceeds the limit of {limit} bytes"
    )]
    NameTooLong { offset: u64, len: u32, limit: usize },

    #[error("mapping record at offset {offset}: too many mappings to undeclared names (limit {limit} bytes of names)")]
    TooManyMappings { offset: u64, limit: usize },

    #[error("event record at offset {offset} ({event}): length {length} disagrees with its arguments, which take {needed} bytes with the 24-byte header")]
    LengthMismatch {
        offset: u64,
        event: String,
        length: u32,
        needed: u64,
    },

    #[error("event record at offset {offset}: length {length} is outside the accepted range 24..={limit}")]
    BadLength {
        offset: u64,
        length: u32,
        limit: usize,
    },

    #[error("trace_event_decl record at offset {offset}: {reason}")]
    BadDeclaration { offset: u64, reason: String },

    #[error("trace_event_decl record at offset {offset}: event id {id} is mapped to '{mapped}' but declared as '{declared}'")]
    DeclarationMismatch {
        offset: u64,
        id: u64,
        mapped: String,
        declared: String,
    },

    #[error("trace_event_decl record at offset {offset}: more than {limit} declared events")]
    TooManyDeclarations { offset: u64, limit: usize },

    #[error("truncated record at offset {offset}: {needed} bytes needed, the file ends after {available}")]
    Truncated {
        offset: u64,
        needed: u64,
        available: u64,
    },
}

impl fmt::Debug for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_as_message(self, f)
    }
}

impl ReadError {
    /// True when the file simply ends inside its last record (e.g. the traced
    /// program was killed): everything before it was read fine.
    pub fn is_truncation(&self) -> bool {
        matches!(self, ReadError::Truncated { .. })
    }
}
