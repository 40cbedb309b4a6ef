//! The events our runtime (`trace-runtime`) writes about the trace itself. Their
//! declarations are fixed, so the reader knows them without a trace-events file.

pub use trace_events::v4::{DECL_EVENT, RUNTIME_TRACE_EVENTS, THREAD_EVENT};

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
