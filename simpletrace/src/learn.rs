//! Self-describing traces: the declaration text of a `trace_event_decl`
//! record, turned into an event the reader can decode.

use trace_events::Event;

/// Bounds the events a trace may declare (QEMU has ~6,000 events).
pub const MAX_LEARNED_EVENTS: usize = 1 << 16;

/// The one event that `text` (a trace-events line, without newline) declares,
/// or why it declares none.
pub(crate) fn parse_declaration(text: &[u8]) -> Result<Event, String> {
    let text = std::str::from_utf8(text).map_err(|_| "the declaration is not UTF-8".to_string())?;
    if text.contains(['\n', '\r']) {
        return Err("the declaration spans several lines".into());
    }
    let parsed = trace_events::parse_str("<trace>", &format!("{text}\n"));
    if let Some(error) = parsed.errors().next() {
        return Err(format!("invalid declaration '{text}': {}", error.message));
    }
    match <[Event; 1]>::try_from(parsed.file.events) {
        Ok([event]) => Ok(event),
        Err(_) => Err(format!("'{text}' declares no event")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_declaration_becomes_an_event() {
        let event = parse_declaration(br#"disable foo(int a, const char *s) "a %d s %s""#).unwrap();
        assert_eq!(event.name, "foo");
        assert!(event.is_disabled());
        assert_eq!(event.args.len(), 2);
        assert_eq!(event.c_format, "a %d s %s");
    }

    #[test]
    fn bad_declarations_are_refused_with_a_reason() {
        for (text, reason) in [
            (&b"foo(struct x *p)"[..], "invalid declaration"),
            (b"# comment", "declares no event"),
            (b"", "declares no event"),
            (b"foo(int a)\nbar(int b)", "several lines"),
            (b"foo(int \xff)", "not UTF-8"),
        ] {
            let err = parse_declaration(text).unwrap_err();
            assert!(err.contains(reason), "{err}");
        }
    }
}
