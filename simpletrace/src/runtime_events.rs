//! The events our runtime (`trace-runtime`) writes about the trace itself. Their
//! declarations are fixed, so the reader knows them without a trace-events file.

/// trace-events declarations of the runtime's own events; identical to
/// `trace_runtime::RUNTIME_TRACE_EVENTS` (a test checks it). Append them to a
/// program's trace-events file for QEMU's `simpletrace.py`.
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
/// runtime events (a user's file could declare the name differently).
pub(crate) fn is_id_and_text(event: &trace_events::Event) -> bool {
    use trace_events::ArgKind;
    matches!(
        event.args.as_slice(),
        [a, b] if matches!(a.kind, ArgKind::Int(_)) && b.kind == ArgKind::Str
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_parse_cleanly_and_have_the_expected_shape() {
        let parsed = trace_events::parse_str("runtime", RUNTIME_TRACE_EVENTS);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let names: Vec<&str> = parsed.file.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, [THREAD_EVENT, DECL_EVENT]);
        assert!(parsed.file.events.iter().all(is_id_and_text));
    }
}
