//! Issue #14: what the default configuration loses at sustained rates, and
//! what it costs when idle. Not a timing: one thread emits two-u64 events
//! paced at each rate for `DROP_SWEEP_SECONDS` (default 30) and the bench
//! prints the share the runtime counted as dropped; then the process idles
//! for a few seconds with tracing on and the bench prints the CPU time the
//! whole process used per second of idling (the writer's wake-ups).
//!
//! The trace goes to a file on the disk, as a user's does: past what the page
//! cache holds dirty, the writer's `writev` waits for the disk, and at rates
//! above the disk's speed the buffers fill whatever the tracer does. With
//! `DROP_SWEEP_FILE=/dev/null` it goes there instead: the tracer and its
//! writer without the storage.
//! Run with `cargo bench -p trace-bench --bench drops`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use trace_bench::ours;
use trace_bench::setup::Setup;

/// Rates swept, in events per second.
const RATES: [u64; 6] = [
    1_000_000, 2_000_000, 5_000_000, 10_000_000, 15_000_000, 20_000_000,
];
/// Events emitted between two looks at the clock.
const BATCH: u64 = 64;
/// Idle time measured.
const IDLE: Duration = Duration::from_secs(5);

fn seconds() -> u64 {
    std::env::var("DROP_SWEEP_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

/// Emit `rate` events a second for `secs` seconds; returns how many were
/// emitted (fewer than asked if this thread cannot keep the pace).
fn paced(rate: u64, secs: u64) -> u64 {
    let total = rate * secs;
    let start = Instant::now();
    let mut emitted = 0;
    while emitted < total {
        let due = Duration::from_nanos(emitted * 1_000_000_000 / rate);
        while start.elapsed() < due {
            std::hint::spin_loop();
        }
        for i in emitted..emitted + BATCH {
            ours::bench_two_u64(black_box(i), black_box(!i));
        }
        emitted += BATCH;
    }
    emitted
}

/// User + system CPU time of the whole process.
fn cpu_time() -> Duration {
    // SAFETY: getrusage writes one rusage struct into the zeroed one given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    let file = std::env::var_os("DROP_SWEEP_FILE").map(std::path::PathBuf::from);
    let setup =
        Setup::start_to(trace_runtime::Config::new(), file).expect("start the implementations");
    let secs = seconds();
    println!("drops at paced rates, one thread, default configuration, {secs} s each");
    println!("trace file: {}", setup.ours_path.display());
    println!(
        "{:>12} {:>14} {:>12} {:>9}",
        "events/s", "emitted", "dropped", "share"
    );
    // The first event sets the thread's buffer up.
    ours::bench_two_u64(0, 0);
    for rate in RATES {
        trace_runtime::flush();
        setup.trim();
        let before = trace_runtime::status().expect("started");
        let emitted = paced(rate, secs);
        trace_runtime::flush();
        let after = trace_runtime::status().expect("started");
        let dropped = after.dropped - before.dropped;
        println!(
            "{rate:>12} {emitted:>14} {dropped:>12} {:>8.3}%",
            100.0 * dropped as f64 / emitted as f64
        );
    }

    trace_runtime::flush();
    std::thread::sleep(Duration::from_millis(200));
    let cpu_before = cpu_time();
    std::thread::sleep(IDLE);
    let idle_cpu = cpu_time() - cpu_before;
    println!(
        "idle: {:.3} ms of CPU per second with tracing on",
        idle_cpu.as_secs_f64() * 1000.0 / IDLE.as_secs_f64()
    );
    drop(setup);
}
