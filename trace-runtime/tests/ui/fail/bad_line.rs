// One bad line: one error, naming file:line:column, with the line and a caret.
trace_runtime::trace_events!("ui/bad_line.trace-events");

fn main() {}
