//! Constants of QEMU's simple trace binary format, version 4 (`trace/simple.c`).
//! All integers are in host byte order; we only support little-endian hosts'
//! files when reading, and write the host's order.

pub mod encode;

/// First word of the file header.
pub const HEADER_EVENT_ID: u64 = u64::MAX;
/// Second word of the file header.
pub const HEADER_MAGIC: u64 = 0xf2b1_77cb_0aa4_29b4;
/// Third word of the file header.
pub const HEADER_VERSION: u64 = 4;
/// Size of the file header.
pub const HEADER_LEN: usize = 24;

/// Record type word of a mapping record: `u64 0, u64 id, u32 len, name`.
pub const RECORD_TYPE_MAPPING: u64 = 0;
/// Record type word of an event record.
pub const RECORD_TYPE_EVENT: u64 = 1;

/// Event id of a dropped record; its one `u64` argument is the count.
pub const DROPPED_EVENT_ID: u64 = u64::MAX - 1;

/// Event record header after the type word: id, timestamp, length, pid.
/// `length` counts this header plus the arguments (not the type word).
pub const EVENT_HEADER_LEN: usize = 24;

/// Strings are truncated to this many bytes when recorded.
pub const MAX_STRING_LEN: usize = 512;

/// trace-events declarations of the events our runtime (`trace-runtime`)
/// writes about the trace itself: the runtime records them, readers know them
/// without a trace-events file. Append them to a program's trace-events file
/// for QEMU's `simpletrace.py`.
pub const RUNTIME_TRACE_EVENTS: &str = concat!(
    "trace_thread(uint64_t tid, const char *name) \"tid %\" PRIu64 \" name %s\"\n",
    "trace_event_decl(uint64_t id, const char *decl) \"id %\" PRIu64 \" decl %s\"\n",
);

/// Written before each batch of records drained from one thread: the records
/// after it (up to the next one) came from thread `tid` called `name`.
pub const THREAD_EVENT: &str = "trace_thread";

/// Written once per event right after the mapping records: event id `id` is
/// declared by the trace-events line `decl`.
pub const DECL_EVENT: &str = "trace_event_decl";

/// Bytes the arguments of a record take at the start of its `body`, walked
/// argument by argument: `strings` says whether each is a string (`u32`
/// length, then the bytes) or an 8-byte value. When they run past `body`,
/// `Err` holds the length they claim (so the caller can report it).
#[inline]
pub fn args_len(body: &[u8], strings: impl Iterator<Item = bool>) -> Result<usize, u64> {
    let mut pos = 0usize;
    for is_string in strings {
        if is_string {
            let Some(len) = body.get(pos..pos + 4) else {
                return Err(pos as u64 + 4);
            };
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as u64;
            let end = pos as u64 + 4 + len;
            if end > body.len() as u64 {
                return Err(end);
            }
            pos = end as usize;
        } else {
            pos += 8;
            if pos > body.len() {
                return Err(pos as u64);
            }
        }
    }
    Ok(pos)
}

/// [`args_len`] for the arguments `event` declares.
#[inline]
pub fn event_args_len(event: &crate::Event, body: &[u8]) -> Result<usize, u64> {
    args_len(
        body,
        event.args.iter().map(|arg| arg.kind == crate::ArgKind::Str),
    )
}
