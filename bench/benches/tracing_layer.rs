//! Issue #16: `info!` with two u64 fields through `SimpletraceLayer`, through
//! the usual `tracing` setup (fmt + tracing-appender non-blocking, the global
//! default here) and the same event declared in trace-events
//! (`bench_two_u64`), side by side in one run; times are per event. The
//! layer's case runs under `tracing::subscriber::with_default`, so the fmt
//! case pays the scoped-dispatcher check too (tracing's fast path for a lone
//! global subscriber is off once any scoped one exists): the same for both.
//! `noop_layer` is the same dispatch to a layer that does nothing: `tracing`'s
//! own share. `subscriber` and `instrument_subscriber` go through
//! `SimpletraceSubscriber` (spans in its own store, no `Registry`). Run with `cargo bench -p trace-bench --bench tracing_layer`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use trace_bench::setup::Setup;
use trace_bench::{ours, tracing_baseline};
use trace_tracing::{SimpletraceLayer, SimpletraceSubscriber};
use tracing_subscriber::prelude::*;

/// Events per round: fits every buffer (ours 256 KiB per thread, the
/// appender 128,000 lines), so the cases measure recording, not dropping.
const ROUND: u64 = 2500;

/// Rounds of [`ROUND`] events, everything written out (untimed) before each.
fn rounds(setup: &Setup, iters: u64, f: impl Fn(u64)) -> Duration {
    trace_bench::rounds::drained(iters, ROUND, &|| setup.drain_all(), f)
}

/// A layer that records nothing: what `tracing` costs before any layer works.
struct NoopLayer;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for NoopLayer {}

fn two_u64(c: &mut Criterion, setup: &Setup) {
    let mut g = c.benchmark_group("tracing_two_u64");
    g.throughput(Throughput::Elements(1));
    let layer = tracing_subscriber::registry().with(SimpletraceLayer::new());
    tracing::subscriber::with_default(layer, || {
        g.bench_function("layer", |b| {
            b.iter_custom(|iters| {
                rounds(setup, iters, |i| {
                    tracing_baseline::two_u64(black_box(i), black_box(!i))
                })
            })
        });
    });
    tracing::subscriber::with_default(SimpletraceSubscriber::new(), || {
        g.bench_function("subscriber", |b| {
            b.iter_custom(|iters| {
                rounds(setup, iters, |i| {
                    tracing_baseline::two_u64(black_box(i), black_box(!i))
                })
            })
        });
    });
    // tracing's own cost: the same dispatch to a layer that does nothing.
    let noop = tracing_subscriber::registry().with(NoopLayer);
    tracing::subscriber::with_default(noop, || {
        g.bench_function("noop_layer", |b| {
            b.iter_custom(|iters| {
                rounds(setup, iters, |i| {
                    tracing_baseline::two_u64(black_box(i), black_box(!i))
                })
            })
        });
    });
    g.bench_function("fmt_non_blocking", |b| {
        b.iter_custom(|iters| {
            rounds(setup, iters, |i| {
                tracing_baseline::two_u64(black_box(i), black_box(!i))
            })
        })
    });
    g.bench_function("trace_events", |b| {
        b.iter_custom(|iters| {
            rounds(setup, iters, |i| {
                ours::bench_two_u64(black_box(i), black_box(!i))
            })
        })
    });
    g.finish();
}

/// A call of a two-u64 function: `#[instrument]` through the layer (span
/// creation, enter, exit, close: two records), through a layer doing nothing
/// (`tracing_subscriber::Registry`'s own share), vs `#[traced]` (two records).
fn instrument(c: &mut Criterion, setup: &Setup) {
    let mut g = c.benchmark_group("tracing_instrument");
    g.throughput(Throughput::Elements(1));
    let layer = tracing_subscriber::registry().with(SimpletraceLayer::new());
    tracing::subscriber::with_default(layer, || {
        g.bench_function("instrument_layer", |b| {
            b.iter_custom(|iters| {
                rounds(setup, iters, |i| {
                    black_box(tracing_baseline::instrumented(black_box(i), black_box(!i)));
                })
            })
        });
    });
    tracing::subscriber::with_default(SimpletraceSubscriber::new(), || {
        g.bench_function("instrument_subscriber", |b| {
            b.iter_custom(|iters| {
                rounds(setup, iters, |i| {
                    black_box(tracing_baseline::instrumented(black_box(i), black_box(!i)));
                })
            })
        });
    });
    // tracing's own cost: the span in the registry, a layer doing nothing.
    let noop = tracing_subscriber::registry().with(NoopLayer);
    tracing::subscriber::with_default(noop, || {
        g.bench_function("instrument_noop_layer", |b| {
            b.iter_custom(|iters| {
                rounds(setup, iters, |i| {
                    black_box(tracing_baseline::instrumented(black_box(i), black_box(!i)));
                })
            })
        });
    });
    // The global default: fmt + tracing-appender (a span's fields formatted
    // at its creation; no line written, as nothing inside logs).
    g.bench_function("instrument_fmt_non_blocking", |b| {
        b.iter_custom(|iters| {
            rounds(setup, iters, |i| {
                black_box(tracing_baseline::instrumented(black_box(i), black_box(!i)));
            })
        })
    });
    g.bench_function("traced", |b| {
        b.iter_custom(|iters| {
            rounds(setup, iters, |i| {
                black_box(ours::traced(black_box(i), black_box(!i)));
            })
        })
    });
    g.finish();
}

fn main() {
    let setup = Setup::start(trace_runtime::Config::new().ignore_env()).expect("start tracing");
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    two_u64(&mut c, &setup);
    instrument(&mut c, &setup);
    c.final_summary();
}
