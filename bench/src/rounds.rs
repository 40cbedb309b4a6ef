//! Timing loops shared by the benches: rounds of calls with the writer
//! drained (untimed) between them, on one thread or on several at once.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Rounds of `round` calls of `f` on this thread, our writer flushed
/// (untimed) before each; the time per call.
pub fn flushed(iters: u64, round: u64, f: impl Fn(u64)) -> Duration {
    drained(iters, round, &trace_runtime::flush, f)
}

/// Rounds of `round` calls of `f` on this thread, `drain` run (untimed)
/// before each (every writer caught up); the time per call.
pub fn drained(iters: u64, round: u64, drain: &dyn Fn(), f: impl Fn(u64)) -> Duration {
    let count = iters.div_ceil(round).max(1);
    let mut total = Duration::ZERO;
    for _ in 0..count {
        drain();
        let start = Instant::now();
        for i in 0..round {
            f(i);
        }
        total += start.elapsed();
    }
    total.mul_f64(iters as f64 / (count * round) as f64)
}

/// `threads` threads make rounds of `round` calls of `f` each, all starting
/// together, `drain` run (untimed, by the first thread) between rounds.
/// Returns the time per call of all threads together: per round, the wall
/// time from the first start to the last finish, summed, divided by the
/// calls. The first `warm_up_rounds` on the new threads are not counted:
/// with enough of them to write more than a buffer holds, setting it up is
/// not timed, including the first write to each page of our ring (the OS
/// maps it then: a page fault per 4 KiB).
pub fn parallel(
    threads: u32,
    iters: u64,
    round: u64,
    warm_up_rounds: u64,
    drain: &(dyn Fn() + Sync),
    f: fn(u64),
) -> Duration {
    let count = iters.div_ceil(round).max(1);
    let barrier = Barrier::new(threads as usize);
    let arrived = AtomicU32::new(0);
    let spans: Vec<Vec<(Instant, Instant)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (barrier, arrived) = (&barrier, &arrived);
                s.spawn(move || {
                    (0..warm_up_rounds + count)
                        .filter_map(|r| {
                            barrier.wait();
                            if t == 0 {
                                drain();
                            }
                            barrier.wait();
                            spin_start(arrived, threads);
                            let start = Instant::now();
                            for i in 0..round {
                                f(i);
                            }
                            (r >= warm_up_rounds).then(|| (start, Instant::now()))
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("bench thread panicked"))
            .collect()
    });
    let total: Duration = (0..count as usize)
        .map(|r| {
            let start = spans.iter().map(|t| t[r].0).min().expect("a thread");
            let end = spans.iter().map(|t| t[r].1).max().expect("a thread");
            end - start
        })
        .sum();
    total.mul_f64(iters as f64 / (count * round * u64::from(threads)) as f64)
}

/// Wait, spinning, until all `threads` threads of this round got here. A
/// thread woken from the barrier can take tens of microseconds to run again,
/// as long as a whole round: spinning makes the threads start together.
fn spin_start(arrived: &AtomicU32, threads: u32) {
    let me = arrived.fetch_add(1, Ordering::AcqRel) + 1;
    let round_end = me.div_ceil(threads) * threads;
    while arrived.load(Ordering::Acquire) < round_end {
        std::hint::spin_loop();
    }
}
