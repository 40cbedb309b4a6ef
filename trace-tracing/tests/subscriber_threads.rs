//! `SimpletraceSubscriber`'s span store under threads that make, enter and
//! close spans at once, half of them closed by another thread: every span
//! is recorded once with its own value, enter and exit.

mod common;

use std::collections::HashSet;

use common::{named, traced, Rec, I, V};
use tracing::{info_span, Span};

fn busy(v: u64) -> Span {
    info_span!("busy_span", v)
}

/// Run `work(t)` on `threads` threads at once under this thread's subscriber.
fn on_threads<R: Send + 'static>(
    threads: u64,
    work: impl Fn(u64) -> R + Send + Sync + Copy + 'static,
) -> Vec<R> {
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    let threads: Vec<_> = (0..threads)
        .map(|t| {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || tracing::dispatcher::with_default(&dispatch, || work(t)))
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn threads_make_and_close_spans_at_once() {
    const THREADS: u64 = 4;
    const SPANS: u64 = 3000;
    /// Values of the second round's spans start here.
    const LATER: u64 = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads.trace");
    let records = traced(&path, || {
        let handed = on_threads(THREADS, |t| {
            // Half the spans are closed by other threads.
            let mut handed = Vec::new();
            for i in 0..SPANS {
                let span = busy(t * SPANS + i);
                span.in_scope(|| {});
                if i % 2 == 0 {
                    handed.push(span);
                }
            }
            handed
        });
        // Joined one by one: a join waits for the thread's thread-local
        // destructors too (where it hands its free ids back).
        let closers: Vec<_> = handed
            .into_iter()
            .map(|spans| std::thread::spawn(move || drop(spans)))
            .collect();
        for closer in closers {
            closer.join().unwrap();
        }
        // New threads take the ids the others freed, and more: every span
        // is kept until all threads are done, so all are live at once.
        let live = on_threads(THREADS, |t| {
            let spans: Vec<Span> = (0..SPANS).map(|i| busy(LATER + t * SPANS + i)).collect();
            for span in &spans {
                span.in_scope(|| {});
            }
            spans
        });
        drop(live);
    });
    let enters = named(&records, "busy_span_enter");
    let value = |r: &Rec| match r.arg("v") {
        I(v) => *v,
        other => panic!("{other:?}"),
    };
    let id = |r: &Rec| r.arg("async_call_id").clone();
    let mut values: Vec<u64> = enters.iter().map(|r| value(r)).collect();
    values.sort_unstable();
    let first: Vec<u64> = (0..THREADS * SPANS).collect();
    let later: Vec<u64> = first.iter().map(|v| LATER + v).collect();
    assert_eq!(values, [first, later].concat());
    assert_eq!(named(&records, "busy_span_exit").len(), enters.len());

    let first_ids: HashSet<V> = enters
        .iter()
        .filter(|r| value(r) < LATER)
        .map(|r| id(r))
        .collect();
    let later_ids: HashSet<V> = enters
        .iter()
        .filter(|r| value(r) >= LATER)
        .map(|r| id(r))
        .collect();
    assert_eq!(
        later_ids.len(),
        (THREADS * SPANS) as usize,
        "live at once: distinct"
    );
    // The first round's ids were all freed (by other threads than made
    // them, some) and the second round needs more than that at once: it
    // takes them back rather than new ones, but for those another thread
    // holds in its cache of free ids (fewer than 128 a thread).
    let all_ids = first_ids.union(&later_ids).count();
    assert!(
        all_ids < later_ids.len() + THREADS as usize * 128,
        "{} ids for {} live at most at once",
        all_ids,
        later_ids.len()
    );
}
