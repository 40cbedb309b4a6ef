//! Issue #5: the cost of one event, side by side. One group per case, with
//! `ours`, `qemu_port`, `tracing` and `floor` in each; times are per event.
//! Run with `cargo bench -p trace-bench --bench events`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use trace_bench::qemu_port::{events as qemu, EVENTS as Q, TRACE_BUF_LEN};
use trace_bench::setup::{Setup, QEMU};
use trace_bench::{floor, ours, rounds, tracing_baseline};

/// A 16-byte string argument.
const NAME: &str = "disk-image-0.raw";

/// Six arguments of mixed types from one counter.
macro_rules! six {
    ($f:path, $i:expr) => {{
        let i: u64 = $i;
        $f(
            black_box(i),
            black_box(!i),
            black_box(i as u32),
            black_box(-(i as i32)),
            black_box(i & 1 == 0),
            black_box(NAME.as_ptr()),
        )
    }};
}

fn ours_two(i: u64) {
    ours::bench_two_u64(black_box(i), black_box(!i));
}
fn qemu_two(i: u64) {
    qemu::two_u64(&QEMU, &Q.bench_two_u64, black_box(i), black_box(!i));
}
fn tracing_two(i: u64) {
    tracing_baseline::two_u64(black_box(i), black_box(!i));
}
fn floor_two(i: u64) {
    floor::two_u64(black_box(i), black_box(!i));
}

/// Events per round in the steady cases: fits every implementation's buffer
/// (ours 256 KiB per thread, the port 256 KiB in all, tracing 128,000 lines)
/// with room to spare, so these cases measure recording, not dropping.
const ROUND: u64 = 2500;

/// Each implementation's "wait until everything recorded is written out".
#[derive(Clone, Copy)]
enum Impl {
    Ours,
    Qemu,
    Tracing,
    Floor,
}

impl Impl {
    const ALL: [Impl; 4] = [Impl::Ours, Impl::Qemu, Impl::Tracing, Impl::Floor];

    fn name(self) -> &'static str {
        match self {
            Impl::Ours => "ours",
            Impl::Qemu => "qemu_port",
            Impl::Tracing => "tracing",
            Impl::Floor => "floor",
        }
    }

    /// Every implementation also waits for our writer's pass, so every round
    /// starts the same way: on this VM a thread that has just blocked runs its
    /// next few microseconds up to twice as fast as one that never blocks
    /// (the floor measured 9.5 ns after a flush, 18-20 ns without).
    fn drain(self, setup: &Setup) {
        trace_runtime::flush();
        match self {
            Impl::Ours | Impl::Floor => {}
            Impl::Qemu => QEMU.flush(),
            Impl::Tracing => setup.drain_tracing(),
        }
        setup.trim();
    }
}

/// Rounds of `round` events back to back on this thread, the writer drained
/// (untimed) before each. Runs whole rounds; the time returned is scaled to
/// `iters` events.
fn rounds(setup: &Setup, who: Impl, iters: u64, round: u64, f: impl Fn(u64)) -> Duration {
    let count = iters.div_ceil(round).max(1);
    let mut total = Duration::ZERO;
    for _ in 0..count {
        who.drain(setup);
        let start = Instant::now();
        for i in 0..round {
            f(i);
        }
        total += start.elapsed();
    }
    total.mul_f64(iters as f64 / (count * round) as f64)
}

fn enabled_case(
    g: &mut BenchmarkGroup<'_, WallTime>,
    setup: &Setup,
    who: Impl,
    f: impl Fn(u64) + Copy,
) {
    g.bench_function(who.name(), |b| {
        b.iter_custom(|iters| rounds(setup, who, iters, ROUND, f))
    });
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    g
}

fn disabled(c: &mut Criterion) {
    let mut g = group(c, "disabled");
    g.bench_function("ours", |b| {
        b.iter(|| ours::bench_disabled(black_box(1), black_box(2)))
    });
    g.bench_function("qemu_port", |b| {
        b.iter(|| qemu::two_u64(&QEMU, &Q.bench_disabled, black_box(1), black_box(2)))
    });
    g.bench_function("tracing", |b| {
        b.iter(|| tracing_baseline::disabled(black_box(1), black_box(2)))
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor::disabled(black_box(1), black_box(2)))
    });
    g.finish();
}

fn no_arg(c: &mut Criterion, setup: &Setup) {
    let mut g = group(c, "no_arg");
    enabled_case(&mut g, setup, Impl::Ours, |_| ours::bench_no_arg());
    enabled_case(&mut g, setup, Impl::Qemu, |_| {
        qemu::no_arg(&QEMU, &Q.bench_no_arg)
    });
    enabled_case(&mut g, setup, Impl::Tracing, |_| tracing_baseline::no_arg());
    enabled_case(&mut g, setup, Impl::Floor, |_| floor::no_arg());
    g.finish();
}

fn two_u64(c: &mut Criterion, setup: &Setup) {
    let mut g = group(c, "two_u64");
    enabled_case(&mut g, setup, Impl::Ours, ours_two);
    enabled_case(&mut g, setup, Impl::Qemu, qemu_two);
    enabled_case(&mut g, setup, Impl::Tracing, tracing_two);
    enabled_case(&mut g, setup, Impl::Floor, floor_two);
    g.finish();
}

