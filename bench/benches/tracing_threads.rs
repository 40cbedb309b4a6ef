//! Issue #16: `#[instrument]` through `SimpletraceSubscriber` on one thread
//! and on two at once, against `#[traced]`. The subscriber is the global
//! default, as a program's `.init()` makes it: `tracing` then clones no
//! `Arc` per span (a scoped dispatcher's reference count, shared by every
//! thread, would be what the threads contend for). The trace goes to
//! `/dev/null`. Run with `cargo bench -p trace-bench --bench tracing_threads`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use trace_bench::{ours, rounds, tracing_baseline};
use trace_tracing::SimpletraceSubscriber;

/// Calls per round: every buffer holds a round.
const ROUND: u64 = 2500;

/// Rounds each of [`two_threads`]' threads runs before the timed ones: more
/// than its ring holds (two records of at least 40 bytes a call), so every
/// page of the ring has been touched once.
const WARM_UP_ROUNDS: u64 = (trace_runtime::DEFAULT_BUFFER_SIZE as u64 / 80).div_ceil(ROUND) + 1;

/// `f` on two threads at once, per call of both together, the writer
/// drained (untimed) between rounds.
fn two_threads(iters: u64, f: fn(u64)) -> Duration {
    rounds::parallel(2, iters, ROUND, WARM_UP_ROUNDS, &trace_runtime::flush, f)
}

fn call(i: u64) {
    black_box(tracing_baseline::instrumented(black_box(i), black_box(!i)));
}

fn traced(i: u64) {
    black_box(ours::traced(black_box(i), black_box(!i)));
}

fn main() {
    let _trace = trace_runtime::Config::new()
        .ignore_env()
        .file("/dev/null")
        .start()
        .expect("start tracing");
    tracing::subscriber::set_global_default(SimpletraceSubscriber::new())
        .expect("the only global default");
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let mut g = c.benchmark_group("tracing_threads");
    g.throughput(Throughput::Elements(1));
    g.bench_function("instrument_subscriber/one_thread", |b| {
        b.iter_custom(|iters| rounds::flushed(iters, ROUND, call))
    });
    g.bench_function("instrument_subscriber/two_threads", |b| {
        b.iter_custom(|iters| two_threads(iters, call))
    });
    g.bench_function("traced/one_thread", |b| {
        b.iter_custom(|iters| rounds::flushed(iters, ROUND, traced))
    });
    g.bench_function("traced/two_threads", |b| {
        b.iter_custom(|iters| two_threads(iters, traced))
    });
    g.finish();
    c.final_summary();
}
