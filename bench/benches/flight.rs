//! Issue #17: flight mode. One runtime per process, so the binary runs
//! itself twice: once streaming (the default mode), once in flight mode.
//! - `flight_two_u64/{stream,flight}`: an enabled two-`u64` event in rounds
//!   of [`ROUND`] as in `events.rs` (streaming: the writer drained before
//!   each round, so nothing drops; flight: the ring is full and every event
//!   overwrites the oldest records).
//! - `flight_snapshot/8x1MiB`: `trace_runtime::snapshot` of 8 threads' full
//!   1 MiB buffers (the threads idle), to a file in a temporary directory.
//!
//! Run with `cargo bench -p trace-bench --bench flight`.

use std::hint::black_box;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use trace_bench::{ours, rounds};
use trace_runtime::{Config, Mode};

const MODE_ENV: &str = "FLIGHT_BENCH_MODE";
/// Events per round: well under a 1 MiB buffer.
const ROUND: u64 = 2500;
const SNAPSHOT_THREADS: usize = 8;
const SNAPSHOT_BUFFER: usize = 1 << 20;

fn ours_two(i: u64) {
    ours::bench_two_u64(black_box(i), black_box(!i));
}

fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
        .configure_from_args()
}

fn child(mode: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let flight = mode == "flight";
    let config = Config::new()
        .ignore_env()
        .file(dir.path().join("bench.trace"))
        .mode(if flight { Mode::Flight } else { Mode::Stream })
        .buffer_size(SNAPSHOT_BUFFER); // alike in both modes: same cache footprint
    let guard = config.start().expect("start tracing");
    let mut c = criterion();
    let mut g = c.benchmark_group("flight_two_u64");
    g.throughput(Throughput::Elements(1));
    if flight {
        // Fill this thread's ring first: every timed event overwrites.
        (0..SNAPSHOT_BUFFER as u64 / 8).for_each(ours_two);
    }
    g.bench_function(mode, |b| {
        b.iter_custom(|iters| rounds::flushed(iters, ROUND, ours_two))
    });
    g.finish();
    if flight {
        snapshot_case(&mut c, dir.path());
    }
    c.final_summary();
    drop(guard);
}

/// 8 threads fill their 1 MiB buffers and stay alive, idle, while the
/// snapshots run.
fn snapshot_case(c: &mut Criterion, dir: &std::path::Path) {
    let filled = Arc::new(Barrier::new(SNAPSHOT_THREADS + 1));
    let done = Arc::new(Barrier::new(SNAPSHOT_THREADS + 1));
    let threads: Vec<_> = (0..SNAPSHOT_THREADS)
        .map(|_| {
            let (filled, done) = (filled.clone(), done.clone());
            std::thread::spawn(move || {
                (0..SNAPSHOT_BUFFER as u64 / 8).for_each(ours_two);
                filled.wait();
                done.wait();
            })
        })
        .collect();
    filled.wait();
    let path = dir.join("snapshot.trace");
    let mut g = c.benchmark_group("flight_snapshot");
    g.sample_size(20);
    g.bench_function("8x1MiB", |b| {
        b.iter(|| trace_runtime::snapshot(&path).expect("snapshot"))
    });
    g.finish();
    let info = trace_runtime::snapshot(&path).expect("snapshot");
    eprintln!(
        "snapshot: {} threads, {} events, {} bytes",
        info.threads,
        info.events,
        std::fs::metadata(&path).map_or(0, |m| m.len())
    );
    done.wait();
    threads.into_iter().for_each(|t| t.join().unwrap());
}

fn main() {
    if let Ok(mode) = std::env::var(MODE_ENV) {
        return child(&mode);
    }
    let me = std::env::current_exe().expect("this binary");
    for mode in ["stream", "flight"] {
        let status = Command::new(&me)
            .args(std::env::args_os().skip(1))
            .env(MODE_ENV, mode)
            .status()
            .expect("run the bench in a child");
        assert!(status.success(), "{mode}: {status}");
    }
}
