//! Producers never block: with the writer stuck in `write()` on a FIFO nobody
//! reads, enabled events still return (they are dropped and counted), and once
//! the FIFO is read again every event is accounted for.
// Uses Linux pipe sizes (F_GETPIPE_SZ) and /proc.
#![cfg(target_os = "linux")]

mod common_robust;

use std::io::Read;
use std::time::Duration;

use common_robust::*;
use trace_runtime::{Config, MIN_BUFFER_SIZE};

/// Events each producer records while the writer is stuck: many times what
/// its buffer holds.
const STALLED_EVENTS: u64 = 200_000;
const THREADS: u32 = 3;
/// The thread that fills the pipe first.
const STALLER: u32 = THREADS;

fn on_thread<T: Send + 'static>(t: u32, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name(thread_name(t))
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn events_return_while_the_writer_is_stuck_and_are_all_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stuck.fifo");
    mkfifo(&fifo);
    let read_end = open_fifo_reader(&fifo);
    let guard = Config::new()
        .ignore_env()
        .file(&fifo)
        .buffer_size(MIN_BUFFER_SIZE)
        .start()
        .unwrap();

    // One thread records until the writer blocks on the full pipe.
    let (read_end, stalled_at, confirmed) = on_thread(STALLER, move || {
        let mut seq = 0;
        let confirmed = stall_writer_on_fifo(&read_end, || {
            (seq..seq + 1000).for_each(|s| emit(STALLER, s));
            seq += 1000;
        });
        (read_end, seq, confirmed)
    });

    // Every producer records far more than its buffer holds; the watchdog
    // fails the test if any of them blocks.
    let emitted: Vec<u64> = within(Duration::from_secs(60), "producers", move || {
        let producers: Vec<_> = (0..THREADS)
            .map(|t| {
                std::thread::Builder::new()
                    .name(thread_name(t))
                    .spawn(move || {
                        (0..STALLED_EVENTS).for_each(|s| emit(t, s));
                        STALLED_EVENTS
                    })
                    .unwrap()
            })
            .collect();
        producers.into_iter().map(|p| p.join().unwrap()).collect()
    });
    if confirmed {
        assert_eq!(
            writer_blocked_on_pipe(),
            Some(true),
            "the writer stayed stuck while they recorded"
        );
    }

    // Unblock: read the FIFO to its end (the guard's drop closes it).
    set_blocking(&read_end);
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut read_end = read_end;
        read_end.read_to_end(&mut bytes).unwrap();
        bytes
    });
    drop(guard);
    let bytes = within(Duration::from_secs(60), "reading the FIFO", move || {
        reader.join().unwrap()
    });

    let trace = decode(&bytes[..]);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let batches = batches(&trace.records);
    let (_, staller_dropped) = check_thread(STALLER, &batches[&STALLER], Some(stalled_at));
    let mut dropped = 0;
    for (t, &emitted) in emitted.iter().enumerate() {
        let t = t as u32;
        dropped += check_thread(t, &batches[&t], Some(emitted)).1;
    }
    assert!(
        dropped >= u64::from(THREADS) * (STALLED_EVENTS - MIN_BUFFER_SIZE as u64),
        "what did not fit while the writer was stuck was dropped: {dropped}"
    );
    let status = trace_runtime::status().unwrap();
    assert_eq!(status.dropped, dropped + staller_dropped, "{status:?}");
    assert_eq!(status.write_errors, 0, "{status:?}");
}
