// Several broken lines: every one is reported at once, not just the first.
trace_runtime::trace_events!("ui/many_errors.trace-events");

fn main() {}
