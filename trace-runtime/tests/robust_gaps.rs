//! Each thread's gaps are exactly its dropped records: a dropped record
//! stands where its thread lost events (between the records around the gap,
//! with the gap's exact size), including events lost at the end of a thread's
//! life (the thread exits, or the trace stops), and nowhere else.

mod common_robust;

use std::sync::mpsc;
use std::time::Duration;

use common_robust::*;
use trace_runtime::{Config, MIN_BUFFER_SIZE};

/// Threads in a tight loop, each event carrying its iteration number.
const RACERS: u32 = 3;
const RACER_EVENTS: u64 = 400_000;
/// Events recorded while the writer is paused: most are lost at the tail.
const TAIL_EVENTS: u64 = 1000;

fn spawn_producer(thread: u32, events: u64) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(thread_name(thread))
        .spawn(move || (0..events).for_each(|seq| emit(thread, seq)))
        .unwrap()
}

#[test]
fn every_gap_has_exactly_one_dropped_record_and_no_other_stands_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.trace");
    let guard = Config::new()
        .ignore_env()
        .file(&path)
        .buffer_size(MIN_BUFFER_SIZE)
        .__start_paused()
        .start()
        .unwrap();

    // Tail lost by a thread that exits: its buffer fills, the rest is lost,
    // and no later event of that thread can carry the count.
    spawn_producer(0, TAIL_EVENTS).join().unwrap();
    // Tail lost by a thread still alive when the trace stops.
    let (release, wait) = mpsc::channel::<()>();
    let (recorded, done) = mpsc::channel();
    let alive = std::thread::Builder::new()
        .name(thread_name(1))
        .spawn(move || {
            (0..TAIL_EVENTS).for_each(|seq| emit(1, seq));
            recorded.send(()).unwrap();
            let _ = wait.recv();
        })
        .unwrap();
    done.recv().unwrap();
    guard.__pause_writer(false);

    // Gaps in the middle: threads in a tight loop against a running writer.
    let racers: Vec<_> = (2..2 + RACERS)
        .map(|t| spawn_producer(t, RACER_EVENTS))
        .collect();
    for r in racers {
        r.join().unwrap();
    }
    within(Duration::from_secs(60), "stopping the trace", move || {
        drop(guard)
    });
    release.send(()).unwrap();
    alive.join().unwrap();

    let trace = decode_file(&path);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let batches = batches(&trace.records);
    assert_eq!(
        batches.len() as u32,
        2 + RACERS,
        "every thread in the trace"
    );
    let mut dropped = 0;
    let mut written = 0;
    for (&thread, b) in &batches {
        let emitted = if thread < 2 {
            TAIL_EVENTS
        } else {
            RACER_EVENTS
        };
        let (decoded, lost) = check_thread(thread, b, Some(emitted));
        let items: Vec<Item> = b.iter().flat_map(|b| b.items.clone()).collect();
        let inner_gaps = items
            .windows(2)
            .filter(|w| matches!(w, [Item::Dropped(_), Item::Seq(_)]))
            .count();
        eprintln!("thread {thread}: {decoded} records, {lost} dropped, {inner_gaps} gaps");
        if thread < 2 {
            assert!(
                decoded > 0 && lost > 0,
                "thread {thread}: the buffer filled"
            );
            assert!(
                matches!(items.last(), Some(Item::Dropped(_))),
                "thread {thread}: the tail's dropped record ends its stream"
            );
        }
        dropped += lost;
        written += decoded;
    }
    let racer_gaps = (2..2 + RACERS)
        .filter(|t| {
            batches[t]
                .iter()
                .flat_map(|b| &b.items)
                .any(|i| matches!(i, Item::Dropped(_)))
        })
        .count();
    assert!(racer_gaps > 0, "no tight loop lost events: nothing tested");
    let status = trace_runtime::status().unwrap();
    assert_eq!(status.dropped, dropped, "{status:?}");
    assert_eq!(status.written, written, "{status:?}");
}
