//! The runtime's own events. They are ordinary entries of `EVENTS`, so they get
//! IDs and mapping records like any other, and readers decode them from the
//! trace-events line in [`RUNTIME_TRACE_EVENTS`].

use crate::event::{ArgKind, ArgMeta, Event, EventMeta, IntType, EVENTS};

pub use trace_events::v4::RUNTIME_TRACE_EVENTS;
use trace_events::v4::{encode, DECL_EVENT, MAX_STRING_LEN, THREAD_EVENT};

#[linkme::distributed_slice(EVENTS)]
pub(crate) static TRACE_THREAD: Event = Event::new(EventMeta {
    name: THREAD_EVENT,
    args: &[
        ArgMeta {
            ty: "uint64_t",
            name: "tid",
            kind: ArgKind::Int(IntType {
                bits: 64,
                signed: false,
            }),
        },
        ArgMeta {
            ty: "const char *",
            name: "name",
            kind: ArgKind::Str,
        },
    ],
    fmt: "\"tid %\" PRIu64 \" name %s\"",
    c_format: "tid %llu name %s",
    file: file!(),
    line: line!(),
    available: true,
});

/// Written once per program event right after the mapping records (see
/// `describe.rs`): event `id` is declared by the trace-events line `decl`, so
/// a reader needs no trace-events file. Disable it to leave them out.
#[linkme::distributed_slice(EVENTS)]
pub(crate) static TRACE_EVENT_DECL: Event = Event::new(EventMeta {
    name: DECL_EVENT,
    args: &[
        ArgMeta {
            ty: "uint64_t",
            name: "id",
            kind: ArgKind::Int(IntType {
                bits: 64,
                signed: false,
            }),
        },
        ArgMeta {
            ty: "const char *",
            name: "decl",
            kind: ArgKind::Str,
        },
    ],
    fmt: "\"id %\" PRIu64 \" decl %s\"",
    c_format: "id %llu decl %s",
    file: file!(),
    line: line!(),
    available: true,
});

/// Append a `trace_thread(tid, name)` record (the name cut at 512 bytes, as
/// a recorded string is).
pub(crate) fn push_thread_record(out: &mut Vec<u8>, ts: u64, pid: u32, tid: u64, name: &[u8]) {
    let name = &name[..name.len().min(MAX_STRING_LEN)];
    encode::push_id_and_text(out, TRACE_THREAD.id(), ts, pid, tid, name);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declaration readers get describes exactly what the writer records.
    #[test]
    fn trace_events_text_matches_the_descriptor() {
        let parsed = trace_events::parse_str("runtime", RUNTIME_TRACE_EVENTS);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let [thread, decl] = &parsed.file.events[..] else {
            panic!("two events expected: {:?}", parsed.file.events);
        };
        for (ev, meta) in [(thread, &TRACE_THREAD.meta), (decl, &TRACE_EVENT_DECL.meta)] {
            check(ev, meta);
        }
    }

    fn check(ev: &trace_events::Event, meta: &EventMeta) {
        assert_eq!(ev.name, meta.name);
        assert_eq!(ev.fmt, meta.fmt);
        assert_eq!(ev.c_format, meta.c_format);
        assert!(!ev.is_disabled() && meta.available);
        assert_eq!(ev.args.len(), meta.args.len());
        for (a, m) in ev.args.iter().zip(meta.args) {
            assert_eq!((a.ty.as_str(), a.name.as_str()), (m.ty, m.name));
            assert_eq!(a.kind, m.kind);
        }
    }
}
