// Names the macro cannot give an event or argument: reported, all at once.
trace_runtime::trace_events!("ui/reserved.trace-events");

fn main() {}
