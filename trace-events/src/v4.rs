//! QEMU's simple trace binary format, version 4 (`trace/simple.c`): its
//! constants, the runtime's own events and their declarations here,
//! [`encode`] (what the runtime writes) and [`decode`] (what the reader and
//! the log backend read). All integers are in host byte order, written and
//! read alike.

pub mod decode;
pub mod encode;

pub use decode::{args_len, event_args_len};

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

/// Whether `event` has the shape `name(uint64_t, const char *)` of both
/// runtime events, [`THREAD_EVENT`] and [`DECL_EVENT`] (a user's file could
/// declare the names differently): their records then decode with
/// [`decode::id_and_text`].
pub fn is_id_and_text(event: &crate::Event) -> bool {
    use crate::ArgKind;
    matches!(
        event.args.as_slice(),
        [a, b] if matches!(a.kind, ArgKind::Int(_)) && b.kind == ArgKind::Str
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_declarations_parse_cleanly_and_have_the_expected_shape() {
        let parsed = crate::parse_str("runtime", RUNTIME_TRACE_EVENTS);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, [THREAD_EVENT, DECL_EVENT]);
        assert!(parsed.file.events.iter().all(is_id_and_text));
    }

    #[test]
    fn only_an_integer_then_a_string_is_the_runtime_events_shape() {
        let source = "trace_thread(uint64_t tid, const char *name)\n\
                      trace_event_decl(int id, char *decl)\n\
                      a(const char *name, uint64_t tid)\n\
                      b(uint64_t tid)\n\
                      c(uint64_t tid, const char *name, int x)\n\
                      d(uint64_t tid, void *name)\n\
                      e(void)\n";
        let parsed = crate::parse_str("user", source);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let shaped: Vec<(&str, bool)> = parsed
            .file
            .events
            .iter()
            .map(|e| (e.name.as_str(), is_id_and_text(e)))
            .collect();
        assert_eq!(
            shaped,
            [
                ("trace_thread", true),
                ("trace_event_decl", true),
                ("a", false),
                ("b", false),
                ("c", false),
                ("d", false),
                ("e", false),
            ]
        );
    }
}
