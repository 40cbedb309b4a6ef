// The macro takes the path as a string literal.
const PATH: &str = "trace-events";
trace_runtime::trace_events!(PATH);

fn main() {}
