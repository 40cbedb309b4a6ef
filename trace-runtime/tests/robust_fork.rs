//! fork: children forked while threads record and the writer writes neither
//! deadlock nor touch the parent's file. A child records nothing: every event
//! is off there, the control calls answer `NotRunning`, `flush` and the guard
//! do nothing, and it cannot start a trace of its own.
// Uses Unix processes, signals or pipes.
#![cfg(unix)]

mod common_robust;
mod forked;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common_robust::*;
use forked::wait_child;
use trace_runtime::{
    event_state, flush, list_events, set_enabled, status, trace_file_flush, trace_file_off,
    trace_file_on, trace_file_set, trace_file_status, Config, ControlError, EventState, StartError,
    TraceGuard,
};

const FORKS: u32 = 20;
const THREADS: u32 = 2;

/// Everything a child may call; returns the number of the first check that
/// failed (0: all passed). Runs in the forked child: no printing (the
/// parent's threads may have held stdio locks at the fork).
fn child_checks(guard: TraceGuard) -> i32 {
    let not_running = |r: Result<(), ControlError>| matches!(r, Err(ControlError::NotRunning));
    let checks: [&dyn Fn() -> bool; 12] = [
        &|| {
            KINDS
                .iter()
                .all(|k| event_state(k) == Some(EventState::Disabled))
        },
        &|| {
            (0..1000).for_each(|s| emit(0, s));
            flush();
            true
        },
        &|| trace_file_status().is_none(),
        &|| guard.path().ends_with("fork.trace"),
        &|| matches!(set_enabled("robust_*", true), Err(ControlError::NotRunning)),
        &|| not_running(trace_file_on()) && not_running(trace_file_off()),
        &|| not_running(trace_file_flush()) && not_running(trace_file_set("child.trace")),
        &|| {
            matches!(
                Config::new().ignore_env().start(),
                Err(StartError::AlreadyStarted)
            )
        },
        &|| list_events("robust_*").is_ok_and(|l| l.len() == KINDS.len()),
        &|| status().is_some(),
        // The runtime's panic hook runs here too and must not wait for a
        // writer that does not exist in the child.
        &|| std::panic::catch_unwind(|| panic!("panic in a forked child")).is_err(),
        &|| !std::path::Path::new("child.trace").exists(),
    ];
    for (i, check) in checks.iter().enumerate() {
        if !check() {
            return i as i32 + 1;
        }
    }
    drop(guard);
    0
}

#[test]
fn children_forked_while_recording_neither_hang_nor_corrupt_the_parents_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fork.trace");
    std::env::set_current_dir(dir.path()).unwrap();
    // A short period keeps the writer busy writing (holding the file's lock)
    // at some of the forks.
    let guard = Config::new()
        .ignore_env()
        .file(&path)
        .writer_period(Duration::from_millis(1))
        .start()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let recorders: Vec<_> = (0..THREADS)
        .map(|t| {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(thread_name(t))
                .spawn(move || {
                    let mut seq = 0;
                    while !stop.load(Ordering::Relaxed) {
                        (seq..seq + 100).for_each(|s| emit(t, s));
                        seq += 100;
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    seq
                })
                .unwrap()
        })
        .collect();

    for _ in 0..FORKS {
        std::thread::sleep(Duration::from_millis(3));
        // SAFETY: the child runs only `child_checks` (the runtime's calls,
        // which take no lock a parent thread may have held at the fork, and
        // allocation, which glibc makes fork-safe) and leaves with `_exit`,
        // skipping the parent's destructors.
        let child = unsafe { libc::fork() };
        assert!(child >= 0, "fork: {}", std::io::Error::last_os_error());
        if child == 0 {
            // SAFETY: ends the child without unwinding into the test harness.
            unsafe { libc::_exit(child_checks(guard)) };
        }
        assert_eq!(wait_child(child), 0, "the check that failed in the child");
    }

    stop.store(true, Ordering::Relaxed);
    let emitted: Vec<u64> = recorders.into_iter().map(|r| r.join().unwrap()).collect();
    drop(guard);

    // The parent's file is whole and holds exactly the parent's events.
    let trace = decode_file(&path);
    assert!(trace.truncated.is_none(), "{:?}", trace.truncated);
    let me = std::process::id();
    assert!(
        trace.records.iter().all(|r| r.pid == me),
        "a record of a child"
    );
    let batches = batches(&trace.records);
    for (t, &n) in emitted.iter().enumerate() {
        let t = t as u32;
        check_thread(t, &batches[&t], Some(n));
    }
    assert_eq!(batches.len() as u32, THREADS, "no record from a child");
}
