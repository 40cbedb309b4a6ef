//! Issue #8: the cost of `#[traced]` on a small function, against the plain
//! function and `#[tracing::instrument]` (fmt subscriber, non-blocking file,
//! as in the `events` bench), with the events enabled and disabled; times
//! are per call. Run with `cargo bench -p trace-bench --bench traced`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use trace_bench::setup::Setup;
use trace_runtime::traced;

#[inline(never)]
fn plain(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}

#[inline(never)]
#[traced(name = "bench_traced")]
fn ours(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}

#[inline(never)]
#[traced(name = "bench_traced_ret", ret)]
fn ours_ret(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}

#[inline(never)]
#[tracing::instrument(level = "info")]
fn instrumented(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}

/// Below the subscriber's level (INFO): tracing's disabled path.
#[inline(never)]
#[tracing::instrument(level = "trace")]
fn instrumented_off(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31) ^ b
}

/// Calls per timed round: 2,000 records (enter + exit), well inside the
/// thread's buffer; everything recorded is written out between rounds, so the
/// rounds measure recording, not dropping.
const ROUND: u64 = 1000;

/// The function under test.
type Case = fn(u64, u64) -> u64;

fn rounds(iters: u64, f: Case) -> Duration {
    let count = iters.div_ceil(ROUND).max(1);
    let mut total = Duration::ZERO;
    for _ in 0..count {
        trace_runtime::flush();
        let start = Instant::now();
        for i in 0..ROUND {
            black_box(f(black_box(i), black_box(!i)));
        }
        total += start.elapsed();
    }
    total.mul_f64(iters as f64 / (count * ROUND) as f64)
}

fn group(c: &mut Criterion, name: &str, cases: &[(&str, Case)]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    for &(case, f) in cases {
        g.bench_function(case, |b| b.iter_custom(|iters| rounds(iters, f)));
    }
    g.finish();
}

fn main() {
    let setup = Setup::start(trace_runtime::Config::new()).expect("start the implementations");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();

    group(
        &mut c,
        "traced_enabled",
        &[
            ("plain", plain),
            ("traced", ours),
            ("traced_ret", ours_ret),
            ("tracing_instrument", instrumented),
        ],
    );
    trace_runtime::set_enabled("bench_traced*", false).expect("runtime started");
    group(
        &mut c,
        "traced_disabled",
        &[
            ("plain", plain),
            ("traced", ours),
            ("traced_ret", ours_ret),
            ("tracing_instrument", instrumented_off),
        ],
    );

    trace_runtime::flush();
    if let Some(status) = trace_runtime::status() {
        eprintln!(
            "ours: {} records written, {} dropped",
            status.written, status.dropped
        );
    }
    c.final_summary();
    drop(setup);
}
