//! Our runtime: the typed functions `trace_events!` generates for
//! `bench/trace-events`.

trace_runtime::trace_events!("trace-events");
