//! Exact accounting: more threads than cores record into the smallest buffer
//! while the writer is slowed on purpose (its trace file is a FIFO read in
//! small sips). For every event name, the records decoded plus the counts of
//! the dropped records equal what was emitted, and no record is torn or
//! interleaved.
// Uses Unix processes, signals or pipes.
#![cfg(unix)]

mod common_robust;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use common_robust::*;
use trace_runtime::{Config, MIN_BUFFER_SIZE};

const THREADS: u32 = 9;
const EVENTS: u64 = 20_000;

/// Reads the FIFO 4 KiB at a time with a pause after each read, until EOF
/// (the runtime closes the trace file when the guard is dropped).
fn slow_reader(path: std::path::PathBuf) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut fifo = std::fs::File::open(path).unwrap();
        let mut out = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match fifo.read(&mut chunk).unwrap() {
                0 => return out,
                n => out.extend_from_slice(&chunk[..n]),
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    })
}

#[test]
fn records_plus_dropped_counts_equal_emitted_for_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("trace.fifo");
    mkfifo(&fifo);
    let reader = slow_reader(fifo.clone());
    let guard = Config::new()
        .ignore_env()
        .file(&fifo)
        .buffer_size(MIN_BUFFER_SIZE)
        .start()
        .unwrap();

    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::Builder::new()
                .name(thread_name(t))
                .spawn(move || {
                    for seq in 0..EVENTS {
                        emit(t, seq);
                        // Bursts: the writer catches up between some of them.
                        if seq % 100 == 0 {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                })
                .unwrap()
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    drop(guard);
    let bytes = within(
        Duration::from_secs(60),
        "reading the FIFO to EOF",
        move || reader.join().unwrap(),
    );

    let trace = decode(&bytes[..]);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let batches = batches(&trace.records);
    assert_eq!(batches.len() as u32, THREADS, "every thread in the trace");
    let mut by_name: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (&thread, thread_batches) in &batches {
        let (decoded, dropped) = check_thread(thread, thread_batches, Some(EVENTS));
        let with_drops = thread_batches
            .iter()
            .filter(|b| b.items.iter().any(|i| matches!(i, Item::Dropped(_))))
            .count();
        eprintln!(
            "thread {thread}: {} batches, {with_drops} with drops",
            thread_batches.len()
        );
        let entry = by_name.entry(kind_of(thread)).or_default();
        entry.0 += decoded;
        entry.1 += dropped;
    }
    let per_name = u64::from(THREADS) / KINDS.len() as u64 * EVENTS;
    for name in KINDS {
        let (decoded, dropped) = by_name[name];
        eprintln!("{name}: {decoded} recorded + {dropped} dropped");
        assert_eq!(decoded + dropped, per_name, "{name}");
    }
    let decoded: u64 = by_name.values().map(|v| v.0).sum();
    let dropped: u64 = by_name.values().map(|v| v.1).sum();
    assert!(dropped > 0, "the slowed writer made buffers overflow");
    let status = trace_runtime::status().unwrap();
    assert_eq!(status.written, decoded, "{status:?}");
    assert_eq!(status.dropped, dropped, "{status:?}");
    assert_eq!(status.write_errors, 0, "{status:?}");
}
