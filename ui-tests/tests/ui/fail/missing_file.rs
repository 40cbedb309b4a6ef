// A file that does not exist: the error names the path that was tried.
trace_runtime::trace_events!("/nonexistent/dir/trace-events");

fn main() {}
