//! Many threads: every record present, in order per thread, attributed to the
//! right thread, including threads that exited before their buffer was drained.

mod common;

use std::collections::HashMap;

use common::*;
use trace_runtime::__private::record;
use trace_runtime::Config;

event!(
    EV_STEP,
    "test_step",
    available = true,
    [("uint32_t", "thread", U32), ("uint32_t", "seq", U32)]
);

fn test_step(thread: u32, seq: u32) {
    let state = EV_STEP.state();
    if state & 1 != 0 {
        record(state, 16, |p| {
            p.u64(thread as u64);
            p.u64(seq as u64);
        });
    }
}

const THREADS: u32 = 6;
const STEPS: u32 = 3000;

/// Spawn the threads, each recording `STEPS` events; returns their kernel tids.
fn run_threads(first: u32) -> Vec<u64> {
    let handles: Vec<_> = (first..first + THREADS)
        .map(|i| {
            std::thread::Builder::new()
                .name(format!("step{i}"))
                .spawn(move || {
                    for seq in 0..STEPS {
                        test_step(i, seq);
                    }
                    gettid()
                })
                .unwrap()
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn every_thread_complete_in_order_even_after_it_exited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.trace");
    // 3000 records of 48 bytes fit in 256 KiB: nothing may be dropped.
    let guard = Config::new()
        .file(&path)
        .buffer_size(256 * 1024)
        .start()
        .unwrap();
    let mut tids = run_threads(0);
    // These threads record and exit while nothing drains their buffers.
    guard.__pause_writer(true);
    tids.extend(run_threads(THREADS));
    guard.__pause_writer(false);
    drop(guard);

    let t = decode(&std::fs::read(&path).unwrap());
    assert_eq!(t.dropped_total(), 0);
    let mut seqs: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut tid_of: HashMap<u32, u64> = HashMap::new();
    for (tid, r) in t.by_thread() {
        let mut a = Args::new(&r.payload);
        let (thread, seq) = (a.u64() as u32, a.u64() as u32);
        assert_eq!(*tid_of.entry(thread).or_insert(tid), tid, "thread {thread}");
        seqs.entry(thread).or_default().push(seq);
    }
    assert_eq!(seqs.len() as u32, 2 * THREADS);
    for (thread, got) in &seqs {
        assert_eq!(*got, (0..STEPS).collect::<Vec<_>>(), "thread {thread}");
        assert_eq!(tid_of[thread], tids[*thread as usize]);
    }
    // Thread names travel with the trace_thread records.
    let named: Vec<String> = t
        .records
        .iter()
        .filter(|r| r.id != DROPPED_ID && t.name(r) == "trace_thread")
        .map(|r| {
            let mut a = Args::new(&r.payload);
            a.u64();
            String::from_utf8(a.str()).unwrap()
        })
        .collect();
    for i in 0..2 * THREADS {
        assert!(named.contains(&format!("step{i}")), "step{i} in {named:?}");
    }
    assert_eq!(
        trace_runtime::status().unwrap().written,
        u64::from(2 * THREADS * STEPS)
    );
}
