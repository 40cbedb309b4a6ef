//! Our runtime: the typed functions `trace_events!` generates for
//! `bench/trace-events`.

trace_runtime::trace_events!("trace-events");

/// The same function as `tracing_baseline::instrumented` under
/// `#[traced]`: two records a call.
#[inline(never)]
#[trace_runtime::traced(name = "bench_layer_traced")]
pub fn traced(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}
