//! Typed errors of the trace reader. Every error about the file's content names
//! the byte offset where the offending record (or header) starts.

use std::error::Error;
use std::fmt;
use std::io;

use trace_events::v4::decode::HeaderError;

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
    /// Reading the file failed (not a problem in its content).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    /// The file is shorter than the 24-byte header: empty, or not a trace.
    #[error("error reading header at offset 0: the file has {len} bytes, a header needs 24; wrong file type?")]
    ShortHeader {
        /// The file's length in bytes.
        len: usize,
    },

    /// The first word is not the header's all-ones id: not a simple trace.
    #[error(
        "not a valid trace file: header id at offset 0 is {found:#x}, expected 0xffffffffffffffff"
    )]
    BadHeaderId {
        /// The word read.
        found: u64,
    },

    /// The header's magic number is wrong: not a simple trace.
    #[error("not a valid trace file: header magic at offset 8 is {found:#x}, expected 0xf2b177cb0aa429b4")]
    BadMagic {
        /// The word read.
        found: u64,
    },

    /// A version number that is neither 4 nor one of QEMU's older formats.
    #[error("unknown trace format version {version} at offset 16")]
    UnknownVersion {
        /// The version read.
        version: u64,
    },

    /// An older QEMU format (0, 2 or 3) this reader does not decode.
    #[error("trace format version {version} (offset 16) is not supported, only version 4; a trace without header, whose ids are positions in the trace-events files, is read with --no-header")]
    UnsupportedVersion {
        /// The version read.
        version: u64,
    },

    /// A record's type word is neither mapping nor event: the file is
    /// corrupt from here.
    #[error(
        "unknown record type {record_type} at offset {offset} (expected 0 = mapping or 1 = event)"
    )]
    UnknownRecordType {
        /// Where the record starts.
        offset: u64,
        /// The type word read.
        record_type: u64,
    },

    /// An event record whose id no mapping record named before it.
    #[error("event record at offset {offset}: event id {id} has no mapping record before it")]
    UnmappedId {
        /// Where the record starts.
        offset: u64,
        /// The record's event id.
        id: u64,
    },

    /// An event record whose mapped name neither the trace-events files nor
    /// the trace's own declarations describe, so its arguments cannot be read.
    #[error("event record at offset {offset}: event id {id} is mapped to '{name}', which is not declared in the trace-events files")]
    UndeclaredName {
        /// Where the record starts.
        offset: u64,
        /// The record's event id.
        id: u64,
        /// The name the id is mapped to.
        name: String,
    },

    /// A mapping record's name is not UTF-8 (QEMU's names are C identifiers).
    #[error("mapping record at offset {offset}: the event name is not valid UTF-8")]
    NameNotUtf8 {
        /// Where the record starts.
        offset: u64,
    },

    /// A mapping record's name is longer than any event name could be:
    /// refused before it is allocated.
    #[error(
        "mapping record at offset {offset}: name length {len} exceeds the limit of {limit} bytes"
    )]
    NameTooLong {
        /// Where the record starts.
        offset: u64,
        /// The length the record claims.
        len: u32,
        /// The longest name accepted.
        limit: usize,
    },

    /// The names mapped but not declared add up past a bound, which keeps a
    /// hostile file from growing the mapping table without end.
    #[error("mapping record at offset {offset}: too many mappings to undeclared names (limit {limit} bytes of names)")]
    TooManyMappings {
        /// Where the record starts.
        offset: u64,
        /// The bound, in bytes of names.
        limit: usize,
    },

    /// An event record's length does not match what its declaration's
    /// arguments take: wrong trace-events file, or a corrupt record.
    #[error("event record at offset {offset} ({event}): length {length} disagrees with its arguments, which take {needed} bytes with the 24-byte header")]
    LengthMismatch {
        /// Where the record starts.
        offset: u64,
        /// The event's name.
        event: String,
        /// The length the record claims.
        length: u32,
        /// The length its arguments take, with the 24-byte header.
        needed: u64,
    },

    /// An event record's length is shorter than its header or longer than
    /// any record the runtime or QEMU writes.
    #[error("event record at offset {offset}: length {length} is outside the accepted range 24..={limit}")]
    BadLength {
        /// Where the record starts.
        offset: u64,
        /// The length the record claims.
        length: u32,
        /// The longest record accepted.
        limit: usize,
    },

    /// A self-describing trace's declaration record does not parse.
    #[error("trace_event_decl record at offset {offset}: {reason}")]
    BadDeclaration {
        /// Where the record starts.
        offset: u64,
        /// Why it was refused.
        reason: String,
    },

    /// A declaration record names another event than the mapping of its id.
    #[error("trace_event_decl record at offset {offset}: event id {id} is mapped to '{mapped}' but declared as '{declared}'")]
    DeclarationMismatch {
        /// Where the record starts.
        offset: u64,
        /// The id declared.
        id: u64,
        /// The name the id is mapped to.
        mapped: String,
        /// The name the declaration gives.
        declared: String,
    },

    /// More declaration records than the reader keeps: memory stays bounded
    /// on a hostile file.
    #[error("trace_event_decl record at offset {offset}: more than {limit} declared events")]
    TooManyDeclarations {
        /// Where the record starts.
        offset: u64,
        /// The most declarations read.
        limit: usize,
    },

    /// The file ends inside a record, as when the traced program was killed:
    /// see [`ReadError::is_truncation`].
    #[error("truncated record at offset {offset}: {needed} bytes needed, the file ends after {available}")]
    Truncated {
        /// Where the record starts.
        offset: u64,
        /// How many bytes from `offset` the reader needed.
        needed: u64,
        /// How many the file has from `offset`.
        available: u64,
    },
}

impl From<HeaderError> for ReadError {
    fn from(error: HeaderError) -> Self {
        match error {
            HeaderError::Short { len } => ReadError::ShortHeader { len },
            HeaderError::BadId { found } => ReadError::BadHeaderId { found },
            HeaderError::BadMagic { found } => ReadError::BadMagic { found },
            HeaderError::UnsupportedVersion { version } => {
                ReadError::UnsupportedVersion { version }
            }
            HeaderError::UnknownVersion { version } => ReadError::UnknownVersion { version },
        }
    }
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
