//! A full buffer drops events, and the file says exactly how many, where
//! they were lost.

mod common;

use common::*;
use trace_runtime::__private::record;
use trace_runtime::{Config, MIN_BUFFER_SIZE};

event!(
    EV_FILL,
    "test_fill",
    available = true,
    [("uint64_t", "x", U64)]
);

fn test_fill(x: u64) {
    let state = EV_FILL.state();
    if state & 1 != 0 {
        record(state, 8, |p| p.u64(x));
    }
}

/// (values recorded, dropped counts) in file order, after the records so far.
fn contents(t: &Trace) -> (Vec<u64>, Vec<u64>) {
    let values = t
        .program_records()
        .iter()
        .map(|r| Args::new(&r.payload).u64())
        .collect();
    let drops = t
        .records
        .iter()
        .filter(|r| r.id == DROPPED_ID)
        .map(|r| {
            assert_eq!(r.length, 32, "QEMU's dropped record length");
            Args::new(&r.payload).u64()
        })
        .collect();
    (values, drops)
}

#[test]
fn dropped_records_count_exactly_what_a_paused_writer_missed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.trace");
    let guard = Config::new()
        .file(&path)
        .buffer_size(MIN_BUFFER_SIZE)
        .__start_paused()
        .start()
        .unwrap();
    const N: u64 = 1000;
    const RECORD: u64 = 8 + 24 + 8;
    // A fresh buffer holds this many 40-byte records, the rest is dropped.
    let fits = MIN_BUFFER_SIZE as u64 / RECORD;

    (0..N).for_each(test_fill);
    guard.__pause_writer(false);
    guard.flush();
    let t = decode(&std::fs::read(&path).unwrap());
    let (values, drops) = contents(&t);
    assert_eq!(
        values,
        (0..fits).collect::<Vec<_>>(),
        "the first ones, in order"
    );
    assert_eq!(drops, [], "where the gap ends is not known yet");
    assert_eq!(guard.status().dropped, 0);

    // The thread's next event ends the gap: the dropped record stands there.
    (N..N + 5).for_each(test_fill);
    guard.flush();
    let t = decode(&std::fs::read(&path).unwrap());
    let (values, drops) = contents(&t);
    assert_eq!(values.len() as u64, fits + 5);
    assert_eq!(drops, [N - fits]);
    let at = t.records.iter().position(|r| r.id == DROPPED_ID).unwrap();
    let next = &t.records[at + 1];
    assert_eq!(
        Args::new(&next.payload).u64(),
        N,
        "right before the gap's end"
    );
    assert_eq!(
        t.records[at].timestamp_ns, next.timestamp_ns,
        "stamped there"
    );
    let names: Vec<&str> = t.records[at - 1..=at].iter().map(|r| t.name(r)).collect();
    assert_eq!(
        names,
        ["trace_thread", "Dropped_Event"],
        "attributed to the thread"
    );
    assert_eq!(guard.status().dropped, N - fits);

    // Lost at the end of the trace: the writer counts them after the thread's
    // last record when the trace stops.
    guard.__pause_writer(true);
    (2 * N..3 * N).for_each(test_fill);
    guard.__pause_writer(false);
    drop(guard);
    let t = decode(&std::fs::read(&path).unwrap());
    let (values, drops) = contents(&t);
    let second: Vec<u64> = values.iter().copied().filter(|&v| v >= 2 * N).collect();
    assert_eq!(drops.len(), 2);
    assert!(drops[1] > 0);
    assert_eq!(second.len() as u64 + drops[1], N);
    assert_eq!(
        second,
        (2 * N..2 * N + second.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(
        t.records.last().unwrap().id,
        DROPPED_ID,
        "after the last one"
    );
    let status = trace_runtime::status().unwrap();
    assert_eq!(status.dropped, drops.iter().sum::<u64>());
    assert_eq!(status.written, values.len() as u64);
    assert_eq!(status.write_errors, 0);
}
