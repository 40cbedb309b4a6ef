//! Threads that come and go leave nothing mapped: once a thread has exited
//! and its records are written, the writer unmaps its ring. A program that
//! spawns a thread per task must not grow by a buffer per thread it ever ran.
// `/proc/self/status` is Linux's.
#![cfg(target_os = "linux")]

mod common_robust;

use common_robust::*;
use trace_runtime::Config;

/// Threads spawned one after the other, each recording a few events.
const THREADS: u32 = 200;
/// Each ring: its address space is reserved whole when the thread records.
const BUFFER: usize = 4 << 20;

fn run_threads(first: u32, count: u32) {
    for thread in first..first + count {
        std::thread::spawn(move || (0..10).for_each(|seq| emit(thread, seq)))
            .join()
            .unwrap();
    }
}

#[test]
fn exited_threads_leave_no_ring_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("churn.trace");
    let guard = Config::new()
        .ignore_env()
        .file(&path)
        .buffer_size(BUFFER)
        .start()
        .unwrap();
    // Warm up: the C library's cache of thread stacks, the writer's vectors.
    run_threads(0, 20);
    guard.flush();
    guard.flush();
    let before = mapped_bytes();

    run_threads(20, THREADS);
    // A pass notices the threads are gone, the next frees their rings.
    guard.flush();
    guard.flush();
    let grown = mapped_bytes().saturating_sub(before);
    drop(guard);

    // Leaked rings would be THREADS * 4 MiB (800 MiB); allow a tenth of that
    // for whatever else the process maps meanwhile.
    let leak = THREADS as u64 * BUFFER as u64;
    assert!(
        grown < leak / 10,
        "{THREADS} threads came and went: the process grew by {grown} bytes \
         (a ring each would be {leak})"
    );
    // And every thread's events are in the trace.
    let events = decode_file(&path)
        .records
        .iter()
        .filter(|r| KINDS.contains(&r.name.as_str()))
        .count();
    assert_eq!(events, (20 + THREADS as usize) * 10);
}