fn one_str(c: &mut Criterion, setup: &Setup) {
    let mut g = group(c, "one_str16");
    enabled_case(&mut g, setup, Impl::Ours, |_| {
        ours::bench_one_str(black_box(NAME))
    });
    enabled_case(&mut g, setup, Impl::Qemu, |_| {
        qemu::one_str(&QEMU, &Q.bench_one_str, black_box(NAME).as_bytes())
    });
    enabled_case(&mut g, setup, Impl::Tracing, |_| {
        tracing_baseline::one_str(black_box(NAME))
    });
    enabled_case(&mut g, setup, Impl::Floor, |_| {
        floor::one_str(black_box(NAME).as_bytes())
    });
    g.finish();
}

fn six_args(c: &mut Criterion, setup: &Setup) {
    let mut g = group(c, "six_args");
    enabled_case(&mut g, setup, Impl::Ours, |i| six!(ours::bench_six_args, i));
    enabled_case(&mut g, setup, Impl::Qemu, |i| {
        let event = |a, b, c, d, e, p| qemu::six_args(&QEMU, &Q.bench_six_args, a, b, c, d, e, p);
        six!(event, i)
    });
    enabled_case(&mut g, setup, Impl::Tracing, |i| {
        six!(tracing_baseline::six_args, i)
    });
    enabled_case(&mut g, setup, Impl::Floor, |i| six!(floor::six_args, i));
    g.finish();
}

/// Rounds that fill a new thread's buffer once, and one more.
const WARM_UP_ROUNDS: u64 = (trace_runtime::DEFAULT_BUFFER_SIZE as u64 / 48).div_ceil(ROUND) + 1;

fn threads_case(c: &mut Criterion, setup: &Setup, name: &str, threads: u32) {
    let mut g = group(c, name);
    for who in Impl::ALL {
        let f: fn(u64) = match who {
            Impl::Ours => ours_two,
            Impl::Qemu => qemu_two,
            Impl::Tracing => tracing_two,
            Impl::Floor => floor_two,
        };
        g.bench_function(who.name(), |b| {
            b.iter_custom(|iters| {
                rounds::parallel(
                    threads,
                    iters,
                    ROUND,
                    WARM_UP_ROUNDS,
                    &|| who.drain(setup),
                    f,
                )
            })
        });
    }
    g.finish();
}

/// Twice what each implementation's buffer holds, so about half is dropped
/// unless its writer keeps up; the writer is drained before each burst.
fn burst(c: &mut Criterion, setup: &Setup) {
    // Records of two u64: ours 48 bytes (v4, type word included), the port 40.
    let ours_burst = 2 * (trace_runtime::DEFAULT_BUFFER_SIZE / 48) as u64;
    let qemu_burst = 2 * u64::from(TRACE_BUF_LEN / 40);
    let tracing_burst = 2 * tracing_baseline::BUFFERED_LINES as u64;
    let floor_burst = 2 * 8192;
    let mut g = group(c, "burst_2x_buffer");
    let mut case = |who: Impl, burst: u64, f: fn(u64)| {
        g.bench_function(who.name(), |b| {
            b.iter_custom(|n| rounds(setup, who, n, burst, f))
        });
    };
    case(Impl::Ours, ours_burst, ours_two);
    case(Impl::Qemu, qemu_burst, qemu_two);
    case(Impl::Tracing, tracing_burst, tracing_two);
    case(Impl::Floor, floor_burst, floor_two);
    g.finish();
}

/// A thread's first event, which sets up the thread's buffer: timed inside a
/// new thread, around that one event (spawning and joining are not timed).
fn first_event(c: &mut Criterion) {
    let mut g = group(c, "first_event_on_new_thread");
    let mut case = |name: &str, f: fn(u64)| {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|i| {
                        std::thread::spawn(move || {
                            let start = Instant::now();
                            f(i);
                            start.elapsed()
                        })
                        .join()
                        .expect("bench thread panicked")
                    })
                    .sum()
            })
        });
    };
    case("ours", ours_two);
    case("floor", floor_two);
    g.finish();
}

fn main() {
    let setup = Setup::start(trace_runtime::Config::new()).expect("start the implementations");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();

    disabled(&mut c);
    no_arg(&mut c, &setup);
    two_u64(&mut c, &setup);
    one_str(&mut c, &setup);
    six_args(&mut c, &setup);
    threads_case(&mut c, &setup, "one_thread", 1);
    threads_case(&mut c, &setup, "two_threads", 2);
    burst(&mut c, &setup);
    first_event(&mut c);

    trace_runtime::flush();
    if let Some(status) = trace_runtime::status() {
        eprintln!(
            "ours: {} records written, {} dropped, {} write errors",
            status.written, status.dropped, status.write_errors
        );
    }
    c.final_summary();
    drop(setup);
    // The floor's slots, read so its stores are never optimised away.
    black_box(floor::checksum());
}
