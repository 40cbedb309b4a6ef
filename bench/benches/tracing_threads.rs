//! Issue #16: `#[instrument]` through `SimpletraceSubscriber` on one thread
//! and on two at once, against `#[traced]`. The subscriber is the global
//! default, as a program's `.init()` makes it: `tracing` then clones no
//! `Arc` per span (a scoped dispatcher's reference count, shared by every
//! thread, would be what the threads contend for). The trace goes to
//! `/dev/null`. Run with `cargo bench -p trace-bench --bench tracing_threads`.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use trace_bench::{ours, tracing_baseline};
use trace_tracing::SimpletraceSubscriber;

/// Calls per round: every buffer holds a round.
const ROUND: u64 = 2500;

/// Rounds each thread of [`two_threads`] runs before the timed ones: more
/// than its ring holds (two records of at least 40 bytes a call), so every
/// page of the ring has been touched once.
const WARM_UP_ROUNDS: u64 = (trace_runtime::DEFAULT_BUFFER_SIZE as u64 / 80).div_ceil(ROUND) + 1;

/// `f` on two threads at once, per call of both together:
/// per round, the wall time from the first thread's start to the last one's
/// end, summed, divided by the calls. The writer is drained (untimed)
/// between rounds.
fn two_threads(iters: u64, f: fn(u64)) -> Duration {
    let count = iters.div_ceil(ROUND).max(1);
    let barrier = Barrier::new(2);
    let arrived = AtomicU32::new(0);
    let rounds: Vec<Vec<(Instant, Instant)>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (barrier, arrived) = (&barrier, &arrived);
                s.spawn(move || {
                    (0..WARM_UP_ROUNDS + count)
                        .filter_map(|r| {
                            barrier.wait();
                            if t == 0 {
                                trace_runtime::flush();
                            }
                            barrier.wait();
                            spin_start(arrived);
                            let start = Instant::now();
                            for i in 0..ROUND {
                                f(black_box(i));
                            }
                            (r >= WARM_UP_ROUNDS).then(|| (start, Instant::now()))
                        })
                        .collect()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let total: Duration = (0..count as usize)
        .map(|r| {
            let start = rounds.iter().map(|t| t[r].0).min().unwrap();
            let end = rounds.iter().map(|t| t[r].1).max().unwrap();
            end - start
        })
        .sum();
    total.mul_f64(iters as f64 / (count * ROUND * 2) as f64)
}

/// Wait, spinning, until both threads got here: a thread woken from the
/// barrier can take tens of microseconds to run again, a good part of a
/// round (as in `events.rs`).
fn spin_start(arrived: &AtomicU32) {
    let me = arrived.fetch_add(1, Ordering::AcqRel) + 1;
    let round_end = me.div_ceil(2) * 2;
    while arrived.load(Ordering::Acquire) < round_end {
        std::hint::spin_loop();
    }
}

fn call(i: u64) {
    black_box(tracing_baseline::instrumented(i, !i));
}

fn traced(i: u64) {
    black_box(ours::traced(i, !i));
}

/// The same calls on one thread, the writer drained between rounds.
fn one_thread(iters: u64, f: fn(u64)) -> Duration {
    let count = iters.div_ceil(ROUND).max(1);
    let mut total = Duration::ZERO;
    for _ in 0..count {
        trace_runtime::flush();
        let start = Instant::now();
        for i in 0..ROUND {
            f(black_box(i));
        }
        total += start.elapsed();
    }
    total.mul_f64(iters as f64 / (count * ROUND) as f64)
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
        b.iter_custom(|iters| one_thread(iters, call))
    });
    g.bench_function("instrument_subscriber/two_threads", |b| {
        b.iter_custom(|iters| two_threads(iters, call))
    });
    g.bench_function("traced/one_thread", |b| {
        b.iter_custom(|iters| one_thread(iters, traced))
    });
    g.bench_function("traced/two_threads", |b| {
        b.iter_custom(|iters| two_threads(iters, traced))
    });
    g.finish();
    c.final_summary();
}
