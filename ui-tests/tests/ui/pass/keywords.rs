// Keyword names become raw identifiers (`r#type`) or, where Rust allows no raw
// form, get a trailing `_` (`self_`); argument names cannot clash with the
// generated code's own locals.
mod trace {
    trace_runtime::trace_events!("ui/keywords.trace-events");
}

fn main() {
    trace::r#type(1, "s", &0u8, false);
    trace::self_(1, 2, 3, 4);
    trace::r#match();
    trace::crate_(-1, 255, -1, 65535);
    trace::events(usize::MAX, isize::MIN);
    trace::EVENT_TABLEs(0);

    let names: Vec<&str> = trace::EVENT_TABLE.iter().map(|e| e.meta.name).collect();
    assert_eq!(names, ["type", "self", "match", "crate", "events", "EVENT_TABLEs"]);
    assert!(!trace::events::r#type.is_enabled());
    assert_eq!(trace::events::self_.meta.name, "self");
    assert_eq!(trace::events::crate_.meta.args[2].name, "_");
}
