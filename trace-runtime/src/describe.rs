//! Self-describing traces: right after the mappings, one
//! `trace_event_decl(id, decl)` record per program event carries the event's
//! trace-events line, so a reader needs no trace-events file (the runtime's
//! own events are built into readers).

use trace_events::v4::encode;

use crate::event::{Event, EventMeta, EVENTS};
use crate::internal::{TRACE_EVENT_DECL, TRACE_THREAD};

/// The event's trace-events declaration, e.g.
/// `disable foo(int a, const char *s) "a %d s %s"`.
pub(crate) fn declaration(meta: &EventMeta) -> String {
    let props = (!meta.available).then_some("disable");
    let args = meta.args.iter().map(|arg| (arg.ty, arg.name));
    trace_events::declaration::declaration_line(props, meta.name, args, meta.fmt)
}

/// Append a declaration record for every program event, unless
/// `trace_event_decl` is disabled. The text is written whole (not cut at
/// 512 bytes like recorded strings): readers take the length as written.
pub(crate) fn push_declarations(out: &mut Vec<u8>, timestamp_ns: u64, pid: u32) {
    let program = EVENTS
        .iter()
        .filter(|e| !std::ptr::eq(*e, &TRACE_THREAD) && !std::ptr::eq(*e, &TRACE_EVENT_DECL));
    push_declarations_of(out, program, timestamp_ns, pid);
}

/// Append a declaration record for each of `events`, unless
/// `trace_event_decl` is disabled.
pub(crate) fn push_declarations_of<'a>(
    out: &mut Vec<u8>,
    events: impl Iterator<Item = &'a Event>,
    timestamp_ns: u64,
    pid: u32,
) {
    if !TRACE_EVENT_DECL.is_enabled() {
        return;
    }
    for event in events {
        let decl = declaration(&event.meta);
        let id = TRACE_EVENT_DECL.id();
        encode::push_id_and_text(out, id, timestamp_ns, pid, event.id(), decl.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ArgKind, ArgMeta, IntType};

    /// Declarations parse back to the events they describe.
    #[test]
    fn declarations_round_trip_through_the_parser() {
        const ARGS: &[ArgMeta] = &[
            ArgMeta {
                ty: "const char *",
                name: "dev",
                kind: ArgKind::Str,
            },
            ArgMeta {
                ty: "uint64_t",
                name: "sector",
                kind: ArgKind::Int(IntType {
                    bits: 64,
                    signed: false,
                }),
            },
            ArgMeta {
                ty: "void *",
                name: "req",
                kind: ArgKind::Pointer,
            },
        ];
        let meta = |name, args, fmt, available| EventMeta {
            name,
            args,
            fmt,
            c_format: "",
            file: "",
            line: 0,
            available,
        };
        let disk = meta(
            "disk_read",
            ARGS,
            "\"dev %s sector %\" PRIu64 \" req %p\"",
            true,
        );
        let tick = meta("tick", &[], "", true);
        let dump = meta("debug_dump", &ARGS[..1], "\"dump %s\"", false);
        let mut runtime = crate::RUNTIME_TRACE_EVENTS.lines();
        for (meta, text) in [
            (
                &disk,
                "disk_read(const char *dev, uint64_t sector, void *req) \"dev %s sector %\" PRIu64 \" req %p\"",
            ),
            (&tick, "tick(void)"),
            (&dump, "disable debug_dump(const char *dev) \"dump %s\""),
            (&TRACE_THREAD.meta, runtime.next().unwrap()),
            (&TRACE_EVENT_DECL.meta, runtime.next().unwrap()),
        ] {
            let line = declaration(meta);
            assert_eq!(line, text);
            let parsed = trace_events::parse_str("decl", &format!("{line}\n"));
            assert!(!parsed.has_errors(), "{line}: {:?}", parsed.diagnostics);
            let event = &parsed.file.events[0];
            assert_eq!(event.name, meta.name);
            assert_eq!(event.is_disabled(), !meta.available);
            assert_eq!(event.fmt, meta.fmt);
            let args: Vec<(&str, &str)> = event.args.iter().map(|a| (a.ty.as_str(), a.name.as_str())).collect();
            let want: Vec<(&str, &str)> = meta.args.iter().map(|a| (a.ty, a.name)).collect();
            assert_eq!(args, want);
        }
    }
}
