//! Issues #8 and #14: the cost of `#[traced]` on a small function, against
//! the plain function, `#[tracing::instrument]` (fmt subscriber, non-blocking
//! file, as in the `events` bench), `#[fastrace::trace]` (a root span per
//! round, a reporter writing every span to a file) and the floor of two events
//! (two floor records: what a call's enter and exit need at the least), with
//! the events enabled and disabled; times are per call. `traced_enabled`
//! flushes before each round; `traced_steady` does not: a round every
//! [`PERIOD`], the writer draining by itself, as in the `steady` bench.
//! Run with `cargo bench -p trace-bench --bench traced`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use fastrace::collector::SpanContext;
use fastrace::Span;
use trace_bench::setup::Setup;
use trace_bench::{fastrace_baseline, floor};
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

/// Two floor events, as a call's enter and exit.
#[inline(never)]
fn floor_two_events(a: u64, b: u64) -> u64 {
    floor::two_u64(a, b);
    let r = a.wrapping_mul(31) ^ b;
    floor::two_u64(a, r);
    r
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

/// In the steady group, one round starts every period (1,000 calls, 2,000
/// records: 2.5 M records/s).
const PERIOD: Duration = Duration::from_micros(800);

/// The function under test.
type Case = fn(u64, u64) -> u64;

/// How rounds follow each other.
#[derive(Clone, Copy)]
enum Mode {
    /// Everything written out (untimed) before each round.
    Flushed,
    /// A round every [`PERIOD`], spinning in between; nothing flushed.
    Steady,
}

fn rounds(iters: u64, f: Case, mode: Mode) -> Duration {
    let count = iters.div_ceil(ROUND).max(1);
    let mut total = Duration::ZERO;
    let mut next = Instant::now();
    for _ in 0..count {
        match mode {
            Mode::Flushed => {
                trace_runtime::flush();
                fastrace_baseline::flush();
            }
            Mode::Steady => {
                while Instant::now() < next {
                    std::hint::spin_loop();
                }
                next += PERIOD;
            }
        }
        // fastrace records only under a root span; the others ignore it.
        let root = Span::root("round", SpanContext::random());
        let parent = root.set_local_parent();
        let start = Instant::now();
        for i in 0..ROUND {
            black_box(f(black_box(i), black_box(!i)));
        }
        total += start.elapsed();
        drop(parent);
        drop(root);
    }
    total.mul_f64(iters as f64 / (count * ROUND) as f64)
}

fn group(c: &mut Criterion, name: &str, mode: Mode, cases: &[(&str, Case)]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    for &(case, f) in cases {
        g.bench_function(case, |b| b.iter_custom(|iters| rounds(iters, f, mode)));
    }
    g.finish();
}

fn main() {
    let setup = Setup::start(trace_runtime::Config::new()).expect("start the implementations");
    fastrace_baseline::install(&setup.ours_path.with_file_name("fastrace.spans"))
        .expect("start fastrace's reporter");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();

    group(
        &mut c,
        "traced_enabled",
        Mode::Flushed,
        &[
            ("plain", plain),
            ("traced", ours),
            ("traced_ret", ours_ret),
            (
                "tracing_instrument",
                trace_bench::tracing_baseline::instrumented,
            ),
            ("fastrace_trace", fastrace_baseline::traced),
            ("floor_two_events", floor_two_events),
        ],
    );
    group(
        &mut c,
        "traced_steady",
        Mode::Steady,
        &[
            ("traced", ours),
            ("fastrace_trace", fastrace_baseline::traced),
            ("floor_two_events", floor_two_events),
        ],
    );
    trace_runtime::set_enabled("bench_traced*", false).expect("runtime started");
    group(
        &mut c,
        "traced_disabled",
        Mode::Flushed,
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
    fastrace_baseline::flush();
    drop(setup);
    black_box(floor::checksum());
}
