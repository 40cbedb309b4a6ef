//! Issue #14: the cost of an event where users run it. Tracing stays on, the
//! writer drains by itself on whichever CPU the scheduler gives it (no flush
//! before a round), and the program works between its bursts of events: a
//! round of [`ROUND`] events every [`PERIOD`], the time between rounds spent
//! spinning (the thread stays on its CPU, as a busy program's does). Only the
//! rounds are timed; times are per event. The `steady_ladder` group times,
//! the same way, the rungs from the floor to a correct event
//! (`trace_bench::ladder`): what stands between the two.
//! Run with `cargo bench -p trace-bench --bench steady`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use trace_bench::setup::Setup;
use trace_bench::{floor, ladder, ours};

/// Events per round (the measurement: 2,000 every 800 us, about
/// 2.5 M events/s, 120 MB/s of two-u64 records).
const ROUND: u64 = 2000;
/// One round starts every period.
const PERIOD: Duration = Duration::from_micros(800);

/// `iters` events in rounds of [`ROUND`], one round a [`PERIOD`]; returns the
/// time spent in the rounds, scaled to `iters` events.
fn steady(iters: u64, f: fn(u64)) -> Duration {
    let count = iters.div_ceil(ROUND).max(1);
    let mut total = Duration::ZERO;
    let mut next = Instant::now();
    for r in 0..count {
        // Work (here: spinning) until this round's start.
        while Instant::now() < next {
            std::hint::spin_loop();
        }
        next += PERIOD;
        let start = Instant::now();
        for i in 0..ROUND {
            f(r * ROUND + i);
        }
        total += start.elapsed();
    }
    total.mul_f64(iters as f64 / (count * ROUND) as f64)
}

fn ours_two(i: u64) {
    ours::bench_two_u64(black_box(i), black_box(!i));
}

fn floor_two(i: u64) {
    floor::two_u64(black_box(i), black_box(!i));
}

fn rung<const RUNG: u8>(i: u64) {
    ladder::two_u64::<RUNG>(black_box(i), black_box(!i));
}

/// Each rung of `ladder::RUNGS`, in order.
const RUNG_FNS: [fn(u64); 7] = [
    rung::<0>, rung::<1>, rung::<2>, rung::<3>, rung::<4>, rung::<5>, rung::<6>,
];

fn main() {
    let setup = Setup::start(trace_runtime::Config::new()).expect("start the implementations");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .configure_from_args();

    let before = trace_runtime::status().expect("started");
    let mut g = c.benchmark_group("steady_two_u64");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ours", |b| b.iter_custom(|n| steady(n, ours_two)));
    g.bench_function("floor", |b| b.iter_custom(|n| steady(n, floor_two)));
    g.finish();

    let mut g = c.benchmark_group("steady_ladder");
    g.throughput(Throughput::Elements(1));
    for (name, f) in ladder::RUNGS.iter().zip(RUNG_FNS) {
        g.bench_function(*name, |b| b.iter_custom(|n| steady(n, f)));
    }
    g.bench_function("ours", |b| b.iter_custom(|n| steady(n, ours_two)));
    g.finish();

    trace_runtime::flush();
    let after = trace_runtime::status().expect("started");
    eprintln!(
        "ours: {} records written, {} dropped during the steady case",
        after.written - before.written,
        after.dropped - before.dropped
    );
    c.final_summary();
    drop(setup);
    black_box(floor::checksum());
    black_box(ladder::last_small());
}
