//! Issue #16: `info!` with two u64 fields and a `#[instrument]`ed call with
//! each subscriber as the process's global default, as a program's
//! `.init()` sets it. (`tracing_layer.rs` scopes ours with `with_default`,
//! where `tracing` finds the dispatcher through a thread-local on every
//! event.) A process has one global default, so each case runs in a
//! process of its own: the bench starts itself once per case
//! (`TRACING_GLOBAL_CASE`), passing criterion's arguments on. Times are per
//! event (call), rounds of 2,500 with the writer drained (untimed) between
//! them. Run with `cargo bench -p trace-bench --bench tracing_global`.

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use trace_bench::setup::Setup;
use trace_bench::tracing_floor::FloorSubscriber;
use trace_bench::{ours, tracing_baseline};
use trace_tracing::{SimpletraceLayer, SimpletraceSubscriber};
use tracing_subscriber::prelude::*;

/// Events (calls) per round: every buffer holds a round.
const ROUND: u64 = 2500;

/// The processes: which global default each sets. `floor` sets
/// `tracing_floor::FloorSubscriber` (the least a recording subscriber
/// does); `ours` sets none and records the same event declared in
/// trace-events, and `#[traced]`.
const CASES: [&str; 5] = ["subscriber", "layer", "fmt_non_blocking", "floor", "ours"];

const CASE_VAR: &str = "TRACING_GLOBAL_CASE";

fn main() {
    match std::env::var(CASE_VAR) {
        Ok(case) => run(&case),
        Err(_) => {
            let exe = std::env::current_exe().expect("the bench's own path");
            for case in CASES {
                let status = Command::new(&exe)
                    .args(std::env::args_os().skip(1))
                    .env(CASE_VAR, case)
                    .status()
                    .expect("start the case's process");
                assert!(status.success(), "{case}: {status}");
            }
        }
    }
}

/// Rounds of [`ROUND`] calls of `f`, `drain` (untimed) before each.
fn rounds(iters: u64, drain: &dyn Fn(), f: impl Fn(u64)) -> Duration {
    trace_bench::rounds::drained(iters, ROUND, drain, f)
}

fn two_u64(i: u64) {
    tracing_baseline::two_u64(black_box(i), black_box(!i));
}

fn instrumented(i: u64) {
    black_box(tracing_baseline::instrumented(black_box(i), black_box(!i)));
}

fn trace_events_two_u64(i: u64) {
    ours::bench_two_u64(black_box(i), black_box(!i));
}

fn traced(i: u64) {
    black_box(ours::traced(black_box(i), black_box(!i)));
}

fn run(case: &str) {
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    // Setup sets fmt + tracing-appender as the global default (the usual
    // setup); the other cases start only our runtime.
    let (fmt, _ours) = if case == "fmt_non_blocking" {
        let setup = Setup::start(trace_runtime::Config::new().ignore_env()).expect("start");
        (Some(setup), None)
    } else {
        let dir = tempfile::tempdir().expect("temporary directory");
        let guard = trace_runtime::Config::new()
            .ignore_env()
            .file(dir.path().join("ours.trace"))
            .start()
            .expect("start tracing");
        (None, Some((guard, dir)))
    };
    let drain: &dyn Fn() = match &fmt {
        Some(setup) => &|| setup.drain_all(),
        None => &trace_runtime::flush,
    };
    match case {
        "subscriber" => tracing::subscriber::set_global_default(SimpletraceSubscriber::new())
            .expect("the only global default"),
        "layer" => tracing_subscriber::registry()
            .with(SimpletraceLayer::new())
            .init(),
        "floor" => tracing::subscriber::set_global_default(FloorSubscriber::default())
            .expect("the only global default"),
        _ => {}
    }
    let mut g = c.benchmark_group("tracing_global");
    g.throughput(Throughput::Elements(1));
    // Each function called directly (not through a pointer), as a program calls it.
    if case == "ours" {
        g.bench_function("two_u64/trace_events", |b| {
            b.iter_custom(|iters| rounds(iters, drain, trace_events_two_u64))
        });
        g.bench_function("instrument/traced", |b| {
            b.iter_custom(|iters| rounds(iters, drain, traced))
        });
    } else {
        g.bench_function(format!("two_u64/{case}"), |b| {
            b.iter_custom(|iters| rounds(iters, drain, two_u64))
        });
        // The floor keeps no span: its `#[instrument]` would record nothing.
        if case != "floor" {
            g.bench_function(format!("instrument/{case}"), |b| {
                b.iter_custom(|iters| rounds(iters, drain, instrumented))
            });
        }
    }
    g.finish();
    c.final_summary();
}
