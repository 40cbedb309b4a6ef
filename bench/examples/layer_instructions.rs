//! Issue #16: the cases of `benches/tracing_layer.rs`, one per run, for
//! `valgrind --tool=callgrind` (instruction counts are deterministic where
//! the bench's times move with the machine's load). Each case records
//! `ROUNDS` rounds of `ROUND` events (calls), flushing between rounds; only
//! `round` is counted:
//!
//! ```text
//! cargo build --profile bench -p trace-bench --example layer_instructions
//! valgrind --tool=callgrind --toggle-collect='layer_instructions::round' \
//!     target/release/examples/layer_instructions layer
//! ```
//!
//! then divide the total instructions (`callgrind_annotate`) by
//! `ROUNDS * ROUND`. Cases: `layer`, `subscriber`, `noop_layer`,
//! `noop_subscriber`, `trace_events`, `instrument_layer`,
//! `instrument_subscriber`, `instrument_noop`, `instrument_noop_subscriber`,
//! `traced`; and, with the subscriber as the global default (as `.init()`
//! sets it) rather than a scoped one, `global_subscriber`, `global_layer`,
//! `global_noop_subscriber`, `global_floor_subscriber` (the least a
//! recording subscriber does: `tracing_floor.rs`), `global_instrument_subscriber`.

use std::hint::black_box;

use trace_bench::{ours, tracing_baseline};
use trace_tracing::{SimpletraceLayer, SimpletraceSubscriber};
use tracing_subscriber::prelude::*;

const ROUND: u64 = 2500;
const ROUNDS: u64 = 8;

struct NoopLayer;

/// A subscriber that keeps nothing: `tracing`'s share without the registry.
struct NoopSubscriber;

impl tracing::Subscriber for NoopSubscriber {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::Id {
        tracing::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::Id, _: &tracing::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::Id) {}
    fn exit(&self, _: &tracing::Id) {}
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for NoopLayer {}

/// One round of `f`, the part callgrind counts.
#[inline(never)]
fn round(f: &dyn Fn(u64)) {
    for i in 0..ROUND {
        f(black_box(i));
    }
}

/// Events before the counted rounds: callsite registration, the thread's ring.
const WARM_UP: u64 = 2 * ROUND;

/// The first events, not counted. Its count differs from `round`'s so that
/// the two bodies differ: identical ones are folded into one function, and
/// callgrind then counts the warm-up as a round.
#[inline(never)]
fn warm_up(f: &dyn Fn(u64)) {
    for i in 0..WARM_UP {
        f(black_box(i));
    }
}

fn rounds(f: &dyn Fn(u64)) {
    warm_up(f);
    trace_runtime::flush();
    for _ in 0..ROUNDS {
        round(f);
        trace_runtime::flush();
    }
}

fn global(subscriber: impl tracing::Subscriber + Send + Sync + 'static) {
    tracing::subscriber::set_global_default(subscriber).expect("the only global default");
}

fn main() {
    let case = std::env::args().nth(1).unwrap_or_else(|| "layer".into());
    let dir = tempfile::tempdir().expect("temporary directory");
    let _guard = trace_runtime::Config::new()
        .ignore_env()
        .file(dir.path().join("ours.trace"))
        .start()
        .expect("start tracing");
    let two_u64 = |i: u64| tracing_baseline::two_u64(i, !i);
    let call = |i: u64| {
        black_box(tracing_baseline::instrumented(i, !i));
    };
    match case.as_str() {
        "layer" => tracing::subscriber::with_default(
            tracing_subscriber::registry().with(SimpletraceLayer::new()),
            || rounds(&two_u64),
        ),
        "noop_layer" => tracing::subscriber::with_default(
            tracing_subscriber::registry().with(NoopLayer),
            || rounds(&two_u64),
        ),
        "subscriber" => {
            tracing::subscriber::with_default(SimpletraceSubscriber::new(), || rounds(&two_u64))
        }
        "instrument_subscriber" => {
            tracing::subscriber::with_default(SimpletraceSubscriber::new(), || rounds(&call))
        }
        "noop_subscriber" => tracing::subscriber::with_default(NoopSubscriber, || rounds(&two_u64)),
        // As a program's `.init()` sets them: `tracing` finds a global
        // default with one load, a scoped one through a thread-local.
        "global_subscriber" => {
            global(SimpletraceSubscriber::new());
            rounds(&two_u64)
        }
        "global_layer" => {
            global(tracing_subscriber::registry().with(SimpletraceLayer::new()));
            rounds(&two_u64)
        }
        "global_noop_subscriber" => {
            global(NoopSubscriber);
            rounds(&two_u64)
        }
        "global_floor_subscriber" => {
            global(trace_bench::tracing_floor::FloorSubscriber::default());
            rounds(&two_u64)
        }
        "global_instrument_subscriber" => {
            global(SimpletraceSubscriber::new());
            rounds(&call)
        }
        "instrument_noop_subscriber" => {
            tracing::subscriber::with_default(NoopSubscriber, || rounds(&call))
        }
        "trace_events" => rounds(&|i| ours::bench_two_u64(i, !i)),
        "instrument_layer" => tracing::subscriber::with_default(
            tracing_subscriber::registry().with(SimpletraceLayer::new()),
            || rounds(&call),
        ),
        "instrument_noop" => tracing::subscriber::with_default(
            tracing_subscriber::registry().with(NoopLayer),
            || rounds(&call),
        ),
        "traced" => rounds(&|i| {
            black_box(ours::traced(i, !i));
        }),
        other => panic!("unknown case {other}"),
    }
    println!("{case}: {} events (calls) counted", ROUNDS * ROUND);
}
